"""Reading a tracker .xlsx/.xlsm from disk with python-calamine into the plan model and its parse findings.

Before python-calamine sees a file, the package is checked here (see ``workbook.store.package``): what is not a
workbook, a zip bomb, a damaged part, a DTD, two sheets with one name, or a sheet whose values would span
millions of rows and columns (python-calamine holds a sheet as one dense block, so one stray value in
XFD1048576 would exhaust memory) is refused with a message naming the file, sheet or cell.

Two things python-calamine cannot be given as they are, so it reads an in-memory copy with them changed:
officers' own columns far to the right of a table (left out when they would make the block too big; the
tool never reads them) and numbers in date-formatted cells that cannot be dates (their date format taken
off: python-calamine panics on -1e12 and reads NaN as 30/12/1899). Validation then reports such a number at
its cell like any other.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.findings import WARNING, Finding
from ofsted_tracker.workbook.plan.parse import RawTable, parse_plan
from ofsted_tracker.workbook.plan.schema import LogSheet, column_number, find_sheets, same_name
from ofsted_tracker.workbook.rules.chase import CHASE_LOG, read_chase, unreadable_log
from ofsted_tracker.workbook.rules.history import HISTORY_LOG, read_history, unreadable
from ofsted_tracker.workbook.store.base import Loaded
from ofsted_tracker.workbook.store.package import (
    PKG_REL_NS,
    WORKBOOK_PART,
    WORKBOOK_RELS,
    check_zip,
    date_1904,
    parse_part,
    part_name,
    read_part,
    sheet_parts,
)
from ofsted_tracker.workbook.store.paths import regular_file

HEADER_SCAN_ROWS = 10
MAX_CELLS = (
    2_000_000  # a sheet spanning more cells than this (rows x columns) is refused before it is read
)
MAX_OLE_SCAN = 64 * 2**20  # how much of an old-style (OLE) file is searched for its stream names
OLE_MAGIC = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted (password-protected) .xlsx
)
# fast over-estimates of how far a sheet's cells reach: any attribute ending in "r" whose value looks like a cell
# reference (columns) or a row number (rows); an over-estimate only sends the sheet to the exact (slower) check
# (up to 7 letters and 10 digits: python-calamine refuses larger references, beyond its 32-bit positions)
_COLUMN_REFS = re.compile(rb"""r\s*=\s*["']([A-Z]{1,7})[0-9]""")
_ROW_REFS = re.compile(rb"""r\s*=\s*["'][A-Z]{0,7}([0-9]{1,10})["']""")
_REF = re.compile(r"([A-Z]{1,7})([0-9]{1,10})")
# numbers python-calamine would misread as dates are rare: a value that starts with a sign, has 8 or more
# digits, an exponent, or reads as NaN or infinity sends the sheet to the exact check (``undated_numbers``)
SAFE_SERIALS = (
    0.0,
    2958466.0,
)  # the numbers a date-formatted cell may hold: 0 (a time) to 31/12/9999
_ODD_NUMBER = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?v>\s*(?:[-+]|[0-9]{8}|[0-9]*\.?[0-9]+[eE]|"
    rb"(?i:nan|inf(?:inity)?)\s*<)"
)
_NUMBER_CELL = re.compile(
    rb"<(?P<p>(?:[A-Za-z_][\w.-]*:)?)c\b(?P<a>[^>]*)>(?:<(?P=p)f\b[^>]*?(?:/>|>[^<]*</(?P=p)f>))?"
    rb"<(?P=p)v>(?P<v>[^<]*)</"
)
_ANY_CELL = re.compile(
    rb"<(?P<p>(?:[A-Za-z_][\w.-]*:)?)c\b[^>]*?\sr\s*=\s*[\"'](?P<col>[A-Z]{1,7})[0-9]+[\"']"
    rb"[^>]*?(?:/>|>.*?</(?P=p)c>)",
    re.DOTALL,
)
_KIND = re.compile(rb"""\st\s*=\s*(["'])(.*?)\1""")
_STYLE = re.compile(rb"""\ss\s*=\s*(["']).*?\1""")
_READ_TYPES = ("/sharedStrings", "/styles")  # the parts python-calamine reads besides the sheets


