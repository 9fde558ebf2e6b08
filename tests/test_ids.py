"""Action ids as a council writes them (issue 20, item 5): natural order everywhere, and ids made for a plan with
none by ``validate --fix-ids``."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from ofsted_tracker.cli import app
from ofsted_tracker.report_builder.context import report_context
from ofsted_tracker.workbook.jobs import new_tracker, open_summary
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.ids import in_order, natural_key
from ofsted_tracker.workbook.rules import layout

AS_AT = date(2016, 10, 31)


def test_ids_sort_naturally_numbers_as_numbers_and_case_ignored():
    assert in_order(["1.10", "1.2", "1.1"]) == ["1.1", "1.2", "1.10"]
    assert in_order(["2.01.10", "2.01.02", "2.1.3"]) == ["2.01.02", "2.1.3", "2.01.10"]
    assert in_order(["10a", "9a", "1b", "1a"]) == ["1a", "1b", "9a", "10a"]
    assert in_order(["r3.10", "R3.2", "A10", "a2", "A1"]) == ["A1", "a2", "A10", "R3.2", "r3.10"]
    assert in_order(["10", "9", "1.2a", "1.2"]) == ["1.2", "1.2a", "9", "10"]


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
NOT_DIGIT_AT_EDGE = st.text(alphabet="abcAB.-_ R", max_size=5)


@given(st.lists(TEXT, max_size=20), st.randoms())
def test_the_order_is_total_whatever_order_the_ids_come_in(ids, rnd):
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert in_order(shuffled) == in_order(ids)
    assert all(natural_key(a) <= natural_key(b) for a, b in zip(in_order(ids), in_order(ids)[1:]))


@given(NOT_DIGIT_AT_EDGE, st.integers(0, 10**6), st.integers(0, 10**6), NOT_DIGIT_AT_EDGE)
def test_numbers_compare_as_numbers_between_the_same_text(before, m, n, after):
    if after[:1].isdigit():
        return
    a, b = f"{before}{m}{after}", f"{before}{n}{after}"
    assert (natural_key(a) < natural_key(b)) == (m < n)


@given(st.text(alphabet="abcxyzABCXYZ0123456789.", max_size=10))
def test_case_is_ignored_but_for_breaking_a_tie(text):
    assert natural_key(text.upper())[0] == natural_key(text.lower())[0]


def typed(aid: str, rec: str = "1", **more) -> dict:
    return {
        "action_id": aid,
        "rec_id": rec,
        "text": f"Action {aid}",
        "owners": "SK",
        "original_deadline": date(2016, 9, 30),
        "status": "On track",
        **more,
    }


def tracker(path, actions, recs=("1",), settings=None):
    rows = {
        "Actions": actions,
        "Recommendations": [{"rec_id": r, "text": f"Recommendation {r}"} for r in recs],
        "Leads": [{"initials": "SK", "name": "Stephen Kitchman"}],
        "Periods": [{"name": "Q2", "start": date(2016, 8, 1), "end": date(2016, 10, 31)}],
        "Settings": [
            {"key": k, "value": v}
            for k, v in {"As at date": AS_AT, "Reporting period": "Q2", **(settings or {})}.items()
        ],
    }
    return new_tracker(path, rows)


def test_a_plan_typed_1_10_before_1_2_is_shown_in_natural_order_everywhere(tmp_path):
    path = tracker(
        tmp_path / "t.xlsx",
        [typed("1.10"), typed("1.2"), typed("1.1"), typed("10.1", "10"), typed("9.1", "9")],
        recs=("10", "9", "1"),
    )
    ids = ["1.1", "1.2", "1.10", "9.1", "10.1"]
    result = CliRunner().invoke(app, ["summary", str(path), "--json"])
    data = json.loads(result.output)
    assert data["overall"]["total"]["actions"] == ids
    assert [s["action"] for s in data["slippage"]] == ids
    assert data["period"]["due"]["actions"] == ids
    s = open_summary(path)
    dashboard = layout.computed_grids(s)[schema.DASHBOARD]
    assert any(", ".join(ids) in str(cell) for row in dashboard for cell in row)
    context = report_context(s)
    recs = [r for section in context["sections"] for r in section["recommendations"]]
    assert [r["ref"] for r in recs] == ["1", "9", "10"]
    assert [a["ref"] for a in recs[0]["actions"]] == ["1.1", "1.2", "1.10"]


def test_fresh_ids_go_on_from_each_recommendations_highest_and_number_plans_with_none():
    from ofsted_tracker.workbook.plan.ids import fresh_ids
    from ofsted_tracker.workbook.plan.model import Action

    def a(aid, rec, row):
        return Action(aid, rec, f"Action {row}", ("SK",), None, None, "On track", row=row)

    actions = [a("3.3", "3", 2), a("", "3", 3), a("", "3", 4), a("2.01.02", "2.01", 5)]
    actions += [a("", "2.01", 6), a("", "", 7), a("4", "", 8), a("", "7", 9), a("7.1", "7", 10)]
    given = [(x.row, new) for x, new in fresh_ids(actions)]
    assert given == [(3, "3.4"), (4, "3.5"), (6, "2.01.03"), (7, "5"), (9, "7.2")]
    assert fresh_ids([a("1", "", 2), a("", "", 3), a("", "", 4)])[1][1] == "3"
    assert fresh_ids(actions[:1]) == []


def blank_ids_tracker(tmp_path):
    return tracker(
        tmp_path / "t.xlsx",
        [
            typed("3.3", "3"),
            {**typed("", "3"), "text": "Set up a panel of care leavers to review the pathway plan"},
            typed("", "3"),
            typed("", "1"),
        ],
        recs=("1", "3"),
    )


def test_validate_reports_blank_ids_at_their_cells_and_names_fix_ids(tmp_path):
    path = blank_ids_tracker(tmp_path)
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    blank = [f for f in json.loads(result.output)["findings"] if f["code"] == "id-blank"]
    assert [(f["severity"], f["where"]) for f in blank] == [
        ("error", "Actions!A3"),
        ("error", "Actions!A4"),
        ("error", "Actions!A5"),
    ]
    assert all("--fix-ids" in f["message"] for f in blank)
    assert path.read_bytes() == before  # never silently


def test_validate_fix_ids_writes_the_ids_once_lists_them_and_keeps_the_rest(tmp_path):
    import openpyxl

    path = blank_ids_tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    ws["J3"].value = "Typed by the officer"  # commentary, kept
    rules_before = sorted(str(dv.sqref) for dv in ws.data_validations.dataValidation)
    wb.save(path)
    result = CliRunner().invoke(app, ["validate", str(path), "--fix-ids"])
    assert result.exit_code == 0, result.output
    assert "3 actions had no Action ID" in result.output
    assert (
        "Actions!A3: id 3.4 given to 'Set up a panel of care leavers to revie\u2026'"
        in result.output
    )
    assert "Actions!A4: id 3.5 given to 'Action'" in result.output
    assert "Actions!A5: id 1.1 given to" in result.output
    assert list((tmp_path / "backups").iterdir())  # the workbook before
    ws = openpyxl.load_workbook(path)["Actions"]
    assert [ws[f"A{r}"].value for r in range(2, 6)] == ["3.3", "3.4", "3.5", "1.1"]
    assert ws["A4"].data_type == "s"  # text, so 3.10 would stay 3.10
    assert ws["J3"].value == "Typed by the officer"
    assert sorted(str(dv.sqref) for dv in ws.data_validations.dataValidation) == rules_before
    again = CliRunner().invoke(app, ["validate", str(path), "--fix-ids", "--json"])
    data = json.loads(again.output)
    assert not [f for f in data["findings"] if f["code"] in ("id-blank", "ids-given")]
    assert "Every action has an Action ID" not in again.output  # --json prints JSON only


def test_fix_ids_is_refused_while_excel_has_the_workbook_open(tmp_path):
    path = blank_ids_tracker(tmp_path)
    before = path.read_bytes()
    (tmp_path / f"~${path.name}").write_text("owner")
    result = CliRunner().invoke(app, ["validate", str(path), "--fix-ids"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "open in Excel" in result.output and path.read_bytes() == before
