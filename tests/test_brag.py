"""BRAG (Blue: complete and embedded) and the Red actions' corrective action and forecast, from the rule to the report."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from ofsted_tracker.cli import app
from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.chart import chart_bars, chart_description
from ofsted_tracker.report_builder.context import report_context
from ofsted_tracker.workbook.demo import SETTINGS, demo_rows
from ofsted_tracker.workbook.jobs import new_tracker, open_summary, snapshot
from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.model import Period, Revision
from ofsted_tracker.workbook.plan.parse import RawTable, parse_plan
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.rules.checks import validate
from ofsted_tracker.workbook.rules.dashboard import derived_ratings, overall
from ofsted_tracker.workbook.rules.rag import derived_rag
from ofsted_tracker.workbook.rules.summary import summarise
from ofsted_tracker.workbook.store.writer import settings_rows
from tests.builders import act, plan_of
from tests.report.reading import body_text, rows, table_with_header, tables_with_header

AS_AT = date(2016, 10, 31)
Q2 = (Period("Q2", date(2016, 5, 1), date(2016, 7, 31), row=2),)
EVIDENCE = (
    "1.1",
    "1.6",
    "2.1",
)  # complete on time in the demo: Blue once their evidence is recorded
LATE_WITH_EVIDENCE = "4.3"  # not complete and overdue in the demo: evidence or not, it stays Red
RED_WITH_PLAN = {
    "1.2": ("Weekly review by the service manager", date(2016, 12, 31)),
    "2.3": ("Extra capacity from the agency team", None),
    "3.3": ("", date(2016, 11, 30)),
}
AT = "Actions"


def _done(evidence: str = "", **kwargs):
    return replace(act(original=date(2016, 6, 30), status="Complete", **kwargs), evidence=evidence)


# --- the rule --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "rag", "brag"),
    [
        (
            _done("Audit shows it embedded", completed_on=date(2016, 6, 30)),
            "G",
            "B",
        ),  # on the day, with evidence
        (_done("Audit shows it embedded"), "G", "B"),  # no completion date: on time, as in RAG
        (_done(completed_on=date(2016, 6, 1)), "G", "G"),  # complete without evidence is Green
        (_done("   ", completed_on=date(2016, 6, 1)), "G", "G"),  # blank evidence is no evidence
        (
            _done("Audit shows it embedded", completed_on=date(2016, 7, 1)),
            "R",
            "R",
        ),  # complete late: Red in both
        (_done(completed_on=date(2016, 7, 1)), "R", "R"),
        (
            replace(act(original=date(2016, 11, 30)), evidence="Early signs"),
            "A",
            "A",
        ),  # not complete: never Blue
        (replace(act(original=date(2016, 9, 30)), evidence="Early signs"), "R", "R"),
        (
            replace(act(original=date(2016, 11, 30), status="At risk"), evidence="Early signs"),
            "R",
            "R",
        ),
        (replace(act(original=None), evidence="Early signs"), None, None),
        (replace(act(original=None, status="Complete"), evidence="Audit"), "G", "B"),
    ],
    ids=[
        "on-the-day",
        "no-completion-date",
        "no-evidence",
        "blank-evidence",
        "late-with-evidence",
        "late",
        "ongoing",
        "overdue",
        "at-risk",
        "no-deadline",
        "complete-no-deadline",
    ],
)
def test_blue_only_in_brag_and_only_with_evidence(action, rag, brag):
    assert derived_rag(action, AS_AT) == rag
    assert derived_rag(action, AS_AT, schemes.RAG) == rag
    assert derived_rag(action, AS_AT, schemes.BRAG) == brag


def _brag(plan, scheme: object = "BRAG"):
    return replace(
        plan,
        settings={**plan.settings, "Rating scheme": scheme},
        setting_rows={"Rating scheme": 13},
    )


SMALL = plan_of(
    _done("Audit", action_id="1.1", completed_on=date(2016, 6, 1)),
    _done(action_id="1.2", completed_on=date(2016, 6, 1)),
    _done("Audit", action_id="1.3", completed_on=date(2016, 8, 1)),
    act("1.4", date(2016, 11, 30)),
    act("1.5", date(2016, 9, 30)),
    act("1.6", None),
)


@pytest.mark.parametrize(
    ("scheme", "blue", "green"),
    [
        (None, (), ("1.1", "1.2")),
        ("RAG", (), ("1.1", "1.2")),
        ("rag", (), ("1.1", "1.2")),
        ("BRAG", ("1.1",), ("1.2",)),
        (" brag ", ("1.1",), ("1.2",)),
        ("Brag", ("1.1",), ("1.2",)),
    ],
)
def test_the_whole_plan_counts_blue_only_in_brag_and_still_adds_up(scheme, blue, green):
    plan = _brag(SMALL, scheme)
    o = overall(plan, derived_ratings(plan, AS_AT))
    assert (o.embedded, o.completed, o.ongoing, o.not_completed, o.not_rated) == (
        blue,
        green,
        ("1.4",),
        ("1.3", "1.5"),
        ("1.6",),
    )
    assert (
        len(o.embedded + o.completed + o.ongoing + o.not_completed + o.not_rated)
        == len(o.total)
        == 6
    )


def test_an_unknown_rating_scheme_is_an_error_at_its_cell_and_the_plan_is_rated_rag():
    plan = _brag(SMALL, "Blue")
    found = [f for f in validate(plan, AS_AT) if f.code == "scheme-unknown"]
    assert [(f.severity, f.where) for f in found] == [("error", "Settings!B13")]
    assert "'Blue' is not one of RAG, BRAG, RAG + Completed, Days behind" in found[0].message
    assert not plan.brag and overall(plan, derived_ratings(plan, AS_AT)).embedded == ()


def test_summary_text_json_and_disagreements_count_blue():
    plan = _brag(
        replace(SMALL, actions=(replace(SMALL.actions[0], recorded_rag="G"), *SMALL.actions[1:]))
    )
    s = summarise(plan, AS_AT)
    assert s.ratings_text() == "1 Blue, 1 Green, 1 Amber, 2 Red, 1 not rated"
    data = s.as_dict()
    assert data["rating_scheme"] == "BRAG"
    assert data["overall"]["complete_and_embedded"] == {"count": 1, "actions": ["1.1"]}
    assert data["overall"]["completed_by_deadline"] == {"count": 1, "actions": ["1.2"]}
    assert [(d.action_id, d.recorded, d.derived) for d in s.disagreements] == [("1.1", "G", "B")]
    rag = summarise(SMALL, AS_AT)
    assert rag.ratings_text() == "2 Green, 1 Amber, 2 Red, 1 not rated"
    assert (
        rag.as_dict()["rating_scheme"] == "RAG"
        and "complete_and_embedded" not in rag.as_dict()["overall"]
    )


# --- reading the new columns and checking them -------------------------------------------------------------------


def _tables(
    actions: list[dict],
    settings: dict | None = None,
    revisions: list[dict] = (),
    fields: tuple[str, ...] | None = None,
) -> dict[str, RawTable]:
    """Raw tables as a workbook's sheets give them, the Actions columns limited to ``fields`` (an older tracker)."""
    rows = {
        AT: actions,
        "Recommendations": [{"rec_id": "1", "text": "Recommendation 1"}],
        "Leads": [{"initials": "SK", "name": "Stephen Kitchman"}],
        "Revisions": list(revisions),
        "Periods": [{"name": "Q2", "start": date(2016, 5, 1), "end": date(2016, 7, 31)}],
        "Settings": [{"key": k, "value": v} for k, v in (settings or {}).items()],
    }
    tables = {}
    for spec in schema.OFFICER_SHEETS:
        columns = [
            c
            for c in spec.columns
            if spec is not schema.ACTIONS or fields is None or c.field in fields
        ]
        letters = {c.field: schema.column_letter(i) for i, c in enumerate(columns, 1)}
        tables[spec.name] = RawTable(
            spec.name,
            letters,
            [
                (i, {k: v for k, v in r.items() if k in letters})
                for i, r in enumerate(rows[spec.name], start=2)
            ],
        )
    return tables


