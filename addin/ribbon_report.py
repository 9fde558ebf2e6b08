"""Ribbon button "Build report": writes the Word committee report next to the workbook.

Its add-in, addin.ribbon_report.xlam, runs main().
"""

from addin.excel import caller_book
from addin.macros import build_report


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import addin.ribbon_report; addin.ribbon_report.main()``)."""
    build_report(caller_book())
