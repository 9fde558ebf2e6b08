"""Refresh writes the computed sheets and nothing else; new trackers; the as-at date is never silently today."""

import openpyxl
import pytest

from ofsted_tracker.workbook.errors import UnusableInput, WorkbookLocked
from ofsted_tracker.workbook.jobs import new_tracker, open_summary, refresh
from ofsted_tracker.workbook.rules import layout
from tests.report.office import require, to_pdf

OFFICER = ("Actions", "Recommendations", "Leads", "Revisions", "Periods", "Settings")


def _cells(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in OFFICER:
        for row in wb[name].iter_rows():
            for c in row:
                out[(name, c.coordinate)] = (
                    c.value,
                    c.number_format,
                    c.font.b,
                    c.fill.fgColor.rgb,
                    c.alignment.wrap_text,
                )
    dvs = {
        name: sorted(
            str(dv.sqref) + str(dv.formula1) for dv in wb[name].data_validations.dataValidation
        )
        for name in OFFICER
    }
    cfs = {
        name: sorted(str(cf.sqref) for cf in wb[name].conditional_formatting) for name in OFFICER
    }
    return out, dvs, cfs, sorted(wb.defined_names)


def test_refresh_keeps_every_officer_cell_value_and_style(demo_tracker):
    before = _cells(demo_tracker)
    refresh(demo_tracker)
    after = _cells(demo_tracker)
    assert before == after
    backups = list((demo_tracker.parent / "backups").iterdir())
    assert len(backups) == 1


def test_refresh_writes_the_figures_into_the_dashboard(demo_tracker):
    s = refresh(demo_tracker, period="Q3")
    ws = openpyxl.load_workbook(demo_tracker)["Dashboard"]
    first, last = layout.OVERALL_ROWS
    assert [ws.cell(r, 2).value for r in range(first, last + 1)] == [
        len(s.overall.completed),
        len(s.overall.ongoing),
        len(s.overall.not_completed),
    ]
    assert [ws.cell(r, 3).value for r in range(first, last + 1)] == [37, 19, 5]
    assert ws.cell(layout.PERIOD_HEADER_ROW, 1).value.startswith("Reporting period Q3")
    assert ws.cell(layout.PERIOD_HEADER_ROW + 1, 2).value == len(s.period.due)
    checks = openpyxl.load_workbook(demo_tracker)["Checks"]
    rows = [[c.value for c in r] for r in checks.iter_rows(min_row=layout.TABLE_HEADER_ROW + 1)]
    assert len([r for r in rows if r[0]]) == len(s.findings)
    assert rows[0][1] == s.findings[0].where


def test_refresh_refuses_when_excel_has_the_file_open(demo_tracker):
    (demo_tracker.parent / f"~${demo_tracker.name}").write_bytes(b"owner")
    original = demo_tracker.read_bytes()
    with pytest.raises(WorkbookLocked, match="open in Excel"):
        refresh(demo_tracker)
    assert demo_tracker.read_bytes() == original


def test_blank_tracker_needs_an_as_at_date(tmp_path):
    path = new_tracker(tmp_path / "blank.xlsx")
    with pytest.raises(UnusableInput, match="as-at date"):
        open_summary(path)
    wb = openpyxl.load_workbook(path)
    assert "Not refreshed yet" in wb["Dashboard"]["A2"].value
    assert [c.value for c in wb["Settings"]["A"]][1:4] == ["Council", "Committee", "Report title"]


def _type_like_an_officer(path):
    """Fill a blank tracker cell by cell, as an officer types (no tool writes a formula or a format)."""
    from datetime import datetime

    wb = openpyxl.load_workbook(path)
    settings = wb["Settings"]
    wanted = {"Council": "Anytown", "As at date": datetime(2016, 10, 31), "Reporting period": "Q2"}
    for r in range(2, settings.max_row + 1):
        if settings.cell(r, 1).value in wanted:
            settings.cell(r, 2).value = wanted[settings.cell(r, 1).value]
    for sheet, rows in (
        (
            "Periods",
            [
                ("Q1", datetime(2016, 2, 1), datetime(2016, 4, 30)),
                ("Q2", datetime(2016, 5, 1), datetime(2016, 7, 31)),
            ],
        ),
        ("Leads", [("SK", "Stephen Kitchman"), ("TB", "Tom Brown")]),
        (
            "Recommendations",
            [("1", None, None, "Recommendation 1"), ("2", None, None, "Recommendation 2")],
        ),
        (
            "Actions",
            [
                (
                    "1.1",
                    "1",
                    "Do the first thing",
                    "SK",
                    datetime(2016, 6, 30),
                    None,
                    "Complete",
                    datetime(2016, 6, 1),
                    "G",
                ),
                (
                    "1.2",
                    "1",
                    "Do the second thing",
                    "ZZ",
                    "31/04/2016",
                    None,
                    "On track",
                    None,
                    "A",
                ),
                (
                    "2.1",
                    "2",
                    "Do the third thing",
                    "TB",
                    datetime(2016, 12, 31),
                    None,
                    "On track",
                    None,
                    "A",
                ),
            ],
        ),
    ):
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row, start=1):
                wb[sheet].cell(i, j).value = value
    wb.save(path)


PEACH = bytes((0xFC, 0xE4, 0xD6))  # the shading of an Actions row with errors


def test_a_new_tracker_typed_into_shows_checks_and_shaded_rows_after_refresh(tmp_path):
    import re
    import subprocess

    path = new_tracker(tmp_path / "typed.xlsx")
    require("soffice", "pdftotext", "pdftoppm")
    _type_like_an_officer(path)
    summary = refresh(path)
    assert {f.action_id for f in summary.findings if f.severity == "error"} == {
        "1.2"
    }  # a date and an owner
    pdf = to_pdf(path, tmp_path)  # LibreOffice computes the Checks column as it opens the file
    laid_out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # each action's lines on the Actions sheet's pages (its header names the sheet): a row printed across pages
    # (the sheet prints at 75 %, never below 8 pt) starts each page with its ID, the sheet's print title column
    sheets = [page.strip().split()[0] if page.strip() else "" for page in laid_out.split("\f")]
    checks: dict[str, str] = {}
    for sheet, page in zip(sheets, laid_out.split("\f")):
        for line in page.splitlines() if sheet == "Actions" else ():
            if line.strip():
                checks[line.split()[0]] = checks.get(line.split()[0], "") + line
    assert "Errors: 2 - see Checks" in checks["1.2"]
    assert "Errors" not in checks["1.1"] + checks["2.1"]
    subprocess.run(
        ["pdftoppm", "-r", "30", str(pdf), str(tmp_path / "page")], check=True, capture_output=True
    )
    shaded = []
    for page in sorted(tmp_path.glob("page*.ppm")):
        data = page.read_bytes()
        pixels = data[
            re.match(rb"P6\s+\d+\s+\d+\s+\d+\s", data).end() :
        ]  # binary PPM: a header, then RGB bytes
        shaded.append(sum(pixels[i : i + 3] == PEACH for i in range(0, len(pixels), 3)))
    # the Actions sheet has its error row shaded, the Dashboard (its first pages) nothing
    on = {sheet: 0 for sheet in sheets}
    for sheet, count in zip(sheets, shaded):
        on[sheet] += count
    assert on["Actions"] > 0 and on["Dashboard"] == 0
