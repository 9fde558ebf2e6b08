"""Refresh writes the computed sheets and nothing else; new trackers; the as-at date is never silently today."""

import openpyxl
import pytest

from workbook import layout
from workbook.errors import UnusableInput, WorkbookLocked
from workbook.tracker import new_tracker, open_summary, refresh

OFFICER = ("Actions", "Recommendations", "Leads", "Revisions", "Periods", "Settings")


def _cells(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in OFFICER:
        for row in wb[name].iter_rows():
            for c in row:
                out[(name, c.coordinate)] = (c.value, c.number_format, c.font.b, c.fill.fgColor.rgb, c.alignment.wrap_text)
    dvs = {name: sorted(str(dv.sqref) + str(dv.formula1) for dv in wb[name].data_validations.dataValidation) for name in OFFICER}
    cfs = {name: sorted(str(cf.sqref) for cf in wb[name].conditional_formatting) for name in OFFICER}
    return out, dvs, cfs, sorted(wb.defined_names)


def test_refresh_keeps_every_officer_cell_value_and_style(demo_tracker):
    before = _cells(demo_tracker)
    summary = refresh(demo_tracker)
    after = _cells(demo_tracker)
    assert before == after
    backups = list((demo_tracker.parent / "backups").iterdir())
    assert len(backups) == 1


def test_refresh_writes_the_figures_into_the_dashboard(demo_tracker):
    s = refresh(demo_tracker, period="Q3")
    ws = openpyxl.load_workbook(demo_tracker)["Dashboard"]
    first, last = layout.OVERALL_ROWS
    assert [ws.cell(r, 2).value for r in range(first, last + 1)] == [len(s.overall.completed), len(s.overall.ongoing),
                                                                   len(s.overall.not_completed)]
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
