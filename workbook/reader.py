"""Reading a tracker .xlsx/.xlsm from disk with python-calamine into the plan model and its parse findings.

Before python-calamine sees a file, the package is checked here (see ``workbook.package``): what is not a
workbook, a zip bomb, a damaged part, a DTD, or a sheet whose cells would span millions of rows and columns
(python-calamine holds a sheet as one dense block, so one stray value in XFD1048576 would exhaust memory)
is refused with a message naming the file, sheet or cell.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from workbook import schema
from workbook.schema import column_number, same_name
from workbook.errors import UnusableInput
from workbook.paths import regular_file
from workbook.findings import WARNING, Finding
from workbook.history import HISTORY, HISTORY_SPEC, Snapshot, read_history, unreadable
from workbook.model import Plan
from workbook.package import (
    PKG_REL_NS, WORKBOOK_PART, WORKBOOK_RELS, check_zip, parse_part, part_name, read_part, sheet_parts,
)
from workbook.parse import RawTable, parse_plan

HEADER_SCAN_ROWS = 10
MAX_CELLS = 2_000_000  # a sheet spanning more cells than this (rows x columns) is refused before it is read
MAX_OLE_SCAN = 64 * 2**20  # how much of an old-style (OLE) file is searched for its stream names
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted (password-protected) .xlsx
# fast over-estimates of how far a sheet's cells reach: any attribute ending in "r" whose value looks like a cell
# reference (columns) or a row number (rows); an over-estimate only sends the sheet to the exact (slower) check
_COLUMN_REFS = re.compile(rb"""r\s*=\s*["']([A-Z]{1,3})[0-9]""")
_ROW_REFS = re.compile(rb"""r\s*=\s*["'][A-Z]{0,3}([0-9]{1,7})["']""")
_READ_TYPES = ("/sharedStrings", "/styles")  # the parts python-calamine reads besides the sheets


@dataclass(frozen=True)
class Loaded:
    """A plan read from a workbook with the findings met while reading it, and its recorded snapshots."""

    plan: Plan
    findings: tuple[Finding, ...]
    history: tuple[Snapshot, ...] = ()


def _not_a_workbook(path: Path, names: set[str]) -> str:
    """What a zip that is not an Excel workbook most likely is, in words."""
    if "word/document.xml" in names:
        return f"{path.name} is a Word document, not an Excel workbook."
    if "ppt/presentation.xml" in names:
        return f"{path.name} is a PowerPoint file, not an Excel workbook."
    if "content.xml" in names:
        return f"{path.name} is an OpenDocument (.ods) file. Open it and save it as Excel Workbook (.xlsx)."
    return f"{path.name} is a zip file but not an Excel workbook (no xl/workbook.xml)."


def _ole_message(path: Path) -> str:
    """What an OLE compound file most likely is (its directory names the streams in UTF-16), in words."""
    with path.open("rb") as handle:
        data = handle.read(MAX_OLE_SCAN)
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return (f"{path.name} is protected with a password (encrypted), so it cannot be read. In Excel, open it, "
                "choose File > Info > Protect Workbook > Encrypt with Password, clear the password, save, "
                "and try again.")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return (f"{path.name} is an old-style Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
                "Excel Workbook (.xlsx), then use the .xlsx.")
    return (f"{path.name} is an old-style Office file (not an .xlsx workbook), or is password-protected. "
            "Open it in Excel and save it as Excel Workbook (.xlsx).")


