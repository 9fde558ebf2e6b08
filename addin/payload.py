"""The JSON Excel sends to xlwings Server with a click, built from an .xlsx file, and a check of its shape.

``payload(path)`` is what Office.js (xlwings Server's ``runPython``) posts for the workbook at ``path``:
``client``, ``version``, ``book`` (name, active sheet, selection), ``names`` and ``sheets`` (name, values,
pictures, and tables with their ranges), dates as ISO strings, blanks as "", the rows below the last one
with a value left out. Formula cells carry their cached values, as in Excel.
Sheets left out by a script's ``include`` are still listed, with no values (``[[]]``), as Office.js does. The
tests, the benchmark and ``ofsted-tracker payload`` use it; ``problem(data)`` says what is wrong with a posted
payload before xlwings is given it. ``PLAN_SHEETS`` are the sheets a click that reads the plan sends with values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules.chase import CHASE_SHEET
from ofsted_tracker.workbook.rules.history import HISTORY
from ofsted_tracker.workbook.store.package import sheet_tables

# The six officers' sheets and the tool's History and Requests logs: macros.summary reads the logs when present
# (the Dashboard's trend and chase list), and a sheet left out of a payload still arrives by name with no values,
# which would read as a damaged log. The server's scripts send these (custom_scripts), as ``ofsted-tracker payload``
# does by default; the task pane's main.js keeps the same list for its own routes (tests/test_server.py checks it).
PLAN_SHEETS = [spec.name for spec in schema.OFFICER_SHEETS] + [HISTORY, CHASE_SHEET]


def _json_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}T00:00:00.000Z"
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def _table(name: str, ref: str, headers: int, totals: int) -> dict:
    """A table as Office.js describes it (the fields xlwings' remote engine reads), from its range such as 'A4:F20'."""
    import re

    start, _, end = ref.partition(":")
    (c1, r1), (c2, r2) = (
        re.fullmatch(r"([A-Z]+)(\d+)", cell).groups() for cell in (start, end or start)
    )
    r1, r2 = int(r1), int(r2)
    body_first, body_last = r1 + headers, r2 - totals
    return {
        "name": name,
        "range_address": ref,
        "row_count": r2 - r1 + 1,
        "columns": [],
        "header_row_range_address": f"{c1}{r1}:{c2}{r1}" if headers else None,
        "data_body_range_address": f"{c1}{body_first}:{c2}{max(body_last, body_first)}",
        "total_row_range_address": f"{c1}{r2}:{c2}{r2}" if totals else None,
        "show_headers": bool(headers),
        "show_totals": bool(totals),
    }


def payload(
    path: Path,
    name: str | None = None,
    active: str | None = None,
    selection: str = "A1",
    include: list[str] | tuple[str, ...] | None = None,
) -> dict:
    """The JSON Excel sends for the workbook at ``path``; with ``include``, only those sheets carry values."""
    import zipfile
    from importlib.metadata import version  # about 30 ms: only this command needs it

    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as package:
        tables = sheet_tables(package, Path(path).name)
    wb = load_workbook(path, data_only=True, read_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            if include is not None and ws.title not in include:
                values: list[list[object]] = [[]]
            else:
                values = [
                    [_json_value(v) for v in row] for row in ws.iter_rows(values_only=True)
                ] or [[]]
                while len(values) > 1 and all(v == "" for v in values[-1]):
                    values.pop()  # the used rows only: formulas showing "" below a Table (Actions' Checks) are blank
                width = max((len(row) for row in values), default=0)
                values = [
                    row + [""] * (width - len(row)) for row in values
                ]  # Excel sends a rectangle
            sheets.append(
                {
                    "name": ws.title,
                    "values": values,
                    "pictures": [],
                    "tables": [_table(*t) for t in tables.get(ws.title, [])],
                }
            )
        index = wb.sheetnames.index(active) if active else wb.sheetnames.index(wb.active.title)
    finally:
        wb.close()
    return {
        "client": "Office.js",
        "version": version("xlwings"),
        "book": {
            "name": name or Path(path).name,
            "active_sheet_index": index,
            "selection": selection,
        },
        "names": [],
        "sheets": sheets,
    }


def problem(data: object) -> str | None:
    """What makes ``data`` not a workbook payload, in one sentence naming the field; None when it is one."""
    if not isinstance(data, dict):
        return "the body must be a JSON object with 'book' and 'sheets' (the workbook Excel sends)"
    book = data.get("book")
    if not isinstance(book, dict) or not isinstance(book.get("name"), str):
        return "'book' must be an object with the workbook's 'name'"
    sheets = data.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        return "'sheets' must be a non-empty list of the workbook's sheets"
    for i, sheet in enumerate(sheets):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
            return f"sheets[{i}] must be an object with a 'name'"
        values = sheet.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            return f"sheets[{i}] ('{sheet['name'][:40]}'): 'values' must be a list of rows (lists)"
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                if isinstance(value, (dict, list)):  # a cell is text, a number, true/false or empty
                    return (
                        f"sheets[{i}] ('{sheet['name'][:40]}'): the value of row {r + 1}, column {c + 1} "
                        "is not a cell's value (text, a number, true/false or empty)"
                    )
    index = book.get("active_sheet_index", 0)
    if not isinstance(index, int) or not 0 <= index < len(sheets):
        return f"'book.active_sheet_index' must be a sheet number from 0 to {len(sheets) - 1}"
    if not isinstance(data.get("names", []), list):
        return "'names' must be a list"
    return None
