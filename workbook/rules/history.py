"""Snapshots of the plan, quarter after quarter: the History sheet's rows, reading them back, the trend (pure).

A snapshot records each action's state for a reporting period as at a date: its RAG by the rule and as
recorded, status, deadlines, completion date, owners, revision count and a short hash of its commentary.
The snapshots live on the workbook's History sheet (an Excel Table the tool appends to and officers do not
type in), so the plan's memory travels with the file. Nothing here reads files or the clock.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.findings import ERROR, Finding
from ofsted_tracker.workbook.plan.model import Period, Plan

HISTORY = "History"
HISTORY_NOTE = (
    "Written by 'ofsted-tracker snapshot' (and by each report): do not type here. "
    "Taking a snapshot again for a period replaces that period's rows; the old rows stay in backups."
)
HEADER_ROW = 4  # like the other computed sheets: title, note, a blank row, then the table
HISTORY_SPEC = schema.SheetSpec(
    HISTORY,
    "History",
    (
        schema.Column("Period", "period", schema.ID, 12),
        schema.Column("As at", "as_at", schema.DATE, 12),
        schema.Column("Action ID", "action_id", schema.ID, 10),
        schema.Column("RAG by the rule", "derived_rag", schema.LIST, 10, required=False),
        schema.Column("Recorded RAG", "recorded_rag", schema.LIST, 10, required=False),
        schema.Column("Progress status", "status", schema.TEXT, 13, required=False),
        schema.Column("Original deadline", "original_deadline", schema.DATE, 12, required=False),
        schema.Column("Current deadline", "deadline", schema.DATE, 12, required=False),
        schema.Column("Completed on", "completed_on", schema.DATE, 12, required=False),
        schema.Column("Owner(s)", "owners", schema.TEXT, 14, required=False),
        schema.Column("Revisions", "revisions", schema.TEXT, 10, required=False),
        schema.Column("Commentary hash", "commentary", schema.TEXT, 12, required=False),
        # why the snapshot was refused and then taken with --force (blank when it was not): kept in the row's Check
        schema.Column("Taken with --force", "forced", schema.TEXT, 30, required=False),
        # "3/61 5f0c2e9ab1d4": the row's place in its snapshot and a digest of its values (row_check)
        schema.Column("Check", "check", schema.TEXT, 18, required=False),
    ),
    "One row per action per snapshot.",
)
HISTORY_LOG = schema.LogSheet(HISTORY_SPEC, HEADER_ROW)
_HASH = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class SnapshotRow:
    """One action's state in one snapshot (``deadline`` is the deadline then in force)."""

    action_id: str
    derived_rag: str | None
    recorded_rag: str | None
    status: str
    original_deadline: date | None
    deadline: date | None
    completed_on: date | None
    owners: str
    revisions: int
    commentary: str  # commentary_hash of the progress commentary; "" when there was none
    row: int = 0  # its row on the History sheet (0 when not read from the sheet)


@dataclass(frozen=True)
class Counts:
    """How many actions a snapshot holds, by RAG (or BRAG) by the rule, and how many had a status meaning complete."""

    total: int
    green: int
    amber: int
    red: int
    not_rated: int
    complete: int
    blue: int = 0  # BRAG: complete and embedded (Green with its evidence); always 0 in a RAG plan
    completed: int = 0  # C: the two Completed schemes' own bucket; always 0 in RAG and BRAG

    @property
    def by_deadline(self) -> int:
        """Completed by the deadline, embedded or not: Green and Blue together (the RAG plan's Green)."""
        return self.green + self.blue

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "B": self.blue,
            "G": self.green,
            "A": self.amber,
            "R": self.red,
            "C": self.completed,
            "not_rated": self.not_rated,
            "complete": self.complete,
        }