def check_package(path: Path) -> None:
    """Refuse, with a clear message, files that are not an Office Open XML workbook we can read safely."""
    path = Path(path)
    regular_file(path, "a workbook")  # before opening: a pipe or a device would hang or never end
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise UnusableInput(f"{path.name} cannot be opened ({exc.strerror}).") from exc
    if not head:
        raise UnusableInput(f"{path.name} is empty (0 bytes). Restore it from its copy in the backups folder beside it, "
                            "or make a new tracker with 'ofsted-tracker new'.")
    if head.startswith(OLE_MAGIC):
        raise UnusableInput(_ole_message(path))
    if not zipfile.is_zipfile(path):
        raise UnusableInput(
            f"{path.name} is not an Excel workbook (.xlsx): it is not a zip package. If it is a CSV or text file "
            "renamed .xlsx, open it in Excel and save it as Excel Workbook (.xlsx).")
    try:
        with zipfile.ZipFile(path) as package:
            check_zip(package, path.name)
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableInput(f"{path.name} is damaged and cannot be opened as a workbook ({exc}).") from exc
    if WORKBOOK_PART not in names:
        raise UnusableInput(_not_a_workbook(path, names))


def sheet_extent(data: bytes) -> tuple[int, int]:
    """How far a sheet's cells reach (last row, last column), from the cell references in the part's XML.

    Cells that only carry formatting count too, so this may overstate the block python-calamine builds.
    """
    rows = max((int(n) for n in set(_ROW_REFS.findall(data))), default=0)
    cols = max((column_number(letters) for letters in set(_COLUMN_REFS.findall(data))), default=0)
    return rows, cols


def _cells(data: bytes):
    """Each ``<c>`` element of a sheet part as it is parsed (safely: no DTD, no entities, no network)."""
    from io import BytesIO

    from lxml import etree

    for _, cell in etree.iterparse(BytesIO(data), tag="{*}c", resolve_entities=False, no_network=True,
                                   load_dtd=False, huge_tree=False):
        yield cell
        cell.clear()


