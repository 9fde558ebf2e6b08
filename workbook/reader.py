"""Reading a tracker .xlsx/.xlsm from disk with python-calamine into the plan model and its parse findings."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from workbook import schema
from workbook.errors import UnusableInput
from workbook.findings import WARNING, Finding
from workbook.model import Plan
from workbook.parse import RawTable, parse_plan

HEADER_SCAN_ROWS = 10
MAX_UNCOMPRESSED = 500 * 1024 * 1024  # refuse packages that would inflate beyond this (zip bombs)
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, or an encrypted (password-protected) .xlsx


@dataclass(frozen=True)
class Loaded:
    """A plan read from a workbook with the findings met while reading it."""

    plan: Plan
    findings: tuple[Finding, ...]


def _norm(value: object) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def check_package(path: Path) -> None:
    """Refuse, with a clear message, files that are not an Office Open XML workbook we can read safely."""
    if not path.exists():
        raise UnusableInput(f"{path.name}: no such file.")
    if path.is_dir():
        raise UnusableInput(f"{path.name} is a folder, not a workbook.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise UnusableInput(f"{path.name} is empty (0 bytes). Restore it from a backup (.bak) or make a new tracker.")
    if head.startswith(OLE_MAGIC):
        raise UnusableInput(
            f"{path.name} is an old-style .xls workbook or is password-protected. In Excel, remove the password "
            "(File > Info > Protect Workbook) and save as Excel Workbook (.xlsx)."
        )
    if not zipfile.is_zipfile(path):
        raise UnusableInput(f"{path.name} is not an Excel workbook (.xlsx). If it is a CSV, open it in Excel and save as .xlsx.")
    try:
        with zipfile.ZipFile(path) as package:
            total = sum(info.file_size for info in package.infolist())
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableInput(f"{path.name} is damaged and cannot be opened as a workbook ({exc}).") from exc
    if total > MAX_UNCOMPRESSED:
        raise UnusableInput(f"{path.name} would unpack to {total // 2**20} MB, far more than a tracker; refusing to read it.")
    if "xl/workbook.xml" not in names:
        raise UnusableInput(f"{path.name} is a zip file but not an Excel workbook (no xl/workbook.xml).")


def table_from_grid(sheet_name: str, spec: schema.SheetSpec, grid: list[list[object]], start: tuple[int, int]) -> RawTable:
    """Find the header row in a sheet's values (a grid whose top-left cell is ``start``, 0-based) and map its rows.

    Shared by the file reader and the live-Excel adapter. Columns may be in any order and extra columns are
    ignored; a missing required header raises UnusableInput naming the sheet and cell.
    """
    wanted = {_norm(c.header): c for c in spec.columns}
    key = _norm(spec.columns[0].header)
    for offset, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if key in (_norm(v) for v in row):
            break
    else:
        raise UnusableInput(
            f"{sheet_name}: no header row with '{spec.columns[0].header}' in the first {HEADER_SCAN_ROWS} rows. "
            f"The header row should read: {', '.join(spec.headers)}."
        )
    header = grid[offset]
    index: dict[str, int] = {}
    for j, value in enumerate(header):
        column = wanted.get(_norm(value))
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
    from python_calamine import CalamineWorkbook  # imported here: only reading needs it

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged packages
        raise UnusableInput(f"{path.name} cannot be read as a workbook: {exc}") from exc
    names = {_norm(n): n for n in book.sheet_names}
    tables: dict[str, RawTable] = {}
    findings: list[Finding] = []
    for spec in schema.OFFICER_SHEETS:
        actual = names.get(_norm(spec.name))
        if actual is None:
            raise UnusableInput(
                f"{path.name} has no '{spec.name}' sheet (sheets: {', '.join(book.sheet_names)}). "
                "A tracker needs the sheets Actions, Recommendations, Leads, Revisions, Periods and Settings; "
                "make one with 'ofsted-tracker new'."
            )
        try:
            sheet = book.get_sheet_by_name(actual)
            grid = sheet.to_python(skip_empty_area=False)
            merged = getattr(sheet, "merged_cell_ranges", None) or []
        except Exception as exc:
            raise UnusableInput(f"{actual}: the sheet cannot be read ({exc}).") from exc
        tables[spec.name] = table_from_grid(actual, spec, grid, (0, 0))
        tables[spec.name].sheet = spec.name
        for (r1, c1), (r2, c2) in merged:
            findings.append(Finding(
                WARNING, spec.name,
                f"{schema.column_letter(c1 + 1)}{r1 + 1}:{schema.column_letter(c2 + 1)}{r2 + 1}", "",
                "cells are merged; only the first keeps its value. Unmerge them (Home > Merge & Center) "
                "and fill each cell.", "merged",
            ))
    return tables, findings


def load(path: Path | str) -> Loaded:
    """Read a tracker workbook from disk into the plan, with every finding met while reading."""
    tables, findings = read_tables(Path(path))
    plan, parse_findings = parse_plan(tables)
    return Loaded(plan, tuple(findings + parse_findings))
