"""The tracker printed: every sheet of the demo, with its History and Requests, rendered to PDF by LibreOffice on A4,
every page at 8 pt or more, no page that holds only a header, and pages that follow the data after refresh."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ofsted_tracker.workbook.jobs import refresh, send_requests, snapshot
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.store.package import (
    header_footer_xml,
    last_typed_row,
    with_header_footer,
)
from tests.report.office import pages, require, to_pdf

AS_AT = date(2016, 10, 31)
A4 = (842, 595)  # points, landscape or portrait either way round
MIN_PT = 8
ZOOM = 1.5  # pdftohtml's default: its font sizes are points times this, rounded to whole pixels
SHEETS = (*schema.TOOL_SHEETS, "History", "Requests")
OFFICERS = tuple(spec.name for spec in schema.OFFICER_SHEETS)


def _pages(pdf: Path) -> list[dict]:
    """Each page: the sheet its header names, its size, the lines of text below the header and its font sizes (pt)."""
    require("pdftohtml")
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    sizes = {i: int(z) / ZOOM for i, z in re.findall(r'<fontspec id="(\d+)" size="(\d+)"', xml)}
    out = []
    for page in xml.split("<page ")[1:]:
        width, height = (float(page.split(f'{k}="')[1].split('"')[0]) for k in ("width", "height"))
        texts = re.findall(r'<text top="(\d+)"[^>]*font="(\d+)"[^>]*>(.*?)</text>', page)
        texts = [(int(top), font, re.sub("<[^>]+>", "", t).strip()) for top, font, t in texts]
        texts = [t for t in texts if t[2]]
        header_top = min(top for top, _, _ in texts)
        footer_top = max(top for top, _, _ in texts)
        out.append(
            {
                "sheet": next(t for top, _, t in texts if top == header_top),
                "header": " ".join(t for top, _, t in texts if top == header_top),
                "size": (width / ZOOM, height / ZOOM),
                "body": [t for top, _, t in texts if header_top < top < footer_top],
                "footer": " ".join(t for top, _, t in texts if top == footer_top),
                "fonts": {sizes[font] for _, font, _ in texts},
            }
        )
    return out


@pytest.fixture
def printed(demo_tracker: Path, tmp_path: Path) -> tuple[Path, list[dict]]:
    snapshot(demo_tracker, AS_AT, "Q2", AS_AT)
    send_requests(demo_tracker, tmp_path / "requests", AS_AT, "Q2")
    pdf = to_pdf(demo_tracker, tmp_path / "pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "pdf" / "page")], check=True
    )
    return pdf, _pages(pdf)


def test_every_sheet_prints_on_a4_at_8_pt_with_no_page_holding_only_a_header(printed) -> None:
    pdf, found = printed
    assert len(found) == pages(pdf)
    assert {p["sheet"] for p in found} == set(SHEETS)  # each page's header names its sheet
    for number, page in enumerate(found, start=1):
        where = f"page {number} ({page['sheet']})"
        assert all(abs(x - a) <= 2 for x, a in zip(sorted(page["size"]), sorted(A4))), where
        assert min(page["fonts"]) >= MIN_PT - 0.5 / ZOOM, where  # rounding to whole pixels
        assert page["header"] == f"{page['sheet']} Lewisham", where
        # the sheets the tool wrote as at the date say so; an officer's sheet is dated by no one job
        dated = "" if page["sheet"] in OFFICERS else "As at 31/10/2016 "
        assert page["footer"] == f"{dated}Page {number} of {len(found)}", where
    # more than a header: each page shows text beyond what every page of its sheet repeats (the header row)
    for sheet in SHEETS:
        own = [set(p["body"]) for p in found if p["sheet"] == sheet]
        repeated = set.intersection(*own) if len(own) > 1 else set()
        assert all(body - repeated for body in own), sheet
    by_sheet = {s: sum(p["sheet"] == s for p in found) for s in SHEETS}
    # the Actions sheet (61 actions, 15 columns) prints across its width on pages of about 10 rows; the
    # Dashboard, no longer fitted to one page, on as many as its width needs
    assert by_sheet["Actions"] <= 3 * -(-61 // 8)
    assert 2 <= by_sheet["Dashboard"] <= 8


def _headings(path: Path) -> dict[str, tuple[str, str, str, str]]:
    return {
        ws.title: (
            ws.oddHeader.left.text,
            ws.oddHeader.right.text,
            ws.oddFooter.left.text,
            ws.oddFooter.right.text,
        )
        for ws in load_workbook(path).worksheets
    }


def test_every_sheet_the_tool_writes_prints_the_date_it_was_written_as_at(
    demo_tracker: Path, tmp_path: Path
) -> None:
    snapshot(demo_tracker, AS_AT, "Q2", AS_AT)
    send_requests(demo_tracker, tmp_path / "requests", AS_AT, "Q2")
    later = date(2016, 11, 30)
    # a refresh a month on: its own sheets now say so, the logs keep theirs
    refresh(demo_tracker, later, "Q2")
    found = _headings(demo_tracker)
    for sheet in schema.COMPUTED_SHEETS:
        assert found[sheet] == ("&A", "Lewisham", "As at 30/11/2016", "Page &P of &N"), sheet
    for sheet in ("History", "Requests"):
        assert found[sheet] == ("&A", "Lewisham", "As at 31/10/2016", "Page &P of &N"), sheet
    for sheet in OFFICERS:
        assert found[sheet] == ("&A", "Lewisham", None, "Page &P of &N"), sheet


def test_a_header_prints_a_councils_ampersand_and_goes_where_the_schema_orders_it() -> None:
    heading = layout.print_heading("Brighton & Hove", date(2016, 10, 31))
    assert heading["header right"] == "Brighton && Hove"  # Excel prints "&&" as one "&"
    assert (
        layout.print_heading("3Rivers", None)["header right"] == " 3Rivers"
    )  # never read as "&113"
    xml = header_footer_xml(heading)
    assert xml == (
        b"<headerFooter><oddHeader>&amp;L&amp;11&amp;A&amp;R&amp;11Brighton &amp;&amp; Hove</oddHeader>"
        b"<oddFooter>&amp;L&amp;11As at 31/10/2016&amp;R&amp;11Page &amp;P of &amp;N</oddFooter></headerFooter>"
    )
    # an old one is replaced; with none, the new one goes before the elements that follow it, every other byte kept
    old = b'<pageSetup paperSize="9"/><headerFooter><oddHeader>&amp;LOld</oddHeader></headerFooter><drawing r:id="rId2"/>'
    assert (
        with_header_footer(old, heading)
        == b'<pageSetup paperSize="9"/>' + xml + b'<drawing r:id="rId2"/>'
    )
    bare = b'<pageMargins left="0.7"/><tableParts count="1"/></worksheet>'
    assert with_header_footer(bare, heading, "x:").startswith(
        b'<pageMargins left="0.7"/><x:headerFooter>'
    )
    assert with_header_footer(b"</worksheet>", heading).endswith(b"</headerFooter></worksheet>")


def test_a_wide_sheet_prints_at_75_percent_across_pages_and_a_narrow_one_fits_its_width() -> None:
    assert layout.page_layout([10, 10, 10]) == {
        "orientation": "portrait",
        "fit_to_width": True,
        "scale": 100,
    }
    assert layout.page_layout([40] * 3)["orientation"] == "landscape"
    assert layout.page_layout([40] * 3)["fit_to_width"]
    assert layout.page_layout([40] * 8) == {
        "orientation": "landscape",
        "fit_to_width": False,
        "scale": layout.MIN_PRINT_SCALE,
    }
    # 11 pt text at the scale prints at 8 pt or more
    assert 11 * layout.MIN_PRINT_SCALE / 100 >= MIN_PT


def _print_areas(path: Path) -> dict[str, str]:
    wb = load_workbook(path)
    return {ws.title: ws.print_area for ws in wb.worksheets if ws.print_area}


def test_print_areas_end_at_the_last_used_row_and_follow_the_data(demo_tracker: Path) -> None:
    last_column = schema.column_letter(len(schema.ACTIONS.columns) + 1)  # the Checks formula column
    areas = _print_areas(demo_tracker)
    # 61 actions under the header, not the formulas to 1,000
    assert areas["Actions"] == f"'Actions'!$A$1:${last_column}$62"
    wb = load_workbook(demo_tracker)
    ws = wb["Actions"]
    for column, value in enumerate(["9.99", "1", "A later action"], start=1):
        ws.cell(70, column).value = value  # typed below the Table, as LibreOffice or a script does
    wb["Slippage"].cell(200, 1).value = None
    wb.save(demo_tracker)
    refresh(demo_tracker, AS_AT, "Q2")
    after = _print_areas(demo_tracker)
    assert after["Actions"] == f"'Actions'!$A$1:${last_column}$70"
    slippage_rows = load_workbook(demo_tracker)["Slippage"].max_row
    assert after["Slippage"] == f"'Slippage'!$A$1:$J${slippage_rows}"


def test_the_last_typed_row_skips_formula_rows_below_the_data() -> None:
    part = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>1</v></c><c r="O2"><f>IF(A2="","",1)</f><v></v></c></row>'
        b'<row r="3"><c r="O3"><f>IF(A3="","",1)</f><v></v></c></row>'
        b'<row r="4"><c r="A4" s="3"/><c r="O4"><f>IF(A4="","",1)</f></c></row></sheetData>'
    )
    assert last_typed_row(part) == 2
    assert last_typed_row(b"<sheetData/>") == 1
