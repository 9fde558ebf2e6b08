"""The live Excel workbook through xlwings: officers' sheets read and computed sheets written as whole blocks.

The only module of the project that imports xlwings. It works the same on every xlwings engine: desktop Excel
(COM on Windows, AppleScript on macOS, through the ribbon add-in's ``RunPython``), xlwings Server (the remote
engine, fed the JSON payload Excel on the web sends) and the tests on Linux (the same remote engine). It never
assumes a local disk: ``local_folder`` says when there is one.

Excel operations are counted per sheet, never per row: reading a sheet is one ``.value`` of its used range,
writing a computed sheet is one clear and one block of values.
"""

from __future__ import annotations

import re
from pathlib import Path

import xlwings as xw

from ofsted_tracker.workbook.errors import PartlyWritten, TrackerError, UnusableInput
from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.findings import Finding
from ofsted_tracker.workbook.plan.model import Plan
from ofsted_tracker.workbook.plan.parse import RawTable, parse_plan
from ofsted_tracker.workbook.plan.schema import Grid
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.store.base import Changes, Loaded
from ofsted_tracker.workbook.store.reader import LOGS, log_entries, table_from_grid

Book = (
    xw.Book
)  # the type the macros take, named here so that no other module needs to import xlwings
ALERT_TITLE = "Improvement Plan"
ADDIN_SUFFIXES = (".xlam", ".xla")
MAX_CELL_TEXT = 32767  # Excel's limit on the characters of one cell
_CELL = re.compile(r"^\$?[A-Z]{1,3}\$?\d{1,7}(:\$?[A-Z]{1,3}\$?\d{1,7})?$")


def caller_book() -> Book:
    """The workbook a ribbon click came from (xlwings' ``Book.caller()``)."""
    return xw.Book.caller()


def tracker_book(book: Book) -> Book:
    """The tracker to act on: the active workbook when ``book`` is the add-in itself; refuses a non-tracker.

    Called from an add-in, ``Book.caller()`` may be the add-in (older xlwings, the UDF server) or the active
    workbook (``RunPython`` passes ``ActiveWorkbook.Name``); under xlwings Server it is the workbook sent.
    """
    if book.name.lower().endswith(ADDIN_SUFFIXES):
        try:  # with no workbook open, desktop Excel has no active workbook at all
            active = book.app.books.active
            name = active.name if active is not None else ""
        except Exception:  # noqa: BLE001 - COM raises its own error types for a missing object
            name = ""
        if not name or name.lower().endswith(ADDIN_SUFFIXES):
            raise UnusableInput(
                "No workbook is open. Open your improvement plan tracker, then click the button again."
            )
        book = active
    refused = schema.not_a_tracker(f"'{book.name}'", [sheet.name for sheet in book.sheets])
    if refused:
        raise UnusableInput(
            f"{refused} Click on your tracker workbook, then click the button again."
        )
    return book


def _sheets(book: Book, names: list[str]) -> dict[str, xw.Sheet]:
    """The named sheets, found in one pass over the book's sheets by ``schema.find_sheets`` (as the file reader does)."""
    sheets = {sheet.name: sheet for sheet in book.sheets}
    found = schema.find_sheets(sheets, names, f"'{book.name}'")
    missing = [name for name in names if name not in found]
    if missing:
        raise UnusableInput(
            f"'{book.name}' has no {', '.join(repr(m) for m in missing)} sheet. Restore it from a backup, or make "
            "a new tracker with 'ofsted-tracker new' and copy your rows into it."
        )
    return {name: sheets[found[name]] for name in names}


def read_grid(sheet: xw.Sheet) -> tuple[list[list[object]], tuple[int, int]]:
    """One sheet's values as a grid and the 0-based (row, column) of its top-left cell: one Excel read."""
    used = sheet.used_range
    values = used.options(ndim=2).value
    return values, (used.row - 1, used.column - 1)


