"""The tracker's jobs, each written once against a ``Store``: open and summarise, refresh, snapshot, update requests,
collect returns, the report; and a new tracker file.

The command line runs them on a ``FileStore`` (a path is taken as one), the ribbon and xlwings Server on
``addin.excel.ExcelStore``. A job reads what it needs with one ``load`` and writes with one ``write`` (collect with
``--apply`` writes twice: the returned values, then the refreshed dashboards computed from them).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ofsted_tracker.workbook.errors import TrackerError, UnusableInput
from ofsted_tracker.workbook.memory import no_cycle_collection
from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.findings import INFO, Finding, refuse_unreadable, sort_findings
from ofsted_tracker.workbook.plan.ids import fresh_ids
from ofsted_tracker.workbook.plan.model import Action, Plan
from ofsted_tracker.workbook.plan.parse import RawTable, parse_plan
from ofsted_tracker.workbook.plan.words import counted, noun
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.rules.chase import (
    CHASE_LOG,
    CHASE_SHEET,
    Collected,
    RecordedAfter,
    Requests,
    chase_grid,
    collect,
    edits_for,
    plan_requests,
    received_entries,
    sent_entries,
    tracker_id_cells,
    with_entries,
)
from ofsted_tracker.workbook.rules.history import (
    HISTORY,
    HISTORY_LOG,
    Snapshot,
    history_grid,
    replace_period,
    snapshot_date_problem,
)
from ofsted_tracker.workbook.rules.summary import Summary, summarise
from ofsted_tracker.workbook.store.base import Changes, Store
from ofsted_tracker.workbook.store.file import as_store
from ofsted_tracker.workbook.store.returns import read_return

if TYPE_CHECKING:
    from ofsted_tracker.workbook.store.request_files import Written

NO_AS_AT = "No as-at date: fill in 'As at date' on the Settings sheet (a date such as 31/10/2016)"


def _again(store: Store, option: str) -> str:
    """The store's way to try again, as a sentence of its own: 'Or give --as-of DATE.'"""
    text = store.again(option)
    return text[:1].upper() + text[1:] + "."


def resolve_as_at(store: Store, as_at: date | None, plan: Plan) -> date:
    """The as-at date asked for, else the one in Settings; never silently today.

    ``plan.setting_problems`` says why an As at date that is filled in cannot be used.
    """
    if as_at is not None:
        return as_at
    value = plan.settings.get("As at date")
    if isinstance(value, date):
        return value
    problem = plan.setting_problems.get("As at date")
    if problem:
        raise UnusableInput(f"{problem} {_again(store, '--as-of DATE')}", "Settings")
    raise UnusableInput(
        f"{NO_AS_AT}, {store.again('--as-of DATE (or --as-of today)')}.", "Settings"
    )


def resolve_period(store: Store, period: str | None, plan: Plan) -> str | None:
    """The period asked for, else the Settings 'Reporting period' (None when neither is set).

    A period asked for by name must be on the Periods sheet (a period named only in Settings is not refused here: it
    is an error on the Checks sheet at its cell); a Reporting period typed twice with different values is refused,
    not guessed.
    """
    if period:
        if plan.period(period) is None:
            names = ", ".join(p.name for p in plan.periods) or "none yet"
            raise UnusableInput(
                f"The reporting period '{period}' is not on the Periods sheet (periods: {names}). "
                "Give --period one of those names, or add the period to the Periods sheet.",
                "Periods",
            )
        return period
    problem = plan.setting_problems.get("Reporting period")
    if problem:
        raise UnusableInput(f"{problem} {_again(store, '--period NAME')}", "Settings")
    value = plan.settings.get("Reporting period")
    return str(value) if value else None


def open_summary(
    where: Store | Path | str, as_at: date | None = None, period: str | None = None
) -> Summary:
    """Read the workbook and compute every figure and finding as at the date for the period.

    ``where`` is a ``Store`` or the path of a tracker file; ``as_at`` and ``period`` default to its Settings.
    """
    store = as_store(where)
    with no_cycle_collection():
        loaded = store.load()
        plan = loaded.plan
        # a period asked for by name is checked first: it is what the officer typed just now
        asked = resolve_period(store, period, plan) if period else None
        day = resolve_as_at(store, as_at, plan)
        return summarise(
            plan,
            day,
            asked or resolve_period(store, None, plan),
            loaded.findings,
            loaded.history,
            loaded.log,
        )


