"""Refresh inside the .xlsx/.xlsm package: rewrite only the tool's own sheets, copy every other part unchanged.

openpyxl drops what it does not model (pictures, comments' shapes, form controls, pivot caches). Here the
package is a zip of XML parts; a refresh replaces the ``<sheetData>`` of the computed sheets (Dashboard,
Slippage, Checks) and copies every other part's bytes as they were, so officers' sheets, charts, pictures,
comments, defined names, validation, conditional formats and the VBA project survive untouched.

Besides the computed sheets' parts, a refresh may touch exactly two things: the entries of ``xl/calcChain.xml``
that point at the computed sheets (their formulas are gone, and Excel "repairs" a chain that names a cell
without a formula; the part is dropped when nothing else is left in it), and the ``fullCalcOnLoad`` flag of
``<calcPr>`` in ``xl/workbook.xml``, so Excel recomputes the Actions sheet's Checks column on opening.

Every package is checked before anything is read from it (entry count, sizes, compression ratios, entry
names), XML is parsed with a parser that loads no DTD, expands no entity and touches no network, and a part
that declares a DTD is refused. The package is only ever read as data: no macro in it is run.
"""

from __future__ import annotations

import itertools
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan.dates import excel_serial
from ofsted_tracker.workbook.plan.schema import (
    CellValue,
    Grid,
    LogSheet,
    column_letter,
    column_number,
    find_sheets,
)
from ofsted_tracker.workbook.rules.layout import (
    PRINT_TEXT_SIZE,
    page_layout,
    print_heading,
    row_heights,
)
from ofsted_tracker.workbook.store.safe_write import assert_writable, atomic_write

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = (
    "http://purl.oclc.org/ooxml/spreadsheetml/main"  # ISO 29500 Strict, which Excel can save as
)
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CALC_CHAIN_TYPE = REL_NS + "/calcChain"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"

MAX_PARTS = 10_000  # a tracker has tens of parts; thousands of pictures would still fit
MAX_UNPACKED = 1024 * 2**20  # the whole package, unpacked (a 100,000-action tracker: about 280 MB)
MAX_PART_RATIO = 100  # real sheets compress about 15:1; zip bombs about 1000:1
RATIO_FLOOR = 2**20  # the ratio is only judged for parts larger than this
MAX_CELL_TEXT = 32767  # Excel's limit on the text of one cell
ROWS_PER_CHUNK = 2000  # rows of a rewritten sheet joined into one chunk of XML
CHUNK_BYTES = 1 << 20  # a part streamed through is read this much at a time

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")  # Excel reads _x0041_ in a cell's XML as "A"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_CALC_PR = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?calcPr\b[^>]*?(/?)>")
_FULL_CALC = re.compile(rb"""(\sfullCalcOnLoad\s*=\s*)(["'])([^"']*)["']""")
# where <calcPr> goes in <workbook> when a package has none: after every element that may precede it
_BEFORE_CALC_PR = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
)

PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)
_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    struct.error,
)


def clean_text(text: str) -> str:
    """Text safe for an XML cell: characters XML forbids removed, ``_xHHHH_`` kept literal, cut to 32,767."""
    if not (text.isascii() and text.isprintable()):  # most text is plain: skip the scan
        text = _ILLEGAL_XML.sub("", text)
    text = text[:MAX_CELL_TEXT]
    return _ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text) if "_x" in text or "_X" in text else text


def _unsafe_name(name: str) -> bool:
    """A part name that could escape a folder if unpacked: absolute, a drive, a backslash or a '..' step."""
    return (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
    )


