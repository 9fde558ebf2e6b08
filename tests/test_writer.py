"""The tracker workbook officers open: real tables, drop-downs, date validation, RAG colours, UK dates."""

from datetime import date

import openpyxl
import pytest

from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.rules.layout import fit_height
from ofsted_tracker.workbook.store.writer import FORMULA_ROWS, NOT_RATED_FILL, checks_formula

CHECKS = len(schema.ACTIONS.columns) + 1  # the Checks column comes after every Actions column (O)
DATES = "".join(
    schema.ACTIONS.letter(c.field) for c in schema.ACTIONS.columns if c.kind == schema.DATE
)  # EFHKN


@pytest.fixture(scope="module")
def wb(demo_master):
    return openpyxl.load_workbook(demo_master)


def test_sheets_in_order_and_computed_ones_marked(wb):
    assert wb.sheetnames == [
        "Dashboard",
        "Actions",
        "Checks",
        "Slippage",
        "Recommendations",
        "Leads",
        "Revisions",
        "Periods",
        "Settings",
    ]
    for name in schema.COMPUTED_SHEETS:
        ws = wb[name]
        assert "do not type here" in ws["A2"].value
        assert any(
            dv.type == "custom" and dv.formula1 == "FALSE"
            for dv in ws.data_validations.dataValidation
        )


@pytest.mark.parametrize("spec", schema.OFFICER_SHEETS, ids=lambda s: s.name)
def test_each_list_is_an_excel_table_with_a_frozen_header(wb, spec):
    ws = wb[spec.name]
    assert spec.table in ws.tables
    table = ws.tables[spec.table]
    assert table.ref.startswith("A1:")
    assert [c.value for c in ws[1]][: len(spec.headers)] == list(spec.headers)
    assert ws.freeze_panes in ("A2", "B2")


def _rules(ws) -> dict[str, object]:
    """Each validation rule by the first column it covers."""
    return {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in ws.data_validations.dataValidation
    }


