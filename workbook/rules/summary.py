"""Everything the dashboards and the report show, computed once from the plan as at a date for a period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from ofsted_tracker.workbook.plan.findings import (
    ERROR,
    INFO,
    WARNING,
    Finding,
    count,
    sort_findings,
)
from ofsted_tracker.workbook.plan.model import Action, Plan, Revision
from ofsted_tracker.workbook.plan.words import counted
from ofsted_tracker.workbook.rules.chase import ChaseEntry, OwnerChase, chase_list
from ofsted_tracker.workbook.rules.checks import validate
from ofsted_tracker.workbook.rules.dashboard import (
    Disagreement,
    Overall,
    PeriodDashboard,
    completed_late,
    derived_ratings,
    disagreements,
    exceptions,
    overall,
    overall_recorded,
    period_dashboard,
    rescheduled,
)
from ofsted_tracker.workbook.rules.history import (
    CATEGORIES,
    Snapshot,
    Travel,
    direction_of_travel,
    previous,
    take,
    trend,
)
from ofsted_tracker.workbook.rules.slippage import SlippageRow, period_revisions, slippage


@dataclass(frozen=True)
class Summary:
    """The computed state of a plan: the figures, their lists, slippage and every finding."""

    plan: Plan
    as_at: date
    overall: Overall
    recorded: Overall
    disagreements: tuple[Disagreement, ...]
    period: PeriodDashboard | None
    revisions: tuple[Revision, ...]
    slippage: tuple[SlippageRow, ...]
    ratings: dict[str, str | None]
    findings: tuple[Finding, ...]
    history: tuple[Snapshot, ...] = ()  # the snapshots on the History sheet, oldest first
    chase_log: tuple[
        ChaseEntry, ...
    ] = ()  # the Requests sheet's log: requests sent, returns received

    @cached_property
    def chase(self) -> tuple[OwnerChase, ...]:
        """The chase list per owner for the period as at the date."""
        last = previous(self.history, self.period.period.name, self.as_at) if self.period else None
        return chase_list(
            self.plan, self.period.period if self.period else None, self.as_at, self.chase_log, last
        )

    @cached_property
    def live(self) -> Snapshot | None:
        """The plan's state now as a snapshot of the reporting period (None without a period)."""
        if self.period is None:
            return None
        return take(self.plan, self.ratings, self.as_at, self.period.period.name)

    @cached_property
    def exceptions(self) -> tuple[Action, ...]:
        """The actions rated Red by the rule, with their corrective action and forecast date (plan order)."""
        return exceptions(self.plan, self.ratings)

    @cached_property
    def trend(self) -> tuple[Snapshot, ...]:
        """The trend as at the as-at date: earlier snapshots of other periods, then the live state (no pandas)."""
        return trend(self.history, self.live)

    @cached_property
    def travel(self) -> Travel | None:
        """Changes since the last snapshot and year on year; None when there is no earlier snapshot."""
        if self.live is None:
            return None
        return direction_of_travel(
            self.history, self.trend[-1]
        )  # the live state, or its recorded snapshot

    @property
    def errors(self) -> int:
        return count(self.findings, ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, WARNING)

    @property
    def infos(self) -> int:
        return count(self.findings, INFO)

    def counts(self) -> dict[str, int]:
        """The findings counted by severity, as ``--json`` gives them."""
        return {"errors": self.errors, "warnings": self.warnings, "info": self.infos}

    def counts_text(self) -> str:
        """The findings counted in words: "3 errors, 1 warning, 2 info"."""
        return f"{counted(self.errors, 'error')}, {counted(self.warnings, 'warning')}, {self.infos} info"

    def ratings_text(self) -> str:
        """The whole plan by the rule in words: "37 Green, 10 Amber, 13 Red, 1 not rated" (the scheme's fourth
        bucket first: Blue, Completed; then any withdrawn or ongoing actions)."""
        o = self.overall
        shown = [f"{len(o.of(b.letter))} {b.name}" for b in self.plan.scheme.buckets]
        text = ", ".join([*shown, f"{len(o.not_rated)} not rated"])
        apart = [
            (len(self.plan.withdrawn), "withdrawn"),
            (len(self.plan.no_end_date), "with no end date"),
        ]
        extra = "; ".join(f"{n} {what}" for n, what in apart if n)
        return f"{text} ({extra})" if extra else text

    @cached_property
    def withdrawn(self) -> tuple[Action, ...]:
        """Withdrawn, superseded or merged actions: in no count, listed apart with their commentary."""
        return self.plan.withdrawn

    @cached_property
    def no_end_date(self) -> tuple[str, ...]:
        """Ongoing actions (no end date): rated by status alone, listed apart."""
        return tuple(a.action_id for a in self.plan.no_end_date)

    @cached_property
    def rescheduled(self) -> tuple[str, ...]:
        """Not complete and moved by an approved revision ("rescheduled with approval")."""
        return rescheduled(self.plan)

    @cached_property
    def completed_late(self) -> tuple[str, ...]:
        """Complete after their deadline in force (listed apart in the two Completed schemes)."""
        return completed_late(self.plan)

    def as_dict(self) -> dict:
        """Machine-readable form for ``--json``: counts with their action-id lists, slippage rows, findings."""

        scheme = self.plan.scheme

        def block(o: Overall) -> dict:
            return {
                name: {"count": len(ids), "actions": list(ids)}
                for name, ids in (
                    ("total", o.total),
                    *((b.key, o.of(b.letter)) for b in scheme.buckets),
                    ("not_rated", o.not_rated),
                )
            }

        period = None
        if self.period:
            p = self.period
            period = {
                "name": p.period.name,
                "start": p.period.start.isoformat(),
                "end": p.period.end.isoformat(),
                **{
                    name: {"count": len(ids), "actions": list(ids)}
                    for name, ids in (
                        ("due", p.due),
                        ("completed_by_deadline", p.completed),
                        ("not_completed_by_deadline", p.not_completed),
                        ("not_yet_due", p.not_yet_due),
                        ("rescheduled", p.rescheduled),
                        ("completed_late", p.completed_late),
                    )
                },
            }
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "as_at": self.as_at.isoformat(),
            "rating_scheme": scheme.name,
            "overall": block(self.overall),
            "withdrawn": [
                {"action": a.action_id, "status": a.status, "commentary": a.commentary}
                for a in self.withdrawn
            ],
            "no_end_date": list(self.no_end_date),
            **({"completed_late": list(self.completed_late)} if scheme.completed_apart else {}),
            **({"rescheduled_with_approval": list(self.rescheduled)} if scheme.days_behind else {}),
            "recorded": block(self.recorded),
            "disagreements": [
                {"action": d.action_id, "recorded": d.recorded, "derived": d.derived}
                for d in self.disagreements
            ],
            "period": period,
            "revisions": [
                {
                    "action": r.action_id,
                    "old_deadline": iso(r.old_deadline),
                    "new_deadline": iso(r.new_deadline),
                    "reason": r.reason,
                    "agreed_by": r.agreed_by,
                    "agreed_on": iso(r.agreed_on),
                }
                for r in self.revisions
            ],
            "slippage": [
                {
                    "action": s.action_id,
                    "derived_rag": s.derived_rag,
                    "recorded_rag": s.recorded_rag,
                    "original_deadline": iso(s.original_deadline),
                    "current_deadline": iso(s.current_deadline),
                    "days_slipped": s.days_slipped,
                    "revisions": s.revisions,
                    "days_overdue": s.days_overdue,
                }
                for s in self.slippage
            ],
            "findings": [f.as_dict() for f in self.findings],
            "counts": self.counts(),
            "chase": [owner.as_dict() for owner in self.chase],
            **self._travel_dict(),
        }

    def _travel_dict(self) -> dict:
        """``history`` (each recorded snapshot with its counts), ``changes`` since the last one, ``year_on_year``."""

        def point(s: Snapshot) -> dict:
            return {"period": s.period, "as_at": s.as_at.isoformat(), "recorded": s.recorded}

        def listed(travel: Travel, changes) -> dict:
            return {
                key: [
                    {"action": c.action_id, "from": c.before, "to": c.after}
                    for c in travel.of(key, changes)
                ]
                for key, _ in CATEGORIES
            }

        t = self.travel
        year = None
        if t and t.year_earlier:
            now, then = t.current.counts.as_dict(), t.year_earlier.counts.as_dict()
            year = {
                **point(t.year_earlier),
                "counts": then,
                "difference": {k: now[k] - then[k] for k in now},
                "changes": {key: len(t.of(key, t.year_changes)) for key, _ in CATEGORIES},
            }
        return {
            "history": [
                {
                    **point(s),
                    "counts": s.counts.as_dict(),
                    "edited": s.edited,
                    "forced": s.forced or None,
                }
                for s in self.history
            ],
            "changes": {"since": point(t.previous), "to": point(t.current), **listed(t, t.changes)}
            if t
            else None,
            "year_on_year": year,
        }


def summarise(
    plan: Plan,
    as_at: date,
    period_name: str | None = None,
    read_findings: tuple[Finding, ...] = (),
    history: tuple[Snapshot, ...] = (),
    chase_log: tuple[ChaseEntry, ...] = (),
) -> Summary:
    """Compute every figure and finding for the plan as at the date, for the named period (if any).

    Each action's RAG by the rule is derived once here and passed to every rule that reads it.
    """
    period = plan.period(period_name) if period_name else None
    ratings = derived_ratings(plan, as_at)
    history = tuple(s if s.words is plan.words else replace(s, words=plan.words) for s in history)
    return Summary(
        plan=plan,
        as_at=as_at,
        overall=overall(plan, ratings),
        recorded=overall_recorded(plan),
        disagreements=disagreements(plan, ratings),
        period=period_dashboard(plan, period, as_at) if period else None,
        revisions=period_revisions(plan, period, as_at) if period else plan.revisions,
        slippage=slippage(plan, ratings, as_at),
        ratings=ratings,
        findings=sort_findings(tuple(read_findings) + validate(plan, as_at, period_name, ratings)),
        history=history,
        chase_log=chase_log,
    )