@dataclass(frozen=True)
class Snapshot:
    """The plan's state for a period as at a date; ``recorded`` is False for the live state not yet on History."""

    period: str
    as_at: date
    rows: tuple[SnapshotRow, ...]
    recorded: bool = True
    edited: bool = (
        False  # its rows on the History sheet no longer match their checks: typed over since taken
    )
    forced: str = ""  # why it would have been refused, when it was taken with --force anyway
    # what its statuses mean: the plan's status words (Settings), set by ``summarise``; not kept on the sheet
    words: schemes.StatusWords = field(
        default=schemes.DEFAULT_STATUS_WORDS, compare=False, repr=False
    )

    @property
    def counts(self) -> Counts:
        rags = [r.derived_rag for r in self.rows]
        return Counts(
            len(rags),
            rags.count("G"),
            rags.count("A"),
            rags.count("R"),
            rags.count(None),
            sum(1 for r in self.rows if _complete(r.status, self.words)),
            rags.count("B"),
            rags.count("C"),
        )

    def same_period(self, name: str) -> bool:
        return schema.same_name(self.period) == schema.same_name(name)


# The categories of `changes`, in the order they are listed: key and what it means in words.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("completed", "Completed"),
    ("turned_red", "Turned Red"),
    (
        "turned_red_deadline_passed",
        "Turned Red: deadline passed (no change recorded to status, deadline or completion)",
    ),
    ("improved", "Improved"),
    ("worsened", "Worsened"),
    ("deadline_moved_again", "Deadline moved again"),
    ("new_action", "New action"),
    ("action_removed", "Action removed"),
    ("commentary_not_updated", "Commentary not updated since the last snapshot"),
)


@dataclass(frozen=True)
class Change:
    """One action that moved between two snapshots: the category, and what it was and is (``before``/``after``)."""

    category: str
    action_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Travel:
    """Direction of travel: the changes since the previous snapshot, and year on year when a year-old one exists."""

    previous: Snapshot
    current: Snapshot
    changes: tuple[Change, ...]
    year_earlier: Snapshot | None
    year_changes: tuple[Change, ...]

    def of(self, category: str, changes: tuple[Change, ...] | None = None) -> tuple[Change, ...]:
        """The changes of one category, in plan order."""
        return tuple(
            c for c in (self.changes if changes is None else changes) if c.category == category
        )


def commentary_hash(text: str) -> str:
    """The first 8 hex digits of the SHA-256 of the commentary with its spacing normalised; "" for none."""
    normal = " ".join((text or "").split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:8] if normal else ""


def take(
    plan: Plan, ratings: dict[str, str | None], as_at: date, period: str, recorded: bool = False
) -> Snapshot:
    """The plan's state now, as a snapshot for the period (``ratings``: each action's RAG by the rule)."""
    rows = tuple(
        SnapshotRow(
            a.action_id,
            ratings.get(a.action_id),
            a.recorded_rag,
            a.status,
            a.original_deadline,
            a.deadline,
            a.completed_on,
            a.owners_text,
            len(plan.revisions_of(a.action_id)),
            commentary_hash(a.commentary),
        )
        for a in plan.actions
        if a.action_id
    )
    return Snapshot(period, as_at, rows, recorded, words=plan.words)


def ordered(snapshots: list[Snapshot] | tuple[Snapshot, ...]) -> tuple[Snapshot, ...]:
    """Snapshots oldest first (by as-at date; the order they were recorded in for equal dates)."""
    return tuple(sorted(snapshots, key=lambda s: s.as_at))


# A snapshot may be taken up to about six months after its period ends: committee reports lag their quarter (the
# demo's Lewisham plan reports its May to July quarter as at 31 October, 92 days after it ends, and a report a
# cycle late is not rare); a date beyond that, or before the period starts, is another time's figures.
SNAPSHOT_GRACE_DAYS = 184


def snapshot_date_problem(
    period: Period, periods: tuple[Period, ...], as_at: date, today: date | None
) -> str | None:
    """Why a snapshot of ``period`` as at ``as_at`` would rewrite the period's record falsely, or None.

    It must be taken within the period's dates or up to ``SNAPSHOT_GRACE_DAYS`` after its end, and never after
    ``today`` (the clock is read at the edge and passed in); the period's name must be on Periods once.
    """
    twins = [p for p in periods if schema.same_name(p.name) == schema.same_name(period.name)]
    if len(twins) > 1:
        rows = " and ".join(f"row {p.row}" for p in twins)
        return (
            f"the period '{period.name}' is on the Periods sheet {len(twins)} times ({rows}, names read alike once "
            "spaces and capitals are ignored), so the snapshot cannot tell which it is. Rename or delete the "
            "copy."
        )
    latest = period.end + timedelta(days=SNAPSHOT_GRACE_DAYS)
    if not period.start <= as_at <= latest:
        return (
            f"the as-at date {as_at:%d/%m/%Y} is outside the period {period.name} ({period.start:%d/%m/%Y} to "
            f"{period.end:%d/%m/%Y}, or up to {SNAPSHOT_GRACE_DAYS} days after it ends): it would replace that "
            "period's snapshot with another time's figures."
        )
    if today is not None and as_at > today:
        return (
            f"the as-at date {as_at:%d/%m/%Y} is after today ({today:%d/%m/%Y}): a snapshot records what is, not "
            "what will be."
        )
    return None