def check_zip(package: zipfile.ZipFile, label: str) -> None:
    """Refuse a package that is unsafe to read: too many parts, too big unpacked, a zip bomb, odd part names."""
    infos = package.infolist()
    if len(infos) > MAX_PARTS:
        raise UnusableInput(
            f"{label} holds {len(infos):,} parts, far more than any workbook; refusing to read it."
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise UnusableInput(
            f"{label} holds the part {twice[0]} twice, so it is damaged or was tampered with; "
            "refusing to read it. Restore the workbook from a backup."
        )
    bad = [n for n in names if _unsafe_name(n)]
    if bad:
        raise UnusableInput(
            f"{label} holds a part named {bad[0]!r}, which points outside the workbook; it is not a "
            "file Excel wrote. Refusing to read it."
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnusableInput(
                f"{label} has encrypted parts ({info.filename}); it is not a workbook Excel can open."
            )
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_PART_RATIO * max(
            info.compress_size, 1
        ):
            raise UnusableInput(
                f"{label}: the part {info.filename} would unpack to {info.file_size // 2**20:,} MB from "
                f"{info.compress_size:,} bytes, the mark of a zip bomb; refusing to read it."
            )
    if total > MAX_UNPACKED:
        raise UnusableInput(
            f"{label} would unpack to {total // 2**20:,} MB, far more than a tracker; "
            "refusing to read it."
        )


def read_part(package: zipfile.ZipFile, name: str, label: str) -> bytes:
    """The bytes of one part; a damaged part (bad checksum, wrong size, unknown compression) is refused."""
    try:
        return package.read(name)
    except KeyError as exc:
        raise UnusableInput(
            f"{label} has no part {name}; it is damaged. Restore it from a backup."
        ) from exc
    except _READ_ERRORS as exc:
        raise UnusableInput(
            f"{label}: the part {name} is damaged and cannot be read ({exc}). "
            "Restore the workbook from a backup."
        ) from exc


def _chunks(package: zipfile.ZipFile, name: str, label: str) -> Iterator[bytes]:
    """One part's bytes a megabyte at a time, never held whole; a part that cannot be read is refused as
    ``read_part`` refuses it."""

    def damaged(exc: Exception) -> UnusableInput:
        return UnusableInput(
            f"{label}: the part {name} is damaged and cannot be read ({exc}). "
            "Restore the workbook from a backup."
        )

    try:
        part = package.open(name)
    except KeyError as exc:
        raise UnusableInput(
            f"{label} has no part {name}; it is damaged. Restore it from a backup."
        ) from exc
    except _READ_ERRORS as exc:
        raise damaged(exc) from exc
    with part:
        while True:
            try:
                chunk = part.read(CHUNK_BYTES)
            except _READ_ERRORS as exc:
                raise damaged(exc) from exc
            if not chunk:
                return
            yield chunk


def copy_part(
    source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile, label: str
) -> None:
    """Copy one part unchanged into ``target`` a megabyte at a time, never holding it whole (the Actions part of a
    100,000-action plan is 130 MB of XML). Every part is compressed at zlib's default level, because before
    Python 3.13 ``ZipFile.open`` takes no level: streaming costs some speed (level 3 took a third of the time)
    for a bounded memory. A part that cannot be read is refused as ``read_part`` refuses
    it; a failed write (a full disk) is the writer's error, for the atomic write to report."""
    with target.open(_copy_info(info), "w") as copy:
        for chunk in _chunks(source, info.filename, label):
            copy.write(chunk)


def _xml(root: etree._Element) -> bytes:
    """A part's XML as Excel writes it: UTF-8 with a standalone declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def parse_part(data: bytes, name: str, label: str) -> etree._Element:
    """Parse one XML part safely: a DTD is refused, no entity is expanded, nothing is fetched."""
    if _DOCTYPE.search(data):
        raise UnusableInput(
            f"{label}: the part {name} declares a DTD, which Excel never writes; refusing to read it."
        )
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnusableInput(
            f"{label}: the part {name} is not well-formed XML ({exc}). "
            "Restore the workbook from a backup."
        ) from exc
    if root is None:
        raise UnusableInput(
            f"{label}: the part {name} is empty. Restore the workbook from a backup."
        )
    return root


def part_name(base: str, target: str) -> str:
    """The part a relationship target points at, resolved against the folder of the part that names it."""
    return (
        target.lstrip("/")
        if target.startswith("/")
        else posixpath.normpath(posixpath.join(base, target))
    )


def _relationships(package: zipfile.ZipFile, label: str) -> list[etree._Element]:
    rels = parse_part(read_part(package, WORKBOOK_RELS, label), WORKBOOK_RELS, label)
    return list(rels.iter(f"{{{PKG_REL_NS}}}Relationship"))


def workbook_root(package: zipfile.ZipFile, label: str = "the workbook") -> etree._Element:
    """The parsed ``xl/workbook.xml``; a Strict Open XML workbook (another namespace) is refused, saying how to fix it."""
    root = parse_part(read_part(package, WORKBOOK_PART, label), WORKBOOK_PART, label)
    if root.tag == f"{{{STRICT_NS}}}workbook":
        raise UnusableInput(
            f"{label} is saved as a Strict Open XML Spreadsheet, a variant of .xlsx this tool cannot read. In Excel, "
            "open it, choose File > Save As, pick the file type 'Excel Workbook (*.xlsx)' (not 'Strict Open XML "
            "Spreadsheet'), save, and try again."
        )
    return root


def date_1904(package: zipfile.ZipFile, label: str = "the workbook") -> bool:
    """True when the workbook counts dates from 1904 (Excel for Mac's old calendar: ``workbookPr date1904``)."""
    settings = workbook_root(package, label).find(f"{{{NS}}}workbookPr")
    return settings is not None and (settings.get("date1904") or "").strip().lower() in (
        "1",
        "true",
    )


def sheet_parts(package: zipfile.ZipFile, label: str = "the workbook") -> dict[str, str]:
    """Map each sheet's name to its part inside the package, e.g. 'Dashboard' -> 'xl/worksheets/sheet1.xml'."""
    workbook = workbook_root(package, label)
    targets = {
        r.get("Id"): r.get("Target") or ""
        for r in _relationships(package, label)
        if r.get("TargetMode") != "External"
    }
    parts = {}
    for sheet in workbook.iter(f"{{{NS}}}sheet"):
        name, target = sheet.get("name") or "", targets.get(sheet.get(f"{{{REL_NS}}}id"), "")
        if not target:
            raise UnusableInput(
                f"{label}: the sheet '{name}' points at no part; the workbook is damaged."
            )
        part = part_name("xl", target)
        if _unsafe_name(part):
            raise UnusableInput(
                f"{label}: the sheet '{name}' points outside the workbook ({target}); refusing it."
            )
        shared = next((other for other, used in parts.items() if used == part), None)
        if shared is not None:
            raise UnusableInput(
                f"{label}: the sheets '{shared}' and '{name}' point at the same part ({part}), which "
                "Excel never writes; the workbook is damaged. Restore it from a backup."
            )
        parts[name] = part
    return parts


def sheet_ids(package: zipfile.ZipFile, label: str = "the workbook") -> dict[str, str]:
    """Map each sheet's name to its ``sheetId`` (the number ``xl/calcChain.xml`` names it by)."""
    workbook = workbook_root(package, label)
    return {s.get("name") or "": s.get("sheetId") or "" for s in workbook.iter(f"{{{NS}}}sheet")}


_SHEET_DATA_START = re.compile(rb"<(?P<p>(?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(?P<empty>/?)>")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)/?>")
_ATTRIBUTE = re.compile(rb"""([\w:]+)\s*=\s*(["'])(.*?)\2""")
_DIMENSION_REF = re.compile(
    rb"""(<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref\s*=\s*)(["'])[^"']*(["'])"""
)
_HEADER_FOOTER = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?headerFooter\b[^>]*?(?:/>|>.*?</(?:[A-Za-z_][\w.-]*:)?headerFooter\s*>)",
    re.S,
)
# the worksheet's elements that follow <headerFooter> in the schema's order (a new one goes before the first)
_AFTER_HEADER_FOOTER = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:rowBreaks|colBreaks|customProperties|cellWatches|ignoredErrors|smartTags|drawing"
    rb"|legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b"
    rb"|</(?:[A-Za-z_][\w.-]*:)?worksheet\s*>"
)
STYLE_ROWS = 40  # cell styles are kept from this many top rows (titles, headers, fixed blocks); below, column styles
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _sheet_data_span(part: bytes) -> tuple[str, int, int] | None:
    """The namespace prefix and the byte span of the part's ``<sheetData>`` element; None when it has none."""
    opening = _SHEET_DATA_START.search(part)
    if opening is None:
        return None
    prefix = opening["p"]
    if opening["empty"]:
        return prefix.decode("ascii"), opening.start(), opening.end()
    closing = part.find(
        b"</" + prefix + b"sheetData", opening.end()
    )  # a sheetData holds no other sheetData
    finish = part.find(b">", closing) if closing != -1 else -1
    if finish == -1:
        return None
    return prefix.decode("ascii"), opening.start(), finish + 1


EDGE_BYTES = 1 << 20  # how much of a streamed sheet's cells is kept at each end


@dataclass(frozen=True)
class SheetEnds:
    """A worksheet part with its cells (the ``<sheetData>`` element) left where they are: the bytes before and after
    them, the first and last EDGE_BYTES of them, and a way to stream them again. Iterated, it gives the whole part.

    The Actions part of a 100,000-action plan is 130 MB of XML. Read whole, each pass of one write that looks at it
    (the drop-downs, the print areas) held it and a copy: the snapshot after a report peaked at 742 MB (issue 22).
    What the passes need is around the cells (validations, colours, page setup), their top rows' styles (``first``)
    and their last typed row (``last``); a part whose drop-downs change is written with its cells streamed from the
    package again."""

    prefix: str
    head: bytes  # the part up to <sheetData>
    tail: bytes  # the part after </sheetData>
    first: bytes  # the sheetData element's first EDGE_BYTES (all of it when whole)
    last: bytes  # its last EDGE_BYTES
    whole: bool  # whether first holds all of the cells
    cells: Callable[[], Iterator[bytes]]  # the sheetData element's bytes, in chunks

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        yield from self.cells()
        yield self.tail

    def around(self, head: bytes, tail: bytes) -> SheetEnds:
        """The same cells between another head and tail."""
        return SheetEnds(self.prefix, head, tail, self.first, self.last, self.whole, self.cells)


def ends_of(data: bytes) -> SheetEnds | None:
    """A worksheet part held in memory, as ``SheetEnds``; None when it has no ``<sheetData>``."""
    found = _sheet_data_span(data)
    if found is None:
        return None
    prefix, start, end = found
    cells = memoryview(data)[start:end]
    return SheetEnds(
        prefix,
        data[:start],
        data[end:],
        bytes(cells[:EDGE_BYTES]),
        bytes(cells[-EDGE_BYTES:]),
        end - start <= EDGE_BYTES,
        lambda: iter((cells,)),
    )


