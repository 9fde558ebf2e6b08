"""Ribbon button "Build report": writes the Word committee report next to the workbook.

Its add-in, ofsted_tracker.addin.ribbon_report.xlam, runs main().
"""

from ofsted_tracker.addin.excel import caller_book
from ofsted_tracker.addin.macros import build_report


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import ofsted_tracker.addin.ribbon_report; ofsted_tracker.addin.ribbon_report.main()``)."""
    build_report(caller_book())