def _printed(summary: Summary) -> dict[str, str]:
    """What the sheets a job rewrites print above and below: the council and the job's as-at date."""
    return layout.print_heading(summary.plan.setting("Council"), summary.as_at)


def refresh(
    where: Store | Path | str, as_at: date | None = None, period: str | None = None
) -> Summary:
    """Recompute and write the Dashboard, Slippage and Checks sheets, and bring the drop-downs, rating colours and
    Dashboard chart to Settings' rating scheme and status words; nothing officers typed is touched."""
    store = as_store(where)
    summary = open_summary(store, as_at, period)
    with no_cycle_collection():
        store.write(
            Changes(
                grids=layout.computed_grids(summary),
                conventions=summary.plan,
                heading=_printed(summary),
            )
        )
    return summary


def check(
    where: Store | Path | str, as_at: date | None = None, period: str | None = None
) -> Summary:
    """Write every finding to the Checks sheet only (the ribbon's Validate)."""
    store = as_store(where)
    summary = open_summary(store, as_at, period)
    store.write(
        Changes(grids={schema.CHECKS: layout.checks_grid(summary)}, heading=_printed(summary))
    )
    return summary


@dataclass(frozen=True)
class IdsGiven:
    """What ``fix_ids`` did: the summary read back after writing, and the one finding listing each id given."""

    summary: Summary
    finding: Finding | None  # None when every action had an id already: nothing was written