def read_sheet_ends(package: zipfile.ZipFile, name: str, label: str) -> SheetEnds | None:
    """A worksheet part of the package as ``SheetEnds``, read a megabyte at a time (never held whole: at most its
    head, tail and 2 x EDGE_BYTES of its cells); None when it has no ``<sheetData>``."""
    chunks = _chunks(package, name, label)
    buffer = bytearray()
    opening = None
    for chunk in chunks:
        buffer += chunk
        opening = _SHEET_DATA_START.search(buffer)
        if opening is not None:
            break
    if opening is None:
        return None
    prefix, start = opening["p"], opening.start()
    head = bytes(buffer[:start])
    if opening["empty"]:
        tail = bytes(buffer[opening.end() :]) + b"".join(chunks)
        element = bytes(buffer[start : opening.end()])
        return SheetEnds(
            prefix.decode("ascii"), head, tail, element, element, True, lambda: iter((element,))
        )
    closing = re.compile(rb"</" + re.escape(bytes(prefix)) + rb"sheetData\s*>")
    window = buffer[
        start:
    ]  # the cells from here on: their last bytes, and the closing tag when it comes
    del buffer
    first = bytearray(window[:EDGE_BYTES])
    offset = 0  # where window begins within the cells
    found = closing.search(window)
    for chunk in chunks if found is None else ():
        searched = max(len(window) - 32, 0)  # the closing tag may straddle two chunks
        window += chunk
        if len(first) < EDGE_BYTES:
            first += chunk[: EDGE_BYTES - len(first)]
        found = closing.search(window, searched)
        if found is not None:
            break
        if len(window) > 2 * EDGE_BYTES:  # keep the last EDGE_BYTES (and a little for the tag)
            cut = len(window) - EDGE_BYTES - 32
            del window[:cut]
            offset += cut
    if found is None:
        return None  # no closing tag: a damaged part, reported by whoever parses it
    size = offset + found.end()
    tail = bytes(window[found.end() :]) + b"".join(chunks)
    last = bytes(window[max(found.end() - EDGE_BYTES, 0) : found.end()])
    first = bytes(first[:size])

    def cells() -> Iterator[bytes]:
        skip, left = start, size
        for chunk in _chunks(package, name, label):
            if skip >= len(chunk):
                skip -= len(chunk)
                continue
            piece = chunk[skip : skip + left]
            skip, left = 0, left - len(piece)
            yield piece
            if not left:
                return

    return SheetEnds(prefix.decode("ascii"), head, tail, first, last, size <= EDGE_BYTES, cells)


def _attributes(tag_inside: bytes) -> dict[bytes, bytes]:
    return {name: value for name, _, value in _ATTRIBUTE.findall(tag_inside)}


def _top_styles(
    data: bytes, start: int, end: int
) -> tuple[dict[tuple[int, int], str], dict[int, str]]:
    """Cell styles by (row, column) and row styles of the top STYLE_ROWS rows of the old ``<sheetData>``, which
    spans ``data[start:end]`` (read in place: a copy of a 100,000-row sheet's cells would be 80 MB)."""
    cells: dict[tuple[int, int], str] = {}
    rows: dict[int, str] = {}
    for row_match in _ROW_TAG.finditer(data, start, end):
        attributes = _attributes(row_match[1])
        r = attributes.get(b"r", b"")
        if not r.isdigit():
            continue
        if int(r) > STYLE_ROWS:
            break
        if attributes.get(b"customFormat") in (b"1", b"true") and attributes.get(b"s"):
            rows[int(r)] = attributes[b"s"].decode()
        row_end = data.find(b"row>", row_match.end(), end)
        for cell in _CELL_TAG.finditer(data, row_match.end(), row_end if row_end != -1 else end):
            cell_attributes = _attributes(cell[1])
            match = _CELL_REF.fullmatch(cell_attributes.get(b"r", b"").decode("ascii", "replace"))
            if match and cell_attributes.get(b"s"):
                cells[(int(match[2]), column_number(match[1]))] = cell_attributes[b"s"].decode()
    return cells, rows


def _columns(root: etree._Element) -> tuple[dict[int, str], list[float]]:
    """Column default styles and widths (in characters) from the sheet's ``<cols>``."""
    styles: dict[int, str] = {}
    widths: dict[int, float] = {}
    for col in root.iter(f"{{{NS}}}col"):
        low, high, width = col.get("min", ""), col.get("max", ""), col.get("width", "")
        if not (low.isdigit() and high.isdigit()):
            continue
        for j in range(int(low), min(int(high), 16384) + 1):
            if col.get("style"):
                styles[j] = col.get("style")
            if j <= 64 and width.replace(".", "", 1).isdigit():
                widths[j] = float(width)
    return styles, [widths.get(j, 8.43) for j in range(1, max(widths, default=0) + 1)]


def _widest(grid: Grid) -> int:
    """How many columns the grid's non-blank values reach."""
    return max(
        (
            j + 1
            for values in grid
            for j, value in enumerate(values)
            if value is not None and value != ""
        ),
        default=0,
    )


def _sheet_data(
    grid: Grid,
    prefix: str,
    cells: dict[tuple[int, int], str],
    row_styles: dict[int, str],
    columns: dict[int, str],
    widths: list[float],
) -> Iterator[bytes]:
    """The new ``<sheetData>`` element, as UTF-8 chunks of ROWS_PER_CHUNK rows each, made as they are written.

    A generator, so that the zip writer compresses each chunk as it comes: the sheet's XML (83 MB for the
    Slippage sheet of a 100,000-action plan) is never held whole.
    """
    out = [f"<{prefix}sheetData>"]
    n_columns = max((len(r) for r in grid), default=0)
    letters = [column_letter(j) for j in range(1, n_columns + 1)]
    column_s = [f' s="{columns[j]}"' if columns.get(j) else "" for j in range(1, n_columns + 1)]
    c, v, t, row = (
        f'<{prefix}c r="',
        f"<{prefix}v>",
        f'<{prefix}is><{prefix}t xml:space="preserve">',
        f"{prefix}row",
    )
    end_v, end_t = f"</{prefix}v></{prefix}c>", f"</{prefix}t></{prefix}is></{prefix}c>"
    heights = row_heights(grid, widths)
    for i, values in enumerate(grid, start=1):
        height = heights.get(i)
        out.append(
            f'<{row} r="{i}" ht="{height}" customHeight="1">' if height else f'<{row} r="{i}">'
        )
        fixed = i <= STYLE_ROWS or i in row_styles
        for j, value in enumerate(values):
            if fixed:
                style = cells.get((i, j + 1)) or row_styles.get(i) or columns.get(j + 1)
                s = f' s="{style}"' if style else ""
                if (value is None or value == "") and style and (i, j + 1) in cells:
                    out.append(f'{c}{letters[j]}{i}"{s}/>')
                    continue
            else:
                s = column_s[j]
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is int or (kind is float and math.isfinite(value)):
                out.append(f'{c}{letters[j]}{i}"{s}>{v}{value!r}{end_v}')
            else:
                text = clean_text(str(value)).translate(_TEXT_ESCAPES)
                out.append(f'{c}{letters[j]}{i}"{s} t="inlineStr">{t}{text}{end_t}')
        out.append(f"</{row}>")
        if i % ROWS_PER_CHUNK == 0:
            yield "".join(out).encode("utf-8")
            out.clear()
    out.append(f"</{prefix}sheetData>")
    yield "".join(out).encode("utf-8")


def header_footer_xml(heading: dict[str, str], prefix: str = "") -> bytes:
    """A worksheet's ``<headerFooter>`` printing ``heading`` (``layout.print_heading``) at the sheets' print size."""
    size = f"&{PRINT_TEXT_SIZE}"

    def codes(left: str, right: str) -> str:
        text = "".join(
            f"&{side}{size}{words}" for side, words in (("L", left), ("R", right)) if words
        )
        return text.translate(_TEXT_ESCAPES)

    header = codes(heading["header left"], heading["header right"])
    footer = codes(heading["footer left"], heading["footer right"])
    return (
        f"<{prefix}headerFooter><{prefix}oddHeader>{header}</{prefix}oddHeader>"
        f"<{prefix}oddFooter>{footer}</{prefix}oddFooter></{prefix}headerFooter>"
    ).encode()


