"""The report's words: every sentence of the demo report and of plans of one, none and many actions agrees in
number ("1 action", "2 actions", its/their, is/are), says "moved again" only for a deadline moved before, has
clear table headers and no filler per action, and names Ofsted, an Act or children's social care only for an
Ofsted plan."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import docx
import pytest

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.context import report_context
from ofsted_tracker.report_builder.text import number_words
from ofsted_tracker.workbook.jobs import open_summary
from tests.builders import act, plan_of
from tests.report.plans import PERIODS, large_plan, summary_of
from tests.report.reading import body_text

NUMBERS = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?)"
)
NOUNS = r"(actions?|errors?|warnings?|checks?|revisions?|dates?|periods?|requests?|returns?)"
COUNT = re.compile(rf"\b{NUMBERS} (?:deadline |target completion )?{NOUNS}\b", re.IGNORECASE)


def agreement_faults(text: str) -> list[str]:
    """Every count whose noun disagrees with it ('1 actions', 'two action'), and known filler and bad wording."""
    faults = []
    for match in COUNT.finditer(text):
        number, noun = match[0].split()[0].lower(), match[1].lower()
        one = number in ("1", "one")
        if one == noun.endswith("s"):
            faults.append(match[0])
    for bad in (
        "Status Complete",
        "No progress commentary recorded",
        "No progress summary recorded",
        "The  is",
        "The is recommended",
    ):
        if bad in text:
            faults.append(bad)
    faults += re.findall(r"\b(?:actions \d+\.\d+\b|Actions? \S+ has no .{0,40} their own)", text)
    faults += re.findall(r"\bAction \S+ \(\w+\) have\b", text)
    return faults


def _text(summary, path: Path, **kwargs) -> str:
    return body_text(docx.Document(build_report(summary, path, **kwargs)))


def _plan(*actions, **kwargs):
    plan = plan_of(*actions, periods=PERIODS, **kwargs)
    return dataclasses.replace(plan, settings={"Council": "Testborough", "Committee": ""})


@pytest.fixture(scope="module")
def demo_text(demo_master: Path, tmp_path_factory) -> str:
    summary = open_summary(demo_master)
    return _text(summary, tmp_path_factory.mktemp("words") / "demo.docx")


def test_the_demo_report_agrees_in_number_and_has_no_filler(demo_text):
    assert agreement_faults(demo_text) == []


def test_the_demo_report_says_once_which_actions_have_no_commentary(demo_master, demo_text):
    context = report_context(open_summary(demo_master))
    count = context["uncommented_count"]
    assert count > 1  # the demo has actions with no commentary
    assert demo_text.count("no progress commentary this period:") == 1
    # the count is of actions not yet complete (Amber, Red, Not rated), not the Red bucket's name
    unfinished = context["unfinished_count"]
    assert unfinished > context["overall"]["not_completed"]
    assert (
        f"Of the {number_words(unfinished)} actions not yet complete, {number_words(count)} have"
        in (demo_text)
    )
    assert context["uncommented_actions"] in demo_text


def test_the_demo_report_for_an_ofsted_plan_keeps_its_statutory_paragraphs(demo_text):
    assert "the statutory inspection of children's social care in Lewisham by Ofsted" in demo_text
    # the sentence's own space before the origin: a context value's leading space is trimmed with the rest
    assert "improvement plan which was developed following the statutory inspection" in demo_text
    assert "s136 Education and Inspections Act 2006" in demo_text


def test_the_demo_annex_is_a_paragraph_for_members_and_the_cells_go_to_officers(
    demo_master, tmp_path
):
    summary = open_summary(demo_master)
    members = _text(summary, tmp_path / "members.docx")
    assert "Officers have the cell-by-cell list on the tracker's Checks sheet" in members
    assert not re.search(r"\bActions![A-Z]+\d+", members)  # no cell references for members
    officers = _text(summary, tmp_path / "officers.docx", officers_annex=True)
    assert "Officers' annex: errors in the tracker workbook" in officers
    assert re.search(r"\bActions![A-Z]+\d+", officers)
    messages = report_context(summary, officers_annex=True)["findings"]
    assert messages and all(
        f["message"][:1].isupper() for f in messages
    )  # messages start with a capital


@pytest.mark.parametrize("size", [0, 1, 2, 40])
def test_plans_of_none_one_and_many_actions_agree_in_number(size, tmp_path):
    if size == 0:
        plan = _plan()
        plan = dataclasses.replace(plan, actions=())
    elif size == 40:
        plan = dataclasses.replace(
            large_plan(40, 3), settings={"Council": "Testborough", "Committee": ""}
        )
    else:
        actions = [
            act(f"1.{i}", date(2016, 6, 30), "At risk", row=i + 1) for i in range(1, size + 1)
        ]
        plan = _plan(*actions)
    text = _text(summary_of(plan), tmp_path / "r.docx")
    assert agreement_faults(text) == []
    assert "The committee is recommended to:" in text


def test_one_uncommented_red_action_is_its_and_two_are_their(tmp_path):
    one = _text(summary_of(_plan(act("1.1", date(2016, 6, 30), "At risk"))), tmp_path / "one.docx")
    assert "Action 1.1 (Red) has no progress commentary of its own this period." in one
    assert "No corrective action or forecast date recorded for: 1.1." in one
    two = _text(
        summary_of(
            _plan(
                act("1.1", date(2016, 6, 30), "At risk"), act("1.2", date(2016, 6, 30), "At risk")
            )
        ),
        tmp_path / "two.docx",
    )
    assert "Actions 1.1 (Red) and 1.2 (Red) have no progress commentary of their own" in two
    assert "No corrective action or forecast date recorded for: 1.1, 1.2." in two


def test_a_deadline_moved_for_the_first_time_is_moved_and_a_second_time_moved_again(demo_master):
    summary = open_summary(demo_master)
    revised: dict[str, int] = {}
    for r in summary.plan.revisions:
        revised[r.action_id] = revised.get(r.action_id, 0) + 1
    moved = report_context(summary)["since_last"]["deadline_moved_again"]
    for row in moved:
        again = revised.get(row["ref"], 0) > 1
        assert row["note"].startswith("moved again from" if again else "moved from"), row


def test_a_report_for_an_internal_audit_names_no_inspectorate_act_or_social_care(tmp_path):
    plan = _plan(
        act("1.1", date(2016, 6, 30), "Complete", completed_on=date(2016, 6, 1)),
        act("1.2", date(2016, 9, 30), "At risk"),
    )
    plan = dataclasses.replace(
        plan, settings={**plan.settings, "Plan type": "Internal audit", "Committee": "Audit Panel"}
    )
    text = _text(summary_of(plan), tmp_path / "audit.docx")
    assert "Ofsted" not in text
    assert not re.search(r"\bAct\b", text)
    assert "children's social care" not in text.lower()
    assert "which was developed following an internal audit." in text
    assert "The Audit Panel is recommended to:" in text


def test_the_appendix_contents_list_every_appendix_section(demo_text):
    start = demo_text.index("The information contained in this report is made up of the following:")
    contents = [line.strip() for line in demo_text[start:].split("\n")[1:9]]
    for section in (
        "Progress dashboard for all actions to date",
        "Red actions: corrective action and forecast",
        "Direction of travel since the last report",
        "Key leads and those responsible for actions",
        "Progress summary for all actions in the improvement plan",
        "Annex: checks of the tracker workbook",
    ):
        assert section in contents  # listed in the contents
        assert demo_text.count(section) >= 2  # and a heading after it


def test_impact_and_further_action_are_shown_only_when_recorded_and_lettered_on(
    demo_master, tmp_path
):
    """No "None recorded." filler under e) and f): each is printed only when the recommendation has it, and
    further action is e) when there is no impact to show."""
    summary = open_summary(demo_master)
    recs = report_context(summary)["sections"]
    recs = [r for s in recs for r in s["recommendations"]]
    document = docx.Document(str(build_report(summary, tmp_path / "report.docx")))
    text = body_text(document)
    paragraphs = [p.text for p in document.paragraphs]
    labels = [
        i for i, p in enumerate(paragraphs) if p.endswith(("data and commentary", "further action"))
    ]
    assert labels and all(paragraphs[i + 1] not in ("", "None recorded.") for i in labels)
    assert text.count("e) Impact: data and commentary") == sum(1 for r in recs if r["impact"])
    assert text.count("f) Recommendations for further action") == sum(
        1 for r in recs if r["impact"] and r["further_action"]
    )
    assert text.count("e) Recommendations for further action") == sum(
        1 for r in recs if not r["impact"] and r["further_action"]
    )
    assert any(r["impact"] for r in recs) or any(r["further_action"] for r in recs)
