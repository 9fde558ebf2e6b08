"""The ribbon's Request updates and Collect updates: ``ofsted-tracker requests`` and ``collect`` on the open workbook.

**Request updates** writes each owner's request workbook and e-mail draft (``workbook.store.request_files``, as the
command line does) into a folder beside the workbook, ``<workbook> update requests <period>``, and logs them on
the tool's Requests sheet. Under xlwings Server there is no folder: the task pane downloads the same files as one
zip (``addin.server.routes``), then runs the script ``record_requests``, which writes the same log lines.

**Collect updates** asks for the returned files (Excel's own Open dialog in desktop Excel on Windows; the task
pane's file picker under xlwings Server), checks them as ``collect`` does, shows the preview (what each return
changes, what is refused, with its file and cell) and writes only after Yes: each accepted value into its Actions
cell, each proposed deadline as a new Revisions row with Agreed by blank (never over Current deadline), and the
log on Requests. Where an action's Recorded RAG would then differ from the rule's rating, the ribbon asks a second
question (the task pane has a box to tick): Yes also sets those Recorded RAGs to the rule's letter, logged on
Requests. Nothing else in the workbook is touched, and the workbook is not saved: the officer checks the changes,
then saves (or closes without saving, which undoes them).

Excel operations: the reads of ``macros.summary`` (8 at most), then one write per changed cell, one clear and one
block write of the Requests sheet (and one sheet added the first time), and the message boxes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from ofsted_tracker.addin import excel, macros
from ofsted_tracker.addin.excel import Book, ExcelStore
from ofsted_tracker.addin.macros import _Problem, macro
from ofsted_tracker.workbook import jobs
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan.findings import refuse_unreadable
from ofsted_tracker.workbook.plan.words import counted as _plural
from ofsted_tracker.workbook.rules.chase import (
    CHASE_SHEET,
    Collected,
    Requests,
    preview_lines,
    recorded_lines,
    recorded_set_sentence,
    safe_file_name,
)
from ofsted_tracker.workbook.rules.summary import Summary
from ofsted_tracker.workbook.store.request_files import Written, write_requests

MAX_PREVIEW_LINES = 8  # a message box shows about a screenful; the rest is counted ("and 12 more")
MAX_PREVIEW_VALUE = 40  # each old and new value in the message box; the command line and the task pane show them whole
MAX_RETURNS = 200  # far more owners than a plan has (Lewisham had 20)
MAX_RETURN_BYTES = 5 * 1024 * 1024  # a request holds one owner's actions: a few kilobytes
NO_DIALOG = (
    "This Excel has no Open dialog the add-in can use (the ribbon add-in asks for files in desktop Excel on "
    "Windows). Use Collect updates in the Improvement Plan task pane, or the command line: "
    "ofsted-tracker collect <tracker.xlsx> <returned files>"
)


def _when(requests: Requests, as_at: date) -> str:
    period = next((r.period for r in requests.requests if r.period), "")
    return period or f"as at {as_at:%Y-%m-%d}"


def folder_name(workbook_name: str, requests: Requests, as_at: date) -> str:
    """The folder (or zip) the requests go into, from the workbook's name and the period: 'plan update requests Q2'."""
    stem = Path(workbook_name.replace("\\", "/")).name.rsplit(".", 1)[0]
    return safe_file_name(f"{stem[:80]} update requests {_when(requests, as_at)}")


def planned(
    book: Book, as_at: date | None = None, period: str | None = None
) -> tuple[Summary, Requests]:
    """The summary of the open workbook and the requests it calls for (``jobs.planned_requests``)."""
    return jobs.planned_requests(ExcelStore(book), as_at, period)


def _unknown_owners(requests: Requests) -> str:
    return (
        (
            "No request for owners not in Leads: "
            + "; ".join(f"'{owner}' ({', '.join(ids)})" for owner, ids in requests.unknown)
            + "."
        )
        if requests.unknown
        else ""
    )


def nothing_to_ask(requests: Requests) -> str:
    """Why no request was written: nobody in Leads to ask, and who was typed on Actions but is not in Leads."""
    return " ".join(filter(None, [NOTHING_TO_ASK, _unknown_owners(requests)]))


def _requests_message(requests: Requests, where: str) -> str:
    lines = [
        f"{len(requests.requests)} update requests {where}, each a workbook and an e-mail draft to open in "
        "Outlook; logged on the Requests sheet."
    ]
    missing = [r.lead.initials for r in requests.requests if not r.lead.email]
    if missing:
        lines.append(
            f"No e-mail address for {', '.join(missing)}: fill in the Email column of Leads, or address "
            "those drafts by hand."
        )
    if requests.unknown:
        lines.append(_unknown_owners(requests))
    return "\n".join(lines)