def with_header_footer(tail: bytes, heading: dict[str, str], prefix: str = "") -> bytes:
    """The part's bytes after ``<sheetData>`` with its ``<headerFooter>`` printing ``heading``: the old one replaced,
    or a new one put where the schema orders it; every other byte kept."""
    new = header_footer_xml(heading, prefix)
    old = _HEADER_FOOTER.search(tail)
    if old is not None:
        return tail[: old.start()] + new + tail[old.end() :]
    after = _AFTER_HEADER_FOOTER.search(tail)
    at = after.start() if after is not None else len(tail)
    return tail[:at] + new + tail[at:]


def sheet_source(
    package: zipfile.ZipFile,
    name: str,
    label: str,
    current: bytes | Iterable[bytes] | None = None,
) -> SheetEnds | bytes:
    """A worksheet part to rewrite: ``current`` (the part as this write has already changed it) or the package's,
    as ``SheetEnds``; the whole part only when it has no ``<sheetData>``, for ``sheet_xml`` to report."""
    if isinstance(current, SheetEnds):
        return current
    if isinstance(current, bytes):
        return ends_of(current) or current
    return read_sheet_ends(package, name, label) or read_part(package, name, label)


def sheet_xml(
    original: bytes | SheetEnds,
    grid: Grid,
    label: str = "a computed sheet",
    part: str = "sheet",
    heading: dict[str, str] | None = None,
) -> Iterator[bytes]:
    """The sheet part with its ``<sheetData>`` replaced by the grid, in chunks; every other byte kept as it was
    (but its header and footer, when ``heading`` is given: ``with_header_footer``).

    The old cells are cut out and the new ones spliced in as text: nothing else of the part is re-serialised,
    and the rest (with an empty ``<sheetData/>``) is parsed with the hardened parser, here and now, to prove it
    is a well-formed worksheet; the cells are made as they are written. Text is written as an inline string
    (``t="inlineStr"``), never as a formula, so a value such as ``=HYPERLINK(...)`` or ``+cmd|...`` stays the
    text it was. The old cells' styles are kept from their top STYLE_ROWS rows (read from the first EDGE_BYTES of
    them).
    """
    ends = original if isinstance(original, SheetEnds) else ends_of(original)
    if ends is None:
        parse_part(original, part, label)  # a damaged part is reported as such
        raise UnusableInput(
            f"{label} is not a worksheet with cells (it may be a chart sheet); rename it and run "
            "refresh again, or restore the workbook from a backup."
        )
    prefix, head, tail = ends.prefix, ends.head, ends.tail
    if heading is not None:
        tail = with_header_footer(tail, heading, prefix)
    root = parse_part(head + f"<{prefix}sheetData/>".encode() + tail, part, label)
    if root.tag != f"{{{NS}}}worksheet" or root.find(f"{{{NS}}}sheetData") is None:
        raise UnusableInput(
            f"{label} is not a worksheet with cells (it may be a chart sheet); rename it and run "
            "refresh again, or restore the workbook from a backup."
        )
    cells, row_styles = _top_styles(ends.first, 0, len(ends.first))
    columns, widths = _columns(root)
    ref = f"A1:{column_letter(max(_widest(grid), 1))}{max(len(grid), 1)}".encode()
    head = _DIMENSION_REF.sub(lambda m: m[1] + m[2] + ref + m[3], head, count=1)
    return itertools.chain(
        (head,), _sheet_data(grid, prefix, cells, row_styles, columns, widths), (tail,)
    )


def calc_chain_without(data: bytes, ids: set[str], label: str) -> bytes | None:
    """``xl/calcChain.xml`` without the entries on the given sheets (by sheetId); None when nothing is left.

    An entry's sheet (``i``) may be left out, meaning "the same as the entry before", so each kept entry
    is given its sheet explicitly.
    """
    root = parse_part(data, "xl/calcChain.xml", label)
    current = ""
    entries = list(root.iter(f"{{{NS}}}c"))
    dropped = False
    for entry in entries:
        current = entry.get("i") or current
        if current in ids:
            entry.getparent().remove(entry)
            dropped = True
        elif current:
            entry.set("i", current)
    if not dropped:
        return data
    if not len(root.findall(f"{{{NS}}}c")):
        return None
    return _xml(root)


def recalc_on_open(data: bytes, label: str) -> bytes:
    """``xl/workbook.xml`` with ``fullCalcOnLoad="1"`` on ``<calcPr>``; unchanged bytes when it is already set."""
    match = _CALC_PR.search(data)
    flag = _FULL_CALC.search(match[0]) if match else None
    if flag and flag[3] in (b"1", b"true"):
        return data
    if flag:  # fullCalcOnLoad="0": only its value changes
        start, end = match.start() + flag.start(3), match.start() + flag.end(3)
        return data[:start] + b"1" + data[end:]
    if match:  # one attribute added to the start tag, every other byte kept
        end = match.end() - len(match[1]) - 1
        return data[:end] + b' fullCalcOnLoad="1"' + data[end:]
    root = parse_part(data, WORKBOOK_PART, label)
    calc = etree.Element(f"{{{NS}}}calcPr", fullCalcOnLoad="1")
    before = [child for child in root if etree.QName(child).localname in _BEFORE_CALC_PR]
    if before:
        before[-1].addnext(calc)
    else:
        root.insert(0, calc)
    return _xml(root)


def _without_calc_chain(package: zipfile.ZipFile, part: str, label: str) -> dict[str, bytes]:
    """The relationships and content types with every mention of a dropped calcChain part removed."""
    out = {}
    rels = parse_part(read_part(package, WORKBOOK_RELS, label), WORKBOOK_RELS, label)
    for rel in list(rels.iter(f"{{{PKG_REL_NS}}}Relationship")):
        if rel.get("Type") == CALC_CHAIN_TYPE and part_name("xl", rel.get("Target") or "") == part:
            rel.getparent().remove(rel)
    out[WORKBOOK_RELS] = _xml(rels)
    types = parse_part(read_part(package, CONTENT_TYPES, label), CONTENT_TYPES, label)
    for override in list(types.iter(f"{{{CT_NS}}}Override")):
        if (override.get("PartName") or "").lstrip("/") == part:
            override.getparent().remove(override)
    out[CONTENT_TYPES] = _xml(types)
    return out


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the original's name, date, compression and attributes (sizes are recomputed)."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = (
        info.compress_type
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        else zipfile.ZIP_DEFLATED
    )
    copy.external_attr, copy.create_system, copy.comment = (
        info.external_attr,
        info.create_system,
        info.comment,
    )
    return copy


DRAWING_TYPE, CHART_TYPE = REL_NS + "/drawing", REL_NS + "/chart"
_CACHE = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)(numCache|strCache)\b.*?</\1\2>", re.DOTALL)


@dataclass(frozen=True)
class ChartTable:
    """A chart drawn from a table of points on a computed sheet, its series' ranges starting at ``first_row`` in
    columns ``column`` to ``column + width - 1``, with at most ``points`` rows (the Dashboard's trend chart)."""

    sheet: str
    column: int
    width: int
    first_row: int
    points: int

    def reference(self) -> re.Pattern[str]:
        """A formula of the chart's that reads the table: the sheet, a column of the table, the first row, any end."""
        columns = "|".join(column_letter(c) for c in range(self.column, self.column + self.width))
        return re.compile(
            rf"(<(?:[A-Za-z_][\w.-]*:)?f>'?{re.escape(self.sheet)}'?!\$({columns})\${self.first_row})"
            rf"(?::\$(?:{columns})\$\d+)?(</)"
        )