def replace_period(
    history: tuple[Snapshot, ...], snapshot: Snapshot
) -> tuple[tuple[Snapshot, ...], Snapshot | None]:
    """The history with the snapshot in place of the period's earlier one (if any), and that earlier one."""
    old = next((s for s in history if s.same_period(snapshot.period)), None)
    kept = [s for s in history if s is not old]
    recorded = replace(snapshot, recorded=True, edited=False)  # its --force reason kept
    return ordered(kept + [recorded]), old


def previous(history: tuple[Snapshot, ...], period: str, as_at: date) -> Snapshot | None:
    """The latest snapshot of another period taken as at a date on or before ``as_at``: "the last report"."""
    earlier = [s for s in history if not s.same_period(period) and s.as_at <= as_at]
    return max(earlier, key=lambda s: s.as_at) if earlier else None


YEAR_SLACK = 31  # days either side of "a year before" a snapshot may be to count as the same period last year


def year_earlier(history: tuple[Snapshot, ...], as_at: date) -> Snapshot | None:
    """The snapshot as at the date nearest one year before ``as_at``, within a month; None when there is none."""
    try:
        target = as_at.replace(year=as_at.year - 1)
    except ValueError:  # 29 February
        target = as_at.replace(year=as_at.year - 1, day=28)
    near = [s for s in history if abs((s.as_at - target).days) <= YEAR_SLACK]
    return min(near, key=lambda s: abs((s.as_at - target).days)) if near else None


def other_scheme(counts: Counts, scheme: schemes.Scheme) -> bool:
    """Whether a snapshot was plainly rated in a scheme other than the plan's now, by the letters it holds: Blue
    outside BRAG; Completed outside the two Completed schemes; in a Completed scheme, an action complete by its status
    yet not Completed (it was Green or Red by its deadline then). A snapshot that could be either is not other."""
    brag = scheme.extra is not None and not scheme.completed_apart
    if counts.blue and not brag or counts.completed and not scheme.completed_apart:
        return True
    return scheme.completed_apart and counts.complete > counts.completed


def trend(history: tuple[Snapshot, ...], live: Snapshot | None) -> tuple[Snapshot, ...]:
    """The points of the trend as at the live state: earlier snapshots of other periods, then the live state."""
    if live is None:
        return history
    earlier = [s for s in history if not s.same_period(live.period) and s.as_at <= live.as_at]
    stored = next((s for s in history if s.same_period(live.period)), None)
    if stored is not None and stored.as_at == live.as_at and _states(stored) == _states(live):
        live = stored  # the live state is the one already recorded
    return ordered(earlier) + (live,)


def _complete(status: str, words: schemes.StatusWords) -> bool:
    """Whether a status on History means complete, by the plan's status words (a council's own word for complete
    in Settings' "Words for complete" row counts, as on Actions)."""
    found = words.meaning_of(status)
    return found is not None and found[1] == schemes.COMPLETE


# --- movements between two snapshots (plain Python: the rule path never loads pandas) --------------------------------

_RANK = {
    "R": 0,
    "": 1,
    "A": 2,
    "G": 3,
    "B": 4,
    "C": 4,
}  # not rated sits between Red and Amber: no deadline to miss yet
_DRIVERS = (
    "status",
    "original_deadline",
    "deadline",
    "completed_on",
)  # what the RAG rule reads besides the date
_SHOWN = {
    "completed": "status",
    "deadline_moved_again": "deadline",
    "commentary_not_updated": "commentary",
}


