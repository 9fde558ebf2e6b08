"""Any council's conventions (issue 20): rating schemes, status words, free ids, ongoing actions, withdrawn
actions and organisations as owners, read through the parser as a tracker's cells would be."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app
from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.parse import RawTable, parse_plan, split_owners
from ofsted_tracker.workbook.rules.summary import summarise

AS_AT = date(2016, 10, 31)


def tables(actions: list[dict], settings: dict | None = None, leads: list[dict] | None = None):
    rows = {
        "Actions": actions,
        "Recommendations": [{"rec_id": "1", "text": "Recommendation 1"}],
        "Leads": leads if leads is not None else [{"initials": "SK", "name": "Stephen Kitchman"}],
        "Revisions": [],
        "Periods": [{"name": "Q2", "start": date(2016, 8, 1), "end": date(2016, 10, 31)}],
        "Settings": [{"key": k, "value": v} for k, v in (settings or {}).items()],
    }
    return {
        spec.name: RawTable(
            spec.name,
            {c.field: schema.column_letter(i) for i, c in enumerate(spec.columns, 1)},
            [(i, r) for i, r in enumerate(rows[spec.name], start=2)],
        )
        for spec in schema.OFFICER_SHEETS
    }


def row(aid, deadline, status, **more):
    return {
        "action_id": aid,
        "rec_id": "1",
        "text": f"Action {aid}",
        "owners": "SK",
        "original_deadline": deadline,
        "status": status,
        **more,
    }


# One action of each kind, typed in a council's own words: done early, done late, on track, delayed with the
# deadline to come, overdue (5 and 60 days), off track, ongoing, withdrawn.
PLAN_ROWS = [
    row("2.01.01", date(2016, 9, 30), "Achieved", completed_on=date(2016, 9, 1)),
    row("2.01.02", date(2016, 9, 30), "Closed", completed_on=date(2016, 10, 15)),
    row("2.01.10", date(2016, 12, 31), "Work in progress"),
    row("1a", date(2016, 12, 31), "Delayed"),
    row("A1", date(2016, 10, 26), "In progress"),
    row("A2", date(2016, 9, 1), "In progress"),
    row("R3.2", date(2016, 12, 31), "Off track"),
    row("3", "Ongoing", "Business as usual"),
    row("4", date(2016, 9, 30), "Superseded", commentary="Merged into 2.01.10"),
]

EXPECTED = {  # scheme: rating of each action above, in order (withdrawn: None)
    "RAG": ["G", "R", "A", "R", "R", "R", "R", "A", None],
    "BRAG": ["G", "R", "A", "R", "R", "R", "R", "A", None],
    "RAG + Completed": ["C", "C", "G", "A", "R", "R", "R", "G", None],
    "Days behind": ["C", "C", "G", "G", "A", "R", "G", "G", None],
}


@pytest.mark.parametrize("scheme", list(EXPECTED))
def test_each_scheme_rates_the_councils_own_words_with_no_convention_errors(scheme):
    plan, findings = parse_plan(tables(PLAN_ROWS, {"Rating scheme": scheme}))
    s = summarise(plan, AS_AT, "Q2", tuple(findings))
    assert [s.ratings[r["action_id"]] for r in PLAN_ROWS] == EXPECTED[scheme]
    assert [f for f in s.findings if f.severity == "error"] == []
    # the counts leave the withdrawn action out and still add up
    o = s.overall
    assert len(o.total) == 8
    assert sum(len(o.of(b.letter)) for b in plan.scheme.buckets) + len(o.not_rated) == 8
    data = s.as_dict()
    assert data["rating_scheme"] == scheme
    assert [w["action"] for w in data["withdrawn"]] == ["4"]
    assert data["withdrawn"][0]["commentary"] == "Merged into 2.01.10"
    assert data["no_end_date"] == ["3"]
    assert [x["derived_rag"] for x in data["slippage"] if x["action"] == "2.01.01"] == [
        EXPECTED[scheme][0]
    ]
    # the period never counts the ongoing or the withdrawn action
    assert "3" not in s.period.due and "4" not in s.period.due


def test_the_completed_schemes_list_late_completions_and_days_behind_lists_rescheduled():
    plan, _ = parse_plan(tables(PLAN_ROWS, {"Rating scheme": "RAG + Completed"}))
    assert summarise(plan, AS_AT).as_dict()["completed_late"] == ["2.01.02"]
    plan, _ = parse_plan(tables(PLAN_ROWS, {"Rating scheme": "Days behind"}))
    assert "rescheduled_with_approval" in summarise(plan, AS_AT).as_dict()


def test_days_behind_follows_the_tolerance_and_refuses_a_tolerance_that_is_not_days():
    plan, _ = parse_plan(
        tables(PLAN_ROWS, {"Rating scheme": "Days behind", "Amber tolerance (days)": "90"})
    )
    assert summarise(plan, AS_AT).ratings["A2"] == "A"  # 60 days behind, within 90
    plan, _ = parse_plan(
        tables(PLAN_ROWS, {"Rating scheme": "Days behind", "Amber tolerance (days)": "a month"})
    )
    found = [f for f in summarise(plan, AS_AT).findings if f.code == "tolerance-not-days"]
    assert [(f.severity, f.where) for f in found] == [("error", "Settings!B3")]


def test_recorded_rag_accepts_exactly_the_schemes_letters():
    typed = [row("1.1", date(2016, 9, 30), "Complete", recorded_rag="C")]
    plan, findings = parse_plan(tables(typed, {"Rating scheme": "RAG + Completed"}))
    assert plan.actions[0].recorded_rag == "C" and not [f for f in findings if f.code == "choice"]
    plan, findings = parse_plan(tables(typed, {"Rating scheme": "RAG"}))
    assert [f.where for f in findings if f.code == "choice"] == ["Actions!I2"]


def test_a_status_word_in_no_row_is_an_error_naming_the_table_and_a_word_twice_is_refused():
    plan, findings = parse_plan(tables([row("1.1", date(2016, 9, 30), "Nearly there")]))
    found = [f for f in findings if f.code == "choice"]
    assert [f.where for f in found] == ["Actions!G2"] and "Words for" in found[0].message
    plan, findings = parse_plan(
        tables(
            [row("1.1", date(2016, 9, 30), "Signed off")],
            {"Words for complete": "Signed off, Complete", "Words for on track": "Signed off"},
        )
    )
    assert [f.code for f in findings if f.code == "status-word-twice"] == ["status-word-twice"]


def test_a_councils_own_word_list_replaces_the_default_for_its_meaning():
    plan, findings = parse_plan(
        tables([row("1.1", date(2016, 9, 30), "Signed off")], {"Words for complete": "Signed off"})
    )
    assert plan.actions[0].is_complete and plan.actions[0].status == "Signed off"
    assert not [f for f in findings if f.severity == "error"]


def test_an_ongoing_original_deadline_with_a_dated_current_deadline_is_one_finding():
    plan, findings = parse_plan(
        tables([row("1.1", "Ongoing", "On track", current_deadline=date(2016, 12, 31))])
    )
    assert [f.where for f in findings if f.code == "ongoing-with-deadline"] == ["Actions!E2"]


def test_organisations_are_owners_and_supporting_text_is_a_note():
    leads = [
        {"name": "LA"},
        {"name": "ICB"},
        {"name": "Health and Wellbeing Board"},
        {"initials": "SK", "name": "Stephen Kitchman"},
    ]
    known = {"la", "icb", "health and wellbeing board", "sk", "stephen kitchman"}
    assert split_owners("LA and ICB", known) == (("LA", "ICB"), "")
    assert split_owners("Health and Wellbeing Board", known) == (
        ("Health and Wellbeing Board",),
        "",
    )
    assert split_owners("LA with support from all partners", known) == (
        ("LA",),
        "with support from all partners",
    )
    assert split_owners("SK; LA & ICB", known) == (("SK", "LA", "ICB"), "")
    typed = [
        row("1.1", date(2016, 12, 31), "On track", owners="LA and ICB"),
        row("1.2", date(2016, 12, 31), "On track", owners="LA with support from all partners"),
    ]
    plan, findings = parse_plan(tables(typed, leads=leads))
    s = summarise(plan, AS_AT, None, tuple(findings))
    assert not [f for f in s.findings if f.code.startswith("owner")]
    assert plan.actions[1].supporting == "with support from all partners"


def test_new_makes_a_tracker_in_any_scheme_with_its_drop_downs(tmp_path):
    path = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["new", str(path), "--scheme", "RAG + Completed"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["Actions"]
    rules = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules[f"{schema.ACTIONS.letter('recorded_rag')}2"] == '"C,G,A,R"'
    assert "Achieved" in rules[f"{schema.ACTIONS.letter('status')}2"]
    assert open_summary(path, AS_AT).plan.scheme is schemes.RAG_COMPLETED
    bad = CliRunner().invoke(app, ["new", str(tmp_path / "u.xlsx"), "--scheme", "Traffic lights"])
    assert bad.exit_code != 0 and "'Traffic lights' is not a rating scheme" in bad.output
    assert "Traceback" not in bad.output and not (tmp_path / "u.xlsx").exists()


def looks(path):
    """What a tracker's conventions look like: Recorded RAG and status drop-downs, the rating colours, the
    Dashboard's labels and fills, and the rating chart's series."""
    import zipfile

    from lxml import etree

    wb = openpyxl.load_workbook(path)
    actions = wb["Actions"]
    lists = {
        str(dv.sqref).split(":")[0]: (dv.formula1, dv.prompt)
        for dv in actions.data_validations.dataValidation
    }

    def colours(ws):
        return sorted(
            (
                str(cf.sqref),
                rule.formula[0],
                rule.dxf.fill.bgColor.rgb[-6:],
                rule.dxf.font.color.rgb[-6:],
            )
            for cf in ws.conditional_formatting
            for rule in cf.rules
            if rule.type == "cellIs"
        )

    dash = wb["Dashboard"]
    rows = [
        (
            dash.cell(r, 1).value,
            dash.cell(r, 1).fill.fgColor.rgb if dash.cell(r, 1).fill.fill_type else None,
        )
        for r in range(4, 13)
    ]
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    with zipfile.ZipFile(path) as z:
        bar = next(
            etree.fromstring(z.read(n))
            for n in z.namelist()
            if n.startswith("xl/charts/") and b"barChart" in z.read(n)
        )
    series = [
        (
            ser.find(f"{c}tx//{c}f").text,
            ser.find(f"{c}val//{c}f").text,
            ser.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}srgbClr").get(
                "val"
            ),
        )
        for ser in bar.iter(f"{c}ser")
    ]
    rag, status = schema.ACTIONS.letter("recorded_rag"), schema.ACTIONS.letter("status")
    return {
        "recorded_rag": lists[f"{rag}2"],
        "status": lists[f"{status}2"],
        "actions": colours(actions),
        "slippage": colours(wb["Slippage"]),
        "dashboard": rows,
        "chart": series,
    }


SCHEME_ROWS = {
    "Actions": [
        row("1.1", date(2016, 9, 30), "Complete", completed_on=date(2016, 9, 1), recorded_rag="G"),
        row("1.2", date(2016, 12, 31), "In progress", commentary="Typed by the officer"),
    ],
    "Recommendations": [{"rec_id": "1", "text": "Recommendation 1"}],
    "Leads": [{"initials": "SK", "name": "Stephen Kitchman"}],
    "Periods": [{"name": "Q2", "start": date(2016, 8, 1), "end": date(2016, 10, 31)}],
}


def made(path, scheme, words=None):
    from ofsted_tracker.workbook.jobs import new_tracker

    settings = {"As at date": AS_AT, "Rating scheme": scheme, **(words or {})}
    rows = {**SCHEME_ROWS, "Settings": [{"key": k, "value": v} for k, v in settings.items()]}
    return new_tracker(path, rows)


def retyped(path, key, value):
    """An officer's edit of one Settings value, written into its cell as the tool writes cells."""
    from ofsted_tracker.workbook.store.base import Changes
    from ofsted_tracker.workbook.store.file import FileStore

    plan = open_summary(path).plan
    column = schema.column_number(plan.columns["Settings"]["value"])
    FileStore(path).write(Changes(cells={"Settings": {(plan.setting_rows[key], column): value}}))


