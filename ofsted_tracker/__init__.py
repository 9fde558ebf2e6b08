"""ofsted-tracker: an improvement plan's tracker workbook, its dashboards, update requests and committee report.

The public Python API, for analysts and scheduled jobs (the command line and the Excel add-ins run the same jobs)::

    from ofsted_tracker import open_summary, refresh, snapshot, new_tracker, build_report, frames

Every function takes the tracker's path; ``as_at`` (a date) and ``period`` (a name on the Periods sheet) default to
the workbook's Settings. A refusal is a ``TrackerError`` whose message names the place and the fix.
"""

from __future__ import annotations

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.jobs import new_tracker, open_summary, refresh, snapshot
from ofsted_tracker.workbook.rules.summary import Summary

__all__ = ["Summary", "TrackerError", "build_report", "frames", "new_tracker", "open_summary", "refresh", "snapshot"]


def frames(path, as_at=None, period=None):
    """The tracker at ``path`` as pandas DataFrames: ``.actions``, ``.findings``, ``.history`` and ``.trend``.

    pandas is imported here, on first use: no command, macro or report loads it.
    """
    from ofsted_tracker.workbook.frames import frames as read  # defers pandas

    return read(path, as_at, period)