def _row(action_id: str, deadline: date, status: str = "On track", **values) -> dict:
    return {
        "action_id": action_id,
        "rec_id": "1",
        "text": f"Action {action_id}",
        "owners": "SK",
        "original_deadline": deadline,
        "status": status,
        **values,
    }


def _findings(tables, code: str) -> list[tuple[str, str, str]]:
    plan, read = parse_plan(tables)
    return [
        (f.severity, f.where, f.action_id)
        for f in (*read, *validate(plan, AS_AT))
        if f.code == code
    ]


def test_the_new_columns_are_read_and_an_unreadable_forecast_is_an_error_at_its_cell():
    letter = schema.ACTIONS.letter
    plan, found = parse_plan(
        _tables(
            [
                _row(
                    "1.1",
                    date(2016, 6, 30),
                    "Complete",
                    evidence=" Audit of 40 cases ",
                    corrective_action="",
                    forecast=None,
                ),
                _row(
                    "1.2",
                    date(2016, 9, 30),
                    corrective_action="Extra staff",
                    forecast=date(2016, 12, 31),
                ),
                _row("1.3", date(2016, 9, 30), forecast="soon"),
            ]
        )
    )
    a, b, c = plan.actions
    assert (a.evidence, b.corrective_action, b.forecast, c.forecast) == (
        "Audit of 40 cases",
        "Extra staff",
        date(2016, 12, 31),
        None,
    )
    assert [(f.severity, f.where, f.code) for f in found] == [
        ("error", f"Actions!{letter('forecast')}4", "date")
    ]
    assert "Forecast date" in found[0].message


