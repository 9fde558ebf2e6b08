"""Small plan builders for rule tests: an action or a plan in one line."""

from __future__ import annotations

from datetime import date

from ofsted_tracker.workbook.plan.ids import in_order
from ofsted_tracker.workbook.plan.model import Action, Lead, Period, Plan, Recommendation, Revision


def act(
    action_id: str = "1.1",
    original: date | None = date(2016, 6, 30),
    status: str = "On track",
    *,
    current: date | None = None,
    completed_on: date | None = None,
    recorded: str | None = None,
    owners: tuple[str, ...] = ("SK",),
    rec: str | None = None,
    row: int = 2,
) -> Action:
    """An action for rule tests, with sensible defaults."""
    return Action(
        action_id=action_id,
        rec_id=rec or action_id.split(".")[0],
        text=f"Action {action_id}",
        owners=owners,
        original_deadline=original,
        current_deadline=current,
        status=status,
        completed_on=completed_on,
        recorded_rag=recorded,
        row=row,
    )


def plan_of(
    *actions: Action,
    revisions: tuple[Revision, ...] = (),
    periods: tuple[Period, ...] = (),
    leads: tuple[Lead, ...] = (Lead("SK", "Stephen Kitchman", row=2),),
) -> Plan:
    """A plan around the given actions, with recommendations for every rec id used."""
    recs = tuple(
        Recommendation(r, f"Recommendation {r}", row=i + 2)
        for i, r in enumerate(in_order({a.rec_id for a in actions}))
    )
    return Plan(
        actions=tuple(actions),
        recommendations=recs,
        leads=leads,
        revisions=revisions,
        periods=periods,
    )
