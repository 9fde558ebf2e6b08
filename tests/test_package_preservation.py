"""Nothing lost: a refresh leaves every part of the package that is not the tool's byte for byte as it was.

The fixtures (tests/fixtures, made by make_fixtures.py) carry what officers add: a picture, a chart of their
own, cell comments, an extra sheet, a defined name, data validation and conditional formats, a custom XML
part, and a VBA project. After ``workbook.jobs.refresh`` each part is compared, decompressed, with the
original; the workbook must still open in openpyxl, python-calamine and LibreOffice.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from ofsted_tracker.workbook.jobs import refresh
from ofsted_tracker.workbook.rules.layout import computed_grids
from ofsted_tracker.workbook.store.package import NS, sheet_parts
from tests.report import office

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = ["officer-additions.xlsx", "officer-additions-libreoffice.xlsx", "officer-macros.xlsm"]
AS_AT = date(
    2016, 11, 30
)  # not the fixtures' own as-at date, so every computed sheet has something new to say
COMPUTED = ("Dashboard", "Slippage", "Checks")


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the package, decompressed, in package order."""
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def computed_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        mapping = sheet_parts(package)
    return {name: mapping[name] for name in COMPUTED}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> dict[str, tuple[Path, Path, object]]:
    """Each fixture refreshed once (on a copy): name -> (original, refreshed, summary)."""
    folder = tmp_path_factory.mktemp("refreshed")
    out = {}
    for name in NAMES:
        copy = folder / name
        shutil.copyfile(FIXTURES / name, copy)
        out[name] = (FIXTURES / name, copy, refresh(copy, as_at=AS_AT))
    return out


def test_the_fixtures_carry_every_kind_of_officer_addition():
    """Guards the fixtures themselves: without these parts the byte comparison below would prove little."""
    for name in NAMES:
        p = parts(FIXTURES / name)
        names = set(p)
        assert any(n.startswith("xl/media/") and n.endswith(".png") for n in names), (
            name
        )  # the logo
        assert sum(n.startswith("xl/charts/chart") for n in names) >= 2, (
            name
        )  # the tool's chart and the officer's
        assert b"Actions per lead" in b"".join(p[n] for n in names if n.startswith("xl/charts/")), (
            name
        )
        assert sum(b"Chased by email" in p[n] for n in names if "comment" in n), (
            name
        )  # a comment on Actions
        assert sum(b"Figures checked" in p[n] for n in names if "comment" in n), (
            name
        )  # one on the Dashboard
        assert b"officer_commentary" in p["xl/workbook.xml"], name  # the defined name
        assert b"Officer notes" in p["xl/workbook.xml"], name  # the officer's sheet
        assert "customXml/item1.xml" in names and b"OFFICIAL" in p["customXml/item1.xml"], name
        actions = p[sheet_parts(zipfile.ZipFile(FIXTURES / name))["Actions"]]
        assert b"textLength" in actions and b"DATE(2016,10,31)" in actions, (
            name
        )  # extra validation and format
    assert "xl/vbaProject.bin" in parts(FIXTURES / "officer-macros.xlsm")


@pytest.mark.parametrize("name", NAMES)
def test_every_part_that_is_not_the_tools_is_byte_identical(refreshed, name):
    original, copy, _ = refreshed[name]
    before, after = parts(original), parts(copy)
    assert list(after) == list(before)  # the same parts, in the same order
    owned = set(computed_parts(original).values()) | {"xl/workbook.xml"}
    for part, data in before.items():
        if part not in owned:
            assert after[part] == data, part
    # the workbook part may only gain fullCalcOnLoad="1" (so Excel recomputes the Checks column on opening)
    assert after["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"") == before[
        "xl/workbook.xml"
    ].replace(b' fullCalcOnLoad="1"', b"")
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"]


