"""The report in each rating scheme (issue 20): every label, name and fill the report shows comes from the plan's
scheme (workbook.plan.schemes), in the context and in the rendered document read back with python-docx; and each
action's "What does success look like?" in its recommendation's actions table."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.context import NOT_RATED_FILL, differs_note, report_context
from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.parse import parse_plan
from ofsted_tracker.workbook.rules.layout import total_label
from ofsted_tracker.workbook.rules.summary import summarise
from tests.builders import act
from tests.report.reading import body_text, rows, tables_with_header
from tests.test_schemes import AS_AT, EXPECTED, PLAN_ROWS, tables

MEASURE = "Every referral screened within 24 hours"
# the council's own words, with a recorded rating on the on-track action (Amber by officers)
ROWS = [{**r, "success_measure": MEASURE} if r["action_id"] == "2.01.10" else r for r in PLAN_ROWS]
ROWS = [{**r, "recorded_rag": "A"} if r["action_id"] == "2.01.10" else r for r in ROWS]
# and the evidence of impact on the action done early: Blue in BRAG, no other scheme looks at it
ROWS = [
    {**r, "evidence": "Audit shows it embedded"} if r["action_id"] == "2.01.01" else r for r in ROWS
]
RATED = {name: list(letters) for name, letters in EXPECTED.items()}
RATED["BRAG"][0] = "B"
SCHEMES = {s.name: s for s in schemes.SCHEMES}


def _summary(scheme: str, rows_: list[dict] = ROWS):
    plan, findings = parse_plan(tables(rows_, {"Rating scheme": scheme}))
    return summarise(plan, AS_AT, "Q2", tuple(findings))


@pytest.fixture(scope="module", params=list(SCHEMES))
def built(request, tmp_path_factory):
    """(scheme, summary, context, the rendered report read back) for each of the four schemes."""
    summary = _summary(request.param)
    path = build_report(summary, tmp_path_factory.mktemp("schemes") / "report.docx")
    return SCHEMES[request.param], summary, report_context(summary), Document(str(path))


def _action_rows(context: dict) -> dict[str, dict]:
    return {
        a["ref"]: a for s in context["sections"] for r in s["recommendations"] for a in r["actions"]
    }


def test_the_context_names_and_colours_each_rating_in_the_plans_scheme(built):
    scheme, summary, context, _ = built
    words = context["scheme"]
    assert words["name"] == scheme.name
    assert [(b["letter"], b["label"], b["fill"], b["name"]) for b in words["buckets"]] == [
        (b.letter, b.label, b.fill, b.name) for b in scheme.buckets
    ]
    assert words["green"]["meaning"] == scheme.green.meaning
    assert (words["extra"] or {}).get("letter") == (scheme.extra.letter if scheme.extra else None)
    # each action's cell: the scheme's letter, its fill and its colour name
    cells = _action_rows(context)
    for r, expected in zip(ROWS, RATED[scheme.name]):
        if expected is None:
            continue  # withdrawn: in no count (listed apart by another part of issue 20)
        cell = cells[r["action_id"]]
        bucket = scheme.bucket(expected)
        assert (cell["rag"], cell["fill"], cell["rag_name"]) == (
            bucket.letter,
            bucket.fill,
            bucket.name,
        ), r["action_id"]
    # the counts hold the fourth bucket too, so they add up to the total
    o = context["overall"]
    assert (
        o["extra"] + o["completed"] + o["ongoing"] + o["not_completed"] + o["not_rated"]
        == o["total"]
    )
    if scheme.extra:
        assert o["extra"] == len(summary.overall.of(scheme.extra.letter)) > 0


def test_the_recorded_rating_is_explained_in_the_schemes_words(built):
    scheme, summary, context, _ = built
    notes = {a["ref"]: a["note"] for a in context["recorded_differs_actions"]}
    derived = summary.ratings["2.01.10"]
    if derived == "A":  # RAG and BRAG: Amber, as recorded
        assert "2.01.10" not in notes
        return
    note = notes["2.01.10"]
    assert note.startswith("rated Amber by officers, but ")
    assert note.endswith(f"({scheme.name_of(derived)} in this report)")
    assert "completed by deadline" not in note and "recorded as complete" not in note
    assert "Work in progress" in note or "still to come" in note


def test_the_rendered_report_shows_the_schemes_labels_and_fills(built):
    scheme, _, context, doc = built
    text = body_text(doc)
    key = "Key: " + "; ".join(
        f"{b.letter} ({b.name.lower()}) {b.key_words}" for b in scheme.buckets
    )
    assert key + "; NR (grey) not rated: no valid target date." in text
    # the dashboard: one column per rating of the scheme, headed in its words
    header = (
        "Total number of actions in the improvement plan",
        *(f"{b.actions[:1].upper()}{b.actions[1:]} ({b.letter})" for b in scheme.buckets),
        "Not rated (NR)",
    )
    assert len(tables_with_header(doc, *header)) == 1
    section = ("Section", "Total", *scheme.letters, "NR")
    assert len(tables_with_header(doc, *section)) == 1
    # the actions table: each rating cell filled with its bucket's colour
    column = context["scheme"]["column"]
    (table,) = tables_with_header(
        doc,
        "Ref",
        "Action",
        "What does success look like?",
        "Completion deadline",
        "Progress status",
        "By whom",
        column,
    )
    shown = {row.texts[0]: (row.texts[-1], row.fills[-1]) for row in rows(table)[1:]}
    for r, expected in zip(ROWS, RATED[scheme.name]):
        if expected is not None:
            assert shown[r["action_id"]] == (expected, scheme.bucket(expected).fill)
    assert f"Figure 1: {scheme.name} rating of the plan's actions" in text


@pytest.mark.parametrize("name", ["RAG + Completed", "Days behind"])
def test_a_completed_scheme_never_calls_green_completed_by_deadline(name, tmp_path):
    scheme = SCHEMES[name]
    summary = _summary(name)
    doc = Document(str(build_report(summary, tmp_path / "report.docx")))
    lines = body_text(doc).splitlines()
    green = [line for line in lines if "(G)" in line or "'green'" in line]
    assert green, "the report names Green somewhere"
    assert not [line for line in green if "completed by deadline" in line]
    assert f"G (green) {scheme.green.meaning}" in "\n".join(lines)
    assert "Completed (C)" in "\n".join(lines)  # the trend's column and the dashboard's key
    # Completed is its own grey bucket: the completed actions' cells carry its fill, never Green's
    completed = [r for t in doc.tables for r in rows(t) if r.texts and r.texts[-1] == "C"]
    grey = scheme.extra.fill
    assert completed and {r.fills[-1] for r in completed} == {grey} and grey != NOT_RATED_FILL


def test_days_behind_shows_its_own_words(tmp_path):
    doc = Document(str(build_report(_summary("Days behind"), tmp_path / "report.docx")))
    text = body_text(doc)
    assert "Actions whose deadline has not passed (G)" in text
    assert "Actions behind their deadline, within the tolerance (A)" in text
    assert "A (amber) behind its deadline, within the tolerance" in text
    assert "ongoing within deadline" not in text
    assert "The tolerance is 30 days past the deadline in force." in text


def test_the_success_measure_column_only_when_some_action_has_one(tmp_path):
    with_measure = _summary("RAG")
    context = report_context(with_measure)
    assert context["success_measures"] is True
    cells = _action_rows(context)
    assert cells["2.01.10"]["success_measure"] == MEASURE
    assert cells["A1"]["success_measure"] == ""  # a blank prints nothing, not "None recorded"
    doc = Document(str(build_report(with_measure, tmp_path / "with.docx")))
    (table,) = tables_with_header(doc, "Ref", "Action", "What does success look like?")
    shown = {row.texts[0]: row.texts[2] for row in rows(table)[1:]}
    assert shown["2.01.10"] == MEASURE and shown["A1"] == ""
    # a plan without the column keeps today's table
    without = _summary("RAG", PLAN_ROWS)
    assert report_context(without)["success_measures"] is False
    doc = Document(str(build_report(without, tmp_path / "without.docx")))
    assert tables_with_header(
        doc, "Ref", "Action", "Completion deadline", "Progress status", "By whom", "RAG"
    )
    assert "What does success look like?" not in body_text(doc)


def test_a_rating_by_status_names_the_status_as_typed():
    off = act("1.1", AS_AT.replace(year=2017), "Off track", recorded="A")
    assert differs_note(off, "A", "R", AS_AT) == (
        "rated Amber by officers, but its progress status is Off track (Red in this report)"
    )
    delayed = act("1.2", AS_AT.replace(year=2017), "Delayed", recorded="G")
    note = differs_note(delayed, "G", "A", AS_AT, schemes.RAG_COMPLETED)
    assert note == (
        "rated Green by officers, but its progress status is Delayed and its deadline of 31 October 2017 is "
        "still to come (Amber in this report)"
    )


# --- actions listed apart: withdrawn, ongoing, completed late, rescheduled with approval (issue 20 items 1, 4, 6) --


def _refs(rows_: list[dict]) -> list[str]:
    return [r["ref"] for r in rows_]


def test_the_report_lists_withdrawn_ongoing_and_completed_late_actions_apart(tmp_path):
    summary = _summary("RAG + Completed")
    context = report_context(summary)
    (withdrawn,) = context["withdrawn_actions"]
    assert withdrawn == {
        "ref": "4",
        "text": "Action 4",
        "status": "Superseded",
        "commentary": "Merged into 2.01.10",
    }
    (ongoing,) = context["ongoing_actions"]
    assert (ongoing["ref"], ongoing["status"], ongoing["rag"], ongoing["deadline"]) == (
        "3",
        "Business as usual",
        "G",
        "Ongoing",
    )
    assert _refs(context["completed_late_actions"]) == ["2.01.02"]
    assert context["completed_late_actions"][0]["completed_on"] == "15/10/16"
    assert context["rescheduled_actions"] == []  # Days behind's list only
    doc = Document(str(build_report(summary, tmp_path / "report.docx")))
    text = body_text(doc)
    (table,) = tables_with_header(doc, "Ref", "Action", "Status", "Commentary")
    assert [r.texts for r in rows(table)[1:]] == [
        ("4", "Action 4", "Superseded", "Merged into 2.01.10")
    ]
    assert "Ongoing actions (no end date)" in text and "Completed late" in text
    column = context["scheme"]["column"]
    (table,) = tables_with_header(doc, "Ref", "Action", "Deadline", "Status", column)
    assert rows(table)[1].texts[0] == "3" and rows(table)[1].fills[-1] == schemes.RAG.green.fill
    (table,) = tables_with_header(doc, "Ref", "Action", "Deadline", "Completed on")
    assert [r.texts[0] for r in rows(table)[1:]] == ["2.01.02"]
    assert "Rescheduled with approval" not in text


def test_a_list_with_no_action_prints_nothing_and_rag_lists_no_completed_late(tmp_path):
    kept = [r for r in ROWS if r["action_id"] not in ("3", "4")]  # no ongoing, no withdrawn action
    summary = _summary("RAG", kept)
    context = report_context(summary)
    assert context["withdrawn_actions"] == context["ongoing_actions"] == []
    assert context["completed_late_actions"] == []  # RAG rates a late completion Red: no list apart
    text = body_text(Document(str(build_report(summary, tmp_path / "report.docx"))))
    for heading in ("Withdrawn actions", "Ongoing actions", "Completed late", "Rescheduled with"):
        assert heading not in text


def test_days_behind_lists_the_actions_rescheduled_with_approval(tmp_path):
    moved = [
        {**r, "original_deadline": date(2016, 9, 30), "current_deadline": date(2016, 12, 31)}
        if r["action_id"] == "1a"
        else r
        for r in ROWS
    ]
    raw = tables(moved, {"Rating scheme": "Days behind"})
    revision = {
        "action_id": "1a",
        "old_deadline": date(2016, 9, 30),
        "new_deadline": date(2016, 12, 31),
        "reason": "Partner delay",
        "agreed_by": "the Board",
    }
    raw["Revisions"].rows.append((2, revision))
    plan, findings = parse_plan(raw)
    summary = summarise(plan, AS_AT, "Q2", tuple(findings))
    context = report_context(summary)
    assert _refs(context["rescheduled_actions"]) == ["1a"]
    assert summary.as_dict()["rescheduled_with_approval"] == ["1a"]
    assert "1 rescheduled with approval: 1a" in total_label(summary)  # the Dashboard's list apart
    doc = Document(str(build_report(summary, tmp_path / "report.docx")))
    assert "Rescheduled with approval" in body_text(doc)
    found = tables_with_header(doc, "Ref", "Action", "Deadline")
    (table,) = [
        t for t in found if len(rows(t)[0].texts) == 3
    ]  # the ongoing table has a Status too
    assert [r.texts[0] for r in rows(table)[1:]] == ["1a"]


# --- the trend across a change of scheme (issue 20: History keeps the letters of the scheme each snapshot was in) ---


def _snapshot(period: str, as_at, rated: dict[str, tuple[str, str]]):
    from ofsted_tracker.workbook.rules.history import Snapshot, SnapshotRow

    return Snapshot(
        period,
        as_at,
        tuple(
            SnapshotRow(aid, rag, None, status, AS_AT, AS_AT, None, "SK", 0, "")
            for aid, (rag, status) in rated.items()
        ),
    )


def test_other_scheme_tells_a_snapshot_of_another_scheme_by_its_letters():
    from ofsted_tracker.workbook.rules.history import other_scheme

    rag_era = _snapshot("Q1", date(2016, 7, 31), {"1": ("G", "Achieved"), "2": ("A", "On track")})
    completed_era = _snapshot("Q1", date(2016, 7, 31), {"1": ("C", "Achieved")})
    brag_era = _snapshot("Q1", date(2016, 7, 31), {"1": ("B", "Achieved")})
    undecided = _snapshot("Q1", date(2016, 7, 31), {"2": ("A", "On track")})  # nothing complete yet
    done = SCHEMES["RAG + Completed"]
    assert other_scheme(rag_era.counts, done) and not other_scheme(completed_era.counts, done)
    assert other_scheme(brag_era.counts, done) and not other_scheme(undecided.counts, done)
    assert other_scheme(completed_era.counts, schemes.RAG)
    assert other_scheme(brag_era.counts, schemes.RAG) and not other_scheme(
        brag_era.counts, SCHEMES["BRAG"]
    )
    assert not other_scheme(rag_era.counts, schemes.RAG) and not other_scheme(
        rag_era.counts, SCHEMES["BRAG"]
    )


def test_the_trend_says_when_earlier_figures_were_rated_in_another_scheme(tmp_path):
    plan, findings = parse_plan(tables(ROWS, {"Rating scheme": "RAG + Completed"}))
    rag_era = _snapshot(
        "Q1", date(2016, 7, 31), {"2.01.01": ("G", "Achieved"), "1a": ("A", "On track")}
    )
    summary = summarise(plan, AS_AT, "Q2", tuple(findings), (rag_era,))
    context = report_context(summary)
    assert [(p["period"], p["other_scheme"]) for p in context["trend"]] == [
        ("Q1", True),
        ("Q2", False),
    ]
    assert context["trend_note"] == (
        "The figures for Q1 were recorded when the plan was rated in another scheme, so they do not compare "
        "column by column with the RAG + Completed figures (Completed had no column then: shown as –)."
    )
    doc = Document(str(build_report(summary, tmp_path / "report.docx")))
    assert context["trend_note"] in body_text(doc)
    trends = tables_with_header(doc, "Period", "As at", "Total")
    assert len(trends) == 2  # the cover's and the appendix's
    for table in trends:
        q1, q2 = rows(table)[1:]
        assert q1.texts[-1] == "–" and q2.texts[-1] == "2"  # never a misleading 0 Completed for Q1
    # the same history in the plan's own scheme: no note, the row as recorded
    same = summarise(
        plan,
        AS_AT,
        "Q2",
        tuple(findings),
        (_snapshot("Q1", date(2016, 7, 31), {"2.01.01": ("C", "Achieved")}),),
    )
    assert report_context(same)["trend_note"] == ""
