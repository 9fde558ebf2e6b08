"""The ribbon's macros: read the open tracker, run the same rules as the command line, write, say the result.

Each macro takes an xlwings ``Book`` and runs unchanged in desktop Excel (the ribbon add-in), under xlwings
Server and in the tests (xlwings' remote engine). Called from the add-in, the book may be the add-in itself:
the macros then act on the active workbook, and refuse politely when it is not a tracker. Every problem
reaches the user as a message box, never a Python traceback; the macros here write only the computed sheets
(Dashboard, Slippage, Checks), never a cell officers type in (Collect updates, in ``addin.updates``, writes the
cells a return changes, after the officer says Yes).

Excel operations are bounded per macro, whatever the number of actions: reading the plan is one block read
per officers' sheet (6), and one for each of the tool's History and Requests sheets the workbook has; writing a computed sheet is one clear, one block write and its print area (3), a message is 1.
xlwings itself splits a block write of more than 100,000 cells into chunks to keep each request within what
Excel accepts; so a computed sheet of more than 10,000 rows (Slippage has one row per action, ten columns)
costs one more write per further 10,000 rows (measured: 10 operations for refresh at 61 and 1,000 actions,
11 at 10,000).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ofsted_tracker.addin import excel
from ofsted_tracker.addin.excel import Book, ExcelStore
from ofsted_tracker.workbook import jobs
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.memory import no_cycle_collection
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.words import counted
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.rules.summary import Summary
from ofsted_tracker.workbook.store.paths import report_name

log = logging.getLogger(__name__)


class _Problem(Exception):
    """A macro's result that is a refusal rather than a success (shown with the warning icon)."""


def macro(work: Callable[..., str]) -> Callable[..., str]:
    """Wrap a macro body: find the tracker, run, and show the result or the problem in one message box.

    The body runs with Python's cycle collector paused, as every command of the command line does.
    ``TrackerError`` becomes its own message; anything unexpected becomes a short apology naming the error
    (the traceback goes to the log, not to the officer's screen). A body returning "" has nothing to say and
    shows no message box. Returns the message shown.
    """

    @functools.wraps(work)
    def run(book: Book, *args, **kwargs) -> str:
        target, problem = book, True
        try:
            target = excel.tracker_book(book)
            # as the command line does (make bench: macros at 10,000 actions)
            with no_cycle_collection():
                message = work(target, *args, **kwargs)
            problem = False
        except _Problem as exc:
            message = str(exc)
        except TrackerError as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into a message
            log.exception("ribbon macro %s failed", work.__name__)
            message = (
                f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Nothing you typed was "
                "changed. Please send this message and the workbook to the policy team."
            )
        if message:
            excel.alert(target, message, problem=problem)
        return message

    return run


def summary(book: Book, as_at: date | None = None, period: str | None = None) -> Summary:
    """Read the plan (6 block reads) and the tool's History and Requests sheets (one each, when present), and compute
    everything as the command line does: the Dashboard's trend and chase list included (``jobs.open_summary``)."""
    return jobs.open_summary(ExcelStore(book), as_at, period)


def _findings_line(s: Summary) -> str:
    if not s.findings:
        return "No errors or warnings."
    return f"{counted(s.errors, 'error')}, {counted(s.warnings, 'warning')} — see Checks."


@macro
def validate(book: Book, as_at: date | None = None, period: str | None = None) -> str:
    """Write every finding to the Checks sheet and say how many errors and warnings there are.

    Marking the offending rows in Actions costs nothing more: the Actions sheet's last column, "Checks", is
    the workbook's own formula counting this action's findings on the Checks sheet (column C holds the
    action, column A the severity: "Errors: 2 - see Checks", "Notes: 1"), and conditional formatting shades
    the rows with errors. Excel recalculates it as soon as the Checks sheet is written.

    Excel operations: 6 block reads (one per officers' sheet; 8 with History and Requests), then 4 (clear
    Checks, write Checks, its print area, the message), whatever the number of actions.
    """
    s = jobs.check(ExcelStore(book), as_at, period)
    marked = (
        " Rows with errors are shaded in Actions."
        if s.errors
        else " Each action's notes are counted in the Checks column of Actions."
        if s.findings
        else ""
    )
    return f"{_findings_line(s)}{marked}"


def refresh_sheets(book: Book, as_at: date | None = None, period: str | None = None) -> str:
    """Write the Dashboard, Slippage and Checks sheets, as ``ofsted-tracker refresh`` does to the file; say so.

    The Dashboard's RAG chart is a native Excel chart reading the Dashboard's fixed cells (``layout.OVERALL_ROWS``),
    so it follows the new values with no operation of its own.

    Excel operations: 7 block reads (the 6 sheets the plan is read from, and the Dashboard's fourth-bucket label,
    to tell a change of rating scheme), then 10 (clear, write and set the print area of each of the 3 sheets, the
    message), whatever the number of actions. A change of scheme since the last refresh adds one line to the
    message: how to have the drop-downs, colours and chart rewritten (``ExcelStore.scheme_note``).
    """
    store = ExcelStore(book)
    s = jobs.refresh(store, as_at, period)
    period_text = f", period {s.period.period.name}" if s.period else ""
    note = f"\n{store.scheme_note}" if store.scheme_note else ""
    return (
        f"Dashboards refreshed as at {s.as_at:%d/%m/%Y}{period_text}: {len(s.overall.total)} actions — "
        f"{s.ratings_text()}. {_findings_line(s)}{note}"
    )