def read_plan(book: Book) -> tuple[Plan, tuple[Finding, ...]]:
    """Read every officers' sheet (one block read each) into the plan, with the findings met while reading."""
    sheets = _sheets(book, [spec.name for spec in schema.OFFICER_SHEETS])
    tables: dict[str, RawTable] = {}
    for spec in schema.OFFICER_SHEETS:
        sheet = sheets[spec.name]
        grid, start = read_grid(sheet)
        table = table_from_grid(sheet.name, spec, grid, start)
        table.sheet = spec.name
        tables[spec.name] = table
    plan, findings = parse_plan(tables)
    return plan, tuple(findings)


def read_logs(book: Book) -> tuple[tuple, tuple, tuple[Finding, ...]]:
    """The tool's own History and Requests sheets, as the file reader reads them: one block read each, when present.

    A sheet that cannot be read gives a finding at its header (and no rows), never an error, as ``ofsted-tracker``
    does for the file; the jobs that write these sheets refuse on such a finding.
    """
    present = schema.find_sheets(
        [sheet.name for sheet in book.sheets], [log.name for log in LOGS], f"'{book.name}'"
    )
    read: dict[str, tuple] = {}
    findings: list[Finding] = []
    for log in LOGS:
        if log.name not in present:
            continue
        grid, start = read_grid(_sheets(book, [log.name])[log.name])
        read[log.name], more = log_entries(log, present[log.name], grid, start)
        findings += more
    return read.get(LOGS[0].name, ()), read.get(LOGS[1].name, ()), tuple(findings)


class ExcelStore:
    """The workbook open in Excel as a ``Store``: read in one block per sheet, written cell by cell or block by block.

    Nothing is saved: the officer saves the workbook (or closes it without saving, which undoes the job).
    """

    def __init__(self, book: Book) -> None:
        self.book = book
        # the one line the message adds when Settings' rating scheme changed since the last refresh: xlwings cannot
        # rewrite the Recorded RAG drop-down, the rating colours and the Dashboard chart (the file's refresh does)
        self.scheme_note = ""

    @property
    def name(self) -> str:
        return self.book.name

    def again(self, option: str) -> str:
        return "then click the button again"

    def load(self) -> Loaded:
        plan, findings = read_plan(self.book)
        history, log, log_findings = read_logs(self.book)
        return Loaded(plan, findings + log_findings, history, log)

    def check_writable(self) -> None:
        """Excel holds the open workbook: it can always be written (saving is the officer's)."""

    def write(self, changes: Changes) -> None:
        """The named cells first (every sheet and table checked before the first write), then the log sheets, then
        the computed sheets. Excel failing part-way through writing officers' cells is ``PartlyWritten``."""
        try:
            if changes.cells:
                write_cells(self.book, changes.cells)
            for log, grid in changes.logs:
                write_tool_sheet(self.book, log.name, grid, log.header_row)
        except TrackerError:
            raise  # refused before the first write (a totals row, a missing sheet): nothing was changed
        except Exception as exc:  # noqa: BLE001 - Excel failed part-way: say so, never "nothing was changed"
            if not changes.cells:
                raise
            raise PartlyWritten(
                f"Excel stopped while the returns were being written ({type(exc).__name__}: {exc}), "
                "so some cells may be written and others not. Close the workbook without saving to "
                "undo it all, then collect again."
            ) from exc
        if changes.grids:
            if changes.conventions is not None and schema.DASHBOARD in changes.grids:
                self.scheme_note = _scheme_note(
                    self.book, changes.conventions, changes.grids[schema.DASHBOARD]
                )
            write_grids(self.book, changes.grids)


# what the Dashboard's fourth-bucket row reads in each scheme that has one (nothing of these in RAG)
_EXTRA_LABELS = {s.extra.label for s in schemes.SCHEMES if s.extra}