def _without_cells(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for tag in ("sheetData", "dimension", "headerFooter"):
        for element in root.findall(f"{{{NS}}}{tag}"):
            root.remove(element)
    return etree.tostring(root, method="c14n")


@pytest.mark.parametrize("name", NAMES)
def test_the_computed_sheets_change_in_their_cells_only(refreshed, name):
    original, copy, summary = refreshed[name]
    before, after = parts(original), parts(copy)
    for sheet, part in computed_parts(original).items():
        assert after[part] != before[part], sheet
        # everything around the cells (drawing and comment links, validation, formats, columns, page setup) stays
        assert _without_cells(after[part]) == _without_cells(before[part]), sheet
        # but the header and footer, which print the refresh's as-at date
        footer = etree.fromstring(after[part]).find(f"{{{NS}}}headerFooter/{{{NS}}}oddFooter")
        assert "As at 30/11/2016" in footer.text, sheet
        assert b"<f>" not in after[part] and b"<f " not in after[part]


@pytest.mark.parametrize("name", NAMES)
def test_openpyxl_reads_the_new_figures_and_the_officers_additions(refreshed, name):
    import openpyxl

    _, copy, summary = refreshed[name]
    wb = openpyxl.load_workbook(copy)
    grids = computed_grids(summary)
    for sheet in COMPUTED:
        ws = wb[sheet]
        for i, row in enumerate(grids[sheet], start=1):
            for j, value in enumerate(row, start=1):
                assert ws.cell(i, j).value == (None if value == "" else value), (
                    f"{sheet}!{ws.cell(i, j).coordinate}"
                )
    assert wb["Dashboard"]["A2"].value.startswith("As at 30/11/2016")
    assert wb["Dashboard"]["A1"].comment.text.startswith("Figures checked")
    assert wb["Actions"]["J5"].comment.text.startswith("Chased by email")
    assert len(wb["Dashboard"]._images) == 1 and len(wb["Officer notes"]._images) == 1
    assert "officer_commentary" in wb.defined_names
    assert wb["Officer notes"]["C2"].hyperlink.target == "https://example.org/council/board-papers"
    assert any(dv.type == "textLength" for dv in wb["Actions"].data_validations.dataValidation)
    assert wb.sheetnames[:2] == ["Dashboard", "Officer notes"]


@pytest.mark.parametrize("name", NAMES)
def test_python_calamine_reads_the_refreshed_workbook(refreshed, name):
    from python_calamine import CalamineWorkbook

    _, copy, summary = refreshed[name]
    book = CalamineWorkbook.from_path(str(copy))
    assert "Officer notes" in book.sheet_names
    checks = book.get_sheet_by_name("Checks").to_python()
    assert [row[1] for row in checks[4 : 4 + len(summary.findings)]] == [
        f.where for f in summary.findings
    ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools' use of older pyparsing names
def test_the_vba_project_is_intact_and_still_parses(refreshed):
    from oletools.olevba import VBA_Parser

    original, copy, _ = refreshed["officer-macros.xlsm"]
    assert parts(copy)["xl/vbaProject.bin"] == parts(original)["xl/vbaProject.bin"]
    parser = VBA_Parser(str(copy))
    try:
        assert parser.detect_vba_macros()
        code = "\n".join(text for _, _, _, text in parser.extract_macros())
    finally:
        parser.close()
    assert "Sub SampleCall()" in code


def test_libreoffice_opens_every_refreshed_workbook(refreshed, tmp_path):
    """LibreOffice headless converts each to PDF: the new figures, the officer's sheet and chart are in it."""
    copies = [str(refreshed[name][1]) for name in NAMES]
    office.convert(copies, "pdf", tmp_path)
    for name in NAMES:
        pdf = tmp_path / (Path(name).stem + ".pdf")
        assert pdf.exists(), name
        text = office.text(pdf, layout=True)
        assert "As at 30/11/2016" in text, name
        assert "Prepared for the improvement board" in text, name  # the officer's sheet
        assert "Actions per lead" in text or "officer's own" in text, (
            name
        )  # the officer's chart title
        assert "Actions by RAG" in text, name  # the tool's own chart on the Dashboard