@pytest.mark.parametrize("scheme", ["BRAG", "RAG + Completed", "Days behind"])
def test_refresh_after_a_scheme_change_matches_a_tracker_made_in_that_scheme(tmp_path, scheme):
    import zipfile

    from ofsted_tracker.workbook.jobs import refresh

    switched = made(tmp_path / "switched.xlsx", "RAG")
    officers = [
        list(r) for r in openpyxl.load_workbook(switched)["Actions"].iter_rows(values_only=True)
    ]
    retyped(switched, "Rating scheme", scheme)
    refresh(switched)
    wanted = looks(made(tmp_path / "made.xlsx", scheme))
    assert looks(switched) == wanted
    assert wanted["recorded_rag"][0] == '"' + ",".join(schemes.scheme_named(scheme).letters) + '"'
    assert [
        list(r) for r in openpyxl.load_workbook(switched)["Actions"].iter_rows(values_only=True)
    ] == officers
    # a second refresh finds nothing to change in the officers' sheet
    with zipfile.ZipFile(switched) as z:
        before = {
            n: z.read(n) for n in z.namelist() if "styles" in n or "sheet2" in n or "charts" in n
        }
    refresh(switched)
    with zipfile.ZipFile(switched) as z:
        assert {n: z.read(n) for n in before} == before
    # and back to RAG: as a tracker made in RAG
    retyped(switched, "Rating scheme", "RAG")
    refresh(switched)
    assert looks(switched) == looks(made(tmp_path / "rag.xlsx", "RAG"))


