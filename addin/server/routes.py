"""The task pane's two routes beside xlwings' script route: the plan's summary as JSON, and the report as a .docx.

Both take the workbook payload Excel sends (the same body as a script call, the same sign-in) and keep nothing:
``POST <app path>/improvement-plan/summary`` answers with ``{"message", "summary"}``, ``summary`` being exactly
what ``ofsted-tracker summary --json`` prints for the file; ``POST <app path>/improvement-plan/report`` answers
with the Word report, named from the workbook's name alone (``macros.report_name``), for the task pane to offer
as a download (Excel on the web cannot save a file for us). A workbook that is not a usable tracker gets a 422
with the same message the ribbon would show.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from xlwings_server import dependencies as dep
from xlwings_server.config import settings

from addin import excel, macros
from workbook.errors import TrackerError
from workbook.summary import Summary

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
router = APIRouter(prefix=f"{settings.app_path}/improvement-plan")


def _summary(book: excel.Book) -> Summary:
    try:
        return macros.summary(excel.tracker_book(book))
    except TrackerError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.post("/summary")
async def summary(book: dep.Book, current_user: dep.User) -> dict:
    """The plan's counts and findings as ``ofsted-tracker summary --json`` gives them, and a one-line message."""
    s = await run_in_threadpool(_summary, book)
    message = (f"{len(s.overall.total)} actions as at {s.as_at:%d/%m/%Y}: {s.ratings_text()}; "
               f"{s.errors} errors, {s.warnings} warnings.")
    return {"message": message, "summary": s.as_dict()}


def _report(book: excel.Book) -> tuple[str, bytes]:
    from report_builder import build_report

    s = _summary(book)
    name = macros.report_name(book.name)
    with tempfile.TemporaryDirectory(prefix="ofsted-tracker-") as folder:
        try:
            written = Path(build_report(s, Path(folder) / name))
        except TrackerError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return name, written.read_bytes()


@router.post("/report")
async def report(book: dep.Book, current_user: dep.User) -> Response:
    """The Word committee report of the workbook sent, as a .docx download."""
    name, data = await run_in_threadpool(_report, book)
    disposition = f"attachment; filename=\"{name.encode('ascii', 'replace').decode()}\"; filename*=UTF-8''{quote(name)}"
    return Response(content=data, media_type=DOCX, headers={"Content-Disposition": disposition})
