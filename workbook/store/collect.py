"""Collecting returns and keeping the chase log, at the edge: read returned requests, write what they change.

Returns are read with python-calamine. Applying writes only the named cells of Actions (status, completed on,
commentary, last updated), appends proposed deadlines to Revisions (Agreed by blank: not yet agreed) and the log
to the tool's Requests sheet, at package level: every other part, cell, style, validation, picture, comment and
macro is copied unchanged (see ``workbook.package.cell_parts``). The write is atomic, with a backup, and refused
when the workbook is open.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules.chase import (
    ABOUT_KEYS, ABOUT_SHEET, CHASE_HEADER_ROW, CHASE_SHEET, CHASE_SPEC, CHASE_WIDTHS, FIRST_ROW, HEADER_ROW,
    REQUEST_COLUMNS, REQUEST_SHEET, ChaseEntry, Collected, Requests, Returned, ReturnRow, chase_grid, collect,
    plan_requests, read_chase, received_entries, sent_entries, unreadable_log, with_entries,
)
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan.findings import Finding, refuse_unreadable
from ofsted_tracker.workbook.plan.model import Plan
from ofsted_tracker.workbook.store.package import CellValue, cell_parts, rewrite_package, sheet_parts, tool_sheet_parts
from ofsted_tracker.workbook.store.reader import calamine_book, calamine_failure, check_package, table_from_grid

MAX_RETURN_ROWS = 10_000  # a request holds one owner's actions: far fewer rows than this


def _grid(book, name: str, label: str) -> list[list[object]]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException as exc:  # python-calamine raises its own errors (and panics) on damaged sheets
        if not calamine_failure(exc):
            raise
        raise UnusableInput(f"{label}: the {name} sheet cannot be read ({exc}).") from exc


def _open(path: Path):
    from python_calamine import CalamineWorkbook

    check_package(path)
    try:
        return calamine_book(CalamineWorkbook, str(path))
    except BaseException as exc:
        if not calamine_failure(exc):
            raise
        raise UnusableInput(f"{path.name} cannot be read as a workbook: {exc}") from exc


def read_return(path: Path) -> Returned:
    """A returned request: whose it is (from its hidden About sheet) and each row of actions, with raw values."""
    path = Path(path)
    label = path.name
    if path.is_file() and path.stat().st_size == 0:
        raise UnusableInput(f"{label} is empty (0 bytes): it did not arrive whole. Ask the owner to send it again.")
    book = _open(path)
    names = schema.find_sheets(book.sheet_names, [REQUEST_SHEET, ABOUT_SHEET], label)
    if REQUEST_SHEET not in names or ABOUT_SHEET not in names:
        raise UnusableInput(f"{label} is not an update request made by 'ofsted-tracker requests' (it has no "
                            f"'{REQUEST_SHEET}' and '{ABOUT_SHEET}' sheets). Collect the file the owner sent back.")
    about = {str(row[0]).strip(): row[1] for row in _grid(book, names[ABOUT_SHEET], label)
             if len(row) > 1 and row[0] not in (None, "")}
    owner = str(about.get(ABOUT_KEYS[0]) or "").strip()
    if not owner:
        raise UnusableInput(f"{label}: its hidden {ABOUT_SHEET} sheet does not say whose request it is (B1). Send "
                            "the owner a fresh request.")
    grid = _grid(book, names[REQUEST_SHEET], label)
    header = [schema.same_name(v) for v in (grid[HEADER_ROW - 1] if len(grid) >= HEADER_ROW else [])]
    for j, column in enumerate(REQUEST_COLUMNS):
        if j >= len(header) or header[j] != schema.same_name(column.header):
            raise UnusableInput(f"{label} {REQUEST_SHEET}!{schema.column_letter(j + 1)}{HEADER_ROW}: the header "
                                f"should read '{column.header}'; the request's columns were changed. Send the owner "
                                "a fresh request.")
    if len(grid) - HEADER_ROW > MAX_RETURN_ROWS:
        raise UnusableInput(f"{label} holds {len(grid) - HEADER_ROW:,} rows, far more than one owner's actions.")
    rows = []
    for i in range(FIRST_ROW - 1, len(grid)):
        values = {c.field: grid[i][j] for j, c in enumerate(REQUEST_COLUMNS)
                  if j < len(grid[i]) and grid[i][j] not in (None, "")}
        if values:
            rows.append(ReturnRow(i + 1, values))
    return Returned(label, owner, str(about.get(ABOUT_KEYS[2]) or "").strip(), tuple(rows))


def read_log(path: Path) -> tuple[tuple[ChaseEntry, ...], list[Finding]]:
    """The Requests sheet's log of the tracker at ``path`` (nothing when it has no such sheet)."""
    path = Path(path)
    with zipfile.ZipFile(path) as package:
        if CHASE_SHEET not in schema.find_sheets(sheet_parts(package, path.name), [CHASE_SHEET], path.name):
            return (), []
    book = _open(path)
    name = schema.find_sheets(book.sheet_names, [CHASE_SHEET], path.name)[CHASE_SHEET]
    try:
        table = table_from_grid(name, CHASE_SPEC, _grid(book, name, path.name), (0, 0))
    except UnusableInput as exc:
        return (), [unreadable_log(str(exc))]
    return read_chase(table.letters, table.rows)