def _shortened(text: str, length: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def fix_ids(
    where: Store | Path | str, as_at: date | None = None, period: str | None = None
) -> IdsGiven:
    """``validate --fix-ids``: give every action with a blank Action ID an id (``ids.fresh_ids``: ``<rec>.<n>``
    after its recommendation's highest, or 1, 2, ... with no recommendation), written into its Actions cell in one
    write (atomic, with a backup; refused while Excel has the file open), then validate the plan as written."""
    store = as_store(where)
    plan = store.load().plan
    given = fresh_ids(plan.actions)
    if not given:
        return IdsGiven(open_summary(store, as_at, period), None)
    letter = plan.columns.get(schema.ACTIONS.name, {}).get("action_id")
    if letter is None:
        raise UnusableInput(
            "The Actions sheet has no 'Action ID' column, so no id can be written. Add the column "
            "(see 'ofsted-tracker new'). Nothing was changed.",
            schema.ACTIONS.name,
        )
    column = schema.column_number(letter)
    store.write(Changes(cells={schema.ACTIONS.name: {(a.row, column): new for a, new in given}}))
    summary = open_summary(store, as_at, period)
    finding = ids_given(given, letter, "the workbook before is in the backups folder")
    return IdsGiven(replace(summary, findings=sort_findings((*summary.findings, finding))), finding)


def ids_given(given: list[tuple[Action, str]], letter: str, before: str) -> Finding:
    """The one finding that lists each id ``fresh_ids`` gave (``validate --fix-ids``, and ``import`` for a plan
    with blank ids), at its Actions cell; ``before`` says where the plan without them is."""
    done = "; ".join(
        f"{schema.ACTIONS.name}!{letter}{a.row}: id {new} given to '{_shortened(a.text)}'"
        for a, new in given
    )
    return Finding(
        INFO,
        schema.ACTIONS.name,
        f"{letter}{given[0][0].row}",
        given[0][1],
        f"{counted(len(given), 'action')} had no Action ID and now {noun(len(given), 'has', 'have')} one "
        f"({before}): {done}.",
        "ids-given",
    )


@dataclass(frozen=True)
class Recorded:
    """A snapshot written to the History sheet: the summary with the new history, and the one it replaced."""

    summary: Summary
    snapshot: Snapshot
    replaced: Snapshot | None

    def message(self, name: str) -> str:
        """What was recorded, in a sentence (and what was replaced, kept in the backup)."""
        s = self.snapshot
        text = (
            f"Recorded the {s.period} snapshot as at {s.as_at:%d/%m/%Y} in {name} ({len(s.rows)} actions, "
            "History sheet)."
        )
        if self.replaced:
            text += (
                f" It replaces the {self.replaced.period} snapshot as at {self.replaced.as_at:%d/%m/%Y} "
                f"({len(self.replaced.rows)} rows); the workbook before it is in the backups folder."
            )
        if s.forced:
            text += (
                f" Taken with --force, as History's 'Taken with --force' column says: {s.forced}"
            )
        return text


def record_snapshot(
    where: Store | Path | str, summary: Summary, today: date | None = None, force: bool = False
) -> Recorded:
    """Write the summary's live state as its period's snapshot (replacing an earlier one) and refresh the dashboards,
    in one write.

    A snapshot taken outside its period (or more than a quarter after it), after ``today`` (the edge reads the
    clock), or of a period named twice on Periods is refused unless ``force``.
    """
    store = as_store(where)
    refuse_unreadable(summary.findings, HISTORY)
    live = summary.live
    if live is not None:
        problem = snapshot_date_problem(
            summary.period.period, summary.plan.periods, summary.as_at, today
        )
        if problem and not force:
            raise UnusableInput(
                f"The snapshot was not recorded: {problem} Nothing was changed. Put it right, "
                f"{store.again('--force to record it anyway')}.",
                "Settings",
            )
        if problem:  # logged on History with the snapshot: the trend says so
            live = replace(live, forced=problem)
    if live is None:
        unknown = next((f.message for f in summary.findings if f.code == "period-unknown"), "")
        raise UnusableInput(
            (f"The {unknown} " if unknown else "") + "A snapshot needs a reporting period: fill in "
            "'Reporting period' on the Settings sheet (a name on the Periods sheet), "
            f"{store.again('--period NAME')}. Nothing was changed.",
            "Settings",
        )
    history, replaced = replace_period(summary.history, live)
    after = replace(summary, history=history)
    with no_cycle_collection():
        store.write(
            Changes(
                grids=layout.computed_grids(after),
                logs=((HISTORY_LOG, history_grid(history)),),
                conventions=after.plan,
                heading=_printed(after),
            )
        )
    return Recorded(after, next(s for s in history if s.same_period(live.period)), replaced)


def snapshot(
    where: Store | Path | str,
    as_at: date | None = None,
    period: str | None = None,
    today: date | None = None,
    force: bool = False,
) -> Recorded:
    """Read the workbook and record each action's state for the period as at the date on its History sheet
    (``today`` and ``force``: see ``record_snapshot``)."""
    store = as_store(where)
    return record_snapshot(store, open_summary(store, as_at, period), today, force)


@dataclass(frozen=True)
class Reported:
    """What ``report`` did: the report written, and the snapshot recorded with it (or why it was not)."""

    summary: Summary
    written: Path
    recorded: Recorded | None
    not_recorded: TrackerError | None

    @property
    def why_not_recorded(self) -> str:
        """Why the snapshot was not recorded, said beside the written report: the report stands, the tracker is
        unchanged ('Nothing was changed' alone would read as if the report had not been written)."""
        why = str(self.not_recorded).removeprefix("The snapshot was not recorded: ")
        why = why.replace("Nothing was changed.", "The tracker was not changed.")
        return f"The report was written, but its snapshot was not recorded: {why}"


def report(
    where: Store | Path | str,
    output: Path,
    build: Callable[[Summary, Path], Path],
    as_at: date | None = None,
    period: str | None = None,
    summary: Summary | None = None,
    today: date | None = None,
) -> Reported:
    """Build the report with ``build`` (``report_builder.build_report``), then record the period's snapshot on History
    and refresh the dashboards. The report stands when the snapshot cannot be recorded (``not_recorded`` says why)."""
    store = as_store(where)
    summary = summary or open_summary(store, as_at, period)
    written = Path(build(summary, output))
    try:
        return Reported(summary, written, record_snapshot(store, summary, today), None)
    # unusable History, no period, the tracker open in Excel: the report stands
    except TrackerError as exc:
        return Reported(summary, written, None, exc)


# --- update requests to owners, and their returns -------------------------------------------------------------------


def planned_requests(
    where: Store | Path | str, as_at: date | None = None, period: str | None = None
) -> tuple[Summary, Requests]:
    """The workbook's summary and the update requests it calls for; refused when the Requests log is unreadable."""
    store = as_store(where)
    summary = open_summary(store, as_at, period)
    refuse_unreadable(summary.findings, CHASE_SHEET)
    return summary, plan_requests(
        summary.plan, summary.period.period if summary.period else None, summary.as_at
    )


def tracker_id(plan: Plan) -> str:
    """The tracker's identity: Settings "Tracker ID", or a new random one when it has none yet (written with the
    first requests' log, ``log_requests``). Not its file name: a renamed tracker is the same tracker."""
    return str(plan.setting(schema.TRACKER_ID_KEY)) or secrets.token_hex(16)


def with_request_ids(
    requests: Requests, ids: Mapping[str, str] | None = None, tracker: str = ""
) -> Requests:
    """Each request with its id and its tracker's identity: a random id (``secrets``: an owner cannot guess
    another's), or the one ``ids`` gives for its owner's initials (xlwings Server logs the requests its download
    route wrote, with the ``tracker`` identity it gave them)."""

    def request_id(initials: str) -> str:
        return secrets.token_hex(8) if ids is None else str(ids.get(initials) or "")

    return replace(
        requests,
        requests=tuple(
            replace(r, request_id=request_id(r.lead.initials), tracker_id=tracker)
            for r in requests.requests
        ),
    )


def log_requests(where: Store | Path | str, summary: Summary, requests: Requests) -> None:
    """Log the requests as sent on the Requests sheet (added the first time), and the tracker's identity on Settings
    the first time requests are sent; nothing else changes."""
    entries = with_entries(summary.chase_log, sent_entries(requests))
    ids = {r.tracker_id for r in requests.requests}
    cells = tracker_id_cells(summary.plan, ids.pop()) if len(ids) == 1 else {}
    as_store(where).write(
        Changes(
            logs=((CHASE_LOG, chase_grid(entries)),),
            cells={schema.SETTINGS.name: cells} if cells else {},
            heading=_printed(summary),
        )
    )


@dataclass(frozen=True)
class Sent:
    """What ``send_requests`` did: the summary, the requests planned (with unknown owners and findings) and the files
    written."""

    summary: Summary
    requests: Requests
    written: tuple[Written, ...]


def send_requests(
    where: Store | Path | str,
    out: Path | Callable[[Summary, Requests], Path],
    as_at: date | None = None,
    period: str | None = None,
) -> Sent:
    """Write each owner's request workbook and e-mail draft into ``out`` and log them on the Requests sheet.

    ``out`` is the folder, or gives it from the summary and the requests (the ribbon names it after the period). With
    no one to ask nothing is written. The workbook is checked as writable first, so a tracker open in Excel writes
    no request and logs nothing.
    """
    store = as_store(where)
    summary, requests = planned_requests(store, as_at, period)
    store.check_writable()
    if not requests.requests:
        return Sent(summary, requests, ())
    requests = with_request_ids(requests, tracker=tracker_id(summary.plan))
    folder = Path(out(summary, requests) if callable(out) else out)
    from ofsted_tracker.workbook.store.request_files import (  # defers email: only requests need it
        write_requests,
    )

    written = write_requests(
        requests, folder, store.name, str(summary.plan.setting("Council") or "")
    )
    log_requests(store, summary, requests)
    return Sent(summary, requests, written)


def check_returns(
    where: Store | Path | str,
    files: list[Path],
    as_at: date | None = None,
    period: str | None = None,
    trust_unlogged: bool = False,
) -> tuple[Summary, Collected]:
    """The workbook's summary and what the returned files change in it (and what is refused): each return checked
    against the request its Requests log says was sent (``rules.chase.sent_for``)."""
    summary = open_summary(as_store(where), as_at, period)
    refuse_unreadable(
        summary.findings, CHASE_SHEET
    )  # the log is what each return is checked against
    returns = [read_return(Path(f)) for f in files]
    return summary, collect(summary.plan, returns, summary.as_at, summary.chase_log, trust_unlogged)


def apply_returns(
    where: Store | Path | str, summary: Summary, collected: Collected, set_recorded: bool = False
) -> None:
    """Write the accepted values and proposed deadlines into the workbook and the returns on its Requests log, in one
    write: each value into its Actions cell, each proposal as a new Revisions row with Agreed by blank; with
    ``set_recorded``, the rule's rating into the Recorded RAG of each action whose Recorded RAG would differ from it
    after the return (``Collected.settable``), each logged on Requests as set by the rule. Without it Recorded RAG
    is never written."""
    refuse_unreadable(summary.findings, CHASE_SHEET)
    entries = with_entries(
        summary.chase_log, received_entries(collected, summary.as_at, set_recorded)
    )
    as_store(where).write(
        Changes(
            cells=edits_for(summary.plan, collected, set_recorded),
            logs=((CHASE_LOG, chase_grid(entries)),),
            heading=_printed(summary),
        )
    )


@dataclass(frozen=True)
class Collection:
    """What ``collect_returns`` found (and, with ``apply``, wrote): the checked returns as at the date."""

    collected: Collected
    as_at: date
    applied: bool
    summary: Summary | None = None  # the dashboards refreshed after applying, when they were
    recorded_set: tuple[
        RecordedAfter, ...
    ] = ()  # the Recorded RAGs set to the rule's rating (--set-recorded)


def collect_returns(
    where: Store | Path | str,
    files: list[Path],
    as_at: date | None = None,
    apply: bool = False,
    period: str | None = None,
    refresh_after: bool = True,
    trust_unlogged: bool = False,
    set_recorded: bool = False,
) -> Collection:
    """Read the returns and check them against the workbook; with ``apply``, write what is accepted and (with
    ``refresh_after``) refresh the dashboards from the values just written. ``trust_unlogged`` takes returns that
    carry no request id (made before requests carried one) as they say; ``set_recorded`` (with ``apply``) sets the
    Recorded RAG to the rule's rating where it would differ after the return (``apply_returns``)."""
    store = as_store(where)
    summary, collected = check_returns(store, files, as_at, period, trust_unlogged)
    if not (apply and collected.changes):
        return Collection(collected, summary.as_at, False)
    apply_returns(store, summary, collected, set_recorded)
    refreshed = refresh(store, summary.as_at, period) if refresh_after else None
    recorded = collected.settable if set_recorded else ()
    return Collection(collected, summary.as_at, True, refreshed, recorded)


# --- a new tracker file -----------------------------------------------------------------------------------------------


def new_tracker(
    path: Path | str,
    rows: dict[str, list[dict[str, object]]] | None = None,
    scheme: str | None = None,
) -> Path:
    """Make a tracker workbook (blank, or holding the given officers' rows) with its computed sheets filled;
    ``scheme`` names its rating scheme (for a blank tracker; refused when it names none)."""
    from ofsted_tracker.workbook.store.writer import (  # defers openpyxl: only new files need it
        save_new,
        settings_rows,
    )

    picked = schemes.scheme_named(scheme) if scheme else schemes.RAG
    if picked is None:
        raise UnusableInput(
            f"'{scheme}' is not a rating scheme. Choose one of "
            + ", ".join(repr(s.name) for s in schemes.SCHEMES)
            + " (the README says what each means)."
        )
    rows = dict(rows or {})
    rows.setdefault(
        schema.SETTINGS.name,
        settings_rows({"Class": "Part 1", schemes.SCHEME_KEY: picked.name}),
    )
    tables = {
        spec.name: RawTable(
            spec.name,
            {c.field: schema.column_letter(i) for i, c in enumerate(spec.columns, 1)},
            [
                (i, {k: v for k, v in r.items() if v not in (None, "")})
                for i, r in enumerate(rows.get(spec.name, []), start=2)
            ],
        )
        for spec in schema.OFFICER_SHEETS
    }
    plan, findings = parse_plan(tables)
    as_at = plan.settings.get("As at date")
    if isinstance(as_at, date):
        period = plan.settings.get("Reporting period")
        grids = layout.computed_grids(
            summarise(plan, as_at, str(period) if period else None, tuple(findings))
        )
    else:  # nothing to compute yet: the sheets say how to start
        grids = layout.computed_grids(summarise(plan, date(2000, 1, 1)))
        for grid in grids.values():
            grid[1][0] = (
                "Not refreshed yet: fill in the plan and the 'As at date' in Settings, then Refresh."
            )
    return save_new(Path(path), rows, grids)