def test_an_older_tracker_without_the_new_columns_reads_and_is_not_asked_for_them():
    old = tuple(
        c.field
        for c in schema.ACTIONS.columns
        if c.field not in ("evidence", "corrective_action", "forecast")
    )
    tables = _tables([_row("1.1", date(2016, 9, 30))], fields=old)
    plan, found = parse_plan(tables)
    assert (
        plan.actions[0].corrective_action == "" and plan.actions[0].forecast is None and not found
    )
    assert _findings(tables, "red-no-corrective") == []


def test_a_red_action_with_neither_corrective_action_nor_forecast_is_a_warning_at_its_cell():
    cell = schema.ACTIONS.letter("corrective_action")
    tables = _tables(
        [
            _row("1.1", date(2016, 9, 30)),  # Red: neither
            _row("1.2", date(2016, 9, 30), corrective_action="Extra staff"),  # Red: a plan
            _row("1.3", date(2016, 9, 30), forecast=date(2016, 10, 15)),  # Red: a forecast (before)
            _row("1.4", date(2016, 11, 30)),  # Amber: not asked
            _row("1.5", date(2016, 11, 30), "At risk"),
        ]
    )  # Red
    assert _findings(tables, "red-no-corrective") == [
        ("warning", f"Actions!{cell}2", "1.1"),
        ("warning", f"Actions!{cell}6", "1.5"),
    ]


def test_a_forecast_after_the_deadline_with_no_revision_logged_is_a_warning_at_its_cell():
    cell = schema.ACTIONS.letter("forecast")
    later = date(2016, 12, 31)
    tables = _tables(
        [
            _row("1.1", date(2016, 9, 30), forecast=later),  # after: warned
            _row("1.2", date(2016, 9, 30), forecast=date(2016, 9, 30)),  # on the deadline: fine
            _row("1.3", date(2016, 11, 30), forecast=date(2016, 12, 1)),  # Amber, after: warned
            _row("1.4", date(2016, 9, 30), forecast=later),  # a logged revision covers it
            _row("1.5", date(2016, 6, 30), "Complete", forecast=later),
        ],  # complete: no longer a forecast
        revisions=[
            {
                "action_id": "1.4",
                "old_deadline": date(2016, 9, 30),
                "new_deadline": later,
                "reason": "Staffing",
                "agreed_by": "Board",
            }
        ],
    )
    assert _findings(tables, "forecast-after-deadline") == [
        ("warning", f"Actions!{cell}2", "1.1"),
        ("warning", f"Actions!{cell}4", "1.3"),
    ]
    plan, _ = parse_plan(tables)
    message = next(f.message for f in validate(plan, AS_AT) if f.code == "forecast-after-deadline")
    assert "31/12/2016 is after the deadline 30/09/2016" in message and "Revisions" in message


