"""Overall and period dashboards: counts that add up, with their lists; periods across a year end."""

from datetime import date

from ofsted_tracker.workbook.plan.model import Period, Revision
from ofsted_tracker.workbook.rules.dashboard import (
    derived_ratings,
    disagreements,
    overall,
    overall_recorded,
    period_dashboard,
)
from tests.builders import act, plan_of

AS_AT = date(2016, 10, 31)
Q2 = Period("Q2", date(2016, 5, 1), date(2016, 7, 31))
Q4 = Period("Q4", date(2016, 11, 1), date(2017, 1, 31))  # spans a year end


def test_overall_counts_add_up_and_carry_their_lists():
    plan = plan_of(
        act("1.1", date(2016, 6, 30), "Complete", completed_on=date(2016, 6, 1), recorded="G"),
        act("1.2", date(2016, 11, 30), "On track", recorded="A"),
        act("1.3", date(2016, 9, 30), "On track", recorded="A"),  # overdue: rule says Red
        act("1.4", None, "On track", recorded="A"),  # no usable deadline
        act("1.5", date(2016, 12, 1), "At risk", recorded="R"),
    )
    o = overall(plan, derived_ratings(plan, AS_AT))
    assert o.completed == ("1.1",) and o.ongoing == ("1.2",) and o.not_completed == ("1.3", "1.5")
    assert o.not_rated == ("1.4",)
    assert (
        len(o.completed) + len(o.ongoing) + len(o.not_completed) + len(o.not_rated)
        == len(o.total)
        == 5
    )
    r = overall_recorded(plan)
    assert (len(r.completed), len(r.ongoing), len(r.not_completed)) == (1, 3, 1)
    assert [
        (d.action_id, d.recorded, d.derived)
        for d in disagreements(plan, derived_ratings(plan, AS_AT))
    ] == [("1.3", "A", "R"), ("1.4", "A", None)]


def test_period_judges_against_the_original_deadline():
    revised = Revision(
        "2.2", date(2016, 7, 30), date(2016, 11, 30), "Linked to partner timetable", "Board", row=2
    )
    plan = plan_of(
        act(
            "2.1", date(2016, 5, 1), "Complete", completed_on=date(2016, 5, 1)
        ),  # first day of the period
        act(
            "2.2", date(2016, 7, 30), "On track", current=date(2016, 11, 30)
        ),  # rescheduled: amber overall, not done in Q2
        act(
            "2.3", date(2016, 7, 31), "Complete", completed_on=date(2016, 8, 15)
        ),  # last day; completed late
        act("2.4", date(2016, 8, 1), "On track"),  # outside the period
        act("2.5", date(2016, 4, 30), "On track"),  # outside the period
        revisions=(revised,),
    )
    p = period_dashboard(plan, Q2, AS_AT)
    assert p.due == ("2.1", "2.2", "2.3")
    assert p.completed == ("2.1",)
    assert p.not_completed == ("2.2", "2.3")
    assert p.rescheduled == ("2.2",)
    assert p.completed_late == ("2.3",)
    assert p.not_yet_due == ()
    assert len(p.completed) + len(p.not_completed) + len(p.not_yet_due) == len(p.due)
    assert overall(plan, derived_ratings(plan, AS_AT)).ongoing == ("2.2",)


def test_unapproved_revision_is_not_rescheduled():
    unagreed = Revision("2.2", date(2016, 7, 30), date(2016, 11, 30), "Reason", agreed_by="", row=2)
    plan = plan_of(
        act("2.2", date(2016, 7, 30), "On track", current=date(2016, 11, 30)), revisions=(unagreed,)
    )
    p = period_dashboard(plan, Q2, AS_AT)
    assert p.not_completed == ("2.2",) and p.rescheduled == ()


def test_period_across_a_year_end_while_still_running():
    plan = plan_of(
        act("3.1", date(2016, 11, 30), "Complete", completed_on=date(2016, 11, 20)),
        act("3.2", date(2016, 12, 31), "On track"),
        act("3.3", date(2017, 1, 31), "On track"),  # last day of the period
        act("3.4", date(2017, 2, 1), "On track"),  # the day after
    )
    as_at = date(2016, 12, 31)
    p = period_dashboard(plan, Q4, as_at)
    assert p.due == ("3.1", "3.2", "3.3")
    assert p.completed == ("3.1",)
    assert p.not_yet_due == ("3.2", "3.3")  # 3.2's deadline equals the as-at date: not yet passed
    assert p.not_completed == ()
    later = period_dashboard(plan, Q4, date(2017, 2, 1))
    assert later.not_completed == ("3.2", "3.3") and later.not_yet_due == ()


def test_leap_day_deadline_falls_in_its_period():
    q1 = Period("Q1", date(2016, 2, 1), date(2016, 4, 30))
    plan = plan_of(act("4.1", date(2016, 2, 29), "Complete", completed_on=date(2016, 2, 29)))
    p = period_dashboard(plan, q1, AS_AT)
    assert p.due == ("4.1",) and p.completed == ("4.1",)
