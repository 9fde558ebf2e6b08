"""Ribbon button "Request updates": each owner's update request and e-mail draft, in a folder beside the workbook.

Its add-in, ofsted_tracker.addin.ribbon_requests.xlam, runs main().
"""

from ofsted_tracker.addin.excel import caller_book
from ofsted_tracker.addin.updates import request_updates


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import ofsted_tracker.addin.ribbon_requests; ofsted_tracker.addin.ribbon_requests.main()``)."""
    request_updates(caller_book())