@pytest.mark.parametrize(
    ("scheme", "typed", "recorded", "error"),
    [
        ("BRAG", "B", "B", False),
        ("BRAG", "blue", "B", False),
        ("BRAG", "G", "G", False),
        ("RAG", "B", None, True),
        ("", "Blue", None, True),
        ("RAG", "G", "G", False),
    ],
)
def test_a_recorded_blue_is_accepted_only_in_brag(scheme, typed, recorded, error):
    plan, found = parse_plan(
        _tables(
            [_row("1.1", date(2016, 6, 30), "Complete", recorded_rag=typed)],
            {"Rating scheme": scheme},
        )
    )
    assert plan.actions[0].recorded_rag == recorded
    assert [f.where for f in found if f.code == "choice"] == (
        [f"Actions!{schema.ACTIONS.letter('recorded_rag')}2"] if error else []
    )


def test_a_recorded_blue_on_an_action_not_complete_is_an_error_like_green():
    plan = _brag(plan_of(act("1.1", date(2016, 11, 30), recorded="B")))
    found = [f for f in validate(plan, AS_AT) if f.code == "rag-green-not-complete"]
    assert [f.where for f in found] == [f"Actions!{schema.ACTIONS.letter('recorded_rag')}2"]
    assert found[0].message.startswith(
        "recorded Blue but the status is On track. In the BRAG scheme Blue means complete and embedded"
    )


def test_the_exceptions_are_every_red_action_in_plan_order():
    plan = plan_of(
        replace(
            act("1.1", date(2016, 9, 30)),
            corrective_action="Extra staff",
            forecast=date(2016, 12, 1),
        ),
        act("1.2", date(2016, 11, 30)),
        act("1.3", date(2016, 11, 30), "At risk"),
        _done("Audit", action_id="1.4", completed_on=date(2016, 7, 1)),
    )
    s = summarise(_brag(plan), AS_AT)
    assert [(a.action_id, a.corrective_action, a.forecast) for a in s.exceptions] == [
        ("1.1", "Extra staff", date(2016, 12, 1)),
        ("1.3", "", None),
        ("1.4", "", None),
    ]


# --- the demo rated BRAG: workbook, command line, macros, report --------------------------------------------------


def brag_rows(scheme: str = "BRAG") -> dict:
    """The demo's rows with the Rating scheme set, a few Evidence of impact cells and three Red actions' plans."""
    rows = demo_rows()
    rows["Settings"] = settings_rows({**SETTINGS, "Rating scheme": scheme})
    for a in rows[AT]:
        if a["action_id"] in (*EVIDENCE, LATE_WITH_EVIDENCE):
            a["evidence"] = f"Audit of {a['action_id']}: practice embedded"
        if a["action_id"] in RED_WITH_PLAN:
            a["corrective_action"], a["forecast"] = RED_WITH_PLAN[a["action_id"]]
    return rows


@pytest.fixture(scope="module")
def brag_tracker(tmp_path_factory) -> Path:
    return new_tracker(tmp_path_factory.mktemp("brag") / "brag-tracker.xlsx", brag_rows())


@pytest.fixture(scope="module")
def brag_summary(brag_tracker):
    return open_summary(brag_tracker)


def test_the_demo_in_brag_counts_blue_everywhere_and_red_stays_red(brag_summary, demo_master):
    rag = open_summary(demo_master)
    o = brag_summary.overall
    assert o.embedded == EVIDENCE
    assert set(o.completed) == set(rag.overall.completed) - set(EVIDENCE)
    assert o.not_completed == rag.overall.not_completed and LATE_WITH_EVIDENCE in o.not_completed
    assert (o.ongoing, o.not_rated, o.total) == (
        rag.overall.ongoing,
        rag.overall.not_rated,
        rag.overall.total,
    )
    assert [s.derived_rag for s in brag_summary.slippage if s.action_id in EVIDENCE] == ["B"] * 3
    assert (
        brag_summary.period.completed == rag.period.completed
    )  # the period judges completion, Blue or Green


def test_in_rag_the_new_columns_change_no_figure(demo_master, tmp_path):
    with_evidence = open_summary(new_tracker(tmp_path / "rag.xlsx", brag_rows("RAG")))
    plain = open_summary(demo_master)
    assert not with_evidence.plan.brag
    figures = lambda s: {k: v for k, v in s.as_dict().items() if k not in ("findings", "counts")}  # noqa: E731
    assert figures(with_evidence) == figures(plain)
    assert layout.dashboard_grid(with_evidence) == layout.dashboard_grid(plain)
    assert layout.slippage_grid(with_evidence) == layout.slippage_grid(plain)
    context = report_context(with_evidence)
    assert context["overall"] == report_context(plain)["overall"] and context["brag"] is False