# the tool's own log sheets, read beside the officers' sheets when present
LOGS = (HISTORY_LOG, CHASE_LOG)


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
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        return (
            f"{path.name} is protected with a password (encrypted), so it cannot be read. In Excel, open it, "
            "choose File > Info > Protect Workbook > Encrypt with Password, clear the password, save, "
            "and try again."
        )
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return (
            f"{path.name} is an old-style Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
            "Excel Workbook (.xlsx), then use the .xlsx."
        )
    return (
        f"{path.name} is an old-style Office file (not an .xlsx workbook), or is password-protected. "
        "Open it in Excel and save it as Excel Workbook (.xlsx)."
    )


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
        raise UnusableInput(
            f"{path.name} is empty (0 bytes). Restore it from its copy in the backups folder beside it, "
            "or make a new tracker with 'ofsted-tracker new'."
        )
    if head.startswith(OLE_MAGIC):
        raise UnusableInput(_ole_message(path))
    if not zipfile.is_zipfile(path):
        raise UnusableInput(
            f"{path.name} is not an Excel workbook (.xlsx). If it is a CSV or text file, open it in Excel and "
            "save it as Excel Workbook (.xlsx)."
        )
    try:
        with zipfile.ZipFile(path) as package:
            check_zip(package, path.name)
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableInput(
            f"{path.name} is damaged and cannot be opened as a workbook ({exc})."
        ) from exc
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
    """Each ``<c>`` element of a sheet part as it is parsed (safely: no DTD, no entities, no network).

    Each cell is cleared, and dropped from its row, once the caller has looked at it, so memory stays flat.
    """
    from io import BytesIO

    from lxml import etree

    for _, cell in etree.iterparse(
        BytesIO(data),
        tag="{*}c",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    ):
        yield cell
        cell.clear()
        while cell.getprevious() is not None:
            del cell.getparent()[0]


def _position(ref: str) -> tuple[int, int] | None:
    match = _REF.fullmatch(ref)
    return (int(match[2]), column_number(match[1])) if match else None


def _cell_text(cell, strings: list[str]) -> str:
    """The text a cell shows, for finding the header row: a shared or inline string, or a formula's text result."""
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter("{*}t"))
    value = next((v.text for v in cell if _localname(v) == "v"), None) or ""
    if kind == "s":
        return strings[int(value)] if value.strip().isdigit() and int(value) < len(strings) else ""
    return value if kind == "str" else ""


def shared_strings(root) -> list[str]:
    """The shared strings table as text (rich-text runs joined, phonetic guides left out)."""
    if root is None:
        return []
    return [
        "".join(t.text or "" for t in si.iter("{*}t") if _localname(t.getparent()) != "rPh")
        for si in root
        if _localname(si) == "si"
    ]


@dataclass(frozen=True)
class _Extent:
    """What a full pass over a sheet's cells found: the block its values span, and the table's own columns."""

    rows: int
    cols: int
    far: str  # the valued cell farthest from A1 (rows times columns)
    table_cols: int  # the last column whose header (in the first HEADER_SCAN_ROWS rows) the tool reads; 0 if none


def _valued_extent(data: bytes, spec: schema.SheetSpec, strings: list[str]) -> _Extent:
    """The block spanned by cells that hold a value (formatting-only cells left out), and the table's columns."""
    rows = cols = far_size = 0
    far = ""
    headers: dict[int, dict[int, str]] = {}
    for cell in _cells(data):
        ref = cell.get("r", "")
        place = _position(ref) if len(cell) else None
        if place:
            rows, cols = max(rows, place[0]), max(cols, place[1])
            if place[0] * place[1] > far_size:
                far, far_size = ref, place[0] * place[1]
            if place[0] <= HEADER_SCAN_ROWS:
                headers.setdefault(place[0], {})[place[1]] = same_name(_cell_text(cell, strings))
    wanted = {same_name(c.header) for c in spec.columns}
    key = same_name(spec.columns[0].header)
    header = next((headers[r] for r in sorted(headers) if key in headers[r].values()), {})
    table_cols = max((j for j, name in header.items() if name in wanted), default=0)
    return _Extent(rows, cols, far, table_cols)


