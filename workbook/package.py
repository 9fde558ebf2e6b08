"""Refresh inside the .xlsx/.xlsm package: rewrite only the tool's own sheets, copy every other part unchanged.

openpyxl drops what it does not model (pictures, comments' shapes, form controls, pivot caches). Here the
package is a zip of XML parts; a refresh replaces the ``<sheetData>`` of the computed sheets (Dashboard,
Slippage, Checks) and copies every other part's bytes as they were, so officers' sheets, charts, pictures,
comments, defined names, validation, conditional formats and the VBA project survive untouched.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from workbook.errors import UnusableInput
from workbook.layout import Grid
from workbook.safe_write import atomic_write
from workbook.schema import column_letter

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
MAX_CELL_TEXT = 32767


def clean_text(text: str) -> str:
    """Text safe for an XML cell: characters XML forbids removed, cut to Excel's 32,767-character limit."""
    return _ILLEGAL_XML.sub("", text)[:MAX_CELL_TEXT]


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet's name to its part inside the package, e.g. 'Dashboard' -> 'xl/worksheets/sheet1.xml'."""
    workbook = etree.fromstring(package.read("xl/workbook.xml"))
    rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{{{NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL_NS}}}id"), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
    return parts


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _styles(root: etree._Element) -> tuple[dict[tuple[int, int], str], dict[int, str], dict[int, str]]:
    """Existing cell styles by (row, column), column default styles, and row styles, to keep formatting."""
    cells: dict[tuple[int, int], str] = {}
    rows: dict[int, str] = {}
    for row in root.iter(f"{{{NS}}}row"):
        r = int(row.get("r", "0"))
        if row.get("customFormat") == "1" and row.get("s"):
            rows[r] = row.get("s")
        for c in row.iter(f"{{{NS}}}c"):
            match = _CELL_REF.match(c.get("r", ""))
            if match and c.get("s"):
                cells[(int(match[2]), _column_number(match[1]))] = c.get("s")
    columns: dict[int, str] = {}
    for col in root.iter(f"{{{NS}}}col"):
        if col.get("style"):
            for j in range(int(col.get("min")), int(col.get("max")) + 1):
                columns[j] = col.get("style")
    return cells, columns, rows


def sheet_xml(original: bytes, grid: Grid) -> bytes:
    """The sheet part with its ``<sheetData>`` replaced by the grid; every other element kept as it was."""
    root = etree.fromstring(original)
    data = root.find(f"{{{NS}}}sheetData")
    if data is None:
        raise UnusableInput("a computed sheet has no sheetData element; restore the workbook from its backup.")
    cells, columns, row_styles = _styles(root)
    new = etree.Element(f"{{{NS}}}sheetData")
    width = 0
    for i, values in enumerate(grid, start=1):
        row = etree.SubElement(new, f"{{{NS}}}row", r=str(i))
        for j, value in enumerate(values, start=1):
            style = cells.get((i, j)) or row_styles.get(i) or columns.get(j)
            if value is None or value == "":
                if style and (i, j) in cells:
                    etree.SubElement(row, f"{{{NS}}}c", r=f"{column_letter(j)}{i}", s=style)
                continue
            width = max(width, j)
            c = etree.SubElement(row, f"{{{NS}}}c", r=f"{column_letter(j)}{i}")
            if style:
                c.set("s", style)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                c.set("t", "inlineStr")
                t = etree.SubElement(etree.SubElement(c, f"{{{NS}}}is"), f"{{{NS}}}t")
                t.text = clean_text(str(value))
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            else:
                etree.SubElement(c, f"{{{NS}}}v").text = repr(value) if isinstance(value, float) else str(value)
    data.getparent().replace(data, new)
    dimension = root.find(f"{{{NS}}}dimension")
    if dimension is not None:
        dimension.set("ref", f"A1:{column_letter(max(width, 1))}{max(len(grid), 1)}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def refresh_package(path: Path, grids: dict[str, Grid]) -> Path:
    """Rewrite the named computed sheets of the workbook at ``path``, atomically and with a backup."""
    path = Path(path)
    with zipfile.ZipFile(path) as source:
        parts = sheet_parts(source)
        missing = [name for name in grids if name not in parts]
        if missing:
            raise UnusableInput(
                f"{path.name} has no {', '.join(missing)} sheet to refresh. Restore it from a backup, or copy "
                "your sheets into a tracker made by 'ofsted-tracker new'."
            )
        replaced = {parts[name]: sheet_xml(source.read(parts[name]), grid) for name, grid in grids.items()}
        with atomic_write(path) as tmp, zipfile.ZipFile(tmp, "w") as target:
            for info in source.infolist():
                if info.filename in replaced:
                    target.writestr(info, replaced[info.filename], compress_type=zipfile.ZIP_DEFLATED)
                else:
                    target.writestr(info, source.read(info), compress_type=info.compress_type)
    return path