def test_the_dashboard_grid_has_a_blue_row_only_in_brag(brag_summary, demo_master):
    grid, rag = (
        layout.dashboard_grid(brag_summary),
        layout.dashboard_grid(open_summary(demo_master)),
    )
    blue = grid[layout.BLUE_ROW - 1]
    assert blue[0] == "Complete and embedded: evidence of impact recorded (B)"
    assert blue[1:4] == [3, 0, ", ".join(EVIDENCE)]  # by the rule; nobody recorded B
    assert (
        grid[layout.BLUE_ROW][0]
        == rag[layout.BLUE_ROW - 1][0]
        == "Recorded RAG differs from the rule"
    )
    assert not any(
        rag[layout.BLUE_ROW][: layout.DASHBOARD_WIDTH]
    )  # RAG: the row under "differs" stays blank
    assert (
        grid[layout.PERIOD_HEADER_ROW - 1][0] == rag[layout.PERIOD_HEADER_ROW - 1][0]
    )  # nothing else moves
    assert len(grid) == len(rag)
    counts = [row[1] for row in grid[layout.CHART_ROWS[0] - 1 : layout.CHART_ROWS[1]]] + [blue[1]]
    assert sum(counts) == grid[layout.OVERALL_HEADER_ROW][1] == 61


def test_the_brag_workbook_has_a_blue_series_colours_and_the_drop_downs(brag_tracker, demo_master):
    wb = openpyxl.load_workbook(brag_tracker)
    ws = wb["Dashboard"]
    chart = ws._charts[0]
    rows_read = [layout.BLUE_ROW, *range(layout.CHART_ROWS[0], layout.CHART_ROWS[1] + 1)]
    assert [s.tx.strRef.f for s in chart.series] == [f"'Dashboard'!$A${r}" for r in rows_read]
    assert str(chart.series[0].graphicalProperties.solidFill.srgbClr) == schema.BLUE_FILL
    assert ws.cell(layout.BLUE_ROW, 2).value == 3
    actions = wb[AT]
    lists = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in actions.data_validations.dataValidation
    }
    assert lists[schema.ACTIONS.letter("recorded_rag")].formula1 == '"B,G,A,R"'
    assert lists[schema.ACTIONS.letter("forecast")].type == "date"
    fills = {
        rule.dxf.fill.fgColor.rgb[-6:]
        for cf in actions.conditional_formatting
        for rule in cf.rules
        if rule.type == "cellIs"
    }
    assert schema.BLUE_FILL in fills
    for path, value in ((brag_tracker, "BRAG"), (demo_master, "RAG")):
        settings = openpyxl.load_workbook(path)["Settings"]
        row = next(
            r
            for r in range(2, settings.max_row + 1)
            if settings.cell(r, 1).value == "Rating scheme"
        )
        assert settings.cell(row, 2).value == value
        rule = next(
            dv for dv in settings.data_validations.dataValidation if str(dv.sqref) == f"B{row}"
        )
        assert rule.type == "list" and rule.formula1 == '"RAG,BRAG,RAG + Completed,Days behind"'
    rag = openpyxl.load_workbook(demo_master)
    assert len(rag["Dashboard"]._charts[0].series) == 4  # RAG: no Blue series
    assert rag[AT].cell(1, len(schema.ACTIONS.columns)).value == "What does success look like?"


def test_summary_json_and_text_count_blue(brag_tracker, demo_master):
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["summary", str(brag_tracker), "--json"]).output)
    assert data["rating_scheme"] == "BRAG"
    assert data["overall"]["complete_and_embedded"] == {"count": 3, "actions": list(EVIDENCE)}
    assert (
        sum(v["count"] for k, v in data["overall"].items() if k != "total")
        == data["overall"]["total"]["count"]
    )
    codes = [(f["code"], f["action_id"]) for f in data["findings"]]
    assert ("red-no-corrective", "1.2") not in codes and ("red-no-corrective", "3.6") in codes
    assert ("forecast-after-deadline", "3.3") in codes and (
        "forecast-after-deadline",
        "1.2",
    ) not in codes
    assert "Complete and embedded (B)" in runner.invoke(app, ["summary", str(brag_tracker)]).output
    rag = json.loads(runner.invoke(app, ["summary", str(demo_master), "--json"]).output)
    assert rag["rating_scheme"] == "RAG" and "complete_and_embedded" not in rag["overall"]


