"""History analytics with pandas: movements between two snapshots, year on year, and DataFrames for analysts.

Imported only where a summary or report has an earlier snapshot to compare with, or by an analyst calling
``ofsted_tracker.frames``: loading pandas costs about half a second, which Validate and Refresh never pay.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ofsted_tracker.workbook.rules.history import Change, Snapshot, Travel, previous, year_earlier
from ofsted_tracker.workbook.rules.summary import Summary

_TEXT = ["action_id", "derived_rag", "recorded_rag", "status", "original_deadline", "deadline", "completed_on",
         "owners", "commentary"]
_RANK = {"R": 0, "": 1, "A": 2, "G": 3, "B": 4}  # not rated sits between Red and Amber: no deadline to miss yet
_DRIVERS = ["status", "original_deadline", "deadline", "completed_on"]  # what the RAG rule reads besides the date


def snapshot_frame(snapshot: Snapshot) -> pd.DataFrame:
    """One row per action of the snapshot, every value as text ("" for none: 3.10 stays "3.10")."""
    def text(value: object) -> str:
        return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)

    records = [[text(getattr(r, c)) for c in _TEXT] + [r.revisions, r.row] for r in snapshot.rows]
    return pd.DataFrame(records, columns=[*_TEXT, "revisions", "row"]).astype({c: str for c in _TEXT})


def movements(before: Snapshot, after: Snapshot) -> tuple[Change, ...]:
    """Each action that moved between the two snapshots, by category (see ``workbook.history.CATEGORIES``).

    An action turning Red with its status, deadlines and completion date unchanged turned Red because its
    deadline passed, not because an officer changed it: it is listed under ``turned_red_deadline_passed``.
    """
    b, a = snapshot_frame(before), snapshot_frame(after)
    b["order"] = range(len(a), len(a) + len(b))
    a["order"] = range(len(a))
    m = b.merge(a, on="action_id", how="outer", suffixes=("_b", "_a"), indicator=True)
    m["order"] = m["order_a"].fillna(m["order_b"])
    m = m.sort_values("order", kind="stable")
    text = [f"{c}_{side}" for c in _TEXT if c != "action_id" for side in "ba"]
    m[text] = m[text].fillna("")
    both = m["_merge"] == "both"
    completed = both & (m["status_a"] == "Complete") & (m["status_b"] != "Complete")
    red = both & (m["derived_rag_a"] == "R") & (m["derived_rag_b"] != "R") & ~completed
    untouched = pd.Series(True, index=m.index)
    for column in _DRIVERS:
        untouched &= m[f"{column}_a"] == m[f"{column}_b"]
    rank_b, rank_a = m["derived_rag_b"].map(_RANK), m["derived_rag_a"].map(_RANK)
    categories = {
        "completed": (completed, "status"),
        "turned_red": (red & ~untouched, "derived_rag"),
        "turned_red_deadline_passed": (red & untouched, "derived_rag"),
        "improved": (both & (rank_a > rank_b) & ~completed, "derived_rag"),
        "worsened": (both & (rank_a < rank_b) & ~red, "derived_rag"),
        "deadline_moved_again": (both & (m["deadline_a"] != m["deadline_b"]), "deadline"),
        "new_action": (m["_merge"] == "right_only", "derived_rag"),
        "action_removed": (m["_merge"] == "left_only", "derived_rag"),
        "commentary_not_updated": (both & (m["status_a"] != "Complete") & (m["commentary_a"] == m["commentary_b"]),
                                   "commentary"),
    }
    blank = "NR"  # a RAG of "" is "not rated"; a blank deadline or commentary is None
    changes: list[Change] = []
    for category, (mask, column) in categories.items():
        shown = m[mask]
        for action_id, old, new, merge in zip(shown["action_id"], shown[f"{column}_b"], shown[f"{column}_a"],
                                              shown["_merge"]):
            none = blank if column == "derived_rag" else None
            changes.append(Change(category, action_id, None if merge == "right_only" else (old or none),
                                  None if merge == "left_only" else (new or none)))
    return tuple(changes)


def direction_of_travel(history: tuple[Snapshot, ...], current: Snapshot) -> Travel | None:
    """The changes since the last snapshot of another period, and year on year; None with nothing to compare."""
    before = previous(history, current.period, current.as_at)
    if before is None:
        return None
    year = year_earlier(tuple(s for s in history if not s.same_period(current.period)), current.as_at)
    return Travel(before, current, movements(before, current), year, movements(year, current) if year else ())


# --- for analysts --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frames:
    """The tracker as DataFrames: its actions (with the RAG by the rule), its findings, its history and trend."""

    actions: pd.DataFrame
    findings: pd.DataFrame
    history: pd.DataFrame
    trend: pd.DataFrame


def summary_frames(summary: Summary) -> Frames:
    """The DataFrames of a computed summary (see :func:`frames`)."""
    actions = pd.DataFrame.from_records(
        [{**{k: v for k, v in asdict(a).items() if k not in ("original_raw", "current_raw")},
          "owners": a.owners_text, "deadline": a.deadline, "derived_rag": summary.ratings.get(a.action_id)}
         for a in summary.plan.actions])
    findings = pd.DataFrame.from_records([f.as_dict() for f in summary.findings],
                                         columns=["severity", "sheet", "cell", "action_id", "message", "code", "where"])
    history = pd.concat([snapshot_frame(s).assign(period=s.period, as_at=s.as_at.isoformat()) for s in summary.history],
                        ignore_index=True) if summary.history else pd.DataFrame(columns=["period", "as_at", *_TEXT])
    trend = pd.DataFrame.from_records(
        [{"period": s.period, "as_at": s.as_at, **s.counts.as_dict(), "recorded": s.recorded} for s in summary.trend],
        columns=["period", "as_at", "total", "G", "A", "R", "not_rated", "complete", "recorded"])
    for frame, columns in ((actions, ("original_deadline", "current_deadline", "deadline", "completed_on",
                                      "last_updated")), (history, ("as_at",)), (trend, ("as_at",))):
        for column in columns:
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
    history = history[["period", "as_at", *[c for c in history.columns if c not in ("period", "as_at")]]]
    return Frames(actions, findings, history, trend)


def frames(path: Path | str, as_of: date | None = None, period: str | None = None) -> Frames:
    """Read the tracker and return its actions, findings, history and trend as pandas DataFrames."""
    from ofsted_tracker.workbook.jobs import open_summary

    return summary_frames(open_summary(path, as_of, period))
