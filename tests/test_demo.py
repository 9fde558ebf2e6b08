"""The Lewisham demo: the recorded RAG reconciles with the published totals; validation finds the real defects."""

from datetime import date

import pytest

from workbook.tracker import open_summary


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
    assert {"4.3", "5.9", "7.2"} <= disagreeing  # Amber after a passed 30 Sep / 30 Jun deadline (NOTES.md)


def test_period_two_is_judged_against_original_deadlines(demo):
    p = demo.period
    assert len(p.due) == len(p.completed) + len(p.not_completed) + len(p.not_yet_due)
    assert {"5.1", "5.5"} <= set(p.not_completed)  # the two the report names as not completed
    assert set(p.rescheduled) == {"5.1", "5.5"}  # both since revised to 30 Nov 2016 by the Board
    assert "7.2" in p.not_completed  # rated A in the published quarter table, but its deadline passed
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
    assert {f.action_id for f in demo.findings if f.code == "owner-name"} >= {"1.1", "1.2"}  # "Paul King" as a name


def test_the_ten_revisions_are_consistent_with_the_actions(demo):
    assert len(demo.revisions) == 10
    assert not [f for f in demo.findings if f.code.startswith("revision-") and f.severity == "error"]