def test_the_refresh_macro_says_how_many_are_blue(brag_tracker, demo_master, tmp_path):
    from ofsted_tracker.addin import macros
    from tests.addin.harness import open_book  # the xlwings remote engine, only for this test

    for path, expected in (
        (brag_tracker, "61 actions — 3 Blue, 34 Green, 10 Amber, 13 Red, 1 not rated."),
        (demo_master, "61 actions — 37 Green, 10 Amber, 13 Red, 1 not rated."),
    ):
        book = open_book(path)
        try:
            assert expected in macros.refresh(book)
        finally:
            book.close()


def test_a_brag_snapshot_reads_back_without_findings(brag_tracker, tmp_path):
    copy = tmp_path / "snap.xlsx"
    copy.write_bytes(brag_tracker.read_bytes())
    snapshot(copy)
    again = open_summary(copy)
    assert [f for f in again.findings if f.sheet == "History"] == []
    assert [r.derived_rag for r in again.history[0].rows if r.action_id in EVIDENCE] == ["B"] * 3


@pytest.fixture(scope="module")
def brag_doc(brag_summary, tmp_path_factory):
    return Document(
        build_report(brag_summary, tmp_path_factory.mktemp("brag-report") / "report.docx")
    )


def test_the_report_shows_b_with_a_blue_fill_and_counts_blue(brag_doc, brag_summary):
    table = table_with_header(brag_doc, "Section", "Total", "B", "G", "A", "R", "NR")
    body = [r.texts for r in rows(table)[1:]]
    o = brag_summary.overall
    assert body[-1] == ("Whole plan", "61", "3", str(len(o.completed)), "10", "13", "1")
    assert all(int(t[1]) == sum(int(x) for x in t[2:]) for t in body)  # every row adds up
    blue = [
        r
        for t in tables_with_header(brag_doc, "Ref", "Action", "Completion deadline")
        for r in rows(t)
        if r.texts[-1] == "B"
    ]
    assert [r.texts[0] for r in blue] == list(EVIDENCE)
    assert {r.fills[-1] for r in blue} == {schema.BLUE_FILL}
    exceptions = [p.text for p in brag_doc.paragraphs if p.text.startswith("Action 1.1 (")]
    assert exceptions == []  # Blue is not an exception of its recommendation


def test_the_report_lists_every_red_action_with_its_corrective_action_and_forecast(
    brag_doc, brag_summary
):
    table = table_with_header(
        brag_doc,
        "Ref",
        "Action (rated Red)",
        "Action owner",
        "Deadline",
        "Corrective action",
        "Forecast date",
    )
    body = rows(table)[1:]
    red = list(brag_summary.overall.not_completed)
    assert [r.texts[0] for r in body] == [
        "1.2",
        "2.3",
        "3.3",
    ]  # those with a corrective action or forecast
    rest = ", ".join(i for i in red if i not in ("1.2", "2.3", "3.3"))
    assert f"No corrective action or forecast date recorded for: {rest}." in body_text(brag_doc)
    shown = {r.texts[0]: (r.texts[4], r.texts[5]) for r in body}
    assert shown["1.2"] == ("Weekly review by the service manager", "31/12/16")
    assert shown["2.3"] == ("Extra capacity from the agency team", "Not given")
    assert shown["3.3"] == ("None recorded.", "30/11/16")
    assert "No action is rated Red." not in body_text(brag_doc)