def error_cells(data: bytes) -> dict[tuple[int, int], str]:
    """Cells that show an Excel error (``#REF!``, ``#N/A``...), by (row, column) from 1, read from the sheet's XML.

    python-calamine reads an error cell as blank, which would hide a broken formula; the reader puts the
    error text back so validation reports it at its cell.
    """
    # no cell of type "e" (error): the common case, decided fast
    if b'"e"' not in data and b"'e'" not in data:
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


def _not_a_serial(text: bytes) -> bool:
    """True for a number python-calamine must not turn into a date: negative, NaN, infinite, or after 9999."""
    try:
        number = float(text)
    except ValueError:
        return False  # not a number: python-calamine keeps it as text
    return not SAFE_SERIALS[0] <= number < SAFE_SERIALS[1]


def undated_numbers(data: bytes) -> bytes:
    """The sheet part with the date format taken off every number that cannot be a date (-1e12, 1e400, NaN).

    python-calamine converts a number in a date-formatted cell to a date or a duration, and panics (a Rust
    crash with a long backtrace) on one far outside what a date can be; NaN it reads as 30/12/1899. Without
    its format the cell reads as the plain number, which validation reports at its cell. Other cells and
    bytes are kept as they are; the common case (no such number) is decided by one fast search.
    """
    if not _ODD_NUMBER.search(data):
        return data
    pieces, last = [], 0
    for cell in _NUMBER_CELL.finditer(data):
        attributes = cell["a"]
        kind = _KIND.search(attributes)
        style = _STYLE.search(attributes)
        if style and (kind is None or kind[2] == b"n") and _not_a_serial(cell["v"]):
            start = cell.start("a") + style.start()
            pieces += [data[last:start]]
            last = cell.start("a") + style.end()
    return b"".join(pieces + [data[last:]]) if pieces else data


def _without_columns_after(data: bytes, last: int) -> bytes:
    """The sheet part without the cells to the right of column ``last`` (officers' own columns, not read)."""

    def keep(cell: re.Match) -> bytes:
        return b"" if column_number(cell["col"]) > last else cell[0]

    return _ANY_CELL.sub(keep, data)


@dataclass(frozen=True)
class GuardedSheet:
    """One officers' sheet made safe to read: its error cells, and the part's bytes when they had to change."""

    errors: dict[tuple[int, int], str]
    data: bytes | None = None


def _guard_sheet(
    data: bytes, spec: schema.SheetSpec, sheet: str, label: str, strings
) -> GuardedSheet:
    """Refuse a sheet whose part is damaged, declares a DTD, or whose values would span too many cells.

    Officers' own columns to the right of the table are left out of what python-calamine reads when they
    would make the block too big; a value far below or beside everything else is refused, naming its cell.
    """
    if re.search(rb"<!DOCTYPE", data, re.IGNORECASE):
        raise UnusableInput(
            f"{label}: the {sheet} sheet's part declares a DTD, which Excel never writes; "
            "refusing to read it."
        )
    try:
        errors = error_cells(data)
        changed = undated_numbers(data)
        rows, cols = sheet_extent(data)
        if rows * cols > MAX_CELLS:
            extent = _valued_extent(data, spec, strings())
            if extent.rows * extent.cols > MAX_CELLS:
                if not extent.table_cols or extent.rows * extent.table_cols > MAX_CELLS:
                    raise UnusableInput(
                        f"{sheet}!{extent.far}: a value far outside the table makes the sheet span "
                        f"{extent.rows:,} rows by {extent.cols:,} columns. Clear that cell (Ctrl+End jumps to it), "
                        "delete the empty rows and columns around it, save, and try again."
                    )
                if b"<![CDATA[" in changed:
                    raise UnusableInput(
                        f"{label}: the {sheet} sheet's part holds a CDATA section, which Excel "
                        "never writes; refusing to read it."
                    )
                changed = _without_columns_after(changed, extent.table_cols)
                errors = {
                    place: shown for place, shown in errors.items() if place[1] <= extent.table_cols
                }
        return GuardedSheet(errors, changed if changed is not data else None)
    except UnusableInput:
        raise
    except Exception as exc:  # lxml's syntax errors: the sheet is not well-formed
        raise UnusableInput(
            f"{sheet}: the sheet is damaged and cannot be read ({exc}). "
            "Restore the workbook from a backup."
        ) from exc


