"""A worksheet part read a megabyte at a time (``package.read_sheet_ends``): the same head, tail, cells and last typed
row as the part read whole, across every chunk boundary, and never the whole part in memory (issue 22: the
Actions part of a 100,000-action plan is 130 MB of XML, and a snapshot's write once held it three times)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from ofsted_tracker.workbook.store import package
from ofsted_tracker.workbook.store.package import (
    ends_of,
    last_typed_row,
    print_area_parts,
    read_sheet_ends,
)

NS = package.NS


def _sheet(rows: int, prefix: str = "", formulas: int = 0) -> bytes:
    """A worksheet part: ``rows`` typed rows, then ``formulas`` rows holding only a formula (the Checks column)."""
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{NS}"' if p else f'xmlns="{NS}"'
    typed = "".join(
        f'<{p}row r="{i}"><{p}c r="A{i}" t="inlineStr"><{p}is><{p}t>action {i}</{p}t></{p}is></{p}c></{p}row>'
        for i in range(1, rows + 1)
    )
    checks = "".join(
        f'<{p}row r="{i}"><{p}c r="O{i}"><{p}f>IF(A{i}="","",1)</{p}f><{p}v></{p}v></{p}c></{p}row>'
        for i in range(rows + 1, rows + formulas + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}>'
        f'<{p}dimension ref="A1"/><{p}sheetData>{typed}{checks}</{p}sheetData>'
        f'<{p}pageSetup paperSize="9"/></{p}worksheet>'
    ).encode()


def _zip(data: bytes) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_a_streamed_part_has_the_ends_and_cells_of_the_part_read_whole(monkeypatch, prefix, chunk):
    monkeypatch.setattr(package, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(package, "EDGE_BYTES", 300)
    data = _sheet(40, prefix)
    whole = ends_of(data)
    streamed = read_sheet_ends(_zip(data), "xl/worksheets/sheet1.xml", "t.xlsx")
    start, end = (
        data.index(f"<{prefix}sheetData>".encode()),
        data.index(b"<" + prefix.encode() + b"pageSetup"),
    )
    for ends in (whole, streamed):
        assert (ends.prefix, ends.head, ends.tail) == (prefix, data[:start], data[end:])
        assert ends.first == data[start : start + 300] and ends.last == data[end - 300 : end]
        assert not ends.whole
        assert b"".join(ends) == data  # iterated: the part, byte for byte
    assert b"".join(streamed.around(b"<h>", b"</t>")) == b"<h>" + data[start:end] + b"</t>"


def test_a_part_of_empty_or_small_cells_is_whole_and_one_without_cells_has_no_ends():
    empty = _sheet(0).replace(b"<sheetData></sheetData>", b"<sheetData/>")
    for data in (empty, _sheet(3)):
        ends = read_sheet_ends(_zip(data), "xl/worksheets/sheet1.xml", "t.xlsx")
        assert ends.whole and ends.first == ends.last and b"".join(ends) == data
    chart = b'<chartsheet xmlns="' + NS.encode() + b'"><drawing/></chartsheet>'
    assert read_sheet_ends(_zip(chart), "xl/worksheets/sheet1.xml", "t.xlsx") is None


def test_the_last_typed_row_is_found_past_a_window_of_formulas(monkeypatch):
    """The print area ends at the last typed row; when the last EDGE_BYTES hold only formula rows, all the cells
    are read to find it."""
    monkeypatch.setattr(package, "EDGE_BYTES", 500)
    data = _sheet(30, formulas=40)  # 40 formula rows: more than 500 bytes of them
    ends = read_sheet_ends(_zip(data), "xl/worksheets/sheet1.xml", "t.xlsx")
    assert last_typed_row(ends.last) == 1  # the window alone holds no typed row
    assert last_typed_row(data) == 30
    workbook = (
        f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Actions" sheetId="1" r:id="rId1"/></sheets><definedNames>'
        '<definedName name="_xlnm.Print_Area" localSheetId="0">\'Actions\'!$A$1:$O$1000</definedName>'
        "</definedNames></workbook>"
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", data)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        out = print_area_parts(z, {}, "t.xlsx", {})
    assert b"'Actions'!$A$1:$O$30<" in out["xl/workbook.xml"]


def _peak_reading(data: bytes) -> int:
    z = _zip(data)
    tracemalloc.start()
    try:
        ends = read_sheet_ends(z, "xl/worksheets/sheet1.xml", "t.xlsx")
        assert last_typed_row(ends.last) == data.count(b"<row ")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_part_is_never_held_whole():
    small, large = _sheet(100_000), _sheet(300_000)  # about 8 and 25 MB of XML
    peaks = _peak_reading(small), _peak_reading(large)
    # what is held does not grow with the part: its two edges and a chunk or two, never the part itself
    assert (
        peaks[1] < 1.25 * peaks[0]
    )  # measured: 8.5 and 9.5 MB (tracemalloc counts the same every run)
    assert peaks[1] < len(large) / 2
