"""The tracker as pandas DataFrames, for analysts (``ofsted_tracker.frames``).

The only module of the project that imports pandas: loading it costs about half a second, which no command, macro
or report pays (movements between snapshots are plain Python, in ``workbook.rules.history``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.rules.history import Snapshot
from ofsted_tracker.workbook.rules.summary import Summary

_TEXT = [
    "action_id",
    "derived_rag",
    "recorded_rag",
    "status",
    "original_deadline",
    "deadline",
    "completed_on",
    "owners",
    "commentary",
]


def snapshot_frame(snapshot: Snapshot) -> pd.DataFrame:
    """One row per action of the snapshot, every value as text ("" for none: 3.10 stays "3.10")."""

    def text(value: object) -> str:
        return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)

    records = [[text(getattr(r, c)) for c in _TEXT] + [r.revisions, r.row] for r in snapshot.rows]
    return pd.DataFrame(records, columns=[*_TEXT, "revisions", "row"]).astype(
        {c: str for c in _TEXT}
    )


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
        [
            {
                **{k: v for k, v in asdict(a).items() if k not in ("original_raw", "current_raw")},
                "owners": a.owners_text,
                "deadline": a.deadline,
                "derived_rag": summary.ratings.get(a.action_id),
            }
            for a in summary.plan.actions
        ]
    )
    findings = pd.DataFrame.from_records(
        [f.as_dict() for f in summary.findings],
        columns=["severity", "sheet", "cell", "action_id", "message", "code", "where"],
    )
    history = (
        pd.concat(
            [
                snapshot_frame(s).assign(period=s.period, as_at=s.as_at.isoformat())
                for s in summary.history
            ],
            ignore_index=True,
        )
        if summary.history
        else pd.DataFrame(columns=["period", "as_at", *_TEXT])
    )
    trend = pd.DataFrame.from_records(
        [
            {"period": s.period, "as_at": s.as_at, **s.counts.as_dict(), "recorded": s.recorded}
            for s in summary.trend
        ],
        columns=["period", "as_at", "total", "G", "A", "R", "not_rated", "complete", "recorded"],
    )
    for frame, columns in (
        (
            actions,
            ("original_deadline", "current_deadline", "deadline", "completed_on", "last_updated"),
        ),
        (history, ("as_at",)),
        (trend, ("as_at",)),
    ):
        for column in columns:
            if column in frame:
                frame[column] = pd.to_datetime(frame[column])
    history = history[
        ["period", "as_at", *[c for c in history.columns if c not in ("period", "as_at")]]
    ]
    return Frames(actions, findings, history, trend)


def frames(path: Path | str, as_at: date | None = None, period: str | None = None) -> Frames:
    """Read the tracker and return its actions, findings, history and trend as pandas DataFrames.

    ``as_at`` (a date) and ``period`` (a name from Periods) default to the workbook's Settings, as on the command
    line.
    """
    return summary_frames(open_summary(path, as_at, period))
