"""Slippage per action and a period's deadline revisions."""

from datetime import date

from ofsted_tracker.workbook.plan.model import Period, Revision
from ofsted_tracker.workbook.rules.dashboard import derived_ratings
from ofsted_tracker.workbook.rules.slippage import period_revisions, slippage
from tests.builders import act, plan_of

AS_AT = date(2016, 10, 31)


def test_slippage_rows():
    revisions = (
        Revision(
            "1.1",
            date(2016, 9, 30),
            date(2016, 12, 15),
            "Training dates",
            "Board",
            date(2016, 9, 1),
            row=2,
        ),
        Revision(
            "1.1", date(2016, 12, 15), date(2017, 3, 31), "Again", "Board", date(2016, 10, 1), row=3
        ),
    )
    plan = plan_of(
        act("1.1", date(2016, 9, 30), "On track", current=date(2017, 3, 31)),
        act("1.2", date(2016, 9, 30), "On track"),
        act("1.3", date(2016, 9, 30), "Complete", completed_on=date(2016, 10, 5)),
        act("1.4", None, "On track"),
        revisions=revisions,
    )
    rows = {r.action_id: r for r in slippage(plan, derived_ratings(plan, AS_AT), AS_AT)}
    assert (rows["1.1"].days_slipped, rows["1.1"].revisions, rows["1.1"].days_overdue) == (
        182,
        2,
        0,
    )
    assert (rows["1.2"].days_slipped, rows["1.2"].revisions, rows["1.2"].days_overdue) == (0, 0, 31)
    assert rows["1.3"].days_overdue == 0 and rows["1.3"].derived_rag == "R"
    assert rows["1.4"].days_slipped is None and rows["1.4"].derived_rag is None


def test_period_revisions_are_those_agreed_in_the_period_up_to_the_as_at_date():
    q3 = Period("Q3", date(2016, 8, 1), date(2016, 10, 31))
    revisions = (
        Revision(
            "1.1", date(2016, 9, 30), date(2016, 12, 15), "a", "Board", date(2016, 7, 31), row=2
        ),  # before
        Revision(
            "1.2", date(2016, 9, 30), date(2016, 12, 15), "b", "Board", date(2016, 8, 1), row=3
        ),  # first day
        Revision(
            "1.3", date(2016, 9, 30), date(2016, 12, 15), "c", "Board", date(2016, 10, 31), row=4
        ),  # as-at day
        Revision(
            "1.4", date(2016, 9, 30), date(2016, 12, 15), "d", "Board", None, row=5
        ),  # undated: shown
        Revision(
            "1.5", date(2016, 9, 30), date(2016, 12, 15), "e", "Board", date(2016, 11, 1), row=6
        ),  # after as-at
    )
    plan = plan_of(*(act(f"1.{i}", date(2016, 9, 30)) for i in range(1, 6)), revisions=revisions)
    assert [r.action_id for r in period_revisions(plan, q3, AS_AT)] == ["1.2", "1.3", "1.4"]