def test_actions_guided_entry(wb):
    ws = wb["Actions"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    by_column = _rules(ws)
    assert by_column["B"].type == "list" and by_column["B"].formula1 == "ot_recs"
    assert by_column["D"].type == "list" and by_column["D"].formula1 == "ot_leads"
    assert by_column["D"].showErrorMessage is False  # several owners ("SK/TB") must stay possible
    assert by_column["G"].formula1.startswith('"Complete,Completed,Achieved,Done,Closed,On track,')
    assert by_column["I"].formula1 == '"G,A,R"'
    for letter in DATES:
        assert by_column[letter].type == "date"
    assert sorted(rules) == sorted(
        f"{c}2:{c}1048576" for c in sorted("BDGI" + DATES)
    )  # whole Table columns: they grow with it
    assert ws["E2"].number_format == "dd/mm/yyyy"
    assert ws["A2"].number_format == "@"  # ids stay text: 3.10 never becomes 3.1
    assert (
        ws.column_dimensions["A"].number_format == "@"
        and ws.column_dimensions["E"].number_format == "dd/mm/yyyy"
    )
    assert ws["C2"].alignment.wrap_text
    fills = {
        rule.dxf.fill.fgColor.rgb[-6:]
        for cf in ws.conditional_formatting
        for rule in cf.rules
        if rule.type == "cellIs"
    }
    assert set(schema.RAG_FILLS.values()) <= fills
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {
        "I2:I1048576",
        f"A2:{schema.column_letter(CHECKS)}1048576",
    }
    assert ws.cell(2, CHECKS).value == checks_formula(2)


def test_lists_are_whole_table_columns_so_blank_rows_do_not_cut_them(wb):
    assert {
        name: wb.defined_names[name].attr_text
        for name in ("ot_recs", "ot_leads", "ot_periods", "ot_actions")
    } == {
        "ot_recs": "Recommendations[Rec]",
        "ot_leads": "Leads[Initials]",
        "ot_periods": "Periods[Period]",
        "ot_actions": "Actions[Action ID]",
    }
    for spec in schema.OFFICER_SHEETS:  # each name's column is a real column of its Table
        assert [c.name for c in wb[spec.name].tables[spec.table].tableColumns][
            : len(spec.headers)
        ] == list(spec.headers)


def test_the_checks_column_is_a_table_calculated_column(wb):
    table = wb["Actions"].tables["Actions"]
    column = table.tableColumns[-1]
    assert column.name == schema.CHECKS_COLUMN
    assert (
        column.calculatedColumnFormula.attr_text == checks_formula(2)[1:]
    )  # Excel fills each new Table row with it


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    from ofsted_tracker.workbook.jobs import new_tracker

    return openpyxl.load_workbook(new_tracker(tmp_path_factory.mktemp("blank") / "blank.xlsx"))


def test_a_blank_tracker_has_the_checks_formula_ready_below_its_table(blank):
    ws = blank["Actions"]
    assert ws.tables["Actions"].tableColumns[-1].calculatedColumnFormula is not None
    assert [ws.cell(r, CHECKS).value for r in (2, 3, 500, FORMULA_ROWS)] == [
        checks_formula(r) for r in (2, 3, 500, FORMULA_ROWS)
    ]


def test_settings_and_revisions_have_drop_downs_and_dates(blank):
    ws = blank["Settings"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    period = rules[f"B{rows['Reporting period']}"]
    assert period.type == "list" and period.formula1 == "ot_periods" and period.showErrorMessage
    for key in schema.SETTING_DATES:
        assert rules[f"B{rows[key]}"].type == "date"
        assert ws.cell(rows[key], 2).number_format == "dd/mm/yyyy"
    revisions = _rules(blank["Revisions"])
    assert str(revisions["A"].sqref) == "A2:A1048576" and revisions["A"].formula1 == "ot_actions"
    assert revisions["A"].type == "list" and revisions["A"].showErrorMessage
    assert {str(dv.sqref) for dv in blank["Periods"].data_validations.dataValidation} == {
        "B2:B1048576",
        "C2:C1048576",
    }


def _row_tags(path, sheet: str) -> dict[int, dict[str, str]]:
    """The attributes of each <row> of a sheet, straight from the package (openpyxl hides customHeight)."""
    import re
    import zipfile

    from ofsted_tracker.workbook.store.package import sheet_parts

    with zipfile.ZipFile(path) as package:
        xml = package.read(sheet_parts(package)[sheet]).decode()
    rows = {}
    for tag in re.findall(r"<row\b([^>]*)>", xml):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        rows[int(attributes["r"])] = attributes
    return rows


@pytest.mark.parametrize("sheet", [s.name for s in schema.OFFICER_SHEETS])
def test_officers_rows_are_never_fixed_height(demo_master, sheet):
    rows = _row_tags(demo_master, sheet)
    assert not [
        r for r, a in rows.items() if "customHeight" in a
    ]  # Excel re-fits them as officers type
    # long text still shows when the file is first opened (LibreOffice does not fit rows)
    if sheet == "Actions":
        assert sum("ht" in a for a in rows.values()) > 40


def test_refresh_gives_the_computed_sheets_sane_heights(demo_tracker):
    from ofsted_tracker.workbook.jobs import refresh

    refresh(demo_tracker)
    for sheet in schema.COMPUTED_SHEETS:
        rows = _row_tags(demo_tracker, sheet)
        assert "ht" not in rows[1] and "ht" not in rows[2], (
            sheet
        )  # the title and the note: one line each
        heights = [float(a["ht"]) for a in rows.values() if "ht" in a]
        assert heights and max(heights) <= 90, (sheet, max(heights))


def test_computed_lists_repeat_their_header_row_when_printed(wb, demo_tracker):
    from ofsted_tracker.workbook.jobs import refresh

    header = f"${layout.TABLE_HEADER_ROW}:${layout.TABLE_HEADER_ROW}"
    for name in (schema.CHECKS, schema.SLIPPAGE):
        assert wb[name].print_title_rows == header
    refresh(demo_tracker)
    after = openpyxl.load_workbook(demo_tracker)
    assert (
        after[schema.CHECKS].print_title_rows == header
        and after[schema.SLIPPAGE].print_title_rows == header
    )


def test_demo_keeps_the_source_defects_as_typed(wb):
    ws = wb["Actions"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(rows["7.1"], 5).value == "31st April 2016"
    assert ws.cell(rows["8.2"], 5).value == "Align to the roll-out of ICS V12 – Date?"
    assert ws.cell(rows["1.1"], 4).value == "Paul King"
    assert ws.cell(rows["5.1"], 5).value.date() == date(2016, 7, 30)  # the revision's old deadline
    assert ws.cell(rows["5.1"], 6).value.date() == date(2016, 11, 30)


def test_dashboard_chart_has_a_series_per_rag_in_its_colour_including_not_rated(wb):
    ws = wb["Dashboard"]
    assert len(ws._charts) == 2  # the RAG chart and the direction-of-travel chart
    trend = [s.val.numRef.f for s in ws._charts[1].series]
    assert trend == [
        f"'Dashboard'!${c}${layout.TREND_FIRST_ROW}" for c in "KLM"
    ]  # one point: the plan now
    chart = ws._charts[0]
    first, last = layout.CHART_ROWS
    assert [s.val.numRef.f for s in chart.series] == [
        f"'Dashboard'!$B${r}:$C${r}" for r in range(first, last + 1)
    ]
    assert [s.tx.strRef.f for s in chart.series] == [
        f"'Dashboard'!$A${r}" for r in range(first, last + 1)
    ]
    assert [str(s.graphicalProperties.solidFill.srgbClr) for s in chart.series] == [
        schema.RAG_FILLS["G"],
        schema.RAG_FILLS["A"],
        schema.RAG_FILLS["R"],
        NOT_RATED_FILL,
    ]
    assert (
        chart.series[0].cat.numRef.f == "'Dashboard'!$B$4:$C$4"
        or chart.series[0].cat.strRef.f == "'Dashboard'!$B$4:$C$4"
    )
    assert [ws.cell(r, 1).value.split(" (")[0] for r in range(first, last + 1)] == [
        "Completed by deadline",
        "Ongoing within deadline",
        "Not completed by deadline",
        "Not rated",
    ]
    assert [ws.cell(layout.OVERALL_HEADER_ROW, c).value for c in (2, 3)] == [
        "By the rule",
        "As recorded",
    ]


def test_fit_height_grows_with_wrapped_text():
    assert fit_height(["short"], [20]) is None
    assert fit_height(["x" * 100], [20]) == 5 * 15
    assert fit_height(["a\nb\nc"], [50]) == 3 * 15


def test_formula_looking_text_stays_text(tmp_path):
    from ofsted_tracker.workbook.demo import demo_rows
    from ofsted_tracker.workbook.jobs import new_tracker

    rows = demo_rows()
    rows["Actions"][0]["text"] = '=HYPERLINK("http://example.invalid","click")'
    rows["Actions"][1]["commentary"] = "+cmd|' /C calc'!A0"
    path = new_tracker(tmp_path / "t.xlsx", rows)
    ws = openpyxl.load_workbook(path)["Actions"]
    assert ws["C2"].data_type == "s" and ws["C2"].value.startswith("=HYPERLINK")
    assert ws["J3"].data_type == "s"
    assert ws.cell(2, CHECKS).data_type == "f"  # the tool's own Checks formula is still a formula
