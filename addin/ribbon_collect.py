"""Ribbon button "Collect updates": asks for the returned requests, previews them, writes them after Yes, refreshes.

Its add-in, addin.ribbon_collect.xlam, runs main().
"""

from addin.excel import caller_book
from addin.updates import collect_updates


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import addin.ribbon_collect; addin.ribbon_collect.main()``)."""
    collect_updates(caller_book(), refresh_after=True)
