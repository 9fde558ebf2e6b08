"""The rating rule: an action's rating in the plan's scheme (``workbook.plan.schemes``) from its dates and status as at
a date. The schemes are stated in words in that module's docstring and in the README; this is their one rule."""

from __future__ import annotations

from datetime import date

from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.model import Action
from ofsted_tracker.workbook.plan.schemes import COMPLETED, Scheme


def derived_rag(
    action: Action,
    as_at: date,
    scheme: Scheme = schemes.RAG,
    tolerance: int = schemes.DEFAULT_TOLERANCE,
) -> str | None:
    """The action's rating letter as at a date; None when it cannot be rated (no usable deadline, or withdrawn).

    RAG and BRAG:
    - Blue ('B', BRAG only): complete and embedded, that is Green with its evidence of impact recorded.
    - Green: complete on or before its current deadline (complete with no completion date counts as on time).
    - Amber: not complete and its current deadline has not yet passed (a deadline equal to the date has not passed).
    - Red: not complete and the deadline has passed, or at risk or off track, or completed after its deadline.
    RAG + Completed: Completed ('C') when complete; Red when off track or the deadline passed; Amber when at risk;
    else Green (on track, not started, ongoing). Days behind: Completed when complete; else Green until the
    deadline, Amber up to ``tolerance`` days after it, Red beyond.
    An action with no end date (an "Ongoing" deadline) is rated by its status alone: in RAG and BRAG Green when
    complete, Red when at risk or off track, else Amber; in the other two Completed, Red when off track, Amber
    when at risk, else Green.
    """
    if action.withdrawn:
        return None
    deadline = action.deadline
    meaning = action.meaning
    if scheme.completed_apart:
        if action.is_complete:
            return COMPLETED
        if action.no_end_date:
            return (
                "R" if meaning == schemes.OFF_TRACK else "A" if meaning == schemes.AT_RISK else "G"
            )
        if deadline is None:
            return None
        if scheme.days_behind:
            behind = (as_at - deadline).days
            return "G" if behind <= 0 else "A" if behind <= tolerance else "R"
        if deadline < as_at or meaning == schemes.OFF_TRACK:
            return "R"
        return "A" if meaning == schemes.AT_RISK else "G"
    if action.is_complete:
        if action.completed_on is None or deadline is None or action.completed_on <= deadline:
            return schemes.BLUE if scheme.extra and action.evidence.strip() else "G"
        return "R"
    if meaning in (schemes.AT_RISK, schemes.OFF_TRACK):
        return "R"
    if action.no_end_date:
        return "A"
    if deadline is None:
        return None
    return "R" if deadline < as_at else "A"


def completed_by(action: Action, deadline: date | None) -> bool:
    """True when the action is complete and was completed on or before the given deadline."""
    if not action.is_complete:
        return False
    return action.completed_on is None or deadline is None or action.completed_on <= deadline
