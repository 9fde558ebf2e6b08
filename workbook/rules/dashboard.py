"""The progress dashboards: overall counts (derived and recorded RAG) and the period snapshot, each with its list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ofsted_tracker.workbook.plan.model import Action, Period, Plan
from ofsted_tracker.workbook.plan.schemes import BLUE, COMPLETED
from ofsted_tracker.workbook.rules.rag import completed_by, derived_rag


@dataclass(frozen=True)
class Overall:
    """Counts of the plan (withdrawn actions left out) by rating, each with the action ids behind it; they add up
    to the total. The fields are named for RAG's meanings; in another scheme they hold its G, A and R
    (``Plan.scheme`` says what each means)."""

    total: tuple[str, ...]
    completed: tuple[
        str, ...
    ]  # G: completed by deadline (RAG, BRAG); on track / deadline not passed (others)
    ongoing: tuple[
        str, ...
    ]  # A: ongoing within deadline (RAG, BRAG); at risk / within the tolerance (others)
    not_completed: tuple[str, ...]  # R: not completed by deadline, or unlikely to be
    not_rated: tuple[str, ...]  # no usable deadline (derived) or no RAG typed (recorded)
    embedded: tuple[str, ...] = ()  # B: complete and embedded (BRAG only; always empty in RAG)
    complete: tuple[str, ...] = ()  # C: completed (RAG + Completed and Days behind only)

    def of(self, letter: str) -> tuple[str, ...]:
        """The ids rated with a letter (B, G, A, R or C)."""
        return {
            "G": self.completed,
            "A": self.ongoing,
            "R": self.not_completed,
            BLUE: self.embedded,
        }.get(letter, self.complete if letter == COMPLETED else ())


@dataclass(frozen=True)
class Disagreement:
    """An action whose recorded RAG differs from the rule's."""

    action_id: str
    recorded: str
    derived: str | None


@dataclass(frozen=True)
class PeriodDashboard:
    """Actions whose original deadline falls in the period, judged against that original deadline.

    due = completed + not_completed + not_yet_due, by construction. ``rescheduled`` and ``completed_late``
    are subsets of ``not_completed``.
    """

    period: Period
    due: tuple[str, ...]
    completed: tuple[str, ...]
    not_completed: tuple[str, ...]
    not_yet_due: tuple[str, ...]
    rescheduled: tuple[str, ...]
    completed_late: tuple[str, ...]


def _bucket(ratings: list[tuple[str, str | None]]) -> Overall:
    pick = lambda wanted: tuple(a for a, r in ratings if r == wanted)  # noqa: E731
    return Overall(
        total=tuple(a for a, _ in ratings),
        completed=pick("G"),
        ongoing=pick("A"),
        not_completed=pick("R"),
        not_rated=pick(None),
        embedded=pick(BLUE),
        complete=pick(COMPLETED),
    )


def derived_ratings(plan: Plan, as_at: date) -> dict[str, str | None]:
    """Each action's rating in the plan's scheme as at the date, keyed by action id (in plan order; a withdrawn
    action's is None, and it is in no count)."""
    scheme, tolerance = plan.scheme, plan.tolerance
    return {a.action_id: derived_rag(a, as_at, scheme, tolerance) for a in plan.actions}


Ratings = Mapping[
    str, str | None
]  # each action's RAG by the rule (``derived_ratings``), computed once per summary


def overall(plan: Plan, ratings: Ratings) -> Overall:
    """The whole plan (withdrawn actions left out) by the rule of its scheme."""
    return _bucket([(a.action_id, ratings[a.action_id]) for a in plan.counted])


def overall_recorded(plan: Plan) -> Overall:
    """The whole plan by the RAG officers typed (Recorded RAG); blanks are 'not rated'."""
    return _bucket([(a.action_id, a.recorded_rag) for a in plan.counted])


def disagreements(plan: Plan, ratings: Ratings) -> tuple[Disagreement, ...]:
    """Actions with a recorded RAG that differs from the rule's rating."""
    out = []
    for action in plan.counted:
        derived = ratings[action.action_id]
        if action.recorded_rag and action.recorded_rag != derived:
            out.append(Disagreement(action.action_id, action.recorded_rag, derived))
    return tuple(out)


def exceptions(plan: Plan, ratings: Ratings) -> tuple[Action, ...]:
    """Every action rated Red by the rule, in plan order, each with its corrective action and forecast date (the
    report's exceptions table)."""
    return tuple(a for a in plan.counted if ratings[a.action_id] == "R")


def due_in(plan: Plan, period: Period) -> tuple[Action, ...]:
    """Actions whose original deadline falls within the period, in plan order (never a withdrawn action, nor one
    with no end date)."""
    return tuple(a for a in plan.counted if period.contains(a.original_deadline))


def period_dashboard(plan: Plan, period: Period, as_at: date) -> PeriodDashboard:
    """The period snapshot: due, completed by (original) deadline, not completed, not yet due; with lists."""
    due = due_in(plan, period)
    completed, not_completed, not_yet_due, rescheduled, late = [], [], [], [], []
    for action in due:
        if completed_by(action, action.original_deadline):
            completed.append(action.action_id)
        elif not action.is_complete and action.original_deadline >= as_at:
            not_yet_due.append(action.action_id)
        else:
            not_completed.append(action.action_id)
            if action.is_complete:
                late.append(action.action_id)
            if any(r.approved for r in plan.revisions_of(action.action_id)):
                rescheduled.append(action.action_id)
    return PeriodDashboard(
        period=period,
        due=tuple(a.action_id for a in due),
        completed=tuple(completed),
        not_completed=tuple(not_completed),
        not_yet_due=tuple(not_yet_due),
        rescheduled=tuple(rescheduled),
        completed_late=tuple(late),
    )


def rescheduled(plan: Plan) -> tuple[str, ...]:
    """Actions not complete whose deadline was moved by an approved revision: Days behind lists them apart as the
    council's "rescheduled with approval"."""
    return tuple(
        a.action_id
        for a in plan.counted
        if not a.is_complete and any(r.approved for r in plan.revisions_of(a.action_id))
    )


def completed_late(plan: Plan) -> tuple[str, ...]:
    """Complete actions completed after their deadline in force: listed apart in the two Completed schemes."""
    return tuple(
        a.action_id
        for a in plan.counted
        if a.is_complete and not a.no_end_date and not completed_by(a, a.deadline)
    )