def _text(row: SnapshotRow, column: str) -> str:
    """A snapshot value as text, "" for none (dates compare by their ISO form, as on the History sheet)."""
    value = getattr(row, column)
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def _category(before: SnapshotRow, after: SnapshotRow, words: schemes.StatusWords) -> list[str]:
    """The categories one action present in both snapshots moved in, in the order of ``CATEGORIES`` (``words``:
    what the statuses mean)."""
    b, a = (lambda c: _text(before, c)), (lambda c: _text(after, c))
    completed = _complete(a("status"), words) and not _complete(b("status"), words)
    # Red now and not before. Completing late is such a change (Red by the rule): the action is listed as completed
    # and as turned Red after a change, never as worsened.
    red = a("derived_rag") == "R" and b("derived_rag") != "R"
    untouched = all(a(c) == b(c) for c in _DRIVERS)
    rank_b, rank_a = _RANK[b("derived_rag")], _RANK[a("derived_rag")]
    found = {
        "completed": completed,
        "turned_red": red and not untouched,
        "turned_red_deadline_passed": red and untouched,
        "improved": rank_a > rank_b and not completed,
        "worsened": rank_a < rank_b and not red,
        "deadline_moved_again": a("deadline") != b("deadline"),
        "commentary_not_updated": not _complete(a("status"), words)
        and a("commentary") == b("commentary"),
    }
    return [key for key, _ in CATEGORIES if found.get(key)]


def movements(before: Snapshot, after: Snapshot) -> tuple[Change, ...]:
    """Each action that moved between the two snapshots, by category (see ``CATEGORIES``), then in plan order: the
    later snapshot's order, with actions since removed after it in the earlier one's order.

    An action turning Red with its status, deadlines and completion date unchanged turned Red because its
    deadline passed, not because an officer changed it: it is listed under ``turned_red_deadline_passed``.
    """
    old = {r.action_id: r for r in before.rows}
    new = {r.action_id: r for r in after.rows}
    order = [*new, *(i for i in old if i not in new)]
    found: dict[str, list[Change]] = {key: [] for key, _ in CATEGORIES}
    for action_id in order:
        b, a = old.get(action_id), new.get(action_id)
        if b is None or a is None:
            rag = _text(a or b, "derived_rag") or "NR"  # a RAG of "" is "not rated"
            key = "new_action" if b is None else "action_removed"
            found[key].append(
                Change(key, action_id, None if b is None else rag, None if a is None else rag)
            )
            continue
        for key in _category(b, a, after.words):  # the meanings of the later one: the plan's now
            column = _SHOWN.get(key, "derived_rag")
            none = (
                "NR" if column == "derived_rag" else None
            )  # a blank deadline or commentary is None
            found[key].append(
                Change(key, action_id, _text(b, column) or none, _text(a, column) or none)
            )
    return tuple(change for key, _ in CATEGORIES for change in found[key])


def direction_of_travel(history: tuple[Snapshot, ...], current: Snapshot) -> Travel | None:
    """The changes since the last snapshot of another period, and year on year; None with nothing to compare."""
    before = previous(history, current.period, current.as_at)
    if before is None:
        return None
    year = year_earlier(
        tuple(s for s in history if not s.same_period(current.period)), current.as_at
    )
    return Travel(
        before, current, movements(before, current), year, movements(year, current) if year else ()
    )


def _states(snapshot: Snapshot) -> list[tuple[object, ...]]:
    return [
        (
            r.action_id,
            r.derived_rag,
            r.recorded_rag,
            r.status,
            r.original_deadline,
            r.deadline,
            r.completed_on,
            r.owners,
            r.revisions,
            r.commentary,
        )
        for r in snapshot.rows
    ]


# --- the History sheet ---------------------------------------------------------------------------------------------


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _written(s: Snapshot, r: SnapshotRow) -> list[object]:
    """A snapshot row's cells as the History sheet holds them (dates as yyyy-mm-dd text, ids as text)."""
    return [
        s.period,
        _iso(s.as_at),
        r.action_id,
        r.derived_rag or "",
        r.recorded_rag or "",
        r.status,
        _iso(r.original_deadline),
        _iso(r.deadline),
        _iso(r.completed_on),
        r.owners,
        r.revisions,
        r.commentary,
        s.forced,
    ]


