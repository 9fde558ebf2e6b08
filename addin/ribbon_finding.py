"""Ribbon button "Go to finding": jumps to the cell of the finding selected on the Checks sheet.

Its add-in, addin.ribbon_finding.xlam, runs main().
"""

from addin.excel import caller_book
from addin.macros import go_to_finding


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import addin.ribbon_finding; addin.ribbon_finding.main()``)."""
    go_to_finding(caller_book())
