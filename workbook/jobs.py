"""The tracker's jobs on a file: open and summarise it, refresh its computed sheets, make a new one."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from ofsted_tracker.workbook.rules import layout

from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan.findings import refuse_unreadable
from ofsted_tracker.workbook.rules.history import HISTORY, Snapshot, history_grid, replace_period
from ofsted_tracker.workbook.plan.model import Plan
from ofsted_tracker.workbook.store.package import refresh_package
from ofsted_tracker.workbook.store.reader import load
from ofsted_tracker.workbook.rules.summary import Summary, summarise


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a plan is read, computed or reported, then restore it as it was.

    Reading a plan or building its report allocates hundreds of thousands of short-lived values and no cycles
    worth collecting; a full collection part way through walks every object of a large plan for nothing
    (about 0.1-0.15 s at 10,000 actions). Anything left over is collected as usual afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def resolve_as_at(as_at: date | None, settings: dict[str, object], problems: dict[str, str] | None = None) -> date:
    """The as-at date asked for, else the one in Settings; never silently today.

    ``problems`` (``Plan.setting_problems``) says why an As at date that is filled in cannot be used.
    """
    if as_at is not None:
        return as_at
    value = settings.get("As at date")
    if isinstance(value, date):
        return value
    problem = (problems or {}).get("As at date")
    if problem:
        raise UnusableInput(f"{problem} Or give --as-of DATE.")
    raise UnusableInput(
        "No as-at date: give --as-of DATE (or --as-of today), or fill in 'As at date' on the Settings sheet."
    )


def resolve_period(period: str | None, settings: dict[str, object], problems: dict[str, str] | None = None) -> str | None:
    """The period asked for, else the Settings 'Reporting period' (None when neither is set).

    A Reporting period typed twice with different values (see ``problems``) is refused, not guessed.
    """
    if period:
        return period
    problem = (problems or {}).get("Reporting period")
    if problem:
        raise UnusableInput(f"{problem} Or give --period NAME.")
    value = settings.get("Reporting period")
    return str(value) if value else None


def check_asked_period(period: str | None, plan: Plan) -> None:
    """A period asked for by name (``--period``) must be on the Periods sheet; else UnusableInput naming those there are.

    A period named only in Settings is not refused here: it is an error on the Checks sheet at its cell.
    """
    if period and plan.period(period) is None:
        names = ", ".join(p.name for p in plan.periods) or "none yet"
        raise UnusableInput(f"The reporting period '{period}' is not on the Periods sheet (periods: {names}). "
                            "Give --period one of those names, or add the period to the Periods sheet.")


def open_summary(path: Path | str, as_at: date | None = None, period: str | None = None) -> Summary:
    """Read the workbook and compute every figure and finding as at the date for the period."""
    with no_cycle_collection():
        loaded = load(path)
        plan = loaded.plan
        check_asked_period(period, plan)
        from ofsted_tracker.workbook.store.collect import read_log  # the Requests sheet's log of update requests, when it has one

        log, log_findings = read_log(Path(path))
        return summarise(plan, resolve_as_at(as_at, plan.settings, plan.setting_problems),
                         resolve_period(period, plan.settings, plan.setting_problems),
                         loaded.findings + tuple(log_findings), loaded.history, log)


def refresh(path: Path | str, as_at: date | None = None, period: str | None = None) -> Summary:
    """Recompute and write the Dashboard, Slippage and Checks sheets; nothing officers typed is touched."""
    summary = open_summary(path, as_at, period)
    with no_cycle_collection():
        refresh_package(Path(path), layout.computed_grids(summary))
    return summary


@dataclass(frozen=True)
class Recorded:
    """A snapshot written to the History sheet: the summary with the new history, and the one it replaced."""

    summary: Summary
    snapshot: Snapshot
    replaced: Snapshot | None

    def message(self, name: str) -> str:
        """What was recorded, in a sentence (and what was replaced, kept in the backup)."""
        s = self.snapshot
        text = f"Recorded the {s.period} snapshot as at {s.as_at:%d/%m/%Y} in {name} ({len(s.rows)} actions, History sheet)."
        if self.replaced:
            text += (f" It replaces the {self.replaced.period} snapshot as at {self.replaced.as_at:%d/%m/%Y} "
                     f"({len(self.replaced.rows)} rows); the workbook before it is in the backups folder.")
        return text


def record_snapshot(path: Path | str, summary: Summary) -> Recorded:
    """Write the summary's live state as its period's snapshot (replacing an earlier one) and refresh the dashboards."""
    refuse_unreadable(summary.findings, HISTORY)
    live = summary.live
    if live is None:
        unknown = next((f.message for f in summary.findings if f.code == "period-unknown"), "")
        raise UnusableInput((f"The {unknown} " if unknown else "") + "A snapshot needs a reporting period: give --period "
                            "NAME (a name on the Periods sheet) or fill in 'Reporting period' on the Settings sheet. "
                            "Nothing was changed.")
    history, replaced = replace_period(summary.history, live)
    after = replace(summary, history=history)
    with no_cycle_collection():
        refresh_package(Path(path), layout.computed_grids(after), history=history_grid(history))
    return Recorded(after, next(s for s in history if s.same_period(live.period)), replaced)


def snapshot(path: Path | str, as_at: date | None = None, period: str | None = None) -> Recorded:
    """Read the workbook and record each action's state for the period as at the date on its History sheet."""
    return record_snapshot(path, open_summary(path, as_at, period))


def new_tracker(path: Path | str, rows: dict[str, list[dict[str, object]]] | None = None) -> Path:
    """Make a tracker workbook (blank, or holding the given officers' rows) with its computed sheets filled."""
    from ofsted_tracker.workbook.plan.parse import RawTable, parse_plan  # the grids of a new file come from its own rows
    from ofsted_tracker.workbook.store.writer import save_new, settings_rows

    rows = dict(rows or {})
    rows.setdefault(schema.SETTINGS.name, settings_rows({"Class": "Part 1"}))
    tables = {
        spec.name: RawTable(spec.name, {c.field: schema.column_letter(i) for i, c in enumerate(spec.columns, 1)},
                            [(i, {k: v for k, v in r.items() if v not in (None, "")})
                             for i, r in enumerate(rows.get(spec.name, []), start=2)])
        for spec in schema.OFFICER_SHEETS
    }
    plan, findings = parse_plan(tables)
    as_at = plan.settings.get("As at date")
    if isinstance(as_at, date):
        grids = layout.computed_grids(summarise(plan, as_at, resolve_period(None, plan.settings), tuple(findings)))
    else:  # nothing to compute yet: the sheets say how to start
        grids = layout.computed_grids(summarise(plan, date(2000, 1, 1)))
        for grid in grids.values():
            grid[1][0] = "Not refreshed yet: fill in the plan and the 'As at date' in Settings, then Refresh."
    return save_new(Path(path), rows, grids)