def write_files(
    requests: Requests, folder: Path, s: Summary, workbook_name: str
) -> tuple[Written, ...]:
    """Write each owner's request workbook and draft into ``folder`` (the task pane's zip, under xlwings Server)."""
    return write_requests(requests, folder, workbook_name, str(s.plan.setting("Council") or ""))


NOTHING_TO_ASK = (
    "No owner in Leads has open actions or actions due in the period: no request written."
)


@macro
def request_updates(book: Book, as_at: date | None = None, period: str | None = None) -> str:
    """Write the update requests into a folder beside the workbook and log them on the Requests sheet."""
    folder, where = macros.report_folder(book)
    if folder is None:
        raise _Problem(
            f"'{book.name}' is not a file on this computer (it is not saved yet, or it is open in a browser "
            "or from SharePoint), so the requests cannot be written next to it. Save it in a folder first, "
            "or use Request updates in the Improvement Plan task pane, which downloads them as a zip."
        )
    sent = jobs.send_requests(
        ExcelStore(book),
        lambda s, requests: folder / folder_name(book.name, requests, s.as_at),
        as_at,
        period,
    )
    if not sent.written:
        return nothing_to_ask(sent.requests)
    return _requests_message(
        sent.requests, f"written into {sent.written[0].workbook.parent}{where}"
    )


@macro
def record_requests(
    book: Book,
    as_at: date | None = None,
    period: str | None = None,
    ids: dict[str, str] | None = None,
    tracker: str = "",
) -> str:
    """Log on the Requests sheet the requests the task pane has just downloaded (xlwings Server), each with the id the
    download gave it (``ids``, by owner's initials) and the tracker's identity it wrote on them (``tracker``; the
    first time, Settings gets it too)."""
    s, requests = planned(book, as_at, period)
    if not requests.requests:
        return nothing_to_ask(requests)
    jobs.log_requests(
        ExcelStore(book),
        s,
        jobs.with_request_ids(requests, ids or {}, tracker or jobs.tracker_id(s.plan)),
    )
    return _requests_message(requests, "downloaded as one zip (open it and send each draft)")


def saved_returns(uploads: object, folder: Path) -> list[Path]:
    """The returned files the task pane sent (``[{"name": ..., "data": <base64>}]``), saved into ``folder``.

    Each is refused with a sentence naming it when it is not a named .xlsx of reasonable size; names are made safe
    (no folders), and two files with one name are kept apart.
    """
    if not isinstance(uploads, list) or not uploads:
        raise UnusableInput(
            "No returned files were sent: choose the update requests the owners sent back."
        )
    if len(uploads) > MAX_RETURNS:
        raise UnusableInput(
            f"{len(uploads)} files were sent; collect at most {MAX_RETURNS} at a time."
        )
    paths: list[Path] = []
    for i, upload in enumerate(uploads, 1):
        name = upload.get("name") if isinstance(upload, dict) else None
        data = upload.get("data") if isinstance(upload, dict) else None
        if not isinstance(name, str) or not isinstance(data, str):
            raise UnusableInput(
                f"Returned file {i} was sent without its name or contents. Choose the files again."
            )
        shown = safe_file_name(Path(name.replace("\\", "/")).name)
        if not shown.lower().endswith(".xlsx"):
            raise UnusableInput(
                f"{shown} is not an Excel workbook (.xlsx): collect the update requests the owners "
                "sent back."
            )
        if len(data) > MAX_RETURN_BYTES * 4 // 3 + 4:
            raise UnusableInput(
                f"{shown} is larger than an update request can be ({MAX_RETURN_BYTES // 2**20} MB)."
            )
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise UnusableInput(
                f"{shown} did not arrive whole (its contents are not base64). Choose it again."
            ) from None
        target = folder / str(i) / shown  # a folder each: two returns of one name stay two files
        target.parent.mkdir(parents=True)
        target.write_bytes(content)
        paths.append(target)
    return paths


def check_returns(
    book: Book, files: list[Path], as_at: date | None = None, period: str | None = None
) -> tuple[Summary, Collected]:
    """The open workbook's summary and what the returned files change in it (and what is refused)."""
    return jobs.check_returns(ExcelStore(book), files, as_at, period)


def _counted(collected: Collected) -> str:
    """The preview for a message box: what is refused first (it is not in the changes), then the changes."""
    lines = preview_lines(
        replace(collected, updates=(), proposals=()), MAX_PREVIEW_VALUE
    ) + preview_lines(replace(collected, refusals=()), MAX_PREVIEW_VALUE)
    shown = list(lines[:MAX_PREVIEW_LINES])
    if len(lines) > MAX_PREVIEW_LINES:
        shown.append(f"… and {len(lines) - MAX_PREVIEW_LINES} more.")
    return "\n".join(shown)


