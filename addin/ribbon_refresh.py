"""Ribbon button "Refresh dashboards": writes the Dashboard, Slippage and Checks sheets.

Its add-in, ofsted_tracker.addin.ribbon_refresh.xlam, runs main().
"""

from ofsted_tracker.addin.excel import caller_book
from ofsted_tracker.addin.macros import refresh


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import ofsted_tracker.addin.ribbon_refresh; ofsted_tracker.addin.ribbon_refresh.main()``)."""
    refresh(caller_book())
