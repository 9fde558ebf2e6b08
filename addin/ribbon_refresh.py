"""Ribbon button "Refresh dashboards": writes the Dashboard, Slippage and Checks sheets.

Its add-in, addin.ribbon_refresh.xlam, runs main().
"""

from addin.excel import caller_book
from addin.macros import refresh


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import addin.ribbon_refresh; addin.ribbon_refresh.main()``)."""
    refresh(caller_book())