def _linked(
    package: zipfile.ZipFile, part: str, kind: str, names: set[str], label: str
) -> list[str]:
    """The parts of one relationship type that ``part`` links to (from its ``_rels`` part)."""
    rels = _rels_of(part)
    if rels not in names:
        return []
    root = parse_part(read_part(package, rels, label), rels, label)
    return [
        part_name(posixpath.dirname(part), r.get("Target") or "")
        for r in root.iter(f"{{{PKG_REL_NS}}}Relationship")
        if r.get("Type") == kind and r.get("TargetMode") != "External"
    ]


def chart_parts(
    package: zipfile.ZipFile, sheet_part: str, grid: Grid, chart: ChartTable, label: str
) -> dict[str, bytes]:
    """The chart reading ``chart``'s table with its ranges set to the points the grid holds (its caches dropped, so
    Excel and LibreOffice draw it from the cells); other charts, the officers' ones among them, are left as they are."""
    names = set(package.namelist())
    rows = grid[chart.first_row - 1 : chart.first_row - 1 + chart.points]
    last = (
        chart.first_row
        + max(sum(1 for r in rows if len(r) >= chart.column and r[chart.column - 1]), 1)
        - 1
    )
    ref = chart.reference()
    marker = f"{chart.sheet}'!${column_letter(chart.column)}${chart.first_row}".encode()
    out = {}
    for drawing in _linked(package, sheet_part, DRAWING_TYPE, names, label):
        for part in _linked(package, drawing, CHART_TYPE, names, label) if drawing in names else ():
            data = read_part(package, part, label) if part in names else b""
            if marker not in data:
                continue
            text = ref.sub(lambda m: f"{m[1]}:${m[2]}${last}{m[3]}", data.decode("utf-8"))
            new = _CACHE.sub(b"", text.encode("utf-8"))
            if new != data:
                out[part] = new
    return out


TABLE_TYPE = REL_NS + "/table"
WORKSHEET_TYPE = REL_NS + "/worksheet"
_SHEETS_END = re.compile(rb"</((?:[A-Za-z_][\w.-]*:)?)sheets\s*>")
_DEFINED_NAMES_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?definedNames\s*>")


def sheet_tables(
    package: zipfile.ZipFile, label: str = "the workbook"
) -> dict[str, list[tuple[str, str, int, int]]]:
    """Each sheet's Excel tables: (name, range such as 'A4:F20', header rows, totals rows), in the sheet's order."""
    names = set(package.namelist())
    found: dict[str, list[tuple[str, str, int, int]]] = {}
    for sheet, part in sheet_parts(package, label).items():
        for table in _linked(package, part, TABLE_TYPE, names, label):
            if table in names:
                root = parse_part(read_part(package, table, label), table, label)
                found.setdefault(sheet, []).append(
                    (
                        root.get("displayName") or root.get("name") or "",
                        root.get("ref") or "",
                        int(root.get("headerRowCount") or 1),
                        int(root.get("totalsRowCount") or 0),
                    )
                )
    return found


def _free_name(names: set[str], pattern: str) -> str:
    """The first ``pattern % n`` (n = 1, 2, ...) that is not a part of the package."""
    n = 1
    while pattern % n in names:
        n += 1
    return pattern % n


def _add_table_columns(root: etree._Element, headers: list[str]) -> None:
    """Give a table written by an earlier version the columns ``headers`` has beyond its own (at the end)."""
    columns = root.find(f"{{{NS}}}tableColumns")
    if columns is None:
        return
    have = list(columns.iter(f"{{{NS}}}tableColumn"))
    ids = [int(c.get("id")) for c in have if (c.get("id") or "").isdigit()]
    for header in headers[len(have) :]:
        ids.append(max(ids, default=0) + 1)
        etree.SubElement(columns, f"{{{NS}}}tableColumn", id=str(ids[-1]), name=header)
    columns.set("count", str(len(list(columns.iter(f"{{{NS}}}tableColumn")))))


def _table_xml(table_id: int, name: str, ref: str, headers: list[str]) -> bytes:
    """A new Excel Table part over ``ref`` whose header row reads ``headers``."""
    root = etree.Element(
        f"{{{NS}}}table",
        nsmap={None: NS},
        id=str(table_id),
        name=name,
        displayName=name,
        ref=ref,
        headerRowCount="1",
    )
    etree.SubElement(root, f"{{{NS}}}autoFilter", ref=ref)
    columns = etree.SubElement(root, f"{{{NS}}}tableColumns", count=str(len(headers)))
    for i, header in enumerate(headers, start=1):
        etree.SubElement(columns, f"{{{NS}}}tableColumn", id=str(i), name=header)
    etree.SubElement(
        root,
        f"{{{NS}}}tableStyleInfo",
        name="TableStyleLight9",
        showFirstColumn="0",
        showLastColumn="0",
        showRowStripes="1",
        showColumnStripes="0",
    )
    return _xml(root)


def _new_sheet_xml(widths: list[float], header_row: int, blocked: str) -> bytes:
    """An empty computed worksheet: grey tab, frozen header, column widths, typing refused, A4 page setup with the
    sheet's name and "Page N of M" (rules.layout.page_layout), one table part."""
    cols = "".join(
        f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>'
        for j, w in enumerate(widths, start=1)
    )
    fit = page_layout(widths)
    setup = (
        '<pageSetup paperSize="9" orientation="{orientation}" {fit}/>'.format(
            orientation=fit["orientation"],
            fit='fitToWidth="1" fitToHeight="0"'
            if fit["fit_to_width"]
            else f'scale="{fit["scale"]}"',
        )
        + header_footer_xml(print_heading(None, None)).decode()
    )
    fit_to_page = '<pageSetUpPr fitToPage="1"/>' if fit["fit_to_width"] else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS}" xmlns:r="{REL_NS}"><sheetPr><tabColor rgb="FF808080"/>{fit_to_page}</sheetPr>'
        '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0" zoomScale="90">'
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>'
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData/>"
        '<dataValidations count="1"><dataValidation type="custom" allowBlank="1" showErrorMessage="1" '
        'errorTitle="Computed sheet" error="This sheet is written by ofsted-tracker. Type in the Actions sheet '
        f'instead." sqref="{blocked}"><formula1>FALSE</formula1></dataValidation></dataValidations>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f"{setup}"
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
    ).encode()


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return f"{folder}/_rels/{name}.rels"


def _table_ids(package: zipfile.ZipFile, names: set[str], label: str) -> tuple[set[int], set[str]]:
    """The ids and names of every table in the package (a new table needs an id and a name of its own)."""
    ids, tables = set(), set()
    for name in names:
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            root = parse_part(read_part(package, name, label), name, label)
            if (root.get("id") or "").isdigit():
                ids.add(int(root.get("id")))
            tables.add((root.get("name") or "").casefold())
    return ids, tables


