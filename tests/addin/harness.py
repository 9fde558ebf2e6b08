"""Stand in for Excel around xlwings' remote engine: the payload Excel sends, and the actions it would apply.

``payload(path)`` (``addin.payload``, shared with ``ofsted-tracker payload``) turns a real .xlsx into the JSON
that Excel (Office.js, xlwings Server) sends with a click. ``apply(actions, path)`` plays the actions a macro
returned back onto an openpyxl copy as Excel would: a bare string starting with = + - @ becomes a formula,
a leading apostrophe marks text.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

os.environ.setdefault(
    "XLWINGS_LICENSE_KEY", "noncommercial"
)  # the remote engine's noncommercial licence

import xlwings as xw  # noqa: E402

from ofsted_tracker.addin.payload import payload  # noqa: E402,F401  (re-exported: the tests and bench/macro_ops use it from here)

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def open_book(path: Path, **kwargs) -> xw.Book:
    """The workbook as xlwings Server sees it after a click."""
    return xw.Book(json=payload(path, **kwargs))


@dataclass
class Applied:
    """What Excel shows after the actions: the workbook file, the message boxes, the active sheet, the selection."""

    path: Path
    alerts: list[list[object]] = field(default_factory=list)
    active: str | None = None
    selected: str | None = None
    sheets_written: set[str] = field(default_factory=set)
    resized: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (sheet, table, its new range)


def _entered(value: object) -> tuple[object, bool]:
    """A value written by setValues as Excel stores it, and whether it is marked as text by an apostrophe."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:], True
        if value == "":
            return None, False
        if _NUMBER.match(value):
            return float(value), False
    return value, False


def apply(actions: list[dict], source: Path, target: Path) -> Applied:
    """Play Excel's part: apply the actions onto a copy of ``source`` saved as ``target``."""
    shutil.copy2(source, target)
    wb = load_workbook(target)
    result = Applied(target)
    for action in actions:
        func = action["func"]
        if func == "addSheet":  # a new sheet at the position given, activated (as Excel does)
            position, name = action["args"]
            wb.active = wb.index(wb.create_sheet(name, position))
            result.active = name
            result.sheets_written.add(name)
            continue
        ws = (
            wb.worksheets[action["sheet_position"]]
            if action["sheet_position"] is not None
            else None
        )
        if ws is not None and func != "activateSheet" and func != "rangeSelect":
            result.sheets_written.add(ws.title)
        if func == "sheetClearContents":
            for row in ws.iter_rows():
                for cell in row:
                    cell.value = None
        elif func == "setValues":
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            assert len(action["values"]) == action["row_count"]
            for i, row in enumerate(action["values"]):
                assert len(row) == action["column_count"]
                for j, value in enumerate(row):
                    cell = ws.cell(r0 + i, c0 + j)
                    stored, text = _entered(value)
                    cell.value = stored
                    if text:
                        cell.data_type = "s"  # kept as text even when it starts with '='
                        cell.quotePrefix = True
        elif func == "resizeTable":  # the table (by its index on the sheet) takes the range given
            index, address = action["args"]
            table = list(ws.tables.values())[index]
            table.ref = address.replace("$", "")
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
            result.resized.append((ws.title, table.displayName, table.ref))
        elif func == "setFontProperty":  # a range's font: bold, say
            prop, value = action["args"]
            from copy import copy

            for row in ws.iter_rows(
                min_row=action["start_row"] + 1,
                max_row=action["start_row"] + action["row_count"],
                min_col=action["start_column"] + 1,
                max_col=action["start_column"] + action["column_count"],
            ):
                for cell in row:
                    font = copy(cell.font)
                    setattr(font, "b" if prop == "bold" else prop, value)
                    cell.font = font
        # Excel fits the columns to their text: a width per column, roughly
        elif func == "setAutofit":
            from openpyxl.utils import get_column_letter

            for c in range(
                action["start_column"] + 1, action["start_column"] + action["column_count"] + 1
            ):
                longest = max(
                    (
                        len(str(ws.cell(r, c).value or ""))
                        for r in range(
                            action["start_row"] + 1, action["start_row"] + action["row_count"] + 1
                        )
                    ),
                    default=8,
                )
                ws.column_dimensions[get_column_letter(c)].width = min(max(longest, 8) + 2, 80)
        elif (
            func == "setPrintArea"
        ):  # the sheet's print area, as Office.js pageLayout.setPrintArea does
            ws.print_area = action["args"][0].replace("$", "") or None
        elif func == "alert":
            result.alerts.append(action["args"])
        elif func == "activateSheet":
            result.active = wb.worksheets[action["args"][0]].title
            wb.active = action["args"][0]
        elif func == "rangeSelect":
            from openpyxl.utils import get_column_letter

            result.selected = (
                f"{ws.title}!{get_column_letter(action['start_column'] + 1)}"
                f"{action['start_row'] + 1}"
            )
        else:
            raise AssertionError(f"Excel action not expected from the macros: {func}")
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == wb.active.title
    wb.save(target)
    return result


def grid_as_shown(path: Path, sheet: str) -> list[list[object]]:
    """A sheet's values as openpyxl reads them back (blank cells as None), for comparing with a layout grid."""
    wb = load_workbook(path)
    return [list(row) for row in wb[sheet].iter_rows(values_only=True)]