def _log_parts(package: zipfile.ZipFile, label: str, entries: tuple[ChaseEntry, ...], changed: dict) -> dict:
    return tool_sheet_parts(package, chase_grid(entries), label, changed, sheet=CHASE_SHEET,
                            headers=list(CHASE_SPEC.headers), widths=CHASE_WIDTHS, header_row=CHASE_HEADER_ROW)


def record_log(path: Path, entries: tuple[ChaseEntry, ...]) -> None:
    """Write the whole log on the Requests sheet (adding the sheet the first time); nothing else changes."""
    rewrite_package(Path(path), lambda package, label: _log_parts(package, label, entries, {}))


def _column(plan: Plan, sheet: str, field: str) -> int | None:
    letter = plan.columns.get(sheet, {}).get(field)
    return schema.column_number(letter) if letter else None


def edits_for(plan: Plan, collected: Collected) -> dict[str, dict[tuple[int, int], CellValue]]:
    """The cells to write, by sheet: each accepted update at its Actions cell, each proposal as a new Revisions row."""
    rows = {a.action_id: a.row for a in plan.actions}
    actions: dict[tuple[int, int], CellValue] = {}
    for update in collected.updates:
        column = _column(plan, schema.ACTIONS.name, update.field)
        if column is None:
            if update.field == "last_updated":
                continue  # an older tracker without the column: nothing to date
            header = schema.ACTIONS.column(update.field).header
            raise UnusableInput(f"The Actions sheet has no '{header}' column, so {update.action_id}'s returned value "
                                "cannot be written. Add the column (see 'ofsted-tracker new'). Nothing was changed.")
        actions[(rows[update.action_id], column)] = update.new
    revisions: dict[tuple[int, int], CellValue] = {}
    # below the last row of Revisions that holds anything (a row the plan could not read included), never above its header
    row = max([plan.last_rows.get(schema.REVISIONS.name, 0), *(r.row for r in plan.revisions)]) or 1
    for proposal in collected.proposals:
        row += 1
        for field, value in (("action_id", proposal.action_id), ("old_deadline", proposal.old_deadline),
                             ("new_deadline", proposal.new_deadline), ("reason", proposal.reason)):
            column = _column(plan, schema.REVISIONS.name, field)
            if column is not None:
                revisions[(row, column)] = value
    return {schema.ACTIONS.name: actions, schema.REVISIONS.name: revisions}


def apply_returns(path: Path, plan: Plan, collected: Collected, log: tuple[ChaseEntry, ...]) -> None:
    """Write the accepted values and proposals into the tracker and the log on Requests, in one atomic write."""
    edits = edits_for(plan, collected)

    def changes(package: zipfile.ZipFile, label: str) -> dict:
        changed: dict = dict(cell_parts(package, edits, label))
        changed.update(_log_parts(package, label, log, changed))
        return changed

    rewrite_package(Path(path), changes)


@dataclass(frozen=True)
class Sent:
    """What ``requests`` did: the requests planned (with unknown owners and findings) and the files written."""

    requests: Requests
    written: tuple  # of workbook.request_files.Written


def send_requests(path: Path, out: Path, as_at: date | None = None, period: str | None = None) -> Sent:
    """Write each owner's request workbook and e-mail draft into ``out`` and log them on the tracker's Requests sheet.

    The tracker is checked as writable first, so a tracker open in Excel writes no request and logs nothing.
    """
    from ofsted_tracker.workbook.store.request_files import write_requests
    from ofsted_tracker.workbook.store.safe_write import assert_writable
    from ofsted_tracker.workbook.jobs import open_summary

    path = Path(path)
    summary = open_summary(path, as_at, period)
    assert_writable(path)
    refuse_unreadable(summary.findings, CHASE_SHEET)
    requests = plan_requests(summary.plan, summary.period.period if summary.period else None, summary.as_at)
    written = write_requests(requests, Path(out), path.name, str(summary.plan.setting("Council")))
    if written:
        record_log(path, with_entries(summary.chase_log, sent_entries(requests)))
    return Sent(requests, written)


@dataclass(frozen=True)
class Collection:
    """What ``collect`` found (and, with ``--apply``, wrote): the checked returns as at the date."""

    collected: Collected
    as_at: date
    applied: bool


def collect_returns(path: Path, files: list[Path], as_at: date | None = None, apply: bool = False,
                    period: str | None = None) -> Collection:
    """Read the returns, check them against the tracker, and with ``apply`` write what is accepted (then refresh)."""
    from ofsted_tracker.workbook.jobs import open_summary, refresh

    path = Path(path)
    summary = open_summary(path, as_at, period)
    returns = [read_return(Path(f)) for f in files]
    collected = collect(summary.plan, returns, summary.as_at)
    if apply and collected.changes:
        refuse_unreadable(summary.findings, CHASE_SHEET)
        log = with_entries(summary.chase_log, received_entries(collected, summary.as_at))
        apply_returns(path, summary.plan, collected, log)
        refresh(path, summary.as_at, period)
    return Collection(collected, summary.as_at, apply and collected.changes)