def tool_sheet_parts(
    package: zipfile.ZipFile,
    grid: Grid,
    label: str,
    changed: dict[str, bytes | Iterable[bytes] | None],
    log: LogSheet,
    heading: dict[str, str] | None = None,
) -> dict[str, bytes | Iterable[bytes]]:
    """The parts that write one of the tool's own table sheets (History, Requests): its cells and its table's range,
    or, when the workbook has no such sheet yet, a new sheet part, table part, their relationships and content
    types, and its ``<sheet>`` entry (added last in the workbook, so no sheet's position, and no print area naming
    it, moves). ``changed`` holds the parts already changed in the same write (another sheet added, say)."""

    def current(name: str) -> bytes:
        data = changed.get(name)
        return data if isinstance(data, bytes) else read_part(package, name, label)

    sheet, headers, widths, header_row = (
        log.name,
        list(log.spec.headers),
        log.widths,
        log.header_row,
    )
    names = set(package.namelist()) | {n for n, data in changed.items() if data is not None}
    spelt = sheet_parts(package, label)
    found = find_sheets(spelt, [sheet], label)
    last = max(len(grid), header_row + 1)
    ref = f"A{header_row}:{column_letter(len(headers))}{last}"
    out: dict[str, bytes | Iterable[bytes]] = {}
    part = spelt[found[sheet]] if sheet in found else None
    if part is not None:
        if part not in names:
            raise UnusableInput(
                f"{label}: the {sheet} sheet's part {part} is missing; restore the workbook from a backup."
            )
        out[part] = sheet_xml(
            sheet_source(package, part, label), grid, f"{label}, sheet {sheet}", part, heading
        )
        # the tool's table: its range grows with the rows, and with the columns a later version added (the Requests
        # log's Request ID): a table whose range is wider than its columns is one Excel offers to "repair"
        for table in _linked(package, part, TABLE_TYPE, names, label):
            if table in names:
                root = parse_part(read_part(package, table, label), table, label)
                root.set("ref", ref)
                for element in root.iter(f"{{{NS}}}autoFilter"):
                    element.set("ref", ref)
                _add_table_columns(root, headers)
                out[table] = _xml(root)
        return out
    # a workbook made before this sheet existed: add it
    ids, table_names = _table_ids(package, set(package.namelist()), label)
    for added in (
        n for n, data in changed.items() if n.startswith("xl/tables/") and isinstance(data, bytes)
    ):
        root = parse_part(changed[added], added, label)
        ids.add(int(root.get("id") or 0))
        table_names.add((root.get("name") or "").casefold())
    name = next(
        n
        for n in (sheet, *(f"{sheet}_{i}" for i in range(2, 100)))
        if n.casefold() not in table_names
    )
    part = _free_name(names, "xl/worksheets/sheet%d.xml")
    table = _free_name(names, "xl/tables/table%d.xml")
    blocked = f"A1:{column_letter(len(headers) + 4)}100000"
    out[part] = sheet_xml(
        _new_sheet_xml(widths, header_row, blocked), grid, f"{label}, sheet {sheet}", part, heading
    )
    out[_rels_of(part)] = _xml(
        _relationships_root([("rId1", TABLE_TYPE, "../tables/" + posixpath.basename(table))])
    )
    out[table] = _table_xml(max(ids, default=0) + 1, name, ref, headers)
    types = parse_part(current(CONTENT_TYPES), CONTENT_TYPES, label)
    for new, kind in ((part, "worksheet"), (table, "table")):
        etree.SubElement(
            types,
            f"{{{CT_NS}}}Override",
            PartName="/" + new,
            ContentType=f"application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml",
        )
    out[CONTENT_TYPES] = _xml(types)
    rels = parse_part(current(WORKBOOK_RELS), WORKBOOK_RELS, label)
    taken = {r.get("Id") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    rel_id = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
    etree.SubElement(
        rels,
        f"{{{PKG_REL_NS}}}Relationship",
        Id=rel_id,
        Type=WORKSHEET_TYPE,
        Target=posixpath.relpath(part, "xl"),
    )
    out[WORKBOOK_RELS] = _xml(rels)
    workbook = current(WORKBOOK_PART)
    root = parse_part(workbook, WORKBOOK_PART, label)
    ends = list(_SHEETS_END.finditer(workbook))
    if not ends:
        raise UnusableInput(
            f"{label}: the workbook part lists no sheets the usual way, so a {sheet} sheet cannot be "
            "added. Nothing was changed."
        )
    sheet_id = (
        max(
            (
                int(s.get("sheetId"))
                for s in root.iter(f"{{{NS}}}sheet")
                if (s.get("sheetId") or "").isdigit()
            ),
            default=0,
        )
        + 1
    )
    end = ends[-1]
    entry = (
        f'<{end[1].decode()}sheet xmlns:r="{REL_NS}" name="{sheet}" sheetId="{sheet_id}" '
        f'r:id="{rel_id}"/>'
    ).encode()
    # its header row and ID column on every printed page (the sheet prints across pages: rules.layout.page_layout)
    index = sum(1 for _ in root.iter(f"{{{NS}}}sheet"))
    titles = (
        f'<{end[1].decode()}definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
        f"'{sheet}'!$A:$A,'{sheet}'!${header_row}:${header_row}</{end[1].decode()}definedName>"
    ).encode()
    defined = _DEFINED_NAMES_END.search(workbook, end.end())
    if defined is not None:
        workbook = workbook[: defined.start()] + titles + workbook[defined.start() :]
    else:
        opening, closing = (f"<{end[1].decode()}definedNames>", f"</{end[1].decode()}definedNames>")
        workbook = (
            workbook[: end.end()]
            + opening.encode()
            + titles
            + closing.encode()
            + workbook[end.end() :]
        )
    out[WORKBOOK_PART] = workbook[: end.start()] + entry + workbook[end.start() :]
    return out


def _relationships_root(rels: list[tuple[str, str, str]]) -> etree._Element:
    root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    for rel_id, kind, target in rels:
        etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=rel_id, Type=kind, Target=target)
    return root


def computed_parts(
    package: zipfile.ZipFile,
    grids: dict[str, Grid],
    label: str,
    charts: tuple[ChartTable, ...] = (),
    current: dict[str, bytes | Iterable[bytes] | None] | None = None,
    heading: dict[str, str] | None = None,
) -> dict[str, bytes | Iterable[bytes] | None]:
    """The new bytes of every part that rewriting the computed sheets ``grids`` changes, whole or in chunks (None:
    the part is dropped): the sheets, the ``charts`` drawn from them, the calculation chain, and the workbook set to
    recalculate on opening. All other parts stay as they are (``current``: parts this write has already changed,
    a sheet's cells are replaced in those; ``heading``: what the sheets print above and below, left as it is when
    None)."""
    check_zip(package, label)
    parts = sheet_parts(package, label)
    by_name = find_sheets(parts, grids, label)
    missing = [name for name in grids if name not in by_name]
    if missing:
        raise UnusableInput(
            f"{label} has no {', '.join(missing)} sheet to refresh (sheets: {', '.join(parts)}). Restore the sheet "
            "from a backup, or copy your sheets into a tracker made by 'ofsted-tracker new'. Nothing was changed."
        )
    names = set(package.namelist())
    changed: dict[str, bytes | Iterable[bytes] | None] = {}
    for name, grid in grids.items():
        actual = by_name[name]
        part = parts[actual]
        if part not in names:
            raise UnusableInput(
                f"{label}: the {actual} sheet's part {part} is missing; "
                "restore the workbook from a backup."
            )
        changed[part] = sheet_xml(
            sheet_source(package, part, label, (current or {}).get(part)),
            grid,
            f"{label}, sheet {actual}",
            part,
            heading,
        )
    for chart in charts:
        if chart.sheet in grids:
            changed.update(
                chart_parts(package, parts[by_name[chart.sheet]], grids[chart.sheet], chart, label)
            )
    ids = sheet_ids(package, label)
    computed = {ids[by_name[n]] for n in grids if ids.get(by_name[n])}
    for rel in _relationships(package, label):
        if rel.get("Type") == CALC_CHAIN_TYPE and rel.get("TargetMode") != "External":
            part = part_name("xl", rel.get("Target") or "")
            if part in names:
                chain = read_part(package, part, label)
                kept = calc_chain_without(chain, computed, label)
                if kept is None:
                    changed[part] = None
                    changed.update(_without_calc_chain(package, part, label))
                elif kept is not chain:
                    changed[part] = kept
    workbook = changed.get(WORKBOOK_PART) or read_part(package, WORKBOOK_PART, label)
    recalc = recalc_on_open(workbook, label)
    if recalc is not workbook:
        changed[WORKBOOK_PART] = recalc
    return changed