def counted(collected: Collected, files: int) -> str:
    """What the returns hold, in a sentence: '1 return: 4 changes and 1 proposed deadline, 2 refused.'"""
    refused = f", {len(collected.refusals)} refused" if collected.refusals else ""
    return (
        f"{_plural(files, 'return')}: {_plural(len(collected.updates), 'change')} and "
        f"{_plural(len(collected.proposals), 'proposed deadline')}{refused}."
    )


def question(collected: Collected, files: int) -> str:
    """The preview as a Yes/No question: the counts, the first lines, then what Yes does."""
    return (
        f"{counted(collected, files)}\n\n{_counted(collected)}\n\n"
        "Write the changes into this workbook? Only those cells change; proposed deadlines are added to "
        "Revisions as not yet agreed. Nothing is saved until you save the workbook."
    )


def recorded_question(collected: Collected) -> str:
    """The second question, when a Recorded RAG would differ from the rule after the returns: which, and what Yes
    does."""
    lines = recorded_lines(collected)
    shown = list(lines[:MAX_PREVIEW_LINES])
    if len(lines) > MAX_PREVIEW_LINES:
        shown.append(f"… and {len(lines) - MAX_PREVIEW_LINES} more.")
    n = len(collected.settable)
    return (
        "After these returns the Recorded RAG (the officers' rating) differs from the rule's:\n"
        + "\n".join(shown)
        + f"\n\nAlso set the Recorded RAG to the rule's rating for {_plural(n, 'action')}? Each is logged on "
        "the Requests sheet as set by the rule. No leaves Recorded RAG as it is."
    )


def apply(book: Book, s: Summary, collected: Collected, set_recorded: bool = False) -> str:
    """Write the accepted values, the proposed deadlines and the log into the open workbook (and with
    ``set_recorded`` the rule's rating into the Recorded RAGs that would differ from it); say what was written."""
    jobs.apply_returns(ExcelStore(book), s, collected, set_recorded)
    refused = (
        f" {_plural(len(collected.refusals), 'value')} refused and not written (the preview listed them "
        "first)."
        if collected.refusals
        else ""
    )
    recorded = recorded_set_sentence(collected.settable if set_recorded else ())
    return (
        f"Wrote {_plural(len(collected.updates), 'change')} and "
        f"{_plural(len(collected.proposals), 'proposed deadline')} (Revisions, not yet agreed) into "
        f"'{book.name}', and logged the returns on the Requests sheet.{recorded}{refused} Check them, then "
        "save the workbook; to undo, close it without saving."
    )


@macro
def collect_updates(
    book: Book,
    files: list[Path] | None = None,
    as_at: date | None = None,
    period: str | None = None,
    confirm: Callable[[str], bool] | None = None,
    refresh_after: bool = False,
    set_recorded: bool | None = False,
) -> str:
    """Ask for the returned files, preview what they change, and after Yes write it into the open workbook.

    ``files`` are the returns (asked for with Excel's Open dialog when None); ``confirm`` answers the preview's
    question (a Yes/No message box when None). ``refresh_after`` then recomputes the dashboards from the values
    just written: desktop Excel only, where a second read sees them (under xlwings Server the task pane runs
    Refresh dashboards after this script instead). ``set_recorded`` also sets the Recorded RAG to the rule's
    rating where it would differ after the returns (``jobs.apply_returns``); None asks (``recorded_question``,
    answered by ``confirm``) when there is any, as the ribbon does. Both questions come before the one write.
    """
    if files is None:
        files = excel.ask_for_files(
            book, "Collect updates: choose the update requests the owners sent back"
        )
        if files is None:
            raise _Problem(NO_DIALOG)
        if not files:
            return ""  # the officer cancelled the dialog
    s, collected = check_returns(book, files, as_at, period)
    if not collected.changes:
        raise _Problem(
            "Nothing to change: the workbook already holds every value these returns accept."
            + (f"\n\n{_counted(collected)}" if collected.refusals else "")
        )
    refuse_unreadable(s.findings, CHASE_SHEET)  # before the question: Yes could not be carried out
    ask = confirm or (lambda text: excel.ask(book, text))
    if not ask(question(collected, len(files))):
        return "Nothing was written."
    if set_recorded is None:
        set_recorded = bool(collected.settable) and ask(recorded_question(collected))
    message = apply(book, s, collected, bool(set_recorded))
    if refresh_after:
        message += "\n\n" + macros.refresh_sheets(book, as_at, period)
    return message
