"""The report's content as plain data: counts equal their lists, owners by name, dates and text as councils write."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ofsted_tracker.report_builder.context import FIELDS, PLACEHOLDERS, known_fields, report_context
from ofsted_tracker.report_builder.text import (
    bullets,
    clean,
    counted,
    month_span,
    number_words,
    period_title,
    prose_date,
    table_date,
    typed_deadline,
    with_article,
)
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.plan.model import Lead, Recommendation, Revision
from ofsted_tracker.workbook.rules.summary import Summary, summarise
from tests.builders import act, plan_of
from tests.report.plans import HOSTILE, PERIODS, hostile_plan, shown, summary_of

AS_AT = date(2016, 10, 31)


@pytest.fixture(scope="module")
def demo_summary(demo_master: Path) -> Summary:
    return open_summary(demo_master)


@pytest.fixture(scope="module")
def demo(demo_summary: Summary) -> dict:
    return report_context(demo_summary)


# ------------------------------------------------------------------------------------------- dates and words


@pytest.mark.parametrize(
    "day, prose, table",
    [
        (date(2016, 11, 30), "30 November 2016", "30/11/16"),
        (date(2017, 1, 1), "1 January 2017", "01/01/17"),
        (None, "", ""),
    ],
)
def test_dates_in_prose_and_in_tables(day, prose, table):
    assert prose_date(day) == prose
    assert table_date(day) == table


@pytest.mark.parametrize(
    "start, end, words",
    [
        (date(2016, 5, 1), date(2016, 7, 31), "May to July 2016"),
        (date(2016, 11, 1), date(2017, 1, 31), "November 2016 to January 2017"),
        (date(2016, 2, 1), date(2016, 2, 29), "February 2016"),
        (date(2016, 5, 15), date(2016, 8, 14), "15 May to 14 August 2016"),
        (date(2016, 12, 15), date(2017, 1, 14), "15 December 2016 to 14 January 2017"),
    ],
)
def test_a_period_in_words(start, end, words):
    assert month_span(start, end) == words


@pytest.mark.parametrize(
    "name, title",
    [
        ("Q2", "Quarter Two"),
        ("q4", "Quarter Four"),
        ("Quarter 1", "Quarter One"),
        ("Autumn 2016", "Autumn 2016"),
        ("Q5", "Q5"),
    ],
)
def test_period_titles(name, title):
    assert period_title(name) == title


@pytest.mark.parametrize(
    "typed, items",
    [
        ("One | Two|Three", ["One", "Two", "Three"]),
        ("• One\n- Two\r\n\n· Three", ["One", "Two", "Three"]),
        ("A single outcome, with no separator.", ["A single outcome, with no separator."]),
        ("  - ", []),
        ("", []),
    ],
)
def test_a_cell_of_bullets(typed, items):
    assert bullets(typed) == items


def test_counts_in_words():
    assert [number_words(n) for n in (0, 4, 10, 11, 17, 20, 61, 99, 100, 1234)] == [
        "no",
        "four",
        "ten",
        "eleven",
        "seventeen",
        "twenty",
        "sixty-one",
        "ninety-nine",
        "100",
        "1,234",
    ]


@pytest.mark.parametrize(
    "number, noun, plural, words",
    [
        (1, "action", None, "one action"),
        (17, "action", None, "seventeen actions"),
        (0, "action", None, "no actions"),
        (10, "deadline revision", None, "ten deadline revisions"),
        (2, "body", "bodies", "two bodies"),
    ],
)
def test_counts_with_their_noun(number, noun, plural, words):
    assert counted(number, noun, plural) == words


@pytest.mark.parametrize(
    "name, shown",
    [
        (
            "Children & Young People's Strategic Partnership Board",
            "the Children & Young People's Strategic Partnership Board",
        ),
        ("The Board", "The Board"),
        ("Jane Smith", "Jane Smith"),
        ("Select Committee.", "the Select Committee."),
        ("", ""),
    ],
)
def test_a_body_gets_its_article_and_a_person_none(name, shown):
    assert with_article(name) == shown


@pytest.mark.parametrize(
    "day, raw, shown",
    [
        (
            date(2017, 2, 28),
            "February 2017",
            "February 2017",
        ),  # only a month: never shown as 28/02/17
        (date(2016, 9, 30), "Sept.  2016", "Sept. 2016"),
        (None, "31st April 2016", "31st April 2016"),  # no date: as typed
        (date(2016, 9, 30), "30th Sept 2016", "30/09/16"),  # an exact day typed as text is a date
        (date(2016, 9, 30), "", "30/09/16"),
        (None, "", ""),
    ],
)
def test_deadlines_are_shown_as_typed_unless_an_exact_day(day, raw, shown):
    assert typed_deadline(day, raw) == shown


# ------------------------------------------------------------------------------------------- officers' text


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_officer_text_is_kept_or_safely_cleaned(kind):
    typed, _ = HOSTILE[kind]
    assert clean(typed) == shown(kind)


def test_cleaning_removes_every_character_xml_forbids():
    forbidden = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\ufffe\uffff\ud800"
    cleaned = clean(f"a{forbidden}b")
    assert cleaned.startswith("a") and cleaned.endswith("b")
    assert not any(ord(c) < 32 and c not in "\t\n" for c in cleaned)
    assert "\ufffe" not in cleaned and "\uffff" not in cleaned and "\ud800" not in cleaned


def test_every_string_in_the_context_is_clean():
    context = report_context(summary_of(hostile_plan()))

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    found = list(strings(context))
    assert any(shown("control") in s for s in found)
    assert all(clean(s) == s for s in found)


# ------------------------------------------------------------------------------------------- the demo's figures


def test_period_counts_are_the_lengths_of_their_lists(demo, demo_summary):
    p, rule = demo["period"], demo_summary.period
    rows = [row for group in p["groups"] for row in group["rows"]]
    assert p["due"] == len(rows) == len(rule.due) == 17
    assert p["completed"] == len(p["completed_actions"]) == len(rule.completed) == 14
    assert p["not_completed"] == len(p["not_completed_actions"]) == len(rule.not_completed) == 3
    assert p["not_yet_due"] == len(p["not_yet_due_actions"]) == 0
    assert p["completed"] + p["not_completed"] + p["not_yet_due"] == p["due"]
    letters = [row["rag"] for row in rows]
    assert (letters.count("G"), letters.count("R"), letters.count("A")) == (14, 3, 0)
    assert [row["ref"] for row in rows] == list(rule.due)  # plan order, each once


def test_the_period_names_what_was_missed_and_why(demo):
    notes = {a["ref"]: a["note"] for a in demo["period"]["not_completed_actions"]}
    assert notes == {
        "5.1": "deadline of 30 July 2016 extended to 30 November 2016",
        "5.5": "deadline of 31 July 2016 extended to 30 November 2016",
        "7.2": "deadline of 30 June 2016 passed; not yet complete",
    }


def test_revisions_count_is_the_number_of_revision_rows(demo, demo_summary):
    assert demo["revisions_count"] == len(demo["revisions"]) == len(demo_summary.revisions) == 10
    assert (
        demo["revisions_agreed_by"] == "the Children & Young People's Strategic Partnership Board"
    )
    first = demo["revisions"][0]
    assert (first["ref"], first["old"], first["new"]) == ("1.3", "30/10/16", "31/01/17")


def test_overall_is_the_rule_and_sections_add_up_to_it(demo, demo_summary):
    o = demo_summary.overall
    assert demo["overall"] == {
        "total": len(o.total),
        "completed": len(o.completed),
        "ongoing": len(o.ongoing),
        "not_completed": len(o.not_completed),
        "not_rated": len(o.not_rated),
        "extra": 0,  # RAG has no fourth bucket
    }
    assert demo["overall"] == {
        "total": 61,
        "completed": 37,
        "ongoing": 10,
        "not_completed": 13,
        "not_rated": 1,
        "extra": 0,
    }
    for key in demo["overall"]:
        assert sum(s["counts"][key] for s in demo["sections"]) == demo["overall"][key]
    refs = [a["ref"] for s in demo["sections"] for r in s["recommendations"] for a in r["actions"]]
    assert sorted(refs) == sorted(o.total) and len(refs) == len(set(refs))


def test_periods_and_disagreements_in_words(demo):
    assert demo["periods_count"] == "four"
    assert demo["periods_text"] == (
        "February to April 2016; May to July 2016; August to October 2016 and "
        "November 2016 to January 2017"
    )
    assert demo["recorded_differs"] == len(demo["recorded_differs_actions"]) == 9
    notes = {a["ref"]: a["note"] for a in demo["recorded_differs_actions"]}
    assert list(notes) == ["2.3", "3.6", "4.3", "5.9", "7.2", "7.9", "8.2", "9.1", "9.8"]
    assert (
        notes["4.3"]
        == "rated Amber by officers, but its deadline of 30 September 2016 has passed (Red in this report)"
    )
    assert (
        notes["7.2"]
        == "rated Amber by officers, but its deadline of 30 June 2016 has passed (Red in this report)"
    )
    assert notes["8.2"] == (
        "rated Amber by officers, but its deadline ('Align to the roll-out of ICS V12 – Date?') is "
        "not a date, so it cannot be rated (not rated in this report)"
    )
    assert all("by the rule" not in note for note in notes.values())
    assert (
        demo["meeting_date"],
        demo["as_at"],
        demo["period"]["title"],
        demo["period"]["months"],
    ) == ("10 November 2016", "31 October 2016", "Quarter Two", "May to July 2016")


def test_owners_are_full_names_and_unknown_initials_are_kept(demo):
    rows = {row["ref"]: row for g in demo["period"]["groups"] for row in g["rows"]}
    assert rows["1.1"]["owner"] == "Paul King"
    assert (
        rows["4.2"]["owner"] == "Karen Neill, RR"
    )  # RR is not in Leads: shown as typed, not dropped
    assert rows["6.1"]["owner"] == "Tina Benjamin, JSt, JH"
    assert demo["unknown_owners"] == "Eileen Collier, JS, RR, EC, JSt, JH, TA"


def test_table_deadlines_show_the_move_and_text_that_is_no_date(demo):
    actions = {
        a["ref"]: a for s in demo["sections"] for r in s["recommendations"] for a in r["actions"]
    }
    assert actions["1.3"]["deadline"] == "31/01/17\n(was 30/10/16)"
    assert actions["1.1"]["deadline"] == "31/07/16"
    assert actions["8.2"]["deadline"] == "Align to the roll-out of ICS V12 – Date?"
    assert actions["7.1"]["deadline"] == "31st April 2016"
    assert actions["6.4"]["deadline"] == "February 2017"  # a month only: never 28/02/17
    assert (actions["8.2"]["rag"], actions["8.2"]["fill"]) == ("NR", "BFBFBF")
    assert (actions["1.2"]["rag"], actions["1.2"]["fill"]) == ("R", "FF0000")


def test_commentary_is_given_for_every_action_that_is_not_green(demo):
    for section in demo["sections"]:
        for rec in section["recommendations"]:
            not_green = [a["ref"] for a in rec["actions"] if a["rag"] != "G"]
            told = [e["ref"] for e in rec["exceptions"]]
            assert all(e["commentary"] for e in rec["exceptions"])
            named = re.findall(r"(\d+\.\d+) \(", rec["uncommented"])  # the rest, in one sentence
            assert sorted(told + named) == sorted(not_green)
            assert "No progress commentary recorded" not in str(rec)


# ------------------------------------------------------------------------------------------- edges


def test_a_report_needs_a_period():
    plan = plan_of(act("1.1"), periods=PERIODS)
    with pytest.raises(UnusableInput, match="reporting period"):
        report_context(summarise(plan, AS_AT, None))


def test_actions_of_an_unknown_recommendation_are_listed_not_dropped():
    plan = plan_of(
        act("1.1", date(2016, 6, 1)), act("9.1", date(2016, 6, 2), rec="9"), periods=PERIODS
    )
    plan = type(plan)(
        actions=plan.actions,
        recommendations=(Recommendation("1", "Rec one", "A", "Early help"),),
        leads=plan.leads,
        periods=PERIODS,
    )
    context = report_context(summarise(plan, AS_AT, "Q2"))
    headings = [s["heading"] for s in context["sections"]]
    assert headings == ["A. Early help", "Actions with no matching recommendation"]
    assert [a["ref"] for a in context["sections"][1]["recommendations"][0]["actions"]] == ["9.1"]
    assert [g["heading"] for g in context["period"]["groups"]] == headings


def test_no_revisions_and_several_agreeing_bodies():
    revisions = (
        Revision("1.1", date(2016, 6, 1), date(2016, 9, 1), "Reason", "Board", row=2),
        Revision("1.2", date(2016, 6, 1), date(2016, 9, 1), "", "", row=3),
    )
    plan = plan_of(
        act("1.1", date(2016, 6, 1), current=date(2016, 9, 1)),
        act("1.2", date(2016, 6, 1), current=date(2016, 9, 1)),
        revisions=revisions,
        periods=PERIODS,
    )
    context = report_context(summarise(plan, AS_AT, "Q2"))
    assert context["revisions_agreed_by"] == ""  # one agreed, one not: no single body to name
    assert context["revisions"][1]["reason"] == "No reason recorded. (not yet agreed)"
    empty = report_context(summarise(plan_of(act("1.1"), periods=PERIODS), AS_AT, "Q2"))
    assert empty["revisions"] == [] and empty["revisions_count"] == 0


def test_the_context_holds_exactly_the_documented_placeholders_and_fields(demo):
    assert set(demo) == set(PLACEHOLDERS) - {"rag_chart", "trend_chart"}
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            found.update(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for value in demo.values():
        walk(value)
    # the lists the demo (RAG, nothing withdrawn, every deadline a date) leaves empty: a Completed plan's
    from ofsted_tracker.workbook.plan.parse import parse_plan
    from tests.test_schemes import AS_AT as SCHEMES_AS_AT
    from tests.test_schemes import PLAN_ROWS, tables

    plan, _ = parse_plan(tables(PLAN_ROWS, {"Rating scheme": "RAG + Completed"}))
    apart = report_context(summarise(plan, SCHEMES_AS_AT, "Q2"))
    assert (
        apart["withdrawn_actions"] and apart["ongoing_actions"] and apart["completed_late_actions"]
    )
    walk(apart["withdrawn_actions"] + apart["ongoing_actions"] + apart["completed_late_actions"])
    assert found == known_fields()
    assert all(FIELDS.values())


def test_lead_names_come_from_leads():
    plan = plan_of(
        act("1.1", date(2016, 6, 1), owners=("SK", "ZZ")),
        periods=PERIODS,
        leads=(Lead("SK", "Stephen Kitchman", row=2),),
    )
    row = report_context(summarise(plan, AS_AT, "Q2"))["period"]["groups"][0]["rows"][0]
    assert row["owner"] == "Stephen Kitchman, ZZ"


def test_an_owner_typed_as_a_name_is_one_lead_for_validation_requests_and_the_report():
    """One rule (``Plan.lead_named``): a lead's name typed in any case and spacing is that lead, everywhere."""
    from ofsted_tracker.workbook.rules.chase import plan_requests
    from ofsted_tracker.workbook.rules.checks import validate

    plan = plan_of(
        act("1.1", date(2016, 6, 1), owners=("stephen  KITCHMAN", "ZZ")),
        periods=PERIODS,
        leads=(Lead("SK", "Stephen Kitchman", row=2),),
    )
    s = summarise(plan, AS_AT, "Q2")
    codes = {
        (f.code, f.message.split("'")[1])
        for f in validate(plan, AS_AT, "Q2")
        if f.code.startswith("owner")
    }
    assert codes == {("owner-name", "stephen  KITCHMAN"), ("owner-unknown", "ZZ")}
    requests = plan_requests(plan, plan.period("Q2"), AS_AT)
    assert [r.lead.initials for r in requests.requests] == ["SK"] and requests.unknown == (
        ("ZZ", ("1.1",)),
    )
    context = report_context(s)
    assert context["unknown_owners"] == "ZZ"
    assert context["period"]["groups"][0]["rows"][0]["owner"] == "Stephen Kitchman, ZZ"