def _position(ref: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", ref)
    return (int(match[2]), column_number(match[1])) if match else None


def _valued_extent(data: bytes) -> tuple[int, int, str]:
    """The block spanned by cells that hold a value (formatting-only cells left out): rows, columns, far cell."""
    rows = cols = far_size = 0
    far = ""
    for cell in _cells(data):
        ref = cell.get("r", "")
        place = _position(ref) if len(cell) else None
        if place:
            rows, cols = max(rows, place[0]), max(cols, place[1])
            if place[0] * place[1] > far_size:
                far, far_size = ref, place[0] * place[1]
    return rows, cols, far


def error_cells(data: bytes) -> dict[tuple[int, int], str]:
    """Cells that show an Excel error (``#REF!``, ``#N/A``...), by (row, column) from 1, read from the sheet's XML.

    python-calamine reads an error cell as blank, which would hide a broken formula; the reader puts the
    error text back so validation reports it at its cell.
    """
    if b'"e"' not in data and b"'e'" not in data:  # no cell of type "e" (error): the common case, decided fast
        return {}
    found = {}
    for cell in _cells(data):
        if cell.get("t") == "e":
            place = _position(cell.get("r", ""))
            shown = next((v.text for v in cell if _localname(v) == "v" and v.text), "#VALUE!")
            if place:
                found[place] = shown.strip()
    return found


def _localname(element: object) -> str:
    """The local name of an lxml element's tag, without its namespace."""
    tag = getattr(element, "tag", "")
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _guard_sheet(package: zipfile.ZipFile, part: str, sheet: str, label: str) -> dict[tuple[int, int], str]:
    """Refuse a sheet whose part is damaged, declares a DTD, or whose values would span too many cells.

    Returns the sheet's error cells (see ``error_cells``).
    """
    data = read_part(package, part, label)
    if re.search(rb"<!DOCTYPE", data, re.IGNORECASE):
        raise UnusableInput(f"{label}: the {sheet} sheet's part declares a DTD, which Excel never writes; "
                            "refusing to read it.")
    try:
        rows, cols = sheet_extent(data)
        if rows * cols > MAX_CELLS:
            rows, cols, far = _valued_extent(data)
            if rows * cols > MAX_CELLS:
                raise UnusableInput(
                    f"{sheet}!{far}: a value far outside the table makes the sheet span {rows:,} rows by {cols:,} "
                    "columns. Clear that cell (Ctrl+End jumps to it), delete the empty rows and columns around it, "
                    "save, and try again.")
        return error_cells(data)
    except UnusableInput:
        raise
    except Exception as exc:  # lxml's syntax errors: the sheet is not well-formed
        raise UnusableInput(f"{sheet}: the sheet is damaged and cannot be read ({exc}). "
                            "Restore the workbook from a backup.") from exc


def guard_package(path: Path) -> tuple[list[str], dict[str, dict[tuple[int, int], str]]]:
    """Check, part by part, what python-calamine will read: the workbook, its shared strings and styles, the sheets.

    Returns the workbook's sheet names and, for each officers' sheet, its error cells.
    """
    label = path.name
    wanted = {same_name(spec.name) for spec in schema.OFFICER_SHEETS} | {same_name(HISTORY)}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as package:
            parts = sheet_parts(package, label)
            rels = parse_part(read_part(package, WORKBOOK_RELS, label), WORKBOOK_RELS, label)
            for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
                target = rel.get("Target") or ""
                if (rel.get("Type") or "").endswith(_READ_TYPES) and rel.get("TargetMode") != "External":
                    name = part_name("xl", target)
                    if name in package.namelist():
                        parse_part(read_part(package, name, label), name, label)
            for sheet, part in parts.items():
                if same_name(sheet) in wanted and part in package.namelist():
                    errors[sheet] = _guard_sheet(package, part, sheet, label)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableInput(f"{label} is damaged and cannot be opened as a workbook ({exc}).") from exc
    return list(parts), errors


def with_errors(grid: list[list[object]], errors: dict[tuple[int, int], str]) -> list[list[object]]:
    """The grid (from A1) with each error cell's text put back where python-calamine left a blank."""
    for (row, column), shown in errors.items():
        while len(grid) < row:
            grid.append([])
        line = grid[row - 1]
        if len(line) < column:
            line.extend([""] * (column - len(line)))
        if line[column - 1] in ("", None):
            line[column - 1] = shown
    return grid


def _calamine_book(calamine: type, path: Path):
    """The workbook opened by python-calamine, which takes only UTF-8 paths: another name is read as an open file."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # a name that is not valid UTF-8 (Python keeps its bytes as surrogates)
        with path.open("rb") as handle:
            return calamine.from_filelike(handle)
    return calamine.from_path(str(path))


def _calamine_failure(exc: BaseException) -> bool:
    """True for an error python-calamine raised on a damaged file (a Rust panic is not an ``Exception``)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def table_from_grid(sheet_name: str, spec: schema.SheetSpec, grid: list[list[object]], start: tuple[int, int]) -> RawTable:
    """Find the header row in a sheet's values (a grid whose top-left cell is ``start``, 0-based) and map its rows.

    Shared by the file reader and the live-Excel adapter. Columns may be in any order and extra columns are
    ignored; a missing required header raises UnusableInput naming the sheet and cell.
    """
    wanted = {same_name(c.header): c for c in spec.columns}
    key = same_name(spec.columns[0].header)
    for offset, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if key in (same_name(v) for v in row):
            break
    else:
        raise UnusableInput(
            f"{sheet_name}: no header row with '{spec.columns[0].header}' in the first {HEADER_SCAN_ROWS} rows. "
            f"The header row should read: {', '.join(spec.headers)}."
        )
    header = grid[offset]
    index: dict[str, int] = {}
    for j, value in enumerate(header):
        column = wanted.get(same_name(value))
        if column and column.field not in index:
            index[column.field] = j
    missing = [c.header for c in spec.columns if c.required and c.field not in index]
    if missing:
        found = ", ".join(str(v) for v in header if v not in (None, "")) or "nothing"
        raise UnusableInput(
            f"{sheet_name}!{schema.column_letter(start[1] + 1)}{start[0] + offset + 1}: the header row has no "
            f"column {', '.join(repr(m) for m in missing)} (found: {found}). Rename the column back."
        )
    letters = {f: schema.column_letter(start[1] + j + 1) for f, j in index.items()}
    table = RawTable(sheet_name, letters)
    first_row = start[0] + 1
    for i in range(offset + 1, len(grid)):
        row = grid[i]
        values = {f: row[j] for f, j in index.items() if j < len(row) and row[j] not in ("", None)}
        if values:
            table.rows.append((first_row + i, values))
    return table


def read_tables(path: Path) -> tuple[dict[str, RawTable], list[Finding]]:
    """Read every officers' sheet into raw tables; structural faults raise UnusableInput."""
    path = Path(path)
    check_package(path)
    sheet_names, errors = guard_package(path)
    names = {same_name(n): n for n in sheet_names}
    actual_names: dict[str, str] = {}
    for spec in schema.OFFICER_SHEETS:
        actual = names.get(same_name(spec.name))
        if actual is None:
            raise UnusableInput(
                f"{path.name} has no '{spec.name}' sheet (sheets: {', '.join(sheet_names) or 'none'}). "
                "A tracker needs the sheets Actions, Recommendations, Leads, Revisions, Periods and Settings; "
                "rename the sheet back, or make a new tracker with 'ofsted-tracker new'."
            )
        actual_names[spec.name] = actual
    from python_calamine import CalamineWorkbook  # imported here: only reading needs it

    try:
        book = _calamine_book(CalamineWorkbook, path)
    except BaseException as exc:  # calamine raises its own error types (and panics) for damaged packages
        if not _calamine_failure(exc):
            raise
        raise UnusableInput(f"{path.name} cannot be read as a workbook: {exc}") from exc
    tables: dict[str, RawTable] = {}
    findings: list[Finding] = []
    for spec in schema.OFFICER_SHEETS:
        actual = actual_names[spec.name]
        try:
            sheet = book.get_sheet_by_name(actual)
            grid = with_errors(sheet.to_python(skip_empty_area=False), errors.get(actual, {}))
            merged = getattr(sheet, "merged_cell_ranges", None) or []
        except BaseException as exc:
            if not _calamine_failure(exc):
                raise
            raise UnusableInput(f"{actual}: the sheet cannot be read ({exc}). Restore the workbook from its copy in "
                                "the backups folder beside it.") from exc
        tables[spec.name] = table_from_grid(actual, spec, grid, (0, 0))
        tables[spec.name].sheet = spec.name
        for (r1, c1), (r2, c2) in merged:
            findings.append(Finding(
                WARNING, spec.name,
                f"{schema.column_letter(c1 + 1)}{r1 + 1}:{schema.column_letter(c2 + 1)}{r2 + 1}", "",
                "cells are merged; only the first keeps its value. Unmerge them (Home > Merge & Center) "
                "and fill each cell.", "merged",
            ))
    history = names.get(same_name(HISTORY))
    if history is not None:
        tables[HISTORY], more = _history_table(book, history, errors.get(history, {}))
        findings += more
    return tables, findings


def _history_table(book, name: str, errors: dict[tuple[int, int], str]) -> tuple[RawTable, list[Finding]]:
    """The History sheet's table; a sheet typed over or damaged gives a finding (and no history), never an error."""
    try:
        grid = with_errors(book.get_sheet_by_name(name).to_python(skip_empty_area=False), errors)
        return table_from_grid(name, HISTORY_SPEC, grid, (0, 0)), []
    except UnusableInput as exc:
        return RawTable(HISTORY, {}), [unreadable(f"The History sheet cannot be read: {exc}")]
    except BaseException as exc:
        if not _calamine_failure(exc):
            raise
        return RawTable(HISTORY, {}), [unreadable(f"The History sheet cannot be read ({exc}).")]


def load(path: Path | str) -> Loaded:
    """Read a tracker workbook from disk into the plan, with every finding met while reading."""
    tables, findings = read_tables(Path(path))
    plan, parse_findings = parse_plan(tables)
    history, history_findings = (read_history(tables[HISTORY].letters, tables[HISTORY].rows)
                                 if HISTORY in tables else ((), []))
    return Loaded(plan, tuple(findings + parse_findings + history_findings), history)