def test_the_report_chart_has_a_blue_series_first(brag_doc, brag_summary):
    inline = brag_doc.inline_shapes[0]._inline
    assert (
        inline.find(qn("wp:docPr"))
        .get("descr")
        .startswith("BRAG chart. A. Early help and safeguarding: 3 B, ")
    )
    rid = inline.xpath(".//c:chart/@r:id")[0]
    space = etree.fromstring(brag_doc.part.rels[rid].target_part.blob)
    ns = {"c": space.nsmap["c"], "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    assert space.xpath("//c:ser/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=ns) == [
        schema.BLUE_FILL,
        schema.RAG_FILLS["G"],
        schema.RAG_FILLS["A"],
        schema.RAG_FILLS["R"],
        "BFBFBF",
    ]
    names = space.xpath("//c:ser/c:tx//c:v/text()", namespaces=ns)
    assert names == [b.label for b in schemes.BRAG.buckets] + [
        "Not rated (NR)"
    ]  # the scheme's labels
    blue = [float(v) for v in space.xpath("//c:ser[1]/c:val//c:v/text()", namespaces=ns)]
    assert blue[-1] == 3 and sum(blue) == 6  # the whole plan, and the sections' bars
    workbook = next(p for p in brag_doc.part.rels[rid].target_part.rels.values()).target_part
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.blob)).worksheets[0]
    assert [c.value for c in sheet[1]][1:] == names


def test_a_rag_report_has_no_brag_table_and_a_plan_with_no_red_says_so_in_one_sentence(tmp_path):
    plan = plan_of(
        _done(action_id="1.1", completed_on=date(2016, 6, 1)),
        act("1.2", date(2016, 11, 30)),
        periods=Q2,
    )
    s = summarise(plan, AS_AT, "Q2")
    assert s.exceptions == () and chart_description(chart_bars(report_context(s))).startswith(
        "RAG chart."
    )
    doc = Document(build_report(s, tmp_path / "report.docx"))
    assert tables_with_header(doc, "Section", "Total", "B") == []
    assert tables_with_header(doc, "Ref", "Action (rated Red)") == []
    sentences = [p.text for p in doc.paragraphs if "rated Red" in p.text]
    assert sentences == ["No action is rated Red."]
    assert "Blue" not in body_text(doc)


def test_a_forecast_for_a_red_action_counts_as_its_plan(tmp_path):
    plan = plan_of(
        replace(act("1.1", date(2016, 9, 30)), forecast=date(2016, 11, 15)),
        periods=Q2,
        revisions=(
            Revision("1.1", date(2016, 9, 30), date(2016, 11, 15), "Staff", "Board", row=2),
        ),
    )
    found = {f.code for f in validate(replace(plan, columns={AT: {"forecast": "N"}}), AS_AT)}
    assert "red-no-corrective" not in found and "forecast-after-deadline" not in found


def test_brag_direction_of_travel_counts_blue_so_the_counts_add_up(tmp_path):
    """A snapshot of a BRAG plan counts its Blue actions: the trend's B+G, A, R and not rated make the total, on the
    Dashboard and in the report; an action that turns Blue since the last snapshot has improved."""
    tracker = new_tracker(tmp_path / "brag.xlsx", brag_rows())
    snapshot(tracker, date(2016, 10, 31), "Q2")
    wb = openpyxl.load_workbook(
        tracker
    )  # a quarter on, a Green action's evidence of impact is recorded
    actions = wb[AT]
    header = [c.value for c in actions[1]]
    ids, evidence = header.index("Action ID"), header.index("Evidence of impact")
    s = open_summary(tracker)
    newly = next(a.action_id for a in s.plan.actions if s.ratings[a.action_id] == "G")
    for row in actions.iter_rows(min_row=2):
        if row[ids].value == newly:
            row[evidence].value = "Audit: the practice is embedded"
    wb.save(tracker)
    later = open_summary(tracker, date(2017, 1, 31), "Q3")
    then, now = later.trend[0].counts, later.trend[-1].counts
    assert then.blue == len(EVIDENCE) and now.blue == len(EVIDENCE) + 1
    for c in (then, now):
        assert c.by_deadline + c.amber + c.red + c.not_rated == c.total
    assert newly in [c.action_id for c in later.travel.of("improved")]
    trend = layout.trend_rows(later)
    assert trend[0][3] == layout.BRAG_TREND_GREEN
    assert [row[2] == sum(row[3:7]) for row in trend[1:]] == [True] * (len(trend) - 1)
    doc = Document(io.BytesIO(build_report(later, tmp_path / "brag.docx").read_bytes()))
    table = tables_with_header(doc, "Period", "As at", "Total", "B+G")[0]
    body = rows(table)[1:]
    assert len(body) == 2
    for row in body:
        assert int(row.texts[2]) == sum(int(t) for t in row.texts[3:7]), row.texts