@dataclass(frozen=True)
class Guarded:
    """A package checked part by part: its sheet names, each officers' sheet made safe, and its calendar."""

    sheet_names: list[str]
    names: dict[
        str, str
    ]  # each of the tool's sheets by its name in the schema -> its name as spelt in the workbook
    sheets: dict[str, GuardedSheet]  # each officers' sheet by its name in the schema
    parts: dict[
        str, str
    ]  # each of the tool's sheets by its name in the schema -> its part in the package
    date1904: bool


def guard_package(path: Path) -> Guarded:
    """Check, part by part, what python-calamine will read: the workbook, its shared strings and styles, the sheets.

    Sheets are looked up by ``schema.find_sheets``: a missing officers' sheet, or two sheets with one name, is
    refused here, before anything is read.
    """
    label = path.name
    sheets: dict[str, GuardedSheet] = {}
    try:
        with zipfile.ZipFile(path) as package:
            parts = sheet_parts(package, label)
            date1904 = date_1904(package, label)
            actual = find_sheets(parts, (*schema.TOOL_SHEETS, *(log.name for log in LOGS)), label)
            refused = schema.not_a_tracker(label, parts)
            if refused:
                raise UnusableInput(refused)
            rels = parse_part(read_part(package, WORKBOOK_RELS, label), WORKBOOK_RELS, label)
            strings_root = None
            for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
                target = rel.get("Target") or ""
                if (rel.get("Type") or "").endswith(_READ_TYPES) and rel.get(
                    "TargetMode"
                ) != "External":
                    name = part_name("xl", target)
                    if name in package.namelist():
                        root = parse_part(read_part(package, name, label), name, label)
                        if (rel.get("Type") or "").endswith("/sharedStrings"):
                            strings_root = root
            cache: list[list[str]] = []

            def strings() -> list[str]:
                if not cache:
                    cache.append(shared_strings(strings_root))
                return cache[0]

            for spec in (*schema.OFFICER_SHEETS, *(log.spec for log in LOGS)):
                part = parts[actual[spec.name]] if spec.name in actual else None
                if part in package.namelist():
                    sheets[spec.name] = _guard_sheet(
                        read_part(package, part, label), spec, actual[spec.name], label, strings
                    )
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableInput(
            f"{label} is damaged and cannot be opened as a workbook ({exc})."
        ) from exc
    return Guarded(
        list(parts),
        actual,
        sheets,
        {name: parts[spelt] for name, spelt in actual.items()},
        date1904,
    )


def _safe_copy(path: Path, guarded: Guarded):
    """The workbook as python-calamine should read it: the file itself, or an in-memory copy with changed sheets.

    The copy holds the package's XML parts only (pictures, embedded files and macros are not needed to read
    values), each officers' sheet whose bytes the guard changed replaced.
    """
    changed = {
        guarded.parts[name]: sheet.data
        for name, sheet in guarded.sheets.items()
        if sheet.data is not None
    }
    if not changed:
        return str(path)
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
        for info in source.infolist():
            if info.filename.endswith((".xml", ".rels")):
                copy.writestr(
                    info.filename,
                    changed.get(info.filename) or read_part(source, info.filename, path.name),
                )
    buffer.seek(0)
    return buffer


_CELL_TYPES = {None, "b", "d", "e", "inlineStr", "n", "s", "str"}


