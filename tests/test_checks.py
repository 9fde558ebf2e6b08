"""Validation rules: each finding is located and says what to do."""

from dataclasses import replace
from datetime import date

from ofsted_tracker.workbook.plan.model import Lead, Revision
from ofsted_tracker.workbook.rules.checks import validate
from tests.builders import act, plan_of

AS_AT = date(2016, 10, 31)


def codes(plan, as_at=AS_AT, period=None):
    return {(f.code, f.action_id, f.where) for f in validate(plan, as_at, period)}


def test_clean_plan_has_no_findings():
    plan = plan_of(act("1.1", date(2016, 11, 30), "On track", recorded="A"))
    assert validate(plan, AS_AT) == ()


def test_ids_blank_malformed_duplicate_and_unknown_recommendation():
    plan = plan_of(
        act("1.1", row=2),
        act("1.1", row=3),
        act("", rec="1", row=4),
        act("1-3", rec="1", row=5),
        act("2.1", rec="1", row=6),
    )
    plan = replace(
        plan, actions=plan.actions + (act("9.1", rec="9", row=7),)
    )  # recommendation 9 does not exist
    found = codes(plan)
    assert ("id-duplicate", "1.1", "Actions!A3") in found
    assert ("id-blank", "", "Actions!A4") in found
    assert not [
        f for f in found if f[1] == "1-3"
    ]  # any text unique in the plan is an id (issue 20)
    assert ("id-rec-mismatch", "2.1", "Actions!A6") in found
    assert ("rec-unknown", "9.1", "Actions!B7") in found


def test_owners_not_in_leads():
    plan = plan_of(
        act("1.1", owners=("SK", "EC"), row=2),
        act("1.2", owners=("Stephen Kitchman",), row=3),
        act("1.3", owners=(), row=4),
    )
    found = codes(plan)
    assert ("owner-unknown", "1.1", "Actions!D2") in found
    assert ("owner-name", "1.2", "Actions!D3") in found
    assert ("owner-blank", "1.3", "Actions!D4") in found
    messages = [f.message for f in validate(plan, AS_AT) if f.code == "owner-unknown"]
    assert "'EC' is not in the Leads sheet" in messages[0]


def test_completion_dates():
    plan = plan_of(
        act("1.1", status="Complete", row=2),
        act(
            "1.2", status="Complete", completed_on=date(2016, 11, 1), row=3
        ),  # after the as-at date
        act("1.3", status="On track", completed_on=date(2016, 6, 1), row=4),
    )
    found = codes(plan)
    assert ("complete-no-date", "1.1", "Actions!H2") in found
    assert ("completed-future", "1.2", "Actions!H3") in found
    assert ("date-not-complete", "1.3", "Actions!G4") in found
    assert ("completed-future", "1.2", "Actions!H3") not in codes(plan, as_at=date(2016, 11, 1))


def test_deadline_moved_without_revision_and_mismatched_revisions():
    revisions = (
        Revision(
            "1.2", date(2016, 9, 1), date(2016, 12, 1), "Reason", "Board", row=2
        ),  # old is not the original
        Revision(
            "1.3", date(2016, 9, 30), date(2016, 11, 30), "", "", row=3
        ),  # no reason, not agreed, new mismatch
        Revision("7.7", date(2016, 9, 30), date(2016, 11, 30), "Reason", "Board", row=4),
        Revision(
            "1.4", date(2016, 9, 30), date(2016, 11, 30), "Reason", "Board", row=5
        ),  # agreed, new mismatch
    )
    plan = plan_of(
        act("1.1", date(2016, 9, 30), current=date(2016, 12, 31), row=2),
        act("1.2", date(2016, 9, 30), current=date(2016, 12, 1), row=3),
        act("1.3", date(2016, 9, 30), current=date(2016, 12, 31), row=4),
        act("1.4", date(2016, 9, 30), current=date(2016, 12, 31), row=5),
        revisions=revisions,
    )
    found = codes(plan)
    assert ("revision-missing", "1.1", "Actions!F2") in found
    assert ("revision-old-mismatch", "1.2", "Revisions!B2") in found
    assert ("revision-new-mismatch", "1.4", "Revisions!C5") in found
    # not agreed yet (as collect takes a proposed deadline in): pending, a warning, not a mismatch
    assert ("revision-pending", "1.3", "Revisions!C3") in found and (
        "revision-new-mismatch",
        "1.3",
        "Revisions!C3",
    ) not in found
    assert (
        next(f for f in validate(plan, AS_AT) if f.code == "revision-pending").severity == "warning"
    )
    assert ("revision-no-reason", "1.3", "Revisions!D3") in found
    assert ("revision-not-agreed", "1.3", "Revisions!E3") in found
    assert ("revision-unknown-action", "7.7", "Revisions!A4") in found


