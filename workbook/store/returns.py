"""Returned update requests, read with python-calamine: whose each is and what its rows hold, values as typed.

What a return may change is decided by the rules (``workbook.rules.chase.collect``), never here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules.chase import (
    ABOUT_KEYS,
    ABOUT_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    REQUEST_SHEET,
    SUCCESS_MEASURE,
    Returned,
    ReturnRow,
    request_columns,
)
from ofsted_tracker.workbook.store.package import read_part, sheet_parts
from ofsted_tracker.workbook.store.reader import (
    calamine_book,
    calamine_failure,
    check_package,
    sheet_extent,
)

MAX_RETURN_ROWS = 10_000  # a request holds one owner's actions: far fewer rows than this
MAX_RETURN_COLUMNS = (
    64  # a request has ten columns; an owner's notes beside them are fine, a sheet to XFD is not
)


def guard_return(path: Path) -> None:
    """Refuse a returned file before python-calamine reads it: the package checks of a tracker (not a workbook, a zip
    bomb, a damaged part, a DTD), and any sheet reaching far beyond a request's rows and columns (python-calamine
    holds a sheet as one dense block: one value typed in XFD1048576 would exhaust memory)."""
    check_package(path)
    label = path.name
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        for sheet, part in sheet_parts(package, label).items():
            if part not in names:
                continue
            rows, columns = sheet_extent(read_part(package, part, label))
            if rows > FIRST_ROW + MAX_RETURN_ROWS or columns > MAX_RETURN_COLUMNS:
                raise UnusableInput(
                    f"{label} {sheet}!{schema.column_letter(max(columns, 1))}{rows}: the sheet "
                    "reaches this cell, far beyond one owner's actions, so the file is not read. "
                    "Ask the owner to clear what lies beyond the request's columns, or send a fresh "
                    "request.",
                    f"[{label}]{sheet}",
                )


def _open(path: Path):
    """A returned file opened by python-calamine once ``guard_return`` let it through; UnusableInput when it cannot be
    read."""
    from python_calamine import CalamineWorkbook  # imported here: only reading needs it

    try:
        return calamine_book(CalamineWorkbook, str(path))
    except BaseException as exc:
        if not calamine_failure(exc):
            raise
        raise UnusableInput(f"{path.name} cannot be read as a workbook: {exc}") from exc


def _grid(book, name: str, label: str) -> list[list[object]]:
    """One sheet's values of a book ``_open`` opened; UnusableInput naming it when it cannot be read."""
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    # python-calamine raises its own errors (and panics) on damaged sheets
    except BaseException as exc:
        if not calamine_failure(exc):
            raise
        raise UnusableInput(f"{label}: the {name} sheet cannot be read ({exc}).") from exc


def read_return(path: Path) -> Returned:
    """A returned request: whose it is (from its hidden About sheet) and each row of actions, with raw values."""
    path = Path(path)
    label = path.name
    if path.is_file() and path.stat().st_size == 0:
        raise UnusableInput(
            f"{label} is empty (0 bytes): it did not arrive whole. Ask the owner to send it again."
        )
    guard_return(path)
    book = _open(path)
    names = schema.find_sheets(book.sheet_names, [REQUEST_SHEET, ABOUT_SHEET], label)
    if REQUEST_SHEET not in names or ABOUT_SHEET not in names:
        raise UnusableInput(
            f"{label} is not an update request made by 'ofsted-tracker requests' (it has no "
            f"'{REQUEST_SHEET}' and '{ABOUT_SHEET}' sheets). Collect the file the owner sent back."
        )
    about = {
        str(row[0]).strip(): row[1]
        for row in _grid(book, names[ABOUT_SHEET], label)
        if len(row) > 1 and row[0] not in (None, "")
    }
    owner = str(about.get(ABOUT_KEYS[0]) or "").strip()
    if not owner:
        raise UnusableInput(
            f"{label}: its hidden {ABOUT_SHEET} sheet does not say whose request it is (B1). Send "
            "the owner a fresh request."
        )
    grid = _grid(book, names[REQUEST_SHEET], label)
    header = [
        schema.same_name(v) for v in (grid[HEADER_ROW - 1] if len(grid) >= HEADER_ROW else [])
    ]
    # with "What does success look like?" after the action's text when the plan had one, else without
    columns = request_columns(
        len(header) > 2 and header[2] == schema.same_name(SUCCESS_MEASURE.header)
    )
    for j, column in enumerate(columns):
        if j >= len(header) or header[j] != schema.same_name(column.header):
            raise UnusableInput(
                f"{label} {REQUEST_SHEET}!{schema.column_letter(j + 1)}{HEADER_ROW}: the header "
                f"should read '{column.header}'; the request's columns were changed. Send the owner "
                "a fresh request."
            )
    if len(grid) - HEADER_ROW > MAX_RETURN_ROWS:
        raise UnusableInput(
            f"{label} holds {len(grid) - HEADER_ROW:,} rows, far more than one owner's actions."
        )
    rows = []
    for i in range(FIRST_ROW - 1, len(grid)):
        values = {
            c.field: grid[i][j]
            for j, c in enumerate(columns)
            if j < len(grid[i]) and grid[i][j] not in (None, "")
        }
        if values:
            rows.append(ReturnRow(i + 1, values))
    return Returned(
        label,
        owner,
        str(about.get(ABOUT_KEYS[2]) or "").strip(),
        tuple(rows),
        str(about.get(ABOUT_KEYS[5]) or "").strip(),
        tracker_id=str(about.get(ABOUT_KEYS[6]) or "").strip(),
        columns=columns,
    )