# ------------------------------------------------------------------------------------------- the data behind it


def test_the_errors_the_figures_rest_on_are_counted_and_listed_with_their_cells(demo, demo_summary):
    assert demo["data_errors"] == demo_summary.errors == 12
    assert demo["data_warnings"] == demo_summary.warnings
    assert (
        len(demo["findings"]) == demo_summary.errors
    )  # the annex lists the errors; warnings stay on Checks
    first = demo["findings"][0]
    assert (
        first["severity"] == "Error"
        and first["cell"].startswith("Actions!E")
        and first["action"] == "7.1"
    )
    assert "31st April 2016" in first["message"]
    assert {f["severity"] for f in demo["findings"]} == {"Error"}


def test_a_complete_action_whose_deadline_is_no_date_is_named_not_claimed_on_time(demo):
    assert demo["undated_complete"] == [
        {"ref": "7.1", "text": demo["undated_complete"][0]["text"], "note": "31st April 2016"}
    ]


def test_a_month_only_deadline_is_shown_as_typed_in_every_note():
    from dataclasses import replace

    plan = plan_of(
        replace(act("1.1", date(2016, 7, 31)), original_raw="July 2016"), periods=PERIODS
    )
    context = report_context(summarise(plan, AS_AT, "Q2"))
    assert (
        context["period"]["not_completed_actions"][0]["note"]
        == "deadline of July 2016 passed; not yet complete"
    )
    assert context["period"]["groups"][0]["rows"][0]["deadline"] == "July 2016"
    assert context["sections"][0]["recommendations"][0]["actions"][0]["deadline"] == "July 2016"