def _write_part(
    target: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes | Iterable[bytes]
) -> None:
    """Write one new part, whole or chunk by chunk as its chunks are made."""
    with target.open(info, "w") as part:
        for chunk in (data,) if isinstance(data, bytes) else data:
            part.write(chunk)


def rewrite_package(
    path: Path, changes: Callable[[zipfile.ZipFile, str], dict[str, bytes | Iterable[bytes] | None]]
) -> Path:
    """Write the workbook at ``path`` again with the parts ``changes(package, label)`` gives (None: dropped; a new
    name: added) and every other part copied unchanged, atomically and with a backup; refused when it is open."""
    path = Path(path)
    assert_writable(path)
    label = path.name
    try:
        source = zipfile.ZipFile(path)
    except _READ_ERRORS as exc:
        raise UnusableInput(
            f"{label} cannot be opened as a workbook ({exc}). Nothing was changed."
        ) from exc
    with source:
        changed = changes(source, label)
        with atomic_write(path) as tmp, zipfile.ZipFile(tmp, "w") as target:
            target.comment = source.comment
            for info in source.infolist():
                if info.filename not in changed:
                    copy_part(source, info, target, label)
                elif changed[info.filename] is not None:
                    data = changed[info.filename]
                    copy = _copy_info(info)
                    copy.compress_type = zipfile.ZIP_DEFLATED
                    _write_part(target, copy, data)
            existing = set(source.namelist())
            for name in sorted(
                n for n, data in changed.items() if n not in existing and data is not None
            ):
                new = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                new.compress_type = zipfile.ZIP_DEFLATED
                _write_part(target, new, changed[name])
    return path


# --- writing named cells of an officers' sheet (collect --apply): every other byte of the part stays as it was -------