def row_check(s: Snapshot, index: int, r: SnapshotRow, total: int | None = None) -> str:
    """The Check cell of a snapshot's row: its place ("3/61") and the first 12 hex digits of the SHA-256 of its
    values with that place, so a value retyped, a row blanked or a row added no longer matches.

    It finds quiet edits and mistakes; it is no seal: the method is public, so someone set on forging a History
    sheet could recompute it. The backups folder keeps each version of the workbook as written.
    """
    place = f"{index + 1}/{len(s.rows) if total is None else total}"
    values = _written(s, r)
    if (
        not s.forced
    ):  # a snapshot taken without --force digests as it did before the column was added
        values = values[:-1]
    text = "\x1f".join(str(v) for v in (place, *values))
    return f"{place} {hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


def history_grid(history: tuple[Snapshot, ...]) -> list[list[object]]:
    """The History sheet from A1: title, note, a blank row, the table's header and one row per action per snapshot.

    Dates are written as yyyy-mm-dd text and ids as text, so they read back the same in every locale.
    """
    rows: list[list[object]] = [
        ["Snapshots of the plan"],
        [HISTORY_NOTE],
        [],
        list(HISTORY_SPEC.headers),
    ]
    for s in history:
        for i, r in enumerate(s.rows):
            rows.append([*_written(s, r), row_check(s, i, r)])
    width = len(HISTORY_SPEC.columns)
    return [row + [None] * (width - len(row)) for row in rows]


REPAIR = (
    "The History sheet is written by the tool: restore it from the copy in the backups folder beside the "
    "workbook, or delete the History sheet to start its record again, then take the snapshot again."
)


class _Cells:
    """Reads one History row's cells, collecting a finding (with its cell) for each value that cannot be used."""

    def __init__(self, letters: dict[str, str], row: int, values: dict[str, object]) -> None:
        self.letters, self.row, self.values = letters, row, values
        self.findings: list[Finding] = []
        self.flagged: set[str] = set()

    def bad(self, field: str, message: str, code: str = "history-value") -> None:
        letter = self.letters.get(field, "")
        self.flagged.add(field)
        self.findings.append(
            Finding(
                ERROR,
                HISTORY,
                f"{letter}{self.row}" if letter else "",
                "",
                f"{message} {REPAIR}",
                code,
            )
        )

    def text(self, field: str) -> str:
        value = self.values.get(field)
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if field in ("period", "action_id"):
                self.bad(
                    field,
                    f"{HISTORY_SPEC.column(field).header} {value} is a number here, but the tool writes it "
                    "as text (3.10 would read as 3.1).",
                )
                return ""
            return str(int(value)) if float(value).is_integer() else str(value)
        return str(value).strip()

    def day(self, field: str) -> date | None:
        value = self.values.get(field)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.bad(
                field,
                f"{HISTORY_SPEC.column(field).header} '{value}' is not a date (the tool writes yyyy-mm-dd).",
            )
            return None

    def rag(self, field: str) -> str | None:
        value = self.text(field)
        if (
            value and value not in schema.RATING_FILLS
        ):  # B, C: a snapshot of a plan in another scheme
            self.bad(
                field,
                f"{HISTORY_SPEC.column(field).header} '{value}' is not B, G, A, R, C or blank.",
            )
        return value if value in schema.RATING_FILLS else None

    def count(self, field: str) -> int:
        value = self.values.get(field)
        if value in (None, ""):
            return 0
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and float(value).is_integer()
            and value >= 0
        ):
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        self.bad(field, f"Revisions '{value}' is not a whole number of revisions.")
        return 0


