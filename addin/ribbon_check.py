"""Ribbon button "Validate": checks the open tracker and writes the Checks sheet.

Its add-in, ofsted_tracker.addin.ribbon_check.xlam, runs main().
"""

from ofsted_tracker.addin.excel import caller_book
from ofsted_tracker.addin.macros import validate


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import ofsted_tracker.addin.ribbon_check; ofsted_tracker.addin.ribbon_check.main()``)."""
    validate(caller_book())
