"""The task pane's routes beside xlwings' script route: the summary, the report, the update requests, the preview.

Each takes the workbook payload Excel sends (the same body as a script call, the same sign-in) and keeps nothing:

- ``POST <app path>/improvement-plan/summary`` answers with ``{"message", "summary"}``, ``summary`` being exactly
  what ``ofsted-tracker summary --json`` prints for the file;
- ``POST <app path>/improvement-plan/report`` answers with the Word report, named from the workbook's name alone
  (``store.paths.report_name``), for the task pane to offer as a download (Excel on the web cannot save a file for us);
- ``POST <app path>/improvement-plan/requests`` answers with one zip of each owner's request workbook and e-mail
  draft (``updates.write_files``, as Request updates writes them beside the workbook on the desktop); the task pane
  then runs the script ``record_requests`` to log them on the Requests sheet;
- ``POST <app path>/improvement-plan/collect`` takes the returned files as the script argument xlwings sends
  (``args: [[{"name", "data": <base64>}, ...]]``) and answers with the preview of what they change, as
  ``ofsted-tracker collect --json`` prints it (its ``recorded_rag`` the Recorded RAGs the return puts at odds with
  the rule), plus ``message`` and ``lines``; it writes nothing (the script ``collect_updates`` does, after the
  officer clicks Apply, setting those Recorded RAGs too when the officer ticked the box).

A workbook that is not a usable tracker, or a returned file that cannot be collected, gets a 422 with the same
message the ribbon would show.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from xlwings_server import dependencies as dep
from xlwings_server.config import settings

from ofsted_tracker.addin import excel, macros, updates
from ofsted_tracker.report_builder import build_report
from ofsted_tracker.workbook import jobs
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.plan.findings import refuse_unreadable
from ofsted_tracker.workbook.rules.chase import CHASE_SHEET, preview_dict, preview_lines
from ofsted_tracker.workbook.rules.summary import Summary
from ofsted_tracker.workbook.store.paths import report_name

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
router = APIRouter(prefix=f"{settings.app_path}/improvement-plan")


def _unusable(exc: TrackerError) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


def _download(name: str, data: bytes, media_type: str) -> Response:
    """A file for the task pane to offer as a download, its name in Content-Disposition (ASCII and UTF-8)."""
    disposition = f"attachment; filename=\"{name.encode('ascii', 'replace').decode()}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content=data, media_type=media_type, headers={"Content-Disposition": disposition}
    )


def _summary(book: excel.Book) -> Summary:
    try:
        return macros.summary(excel.tracker_book(book))
    except TrackerError as exc:
        raise _unusable(exc) from None


@router.post("/summary")
async def summary(book: dep.Book, current_user: dep.User) -> dict:
    """The plan's counts and findings as ``ofsted-tracker summary --json`` gives them, and a one-line message."""
    s = await run_in_threadpool(_summary, book)
    message = (
        f"{len(s.overall.total)} actions as at {s.as_at:%d/%m/%Y}: {s.ratings_text()}; "
        f"{s.errors} errors, {s.warnings} warnings."
    )
    return {"message": message, "summary": s.as_dict()}


def _report(book: excel.Book) -> tuple[str, bytes]:
    s = _summary(book)
    name = report_name(book.name)
    with tempfile.TemporaryDirectory(prefix="ofsted-tracker-") as folder:
        try:
            written = Path(build_report(s, Path(folder) / name))
        except TrackerError as exc:
            raise _unusable(exc) from None
        return name, written.read_bytes()


@router.post("/report")
async def report(book: dep.Book, current_user: dep.User) -> Response:
    """The Word committee report of the workbook sent, as a .docx download."""
    name, data = await run_in_threadpool(_report, book)
    return _download(name, data, DOCX)


REQUEST_IDS_HEADER = (
    "X-Request-Ids"  # the ids the zip's requests carry, by owner: the task pane logs them
)


def _requests(book: excel.Book) -> tuple[str, bytes, dict[str, str]]:
    try:
        s, requests = updates.planned(excel.tracker_book(book))
        if not requests.requests:
            raise HTTPException(status_code=422, detail=updates.nothing_to_ask(requests))
        requests = jobs.with_request_ids(requests, tracker=jobs.tracker_id(s.plan))
        with tempfile.TemporaryDirectory(prefix="ofsted-tracker-") as folder:
            written = updates.write_files(requests, Path(folder) / "requests", s, book.name)
            data = io.BytesIO()
            with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as package:
                for w in written:
                    package.write(w.workbook, w.workbook.name)
                    package.write(w.draft, w.draft.name)
    except TrackerError as exc:
        raise _unusable(exc) from None
    ids = {
        "tracker": requests.requests[0].tracker_id,
        "requests": {r.lead.initials: r.request_id for r in requests.requests},
    }
    return updates.folder_name(book.name, requests, s.as_at) + ".zip", data.getvalue(), ids


@router.post("/requests")
async def requests(book: dep.Book, current_user: dep.User) -> Response:
    """Each owner's update request workbook and e-mail draft, as one .zip download; nothing is logged here: the task
    pane then runs ``record_requests`` with the requests' ids (the ``X-Request-Ids`` header, JSON by owner)."""
    name, data, ids = await run_in_threadpool(_requests, book)
    response = _download(name, data, ZIP)
    response.headers[REQUEST_IDS_HEADER] = json.dumps(ids)
    return response


def _collect(book: excel.Book, args: list) -> dict:
    try:
        with tempfile.TemporaryDirectory(prefix="ofsted-tracker-") as folder:
            files = updates.saved_returns(args[0] if args else None, Path(folder))
            s, collected = updates.check_returns(excel.tracker_book(book), files)
        refuse_unreadable(s.findings, CHASE_SHEET)  # as applying would, before the officer is asked
    except TrackerError as exc:
        raise _unusable(exc) from None
    then = (
        " Check them, then click Apply these changes."
        if collected.changes
        else " Nothing to change: this workbook already holds every value they accept."
    )
    message = updates.counted(collected, len(files)) + then
    return {
        "message": message,
        "lines": list(preview_lines(collected)),
        **preview_dict(collected, s.as_at, False),
    }


@router.post("/collect")
async def collect(book: dep.Book, args: dep.ScriptArgs, current_user: dep.User) -> dict:
    """The preview of what the returned files change in the workbook sent (and what is refused); writes nothing."""
    return await run_in_threadpool(_collect, book, args)
