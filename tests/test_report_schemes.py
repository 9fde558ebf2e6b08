"""The report in each rating scheme (issue 20): every label, name and fill the report shows comes from the plan's
scheme (workbook.plan.schemes), in the context and in the rendered document read back with python-docx; and each
action's "What does success look like?" in its recommendation's actions table."""

from __future__ import annotations

import pytest
from docx import Document

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.context import NOT_RATED_FILL, differs_note, report_context
from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.parse import parse_plan
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
    assert tables_with_header(doc, "Ref", "Action", "Completion deadline", "By whom", "RAG")
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
