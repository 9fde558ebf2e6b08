"""The RAG rule: an action's Red/Amber/Green (or, in BRAG, Blue) rating from its dates and status as at a date."""

from __future__ import annotations

from datetime import date

from ofsted_tracker.workbook.plan.model import Action
from ofsted_tracker.workbook.plan.schema import BLUE


def derived_rag(action: Action, as_at: date, brag: bool = False) -> str | None:
    """Green, Amber or Red ('G', 'A', 'R') as at a date; None when it cannot be rated (no usable deadline).

    - Blue ('B', only when ``brag``): complete and embedded, that is Green with its evidence of impact recorded.
    - Green: complete on or before its current deadline (complete with no completion date counts as on time).
    - Amber: not complete and its current deadline has not yet passed (a deadline equal to the date has not passed).
    - Red: not complete and the deadline has passed, or flagged At risk, or completed after its deadline.
    """
    deadline = action.deadline
    if action.is_complete:
        if action.completed_on is None or deadline is None or action.completed_on <= deadline:
            return BLUE if brag and action.evidence.strip() else "G"
        return "R"
    if action.status == "At risk":
        return "R"
    if deadline is None:
        return None
    return "R" if deadline < as_at else "A"


def completed_by(action: Action, deadline: date | None) -> bool:
    """True when the action is complete and was completed on or before the given deadline."""
    if not action.is_complete:
        return False
    return action.completed_on is None or deadline is None or action.completed_on <= deadline
