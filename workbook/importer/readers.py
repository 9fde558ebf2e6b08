"""The sources an import reads: every table of a Word document, every sheet of a workbook, a CSV file.

Each gives :class:`Table` objects of :class:`Cell` (the value as typed, its fill colour, whether it repeats a merged
cell already read). Word and Excel packages pass the tracker's own package guards first (``store.package.check_zip``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan.schema import column_letter
from ofsted_tracker.workbook.store.package import check_zip
from ofsted_tracker.workbook.store.paths import regular_file
from ofsted_tracker.workbook.store.reader import OLE_MAGIC

WORD = (".docx",)
EXCEL = (".xlsx", ".xlsm")
TEXT = (".csv",)
MAX_SOURCE = (
    100 * 2**20
)  # a plan of thousands of actions is a few MB; a 100 MB source is refused unread


@dataclass(frozen=True)
class Cell:
    value: object  # str, or a date/number as a workbook holds it
    fill: str | None = None  # RRGGBB of the cell's shading or fill, when it has one


@dataclass
class Table:
    """One table of the source: ``label`` says where it is ("table 2", "Sheet1"), ``rows`` its numbered rows."""

    label: str
    kind: str  # "word", "excel" or "csv"
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    spanning: set[int] = field(default_factory=set)  # rows whose one cell spans the table (Word)

    def where(self, row: int, column: int, header: str) -> str:
        """A cell's place as the officer finds it: ``table 2, row 14, column "Target date"`` or ``Sheet1!E14``."""
        if self.kind == "excel":
            return f"{self.label}!{column_letter(column + 1)}{row}"
        return f'{self.label}, row {row}, column "{header}"'


def _guard_package(path: Path, what: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_MAGIC):
        raise UnusableInput(
            f"{path.name} is password-protected or an old-style Office file, so it cannot be read: open it, "
            f"remove the password (or save it as {what}) and import that copy."
        )
    if not zipfile.is_zipfile(path):
        raise UnusableInput(f"{path.name} is damaged: it is not a {what} package.")
    try:
        with zipfile.ZipFile(path) as package:
            check_zip(package, path.name)
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableInput(f"{path.name} is damaged and cannot be opened ({exc}).") from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnusableInput(
            f"{path.name} holds macros; the import reads no file with macros. Save a copy without them "
            f"({what}) and import that."
        )


def read_source(path: Path | str) -> list[Table]:
    """Every table of the source, or a one-line refusal (``UnusableInput``) naming what is wrong."""
    path = Path(path)
    regular_file(path, "a plan to import")
    if path.stat().st_size > MAX_SOURCE:
        raise UnusableInput(
            f"{path.name} is {path.stat().st_size // 2**20:,} MB, far more than any plan; refusing to read it."
        )
    suffix = path.suffix.lower()
    if suffix in WORD:
        _guard_package(path, "a Word document (.docx)")
        return _word(path)
    if suffix in EXCEL:
        _guard_package(path, "an Excel workbook (.xlsx)")
        return _excel(path)
    if suffix in TEXT:
        return [_csv(path)]
    raise UnusableInput(
        f"{path.name}: the import reads Word (.docx), Excel (.xlsx, .xlsm) and CSV (.csv) files. "
        "Save the plan as one of those."
    )


def _word(path: Path) -> list[Table]:
    import docx  # defers python-docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a damaged part
        raise UnusableInput(
            f"{path.name} is damaged and cannot be read as a Word document ({exc})."
        ) from exc
    tables = []
    for number, table in enumerate(document.tables, 1):
        try:
            tables.append(_word_table(number, table, qn))
        except Exception as exc:  # a malformed table (a grid span that is not a number, ...)
            raise UnusableInput(
                f"{path.name}: table {number} is damaged and cannot be read ({exc}). Open the document in "
                "Word, save it again, and import that copy."
            ) from exc
    return tables


def _word_table(number: int, table, qn) -> Table:
    """One Word table's rows: merged cells read as the officer sees them, a spanning row marked."""
    out = Table(f"table {number}", "word")
    above: list[object] = []
    above_cells: list[Cell] = []
    for r, row in enumerate(table.rows, 1):
        tcs = [cell._tc for cell in row.cells]
        cells = []
        for c, tc in enumerate(tcs):
            if c > 0 and tcs[c - 1] is tc:
                cells.append(Cell(""))  # merged across columns: read once, at its first place
                continue
            if c < len(above) and above[c] is tc:
                cells.append(above_cells[c])  # merged down: each row it spans has its value
                continue
            text = "\n".join(
                "".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))
            ).strip()
            shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            fill = shd.get(qn("w:fill")) if shd is not None else None
            cells.append(Cell(text, fill if fill and fill.lower() != "auto" else None))
        if len(tcs) > 1 and len({id(tc) for tc in tcs}) == 1:
            out.spanning.add(r)
        above, above_cells = tcs, cells
        out.rows.append((r, cells))
    return out


def _excel(path: Path) -> list[Table]:
    import openpyxl  # defers openpyxl
    from openpyxl.styles.colors import COLOR_INDEX

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged part
        raise UnusableInput(
            f"{path.name} is damaged and cannot be read as a workbook ({exc})."
        ) from exc
    tables = []
    name = ""
    try:
        for ws in wb.worksheets:
            name = ws.title
            out = Table(ws.title, "excel")
            for r, row in enumerate(ws.iter_rows(), 1):
                cells = []
                for cell in row:
                    fill = None
                    pattern = getattr(cell, "fill", None)
                    if pattern is not None and pattern.fill_type == "solid":
                        colour = pattern.fgColor
                        rgb = colour.rgb if colour.type == "rgb" else None
                        if colour.type == "indexed" and 0 <= colour.indexed < len(COLOR_INDEX):
                            rgb = COLOR_INDEX[colour.indexed]  # Excel's old 56-colour palette
                        if isinstance(rgb, str) and len(rgb) in (6, 8):
                            fill = rgb[-6:]
                    value = cell.value
                    cells.append(Cell("" if value is None else value, fill))
                out.rows.append((r, cells))
            tables.append(out)
    except (
        Exception
    ) as exc:  # a sheet whose XML openpyxl cannot read, found only as its rows are read
        raise UnusableInput(
            f"{path.name}: the sheet {name or '(the first)'} is damaged and cannot be read ({exc}). Open the workbook in "
            "Excel, save it again, and import that copy."
        ) from exc
    finally:
        wb.close()
    return tables


def _csv(path: Path) -> Table:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    out = Table(path.name, "csv")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for r, row in enumerate(rows, 1):  # a quoted cell of several lines keeps its line breaks
        out.rows.append((r, [Cell(v.strip()) for v in row]))
    return out
