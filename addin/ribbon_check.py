"""Ribbon button "Validate": checks the open tracker and writes the Checks sheet.

Its add-in, addin.ribbon_check.xlam, runs main().
"""

from addin.excel import caller_book
from addin.macros import validate


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import addin.ribbon_check; addin.ribbon_check.main()``)."""
    validate(caller_book())
