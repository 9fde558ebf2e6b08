"""Slippage: how far each action's deadline has moved and how overdue it is; a period's deadline revisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ofsted_tracker.workbook.plan.model import Period, Plan, Revision
from ofsted_tracker.workbook.rules.dashboard import Ratings


@dataclass(frozen=True)
class SlippageRow:
    """One action's slippage as at a date."""

    action_id: str
    derived_rag: str | None
    recorded_rag: str | None
    original_deadline: date | None
    current_deadline: date | None
    days_slipped: int | None  # current minus original deadline, in days
    revisions: int
    days_overdue: int  # days past the current deadline while not complete; 0 otherwise


def slippage(plan: Plan, ratings: Ratings, as_at: date) -> tuple[SlippageRow, ...]:
    """Every action's slippage as at the date, in plan order (``ratings``: each action's RAG by the rule)."""
    counts: dict[str, int] = {}
    for revision in plan.revisions:
        counts[revision.action_id] = counts.get(revision.action_id, 0) + 1
    rows = []
    for a in plan.actions:
        deadline = a.deadline
        slipped = (
            (deadline - a.original_deadline).days if deadline and a.original_deadline else None
        )
        overdue = (
            (as_at - deadline).days if deadline and not a.is_complete and deadline < as_at else 0
        )
        rows.append(
            SlippageRow(
                a.action_id,
                ratings[a.action_id],
                a.recorded_rag,
                a.original_deadline,
                deadline,
                slipped,
                counts.get(a.action_id, 0),
                overdue,
            )
        )
    return tuple(rows)


def period_revisions(plan: Plan, period: Period, as_at: date) -> tuple[Revision, ...]:
    """Revisions agreed from the period's start up to the as-at date; undated ones are included (and flagged)."""
    return tuple(
        r for r in plan.revisions if r.agreed_on is None or period.start <= r.agreed_on <= as_at
    )
