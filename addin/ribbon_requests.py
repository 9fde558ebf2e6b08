"""Ribbon button "Request updates": each owner's update request and e-mail draft, in a folder beside the workbook.

Its add-in, addin.ribbon_requests.xlam, runs main().
"""

from addin.excel import caller_book
from addin.updates import request_updates


def main() -> None:
    """Entry point of the button (xlwings' RunMain: ``import addin.ribbon_requests; addin.ribbon_requests.main()``)."""
    request_updates(caller_book())