STYLES_TYPE = REL_NS + "/styles"
_ROW_ELEMENT = re.compile(
    rb"<(?P<p>(?:[A-Za-z_][\w.-]*:)?)row\b(?P<a>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)row\s*>)", re.S
)
_CELL_ELEMENT = re.compile(
    rb"<(?P<p>(?:[A-Za-z_][\w.-]*:)?)c\b(?P<a>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)c\s*>)", re.S
)
_BUILTIN_DATES = {14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_FORMAT_TEXT = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def date_styles(package: zipfile.ZipFile, label: str) -> set[str]:
    """The cell styles (indexes into ``cellXfs``) whose number format shows a date."""
    styles = [
        part_name("xl", r.get("Target") or "")
        for r in _relationships(package, label)
        if r.get("Type") == STYLES_TYPE and r.get("TargetMode") != "External"
    ]
    if not styles or styles[0] not in package.namelist():
        return set()
    root = parse_part(read_part(package, styles[0], label), styles[0], label)
    codes = {
        int(f.get("numFmtId")): f.get("formatCode") or ""
        for f in root.iter(f"{{{NS}}}numFmt")
        if (f.get("numFmtId") or "").isdigit()
    }
    dated = {
        n for n, code in codes.items() if re.search("[dmy]", _FORMAT_TEXT.sub("", code).lower())
    }
    found = set()
    xfs = root.find(f"{{{NS}}}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else ()):
        number = int(xf.get("numFmtId") or 0) if (xf.get("numFmtId") or "0").isdigit() else 0
        if number in _BUILTIN_DATES or number in dated:
            found.add(str(index))
    return found


def _cell_xml(
    prefix: str, ref: str, style: str | None, value: CellValue, date1904: bool = False
) -> bytes:
    """One cell: a date as its serial number, text as an inline string (never a formula), None as an empty cell."""
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<{prefix}c r="{ref}"{s}/>'.encode()
    if isinstance(value, date):
        return f'<{prefix}c r="{ref}"{s}><{prefix}v>{excel_serial(value, date1904)}</{prefix}v></{prefix}c>'.encode()
    text = clean_text(str(value)).translate(_TEXT_ESCAPES)
    return (
        f'<{prefix}c r="{ref}"{s} t="inlineStr"><{prefix}is><{prefix}t xml:space="preserve">{text}</{prefix}t>'
        f"</{prefix}is></{prefix}c>"
    ).encode()


def _cells_of(body: bytes) -> list[tuple[int, re.Match]]:
    out = []
    for cell in _CELL_ELEMENT.finditer(body):
        match = _CELL_REF.fullmatch(
            _attributes(cell["a"]).get(b"r", b"").decode("ascii", "replace")
        )
        if match:
            out.append((column_number(match[1]), cell))
    return out


def edit_cells(
    data: bytes,
    edits: dict[tuple[int, int], CellValue],
    dates: set[str],
    label: str,
    sheet: str,
    part: str,
    date1904: bool = False,
) -> bytes:
    """The sheet part with the named cells ((row, column) -> value) written and every other byte kept as it was.

    A cell keeps its style; a date goes into a date-formatted style (the cell's, else its column's, else the
    row above's); a new cell or row takes the style of the row above, or of its column. A cell holding a formula
    is refused rather than turned into a value. ``date1904``: the workbook counts its dates from 1904.
    """
    found = _sheet_data_span(data)
    if found is None:
        raise UnusableInput(
            f"{label}: the {sheet} sheet is not a worksheet with cells; nothing was changed."
        )
    prefix, start, end = found
    head, body, tail = data[:start], data[start:end], data[end:]
    columns, _ = _columns(parse_part(head + f"<{prefix}sheetData/>".encode() + tail, part, label))
    rows = [(int(_attributes(m["a"]).get(b"r", b"0")), m) for m in _ROW_ELEMENT.finditer(body)]
    by_row = {r: m for r, m in rows}
    wanted: dict[int, dict[int, CellValue]] = {}
    for (r, c), value in edits.items():
        wanted.setdefault(r, {})[c] = value

    def styles_above(r: int) -> dict[int, str]:
        above = max((n for n, _ in rows if n < r), default=0)
        if not above or by_row[above]["body"] is None:
            return {}
        return {
            c: _attributes(cell["a"]).get(b"s", b"").decode()
            for c, cell in _cells_of(by_row[above]["body"])
        }

    def style(r: int, c: int, own: str | None, value: CellValue) -> str | None:
        candidates = [own, styles_above(r).get(c) if own is None else None, columns.get(c)]
        if isinstance(value, date):
            dated = next(
                (s for s in candidates + [styles_above(r).get(c)] if s and s in dates), None
            )
            if dated:
                return dated
        return next((s for s in candidates if s), None)

    def row_xml(r: int, match: re.Match | None) -> bytes:
        cells = _cells_of(match["body"] or b"") if match is not None else []
        inner = bytearray(match["body"] or b"") if match is not None else bytearray()
        for c, value in sorted(
            wanted[r].items(), reverse=True
        ):  # right to left: earlier offsets stay valid
            ref = f"{column_letter(c)}{r}"
            old = next((cell for n, cell in cells if n == c), None)
            if old is not None:
                if old["body"] and re.search(rb"<(?:[A-Za-z_][\w.-]*:)?f\b", old["body"]):
                    raise UnusableInput(
                        f"{sheet}!{ref} holds a formula, so the returned value is not written over "
                        "it. Replace the formula with its value, then collect again. Nothing was changed."
                    )
                own = _attributes(old["a"]).get(b"s", b"").decode() or None
                inner[old.start() : old.end()] = _cell_xml(
                    prefix, ref, style(r, c, own, value), value, date1904
                )
            else:
                after = next((cell.start() for n, cell in cells if n > c), len(inner))
                inner[after:after] = _cell_xml(
                    prefix, ref, style(r, c, None, value), value, date1904
                )
        if match is None:
            return f'<{prefix}row r="{r}">'.encode() + bytes(inner) + f"</{prefix}row>".encode()
        attrs = match["a"]
        spans = re.search(rb'spans="(\d+):(\d+)"', attrs)
        if spans:
            low, high = min(int(spans[1]), *wanted[r]), max(int(spans[2]), *wanted[r])
            attrs = attrs[: spans.start()] + f'spans="{low}:{high}"'.encode() + attrs[spans.end() :]
        return f"<{prefix}row".encode() + attrs + b">" + bytes(inner) + f"</{prefix}row>".encode()

    if not body.endswith(b"sheetData>"):  # an empty <sheetData/>: every row is new
        out = (
            f"<{prefix}sheetData>".encode()
            + b"".join(row_xml(r, None) for r in sorted(wanted))
            + f"</{prefix}sheetData>".encode()
        )
    else:
        replacements: list[tuple[int, int, int, bytes]] = []  # start, row, end, new bytes
        closing = body.rfind(b"</")
        for r in sorted(wanted):
            if r in by_row:
                replacements.append((by_row[r].start(), r, by_row[r].end(), row_xml(r, by_row[r])))
            else:
                at = next((m.start() for n, m in rows if n > r), closing)
                replacements.append((at, r, at, row_xml(r, None)))
        edited = bytearray(body)
        for begin, _, finish, new in sorted(
            replacements, key=lambda x: x[:2], reverse=True
        ):  # from the end
            edited[begin:finish] = new
        out = bytes(edited)
    last = max(r for r, _ in edits)
    head = _grow_dimension(head, last)
    return head + out + tail


def _grow_dimension(head: bytes, last_row: int) -> bytes:
    """The part's ``<dimension ref>`` reaching at least ``last_row``."""

    def grow(m: re.Match) -> bytes:
        whole = re.search(rb'ref\s*=\s*["\']([^"\']*)', m[0])
        ref = whole[1].decode() if whole else "A1"
        first, _, second = ref.partition(":")
        cell = _CELL_REF.fullmatch(second or first)
        if not cell or int(cell[2]) >= last_row:
            return m[0]
        return m[1] + m[2] + f"{first if second else 'A1'}:{cell[1]}{last_row}".encode() + m[3]

    return _DIMENSION_REF.sub(grow, head, count=1)


def _grown_ref(ref: str, last_row: int) -> str:
    first, _, second = ref.partition(":")
    cell = _CELL_REF.fullmatch(second)
    return f"{first}:{cell[1]}{last_row}" if cell and int(cell[2]) < last_row else ref


def cell_parts(
    package: zipfile.ZipFile, edits: dict[str, dict[tuple[int, int], CellValue]], label: str
) -> dict[str, bytes]:
    """The parts that write the named cells of officers' sheets (sheet -> (row, column) -> value): each sheet part,
    and the range of a table on it that rows appended just below it join. Every other part stays as it was."""
    check_zip(package, label)
    spelt = sheet_parts(package, label)
    found = find_sheets(
        spelt, list(edits), label
    )  # two sheets with one name are refused, never written to
    names = set(package.namelist())
    dates = date_styles(package, label)
    date1904 = date_1904(package, label)
    out: dict[str, bytes] = {}
    for sheet, cells in edits.items():
        if not cells:
            continue
        part = spelt[found[sheet]] if sheet in found else None
        if part is None or part not in names:
            raise UnusableInput(f"{label} has no {sheet} sheet to write to. Nothing was changed.")
        out[part] = edit_cells(
            read_part(package, part, label), cells, dates, label, sheet, part, date1904
        )
        first, last = min(r for r, _ in cells), max(r for r, _ in cells)
        for table in _linked(package, part, TABLE_TYPE, names, label):
            if table not in names:
                continue
            root = parse_part(read_part(package, table, label), table, label)
            ref = root.get("ref") or ""
            end = _CELL_REF.fullmatch(ref.partition(":")[2])
            if end and int(end[2]) + 1 >= first and int(end[2]) < last:
                if int(root.get("totalsRowCount") or 0):
                    raise UnusableInput(
                        f"{label} {sheet}!A{end[2]}: the table '{root.get('displayName') or ''}' has a "
                        "totals row, so a row cannot be added below it. Turn off its Total Row (Table "
                        "Design), then try again. Nothing was changed."
                    )
                root.set("ref", _grown_ref(ref, last))
                for element in root.iter(f"{{{NS}}}autoFilter"):
                    element.set("ref", _grown_ref(element.get("ref") or ref, last))
                out[table] = _xml(root)
    return out


# --- print areas: each sheet's ends at its last used row, after every write ------------------------------------------

PRINT_AREA = "_xlnm.Print_Area"
_AREA = re.compile(
    r"^(?P<sheet>.*)!\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+):\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+)$"
)
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br=\"(\d+)\"")


def last_typed_row(part: bytes) -> int:
    """The last row of a sheet part holding a typed value (not a formula, such as the Checks column's written below
    the Actions Table): read from the end, so the blank formula rows below the data are all that is scanned."""
    end = len(part)
    starts = list(_ROW_START.finditer(part))
    for match in reversed(starts):
        body = part[match.start() : end]
        end = match.start()
        for cell in _CELL_ELEMENT.finditer(body):
            inner = cell["body"] or b""
            if b"<f" not in inner and (b"<v" in inner or b"<is" in inner):
                return int(match[1])
    return 1


def print_area_parts(
    package: zipfile.ZipFile,
    changed: dict[str, bytes | Iterable[bytes] | None],
    label: str,
    rows: dict[str, int],
) -> dict[str, bytes]:
    """The workbook part with each sheet's print area (as ``new`` set it) ending at the sheet's last used row:
    ``rows`` gives it for the sheets this write replaces whole, the others' are read from their parts. A sheet
    without a print area (a workbook made before they were set) keeps none. Nothing else of the part changes."""
    data = changed.get(WORKBOOK_PART)
    workbook = data if isinstance(data, bytes) else read_part(package, WORKBOOK_PART, label)
    root = parse_part(workbook, WORKBOOK_PART, label)
    names = [s.get("name") or "" for s in root.iter(f"{{{NS}}}sheet")]
    parts = sheet_parts(package, label)
    moved = False
    for defined in root.iter(f"{{{NS}}}definedName"):
        index = defined.get("localSheetId") or ""
        area = _AREA.match((defined.text or "").strip())
        if defined.get("name") != PRINT_AREA or not index.isdigit() or int(index) >= len(names):
            continue
        if area is None:
            continue
        sheet = names[int(index)]
        if sheet in rows:
            last = rows[sheet]
        else:
            part = parts.get(sheet)
            current = changed.get(part) if part else None
            if part is None or not (
                isinstance(current, (bytes, SheetEnds)) or part in package.namelist()
            ):
                continue
            ends = sheet_source(package, part, label, current)
            last = last_typed_row(ends.last) if isinstance(ends, SheetEnds) else 1
            if (
                last == 1 and isinstance(ends, SheetEnds) and not ends.whole
            ):  # the last EDGE_BYTES hold formulas alone: look at them all
                last = last_typed_row(b"".join(ends.cells()))
        text = f"{area['sheet']}!${area['c1']}${area['r1']}:${area['c2']}${max(last, int(area['r1']) + 1)}"
        if text != defined.text:
            defined.text, moved = text, True
    return {WORKBOOK_PART: _xml(root)} if moved else {}