def _scheme_note(book: Book, plan: Plan, dashboard: Grid) -> str:
    """One line when the Dashboard was last written in another scheme than Settings' now (its fourth-bucket row
    reads another scheme's label), saying how to bring the drop-downs, colours and chart to it; else "".

    One read (the row's first cell). Excel's Validation and FormatConditions are not in xlwings' API on the
    server, so the macro cannot rewrite them itself: the command line's refresh does, on the saved file."""
    row = layout.BLUE_ROW - 1
    new = dashboard[row][0] if len(dashboard) > row and dashboard[row] else None
    old = _sheets(book, [schema.DASHBOARD])[schema.DASHBOARD].range((layout.BLUE_ROW, 1)).value
    was, now = (v if v in _EXTRA_LABELS else None for v in (old, new))
    if was == now:
        return ""
    return (
        f"The rating scheme is now {plan.scheme.name}: to bring the Recorded RAG drop-down, the rating colours "
        f"and the Dashboard chart to it, save and close this workbook, then run: ofsted-tracker refresh "
        f'"{book.name}"'
    )


def as_entered(value: object) -> object:
    """A value as Excel must receive it to keep it: text gets a leading apostrophe, so it is never a formula.

    Excel reads a bare ``=HYPERLINK(...)``, ``+cmd|...``, ``-1`` or ``@SUM`` as a formula, and ``31/10/2016``
    or ``007`` as a number; with the apostrophe (Excel's own "this is text" mark, not shown in the cell)
    every string stays the text it is.
    """
    if isinstance(value, str) and value:
        return "'" + value[:MAX_CELL_TEXT]
    return value


def write_grids(book: Book, grids: dict[str, Grid]) -> None:
    """Replace each computed sheet's values with its grid: per sheet one clear and one block write.

    Only the named sheets are touched, and only computed ones are accepted; formats, the Dashboard chart and
    the sheets' validation stay as they are. Every sheet is looked up before the first write, so a missing
    one stops the macro before anything changes.
    """
    foreign = [name for name in grids if name not in schema.COMPUTED_SHEETS]
    if foreign:
        raise ValueError(f"refusing to write officers' sheets: {', '.join(foreign)}")
    sheets = _sheets(book, list(grids))
    for name, grid in grids.items():
        sheet = sheets[name]
        sheet.clear_contents()
        if grid:
            sheet.range((1, 1)).value = [[as_entered(v) for v in row] for row in grid]
            _print_area(sheet, grid)


def _print_area(sheet: xw.Sheet, grid: Grid) -> None:
    """The sheet's print area ends at its grid's last row (one operation), as ``package.print_area_parts`` does to
    the file: the rows left over from a longer grid print no blank pages."""
    width = max(len(row) for row in grid)
    sheet.page_setup.print_area = f"$A$1:${schema.column_letter(width)}${len(grid)}"


def write_cells(book: Book, edits: dict[str, dict[tuple[int, int], object]]) -> None:
    """Write the named cells of officers' sheets (sheet -> (row, column) -> value), one Excel write per cell.

    Nothing else is touched: the cells keep their formats and validation. A table whose last row is just above the
    rows written below it is resized to take them in first, as ``workbook.store.package.cell_parts`` does to the file;
    a table with a totals row that the rows would go below is refused, as there. Every sheet and table is checked
    before the first write.
    """
    sheets = _sheets(book, [name for name, cells in edits.items() if cells])
    grown = []
    for name, sheet in sheets.items():
        rows = [row for row, _ in edits[name]]
        grown += _tables_to_grow(sheet, name, min(rows), max(rows))
    for table, new_range in grown:
        table.resize(new_range)
    for name, sheet in sheets.items():
        for (row, column), value in sorted(edits[name].items()):
            sheet.range((row, column)).value = as_entered(value)


def _tables_to_grow(sheet: xw.Sheet, name: str, first: int, last: int, width: int = 0) -> list:
    """The tables of the sheet that rows ``first``..``last`` extend (the rule of ``workbook.store.package.cell_parts``: a
    table ending at most one row above ``first``, and above ``last``), each with its range grown to ``last`` (and to
    ``width`` columns, for a log sheet a later version added a column to); refuses a totals row."""
    found = []
    for table in sheet.tables:
        whole = table.range
        if whole is None:
            continue
        end = whole.row + whole.rows.count - 1
        if end + 1 >= first and (end < last or whole.columns.count < width):
            if table.totals_row_range is not None:
                raise UnusableInput(
                    f"{name}!A{end}: the table '{table.name}' has a totals row, so a row cannot be added "
                    "below it. Turn off its Total Row (Table Design), then try again. Nothing was "
                    "changed."
                )
            found.append(
                (
                    table,
                    sheet.range(
                        (whole.row, whole.column),
                        (max(last, end), whole.column + max(whole.columns.count, width) - 1),
                    ),
                )
            )
    return found