@macro
def refresh(book: Book, as_at: date | None = None, period: str | None = None) -> str:
    """The Refresh dashboards button: ``refresh_sheets``, its result in a message box."""
    return refresh_sheets(book, as_at, period)


def _synced_folder(url: str) -> Path | None:
    """The local folder OneDrive or SharePoint syncs ``url`` to, found by xlwings from this computer's settings only.

    xlwings' mapping is given no settings from the workbook (its xlwings.conf sheet), only the user's
    ``~/.xlwings/xlwings.conf`` and the OneDrive environment variables, so a workbook cannot steer where the
    report goes. None when the file is not synced here.
    """
    from xlwings.utils import fullname_url_to_local_path

    try:
        path = Path(fullname_url_to_local_path(url))
    except Exception:  # noqa: BLE001 - xlwings raises XlwingsError (or worse) when it cannot map the URL
        return None
    return path.parent if path.parent.is_dir() else None


def report_folder(book: Book) -> tuple[Path | None, str]:
    """Where Build report writes, and a note for the message when that is not beside the workbook.

    A file on this computer: its folder. On OneDrive or SharePoint (Excel names it by a URL): the folder it is
    synced to, or, when it is not synced here, ``Documents/Improvement Plan reports`` in the officer's home
    folder. Not saved, or in a browser or on the server (no URL, no folder): None.
    """
    try:
        folder = excel.local_folder(book)
        fullname = book.fullname or ""
    except Exception:  # noqa: BLE001 - desktop xlwings raises when it cannot map a OneDrive/SharePoint URL itself
        folder, fullname = None, "://"
    if folder is not None:
        return folder, ""
    if "://" not in fullname:
        return None, ""
    synced = _synced_folder(fullname) if fullname != "://" else None
    if synced is not None:
        return synced, ""
    fallback = Path.home() / "Documents" / "Improvement Plan reports"
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback, (
        f" ('{book.name}' is on OneDrive or SharePoint and not synced to this computer, so the report "
        "is in your Documents folder, under Improvement Plan reports.)"
    )


@macro
def build_report(
    book: Book,
    as_at: date | None = None,
    period: str | None = None,
    builder: Callable[[Summary, Path], Path] | None = None,
) -> str:
    """Write the Word committee report next to the workbook (``report_folder``) and say where.

    The file name comes from the workbook's name (never from a Settings value), so nothing is written
    outside the folder ``report_folder`` gives. With no folder (not saved, or run by xlwings Server, which has
    its own Build report download) the message says to build the report from the command line. ``builder``
    defaults to ``report_builder.build_report``. Then the period's snapshot is recorded on History and the
    dashboards refreshed (``record_snapshot``), as ``ofsted-tracker report`` does.

    Excel operations: 6 block reads (8 with History and Requests), at most 13 writes and 1 (the message),
    whatever the number of actions.
    """
    folder, where = report_folder(book)
    if folder is None:
        raise _Problem(
            f"'{book.name}' is not a file on this computer (it is not saved yet, or it is open in a "
            "browser or from SharePoint), so the report cannot be written next to it. Save it in a folder "
            "first; in a browser, build the report from the command line for now: "
            "ofsted-tracker report <tracker.xlsx> -o report.docx"
        )
    if builder is None:
        from ofsted_tracker.report_builder import (
            build_report as builder,  # defers the report's code
        )

    done = jobs.report(
        ExcelStore(book),
        folder / report_name(book.name),
        builder,
        as_at,
        period,
        today=date.today(),
    )
    recorded = recorded_text(done.recorded) if done.recorded else done.why_not_recorded
    return f"Report written: {done.written}{where}\n\n{recorded}"


def recorded_text(recorded: jobs.Recorded) -> str:
    """What recording a snapshot did, for the message box (the workbook is not saved: the officer saves it)."""
    s, replaced = recorded.snapshot, recorded.replaced
    again = f" (it replaces the one as at {replaced.as_at:%d/%m/%Y})" if replaced else ""
    return (
        f"Recorded the {s.period} snapshot as at {s.as_at:%d/%m/%Y} on the History sheet{again}, and "
        "refreshed the dashboards. Save the workbook to keep it."
    )


@macro
def snapshot(book: Book, as_at: date | None = None, period: str | None = None) -> str:
    """Record the period's snapshot on History and refresh the dashboards (``jobs.snapshot``): what xlwings Server
    runs once the task pane has the report (Build report's second half there, as the download is a route).

    Excel operations: the reads of ``summary``, one clear, one block write and the print area of History (and the
    sheet added the first time), then 9 (the three computed sheets).
    """
    return recorded_text(jobs.snapshot(ExcelStore(book), as_at, period, date.today()))


@macro
def go_to_finding(book: Book) -> str:
    """On the Checks sheet, jump to the cell of the selected finding; anywhere else, open the Checks sheet.

    Excel operations: 1 read of the selection, at most 1 read of the finding's "Where" cell, then 2 (show
    the sheet, select the cell), or 3 with a hint when no finding is selected: 5 at most, whatever the number
    of actions.
    """
    selected = excel.selected_row(book)
    first = layout.TABLE_HEADER_ROW + 1
    if (
        selected
        and schema.same_name(selected[0]) == schema.same_name(schema.CHECKS)
        and selected[1] >= first
    ):
        where = excel.cell_text(book, schema.CHECKS, selected[1], 2)
        sheet, _, cell = where.partition("!")
        if sheet:
            excel.go_to(book, sheet, cell)
            return ""
    excel.go_to(book, schema.CHECKS, f"A{first}")
    return "Showing the Checks sheet. Select a finding's row and click Go to finding to jump to its cell."
