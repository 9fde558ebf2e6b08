"""The Lewisham demo: the recorded RAG reconciles with the published totals; validation finds the real defects."""

from datetime import date

import pytest

from ofsted_tracker.workbook.jobs import open_summary


@pytest.fixture(scope="module")
def demo(demo_master):
    return open_summary(demo_master)


def test_settings_drive_the_as_at_date_and_period(demo):
    assert demo.as_at == date(2016, 10, 31)
    assert demo.period.period.name == "Q2"


def test_recorded_rag_reconciles_with_the_published_totals(demo):
    r = demo.recorded
    assert (len(r.total), len(r.completed), len(r.ongoing), len(r.not_completed)) == (61, 37, 19, 5)
    assert r.not_completed == ("1.2", "3.3", "3.5", "8.1", "8.3")  # NOTES.md: the 5 R


def test_rule_counts_add_up_and_list_the_disagreements(demo):
    o = demo.overall
    assert len(o.completed) + len(o.ongoing) + len(o.not_completed) + len(o.not_rated) == 61
    assert o.not_rated == ("8.2",)
    disagreeing = {d.action_id for d in demo.disagreements}
    assert {
        "4.3",
        "5.9",
        "7.2",
    } <= disagreeing  # Amber after a passed 30 Sep / 30 Jun deadline (NOTES.md)


def test_period_two_is_judged_against_original_deadlines(demo):
    p = demo.period
    assert len(p.due) == len(p.completed) + len(p.not_completed) + len(p.not_yet_due)
    assert {"5.1", "5.5"} <= set(p.not_completed)  # the two the report names as not completed
    assert set(p.rescheduled) == {"5.1", "5.5"}  # both since revised to 30 Nov 2016 by the Board
    assert (
        "7.2" in p.not_completed
    )  # rated A in the published quarter table, but its deadline passed
    assert "5.4" not in p.due  # the plan says 30 April (Q1); only the quarter table said 30/06/16


def _where(demo, code, action):
    return {f.where for f in demo.findings if f.code == code and f.action_id == action}


def test_validation_finds_the_seed_defects(demo):
    thirty_first_april = [f for f in demo.findings if f.action_id == "7.1" and f.code == "date"]
    assert thirty_first_april and thirty_first_april[0].severity == "error"
    assert thirty_first_april[0].where.startswith("Actions!E")
    assert "31st April 2016" in thirty_first_april[0].message
    not_a_date = [f for f in demo.findings if f.action_id == "8.2" and f.code == "date"]
    assert not_a_date and "Align to the roll-out of ICS V12" in not_a_date[0].message
    month_only = [f for f in demo.findings if f.action_id == "6.4" and f.code == "date"]
    assert month_only[0].severity == "warning" and "28/02/2017" in month_only[0].message


def test_every_missing_owner_is_found(demo):
    unknown = {f.message.split("'")[1] for f in demo.findings if f.code == "owner-unknown"}
    assert unknown == {"JS", "RR", "EC", "JSt", "JH", "TA", "Eileen Collier"}
    assert _where(demo, "owner-unknown", "6.1") == {"Actions!D34"}
    assert {f.action_id for f in demo.findings if f.code == "owner-name"} >= {
        "1.1",
        "1.2",
    }  # "Paul King" as a name


def test_the_ten_revisions_are_consistent_with_the_actions(demo):
    assert len(demo.revisions) == 10
    assert not [
        f for f in demo.findings if f.code.startswith("revision-") and f.severity == "error"
    ]


# ------------------------------------------------------------------------------------------- the invented Q1


@pytest.fixture(scope="module")
def with_history(demo_master, tmp_path_factory):
    """A copy of the demo tracker after the demo's invented Q1 snapshot, as `ofsted-tracker demo` records it."""
    import shutil

    from ofsted_tracker.workbook.demo import record_illustrative_snapshot

    tracker = tmp_path_factory.mktemp("invented") / demo_master.name
    shutil.copy2(demo_master, tracker)
    recorded = record_illustrative_snapshot(tracker)
    return tracker, recorded


def test_the_invented_snapshot_leaves_the_published_figures_exactly(with_history):
    tracker, _ = with_history
    s = open_summary(tracker)
    r, p = s.recorded, s.period
    assert (len(r.total), len(r.completed), len(r.ongoing), len(r.not_completed)) == (61, 37, 19, 5)
    assert (len(p.due), len(p.completed), len(p.not_completed)) == (17, 14, 3)
    assert len(s.revisions) == 10 and s.as_at == date(2016, 10, 31) and p.period.name == "Q2"


def test_the_invented_snapshot_says_it_is_invented_wherever_it_appears(with_history):
    from openpyxl import load_workbook

    tracker, recorded = with_history
    assert "invented" in recorded.message(tracker.name)
    s = open_summary(tracker)
    assert [h.period for h in s.history] == [
        "Q1 (invented)"
    ]  # its name, on every row and in every table
    data = s.as_dict()
    assert [h["period"] for h in data["history"]] == ["Q1 (invented)"]
    assert data["changes"]["since"]["period"] == "Q1 (invented)"
    book = load_workbook(tracker, read_only=True)
    periods = {row[0] for row in book["History"].iter_rows(min_row=5, values_only=True) if row[0]}
    assert periods == {"Q1 (invented)"}
    settings = {
        row[0]: row[1] for row in book["Settings"].iter_rows(min_row=2, values_only=True) if row[0]
    }
    assert (
        "invented for this demo" in settings["History note"]
        and "not Lewisham's" in settings["History note"]
    )


def test_the_demo_shows_direction_of_travel(with_history):
    tracker, _ = with_history
    t = open_summary(tracker).travel
    assert t is not None and t.previous.as_at == date(2016, 7, 31)
    assert {c.action_id for c in t.of("turned_red")} == {
        "1.2",
        "3.3",
        "3.5",
        "8.1",
        "8.3",
    }  # At risk since
    assert {c.action_id for c in t.of("deadline_moved_again")} == {
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "2.4",
        "2.6",
        "3.1",
        "3.5",
        "5.1",
        "5.5",
    }  # the ten revisions
    assert t.of("completed") and t.of("turned_red_deadline_passed")


def test_lewisham_policy_text_is_the_demos_not_the_templates():
    from docx import Document

    from ofsted_tracker.report_builder.build import packaged_template
    from ofsted_tracker.workbook.demo import demo_rows

    template = Document(str(packaged_template()))
    text = "\n".join(p.text for p in template.paragraphs)
    assert (
        "Sustainable Community Strategy" not in text
        and "Comprehensive Equalities Scheme" not in text
    )
    settings = {r["key"]: r["value"] for r in demo_rows()["Settings"]}
    assert "Sustainable Community Strategy 2008-2020" in settings["Policy context"]


def test_the_demo_data_carries_no_editorial_notes():
    from ofsted_tracker.workbook.demo import demo_rows

    rows = demo_rows()
    text = " ".join(str(v) for sheet in rows.values() for row in sheet for v in row.values())
    for note in ("partn[", "[...]", "[remainder", "garbled"):
        assert note not in text, note