def read_history(
    letters: dict[str, str], rows: list[tuple[int, dict[str, object]]]
) -> tuple[tuple[Snapshot, ...], list[Finding]]:
    """Snapshots from the History table's rows (row number, field -> value); each unusable cell is a finding.

    A row with an unusable Period, As at or Action ID is left out of the history (its finding says so); a
    period recorded with two as-at dates, or an action twice in a period, is reported at the later row.
    """
    findings: list[Finding] = []
    groups: dict[str, tuple[str, date, list[SnapshotRow]]] = {}
    checks: dict[int, str] = {}  # each row's Check cell, by its row number
    forced: dict[
        int, str
    ] = {}  # each row's --force reason (a snapshot's rows all hold the same one)
    seen: set[tuple[str, str]] = set()
    for number, values in rows:
        cells = _Cells(letters, number, values)
        checks[number] = cells.text("check")
        forced[number] = cells.text("forced")
        period, as_at, action_id = cells.text("period"), cells.day("as_at"), cells.text("action_id")
        row = SnapshotRow(
            action_id,
            cells.rag("derived_rag"),
            cells.rag("recorded_rag"),
            cells.text("status"),
            cells.day("original_deadline"),
            cells.day("deadline"),
            cells.day("completed_on"),
            cells.text("owners"),
            cells.count("revisions"),
            cells.text("commentary"),
            number,
        )
        if row.commentary and not _HASH.fullmatch(row.commentary):
            cells.bad(
                "commentary",
                f"Commentary hash '{row.commentary}' is not the 8 hex digits the tool writes.",
            )
        for name, value in (("period", period), ("as_at", as_at), ("action_id", action_id)):
            if not value and name not in cells.flagged:
                cells.bad(
                    name,
                    f"{HISTORY_SPEC.column(name).header} is blank, so the row is left out of the history.",
                )
        key = schema.same_name(period)
        if period and as_at and action_id:
            group = groups.setdefault(key, (period, as_at, []))
            if group[1] != as_at:
                cells.bad(
                    "as_at",
                    f"period {period} is recorded as at {group[1]:%d/%m/%Y} above and as at "
                    f"{as_at:%d/%m/%Y} here; a period has one snapshot.",
                    "history-period",
                )
            elif (key, action_id) in seen:
                cells.bad(
                    "action_id",
                    f"action {action_id} is recorded twice for period {period}.",
                    "history-duplicate",
                )
            else:
                seen.add((key, action_id))
                group[2].append(row)
        findings.extend(cells.findings)
    snapshots = []
    typed_over = bool(
        findings
    )  # cells that cannot be read are findings already: the checks only add silent edits
    for period, as_at, found in groups.values():
        snapshot = Snapshot(period, as_at, tuple(found), forced=forced.get(found[0].row, ""))
        changed = _changed_rows(snapshot, checks, letters, any(checks.values()), forced)
        if not typed_over:
            findings += changed
        snapshots.append(replace(snapshot, edited=bool(changed)))
    return ordered(snapshots), findings


def _changed_rows(
    s: Snapshot,
    checks: dict[int, str],
    letters: dict[str, str],
    checked: bool,
    forced: dict[int, str],
) -> list[Finding]:
    """A finding for the first row of the snapshot that no longer matches its Check (a value retyped, a row blanked
    or added); none for a History sheet written before its rows had checks (``checked``: any row has one)."""
    if not checked:
        return []
    places = [checks.get(r.row, "").split(" ")[0] for r in s.rows]
    total = next((p.split("/")[1] for p in places if "/" in p), "")
    # how many rows the snapshot had when taken
    written = int(total) if total.isdigit() else len(s.rows)
    for i, r in enumerate(s.rows):
        if checks.get(r.row, "") == row_check(
            replace(s, forced=forced.get(r.row, "")), i, r, written
        ):
            continue
        cell = f"{letters.get('action_id', 'C')}{r.row}"
        why = (
            "holds a value typed over since the snapshot was taken, or a row above it was deleted"
            if checks.get(r.row)
            else "was not written by the tool (it has no Check)"
        )
        return [
            Finding(
                ERROR,
                HISTORY,
                cell,
                r.action_id,
                f"this row of the {s.period} snapshot {why}, so the snapshot is shown as edited. {REPAIR}",
                "history-edited",
            )
        ]
    if written != len(s.rows):
        last = s.rows[-1]
        return [
            Finding(
                ERROR,
                HISTORY,
                f"{letters.get('action_id', 'C')}{last.row}",
                "",
                f"the {s.period} snapshot had {total} rows and {len(s.rows)} are left: rows after this one "
                f"were deleted, so the snapshot is shown as edited. {REPAIR}",
                "history-edited",
            )
        ]
    return []


def unreadable(message: str) -> Finding:
    """The finding for a History sheet whose table cannot be found at all (its header typed over, say)."""
    return Finding(ERROR, HISTORY, f"A{HEADER_ROW}", "", f"{message} {REPAIR}", "history-header")