def write_tool_sheet(book: Book, name: str, grid: Grid, header_row: int) -> None:
    """Replace the values of a tool-owned sheet (History, Requests) with its grid: one clear and one block write.

    The first time, the sheet is added at the end, its header row (``header_row``) made bold and the table's
    columns fitted to their text (3 operations more). A table on it, when it has one, takes in all the rows.
    """
    if name in schema.TOOL_SHEETS:
        raise ValueError(f"refusing to write {name} as a tool-owned log sheet")
    found = schema.find_sheets([sheet.name for sheet in book.sheets], [name], f"'{book.name}'")
    added = name not in found
    if added:
        sheet = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    else:
        sheet = _sheets(book, [name])[name]
        sheet.clear_contents()
    if not grid:
        return
    width = max(len(row) for row in grid)
    for table, new_range in _tables_to_grow(
        sheet, name, 1, len(grid), width
    ):  # the tool's table, header down
        table.resize(new_range)
    sheet.range((1, 1)).value = [[as_entered(v) for v in row] for row in grid]
    _print_area(sheet, grid)
    if added and len(grid) >= header_row:
        sheet.range((header_row, 1), (header_row, width)).font.bold = True
        sheet.range((header_row, 1), (len(grid), width)).columns.autofit()


def ask_for_files(book: Book, title: str) -> list[Path] | None:
    """Ask the officer for workbooks with Excel's own Open dialog (several may be chosen): the files chosen, [] when
    cancelled, None where Excel has no such dialog for us (Excel on a Mac, on the web, xlwings Server).

    Desktop Excel on Windows only: its ``Application.GetOpenFilename`` through xlwings' COM object.
    """
    import sys

    if sys.platform != "win32":
        return None
    try:
        chosen = book.app.api.GetOpenFilename(
            FileFilter="Excel workbooks (*.xlsx),*.xlsx", Title=title, MultiSelect=True
        )
    except (
        AttributeError,
        NotImplementedError,
    ):  # not Excel's COM object: no dialog (a COM error propagates)
        return None
    if chosen is False or chosen is None:
        return []
    return [Path(str(p)) for p in (chosen if isinstance(chosen, (list, tuple)) else [chosen])]


def ask(book: Book, text: str) -> bool:
    """Ask a yes/no question in a message box (one Excel operation); True for Yes."""
    answer = book.app.alert(text, title=ALERT_TITLE, buttons="yes_no", mode="info")
    return str(answer).lower() == "yes"


def alert(book: Book, text: str, problem: bool = False) -> None:
    """Show a message box (one Excel operation)."""
    book.app.alert(text, title=ALERT_TITLE, mode="critical" if problem else "info")


def local_folder(book: Book) -> Path | None:
    """The folder holding the workbook when it is a file on this computer; None in a browser or on SharePoint."""
    fullname = book.fullname or ""
    if "://" in fullname:
        return None
    path = Path(fullname)
    return path.parent if path.is_absolute() and path.parent.is_dir() else None


def selected_row(book: Book) -> tuple[str, int] | None:
    """The sheet name and first row of the selection (one Excel read), or None when no cell is selected."""
    try:
        selection = book.selection
        return (selection.sheet.name, selection.row) if selection is not None else None
    except Exception:  # noqa: BLE001 - a chart or shape is selected: no cell
        return None


def cell_text(book: Book, sheet_name: str, row: int, column: int) -> str:
    """One cell's value as text (one Excel read)."""
    value = _sheets(book, [sheet_name])[sheet_name].range((row, column)).value
    return "" if value is None else str(value)


def go_to(book: Book, sheet_name: str, cell: str = "") -> None:
    """Show a sheet and select a cell on it (two Excel operations at most)."""
    sheet = _sheets(book, [sheet_name])[sheet_name]
    sheet.activate()
    if cell and _CELL.match(cell):
        sheet.range(cell).select()
