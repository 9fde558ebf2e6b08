"""The ribbon's scripts on xlwings Server: each runs the desktop add-in's macro, unchanged, on the book Excel sent.

xlwings-server imports this package as ``custom_scripts`` and serves each ``@script`` at
``POST /xlwings/custom-scripts-call/<name>``. ``include`` makes Excel send only the sheets a macro reads (the
others arrive as names without values): the plan's sheets (``PLAN_SHEETS``) for every macro that reads the plan,
the Checks sheet for Go to finding. The macros write Dashboard, Slippage, Checks and Requests, the collected cells
of Actions and Revisions, History (the snapshot after Build report), and show their message box, as xlwings
actions. Build report and the update requests' zip are not scripts: their files come back as downloads
(``addin.server.routes``), and the scripts ``record_snapshot`` and ``record_requests`` then write what the ribbon
add-in writes with them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import xlwings as xw
from xlwings.server import script

from ofsted_tracker.addin import excel, macros, updates
from ofsted_tracker.addin.payload import (
    PLAN_SHEETS,  # the officers' sheets and the History and Requests logs
)
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.plan import schema

FINDING_SHEETS = [schema.CHECKS]


@script(include=PLAN_SHEETS)
def validate(book: xw.Book) -> None:
    """Validate: write every finding to Checks (``macros.validate``)."""
    macros.validate(book)


@script(include=PLAN_SHEETS)
def refresh(book: xw.Book, quiet: bool = False) -> None:
    """Refresh dashboards: write Dashboard, Slippage and Checks (``macros.refresh``); ``quiet``: no message unless
    it fails (the task pane's refresh after Collect updates, whose message box must stay on screen)."""
    (_refresh_quietly if quiet else macros.refresh)(book)


@macros.macro
def _refresh_quietly(book: xw.Book) -> str:
    macros.refresh_sheets(book)
    return ""  # a macro returning "" shows no message box


@script(include=FINDING_SHEETS)
def go_to_finding(book: xw.Book) -> None:
    """Go to finding: jump to the cell of the finding selected on Checks (``macros.go_to_finding``)."""
    macros.go_to_finding(book)


@script(include=PLAN_SHEETS)
def record_snapshot(book: xw.Book) -> None:
    """Build report, second half: record the period's snapshot on History once the task pane has the report."""
    macros.snapshot(book)


@script(include=PLAN_SHEETS)
def record_requests(book: xw.Book, ids: dict | None = None) -> None:
    """Request updates, second half: log on Requests the requests the task pane has just downloaded as a zip, with
    the ids the download route gave them (``ids``: ``{"tracker": the tracker's identity, "requests": owner's
    initials -> request id}``)."""
    ids = ids if isinstance(ids, dict) else {}
    by_owner = ids.get("requests")
    updates.record_requests(
        book,
        ids=by_owner if isinstance(by_owner, dict) else {},
        tracker=str(ids.get("tracker") or ""),
    )


@script(include=PLAN_SHEETS)
def collect_updates(book: xw.Book, returns: list, set_recorded: bool = False) -> None:
    """Collect updates, after the task pane's preview: write what the returned files change (``updates.collect_updates``).

    ``returns`` are the files as the task pane sends them (``[{"name", "data": <base64>}]``); ``set_recorded`` is the
    pane's checkbox "Also set Recorded RAG to the rule's rating". The officer has seen the preview and clicked
    Apply, so there is no question here; the task pane runs ``refresh`` afterwards, whose fresh payload sees the
    values just written.
    """
    with tempfile.TemporaryDirectory(prefix="ofsted-tracker-") as folder:
        try:
            files = updates.saved_returns(returns, Path(folder))
        except TrackerError as exc:
            excel.alert(book, str(exc), problem=True)
            return
        updates.collect_updates(
            book, files, confirm=lambda text: True, set_recorded=set_recorded is True
        )