def test_revision_chain_must_follow_on():
    revisions = (
        Revision(
            "1.1", date(2016, 9, 30), date(2016, 12, 1), "a", "Board", date(2016, 9, 1), row=2
        ),
        Revision(
            "1.1", date(2016, 12, 15), date(2017, 1, 31), "b", "Board", date(2016, 10, 1), row=3
        ),
    )
    plan = plan_of(act("1.1", date(2016, 9, 30), current=date(2017, 1, 31)), revisions=revisions)
    assert ("revision-chain", "1.1", "Revisions!B3") in codes(plan)


def test_recorded_rag_contradicting_the_rule():
    approved = Revision(
        "1.3", date(2016, 9, 30), date(2016, 12, 31), "a", "Board", date(2016, 9, 1), row=2
    )
    plan = plan_of(
        act("1.1", date(2016, 11, 30), "On track", recorded="G", row=2),  # green while not complete
        act(
            "1.2", date(2016, 9, 30), "On track", recorded="A", row=3
        ),  # amber after its deadline, no revision
        act(
            "1.3", date(2016, 9, 30), "On track", current=date(2016, 12, 31), recorded="A", row=4
        ),  # revised: fine
        revisions=(approved,),
    )
    found = codes(plan)
    assert ("rag-green-not-complete", "1.1", "Actions!I2") in found
    assert ("rag-amber-overdue", "1.2", "Actions!I3") in found
    assert not any(code == "rag-amber-overdue" and aid == "1.3" for code, aid, _ in found)


def test_unknown_period_is_an_error():
    found = validate(plan_of(act()), AS_AT, "Q9")
    assert [f.code for f in found] == ["period-unknown"]
    assert "Q9" in found[0].message


def test_locations_follow_the_columns_the_workbook_actually_has():
    plan = plan_of(act("1.1", owners=("ZZ",), row=7))
    moved = replace(plan, columns={"Actions": {"owners": "K"}})
    assert ("owner-unknown", "1.1", "Actions!K7") in codes(moved)


def test_errors_come_first():
    plan = plan_of(act("1.1", status="Complete", owners=("ZZ",)), leads=(Lead("SK", "S K"),))
    severities = [f.severity for f in validate(plan, AS_AT)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_unknown_period_from_settings_points_at_its_cell():
    plan = replace(
        plan_of(act()), settings={"Reporting period": "Q9"}, setting_rows={"Reporting period": 12}
    )
    found = validate(plan, AS_AT, "Q9")
    assert [f.where for f in found] == ["Settings!B12"]
    assert [f.where for f in validate(plan, AS_AT, "Q8")] == [
        "Settings"
    ]  # asked for on the command line


def test_lead_initials_recommendation_numbers_and_period_names_each_name_one_row():
    from ofsted_tracker.workbook.plan.model import Period, Recommendation

    plan = plan_of(
        act("1.1", date(2016, 11, 30), "On track", recorded="A"),
        leads=(
            Lead("SK", "Stephen Kitchman", row=2),
            Lead("TB", "Tony Blake", row=3),
            Lead(" sk", "Sarah Keane", row=4),
        ),
        periods=(
            Period("Q1", date(2016, 2, 1), date(2016, 4, 30), row=2),
            Period("Q2", date(2016, 5, 1), date(2016, 7, 31), row=3),
            Period("q2 ", date(2016, 8, 1), date(2016, 10, 31), row=4),
        ),
    )
    plan = replace(
        plan, recommendations=plan.recommendations + (Recommendation("1", "Again", row=3),)
    )
    found = {(f.code, f.where) for f in validate(plan, AS_AT)}
    assert found == {
        ("lead-duplicate", "Leads!A4"),
        ("period-duplicate", "Periods!A4"),
        ("rec-duplicate", "Recommendations!A3"),
    }
    message = next(f.message for f in validate(plan, AS_AT) if f.code == "lead-duplicate")
    assert "first on row 2" in message


def test_a_red_action_completed_late_is_not_asked_for_a_corrective_action():
    late = act(
        "1.1", date(2016, 6, 30), "Complete", completed_on=date(2016, 8, 1)
    )  # Red by the rule: done late
    open_red = act("1.2", date(2016, 6, 30), "At risk", row=3)
    plan = plan_of(late, open_red)
    plan = replace(
        plan, columns={"Actions": {**plan.columns.get("Actions", {}), "corrective_action": "P"}}
    )
    found = {(f.code, f.action_id) for f in validate(plan, AS_AT)}
    assert ("red-no-corrective", "1.2") in found and ("red-no-corrective", "1.1") not in found
