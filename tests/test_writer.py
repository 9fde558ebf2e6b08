"""The tracker workbook officers open: real tables, drop-downs, date validation, RAG colours, UK dates."""

from datetime import date

import openpyxl
import pytest

from workbook import layout, schema
from workbook.writer import checks_formula, fit_height


@pytest.fixture(scope="module")
def wb(demo_master):
    return openpyxl.load_workbook(demo_master)


def test_sheets_in_order_and_computed_ones_marked(wb):
    assert wb.sheetnames == ["Dashboard", "Actions", "Checks", "Slippage", "Recommendations", "Leads", "Revisions",
                             "Periods", "Settings"]
    for name in schema.COMPUTED_SHEETS:
        ws = wb[name]
        assert "do not type here" in ws["A2"].value
        assert any(dv.type == "custom" and dv.formula1 == "FALSE" for dv in ws.data_validations.dataValidation)


@pytest.mark.parametrize("spec", schema.OFFICER_SHEETS, ids=lambda s: s.name)
def test_each_list_is_an_excel_table_with_a_frozen_header(wb, spec):
    ws = wb[spec.name]
    assert spec.table in ws.tables
    table = ws.tables[spec.table]
    assert table.ref.startswith("A1:")
    assert [c.value for c in ws[1]][: len(spec.headers)] == list(spec.headers)
    assert ws.freeze_panes in ("A2", "B2")


def test_actions_guided_entry(wb):
    ws = wb["Actions"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    by_column = {ref.split(":")[0].rstrip("0123456789"): dv for ref, dv in rules.items()}
    assert by_column["B"].type == "list" and by_column["B"].formula1 == "ot_recs"
    assert by_column["D"].type == "list" and by_column["D"].formula1 == "ot_leads"
    assert by_column["D"].showErrorMessage is False  # several owners ("SK/TB") must stay possible
    assert by_column["G"].formula1 == '"Complete,On track,At risk,Not started"'
    assert by_column["I"].formula1 == '"G,A,R"'
    for letter in "EFHK":
        assert by_column[letter].type == "date"
    assert ws["E2"].number_format == "dd/mm/yyyy"
    assert ws["A2"].number_format == "@"  # ids stay text: 3.10 never becomes 3.1
    assert ws["C2"].alignment.wrap_text
    fills = {rule.dxf.fill.fgColor.rgb[-6:] for cf in ws.conditional_formatting for rule in cf.rules
             if rule.type == "cellIs"}
    assert set(schema.RAG_FILLS.values()) <= fills
    assert ws["L2"].value == checks_formula(2)
    assert set(wb.defined_names) >= {"ot_recs", "ot_leads"}


def test_demo_keeps_the_source_defects_as_typed(wb):
    ws = wb["Actions"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(rows["7.1"], 5).value == "31st April 2016"
    assert ws.cell(rows["8.2"], 5).value == "Align to the roll-out of ICS V12 – Date?"
    assert ws.cell(rows["1.1"], 4).value == "Paul King"
    assert ws.cell(rows["5.1"], 5).value.date() == date(2016, 7, 30)  # the revision's old deadline
    assert ws.cell(rows["5.1"], 6).value.date() == date(2016, 11, 30)


def test_dashboard_chart_reads_the_fixed_rag_rows(wb):
    ws = wb["Dashboard"]
    assert len(ws._charts) == 2  # the RAG chart and the direction-of-travel chart
    trend = [s.val.numRef.f for s in ws._charts[1].series]
    assert trend == [f"'Dashboard'!${c}${layout.TREND_FIRST_ROW}" for c in "KLM"]  # one point: the plan now
    refs = [s.val.numRef.f for s in ws._charts[0].series]
    first, last = layout.OVERALL_ROWS
    assert refs == [f"'Dashboard'!$B${first}:$B${last}", f"'Dashboard'!$C${first}:$C${last}"]
    assert [ws.cell(r, 1).value.split(" (")[0] for r in range(first, last + 1)] == [
        "Completed by deadline", "Ongoing within deadline", "Not completed by deadline"]


def test_fit_height_grows_with_wrapped_text():
    assert fit_height(["short"], [20]) is None
    assert fit_height(["x" * 100], [20]) == 5 * 15
    assert fit_height(["a\nb\nc"], [50]) == 3 * 15


def test_formula_looking_text_stays_text(tmp_path):
    from workbook.demo import demo_rows
    from workbook.tracker import new_tracker

    rows = demo_rows()
    rows["Actions"][0]["text"] = '=HYPERLINK("http://example.invalid","click")'
    rows["Actions"][1]["commentary"] = "+cmd|' /C calc'!A0"
    path = new_tracker(tmp_path / "t.xlsx", rows)
    ws = openpyxl.load_workbook(path)["Actions"]
    assert ws["C2"].data_type == "s" and ws["C2"].value.startswith("=HYPERLINK")
    assert ws["J3"].data_type == "s"
    assert ws["L2"].data_type == "f"  # the tool's own Checks formula is still a formula
