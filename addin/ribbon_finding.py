"""Ribbon button "Go to finding": jumps to the cell of the finding selected on the Checks sheet.

Its add-in, ofsted_tracker.addin.ribbon_finding.xlam, runs main().
"""

from ofsted_tracker.addin.excel import caller_book
from ofsted_tracker.addin.macros import go_to_finding


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import ofsted_tracker.addin.ribbon_finding; ofsted_tracker.addin.ribbon_finding.main()``)."""
    go_to_finding(caller_book())