def test_policy_text_is_a_placeholder_unless_settings_give_it(demo):
    from ofsted_tracker.report_builder.context import EQUALITIES_PLACEHOLDER, POLICY_PLACEHOLDER

    blank = report_context(summarise(plan_of(act("1.1"), periods=PERIODS), AS_AT, "Q2"))
    assert blank["policy_context"] == POLICY_PLACEHOLDER and POLICY_PLACEHOLDER.startswith(
        "[Council policy context"
    )
    assert blank["equalities_context"] == EQUALITIES_PLACEHOLDER
    assert (
        "Sustainable Community Strategy 2008-2020" in demo["policy_context"]
    )  # Lewisham's, from the demo's Settings
    assert "Comprehensive Equalities Scheme" in demo["equalities_context"]


def test_actions_with_no_recommendation_are_headed_once():
    plan = plan_of(act("9.1", date(2016, 6, 2), rec="9"), periods=PERIODS)
    plan = type(plan)(
        actions=plan.actions, leads=plan.leads, periods=PERIODS
    )  # no recommendation 9
    context = report_context(summarise(plan, AS_AT, "Q2"))
    (section,) = context["sections"]
    assert section["heading"] == "Actions with no matching recommendation"
    assert (
        section["recommendations"][0]["heading"] == ""
    )  # the section heading says it; not printed twice