def unreadable_cell(path: Path, part: str) -> str:
    """The first cell of a sheet part that python-calamine cannot read (a bad reference, cell type, true/false
    value or shared-string number), to name in the message; '' when none is found (a part that is not
    well-formed XML, say)."""
    try:
        return _first_unreadable(path, part)
    except Exception:  # noqa: BLE001 - only a better message was at stake: the sheet is refused either way
        return ""


def _first_unreadable(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as package:
        data = read_part(package, part, path.name)
        count = None
        for cell in _cells(data):
            ref, kind = cell.get("r"), cell.get("t")
            value = next((v.text for v in cell if _localname(v) == "v"), None) or ""
            place = _position(ref) if ref is not None else (1, 1)
            if place is None or place[0] < 1 or kind not in _CELL_TYPES:
                return ref or ""
            if kind == "b" and value.strip() not in ("0", "1", "true", "false"):
                return ref or ""
            if kind == "s":
                if count is None:
                    count = _shared_string_count(package, path.name)
                if not value.strip().isdigit() or int(value) >= count:
                    return ref or ""
    return ""


def _shared_string_count(package: zipfile.ZipFile, label: str) -> int:
    """How many strings the workbook's shared strings table holds (0 when it has none)."""
    rels = parse_part(read_part(package, WORKBOOK_RELS, label), WORKBOOK_RELS, label)
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        name = part_name("xl", rel.get("Target") or "")
        if (rel.get("Type") or "").endswith("/sharedStrings") and name in package.namelist():
            return len(shared_strings(parse_part(read_part(package, name, label), name, label)))
    return 0


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


def calamine_failure(exc: BaseException) -> bool:
    """True for an error python-calamine raised on a damaged file (a Rust panic is not an ``Exception``)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def table_from_grid(
    sheet_name: str, spec: schema.SheetSpec, grid: list[list[object]], start: tuple[int, int]
) -> RawTable:
    """Find the header row in a sheet's values (a grid whose top-left cell is ``start``, 0-based) and map its rows.

    Shared by the file reader and the live-Excel adapter. Columns may be in any order and extra columns are
    ignored; a missing required header raises UnusableInput naming the sheet and cell.
    """
    wanted = {same_name(c.header): c for c in spec.columns}
    key = same_name(spec.columns[0].header)
    for offset, row in enumerate(grid[:HEADER_SCAN_ROWS]):  # noqa: B007 - the header's offset, used below
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
    table = RawTable(sheet_name, letters, header_row=start[0] + offset + 1)
    first_row = start[0] + 1
    for i in range(offset + 1, len(grid)):
        row = grid[i]
        values = {f: row[j] for f, j in index.items() if j < len(row) and row[j] not in ("", None)}
        if values:
            table.rows.append((first_row + i, values))
    return table


def read_tables(
    path: Path,
) -> tuple[
    dict[str, RawTable], list[Finding], bool, dict[str, tuple[str, list[list[object]] | Finding]]
]:
    """Read every officers' sheet into raw tables, whether the workbook counts dates from 1904, and the values of
    each log sheet it has, with the sheet's name as spelt (or the finding that it cannot be read).

    Structural faults raise UnusableInput.
    """
    path = Path(path)
    check_package(path)
    guarded = guard_package(path)
    from python_calamine import CalamineWorkbook  # imported here: only reading needs it

    try:
        book = calamine_book(CalamineWorkbook, _safe_copy(path, guarded))
    # calamine raises its own error types (and panics) for damaged packages
    except BaseException as exc:
        if not calamine_failure(exc):
            raise
        raise UnusableInput(f"{path.name} cannot be read as a workbook: {exc}") from exc
    tables: dict[str, RawTable] = {}
    findings: list[Finding] = []
    for spec in schema.OFFICER_SHEETS:
        actual = guarded.names[spec.name]
        try:
            sheet = book.get_sheet_by_name(actual)
            grid = sheet.to_python(skip_empty_area=False)
            merged = getattr(sheet, "merged_cell_ranges", None) or []
        except BaseException as exc:
            if not calamine_failure(exc):
                raise
            cell = unreadable_cell(path, guarded.parts[spec.name])
            raise UnusableInput(
                f"{actual}{'!' + cell if cell else ''}: the {'cell' if cell else 'sheet'} cannot be "
                f"read ({exc}). {'Retype the cell in Excel, or restore' if cell else 'Restore'} the "
                "workbook from its copy in the backups folder beside it."
            ) from exc
        guard = guarded.sheets.get(spec.name)
        grid = with_errors(grid, guard.errors if guard else {})
        tables[spec.name] = table_from_grid(actual, spec, grid, (0, 0))
        tables[spec.name].sheet = spec.name
        for (r1, c1), (r2, c2) in merged:
            findings.append(
                Finding(
                    WARNING,
                    spec.name,
                    f"{schema.column_letter(c1 + 1)}{r1 + 1}:{schema.column_letter(c2 + 1)}{r2 + 1}",
                    "",
                    "cells are merged; only the first keeps its value. Unmerge them (Home > Merge & Center) "
                    "and fill each cell.",
                    "merged",
                )
            )
    logs = {}
    for log in LOGS:
        if log.name in guarded.names:
            guard = guarded.sheets.get(log.name)
            spelt = guarded.names[log.name]
            logs[log.name] = (spelt, _log_grid(book, log, spelt, guard.errors if guard else {}))
    return tables, findings, guarded.date1904, logs


def log_unreadable(log: LogSheet, problem: str) -> Finding:
    """The finding for a log sheet (History, Requests) that cannot be read: ``problem`` says why."""
    return (unreadable if log is HISTORY_LOG else unreadable_log)(
        f"The {log.name} sheet cannot be read{problem}"
    )


def _log_grid(
    book, log: LogSheet, name: str, errors: dict[tuple[int, int], str]
) -> list[list[object]] | Finding:
    """A log sheet's values, or the finding that it cannot be read (damaged: never an error)."""
    try:
        return with_errors(book.get_sheet_by_name(name).to_python(skip_empty_area=False), errors)
    except BaseException as exc:
        if not calamine_failure(exc):
            raise
        return log_unreadable(log, f" ({exc}).")


def log_entries(
    log: LogSheet, sheet: str, grid: list[list[object]], start: tuple[int, int] = (0, 0)
) -> tuple[tuple, list[Finding]]:
    """The entries of a log sheet (History's snapshots, the Requests log) from its values, with their findings; a sheet
    whose table cannot be found gives one finding and no entries. The file reader and ``ExcelStore`` both read here."""
    try:
        table = table_from_grid(sheet, log.spec, grid, start)
    except UnusableInput as exc:
        return (), [log_unreadable(log, f": {exc}")]
    return (read_history if log is HISTORY_LOG else read_chase)(table.letters, table.rows)


def calamine_book(calamine: type, source):
    """The workbook opened by python-calamine from a path or an in-memory copy. python-calamine takes only UTF-8
    paths: a file whose name is not valid UTF-8 is handed over as an open file."""
    if not isinstance(source, str):
        return calamine.from_object(source)
    try:
        source.encode("utf-8")
    # a name that is not valid UTF-8 (Python keeps its bytes as surrogates)
    except UnicodeEncodeError:
        with open(source, "rb") as handle:
            return calamine.from_filelike(handle)
    return calamine.from_path(source)


def load(path: Path | str) -> Loaded:
    """Read a tracker workbook from disk into the plan, with every finding met while reading it, its History and its
    Requests log."""
    tables, findings, date1904, logs = read_tables(Path(path))
    plan, parse_findings = parse_plan(tables, date1904=date1904)
    entries: dict[str, tuple] = {}
    for log in LOGS:  # after the plan's findings, as ExcelStore gives them
        if log.name not in logs:
            continue
        spelt, read = logs[log.name]
        if isinstance(read, Finding):
            parse_findings.append(read)
        else:
            entries[log.name], more = log_entries(log, spelt, read)
            parse_findings += more
    return Loaded(
        plan,
        tuple(findings + parse_findings),
        entries.get(HISTORY_LOG.name, ()),
        entries.get(CHASE_LOG.name, ()),
    )
