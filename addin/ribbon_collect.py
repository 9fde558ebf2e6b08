"""Ribbon button "Collect updates": asks for the returned requests, previews them, writes them after Yes (and asks
whether to set the Recorded RAGs that would then differ from the rule to its rating), refreshes.

Its add-in, ofsted_tracker.addin.ribbon_collect.xlam, runs main().
"""

from ofsted_tracker.addin.excel import caller_book
from ofsted_tracker.addin.updates import collect_updates


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import ofsted_tracker.addin.ribbon_collect; ofsted_tracker.addin.ribbon_collect.main()``)."""
    collect_updates(caller_book(), refresh_after=True, set_recorded=None)