def test_refresh_after_the_status_words_change_gives_the_drop_down_the_new_words(tmp_path):
    from ofsted_tracker.workbook.jobs import refresh

    words = {"Words for complete": "Signed off, Complete"}
    path = made(tmp_path / "t.xlsx", "RAG")
    plan = open_summary(path).plan
    assert "Signed off" not in looks(path)["status"][0]
    from ofsted_tracker.workbook.store.base import Changes
    from ofsted_tracker.workbook.store.file import FileStore

    key_col = schema.column_number(plan.columns["Settings"]["key"])
    value_col = schema.column_number(plan.columns["Settings"]["value"])
    last = plan.last_rows["Settings"] + 1
    FileStore(path).write(
        Changes(
            cells={
                "Settings": {
                    (last, key_col): "Words for complete",
                    (last, value_col): words["Words for complete"],
                }
            }
        )
    )
    refresh(path)
    assert looks(path)["status"] == looks(made(tmp_path / "made.xlsx", "RAG", words))["status"]
    assert "Signed off" in looks(path)["status"][0]


@pytest.mark.parametrize(
    ("was", "now"), [("Days behind", "RAG + Completed"), ("BRAG", "Days behind")]
)
def test_refresh_between_two_four_bucket_schemes_rewrites_the_message_and_colours(
    tmp_path, was, now
):
    from ofsted_tracker.workbook.jobs import refresh

    path = made(tmp_path / "t.xlsx", was)
    retyped(path, "Rating scheme", now)
    refresh(path)
    assert looks(path) == looks(made(tmp_path / "made.xlsx", now))
    assert f"({now}:" in looks(path)["recorded_rag"][1]


@pytest.mark.parametrize(
    "scheme, late",
    [("RAG", False), ("BRAG", False), ("RAG + Completed", True), ("Days behind", True)],
)
def test_the_dashboard_lists_apart_withdrawn_ongoing_and_completed_late_actions(scheme, late):
    from ofsted_tracker.workbook.rules.layout import total_label

    plan, findings = parse_plan(tables(PLAN_ROWS, {"Rating scheme": scheme}))
    label = total_label(summarise(plan, AS_AT, "Q2", tuple(findings)))
    assert "1 withdrawn left out: 4" in label and "1 ongoing, no end date: 3" in label
    # completed late is its own list only where complete actions are Completed whatever the deadline
    assert ("1 completed late: 2.01.02" in label) is late
    assert "rescheduled with approval" not in label  # no revision in this plan
