"""ofsted-tracker: an improvement plan's tracker workbook, its dashboards, update requests and committee report.

The public Python API, for analysts and scheduled jobs (the command line and the Excel add-ins run the same jobs)::

    from ofsted_tracker import open_summary, refresh, snapshot, new_tracker, build_report, frames

Every function takes the tracker's path; ``as_at`` (a date) and ``period`` (a name on the Periods sheet) default to
the workbook's Settings. A refusal is a ``TrackerError`` whose message names the place and the fix.

The names are loaded on first use (PEP 562 ``__getattr__``): every command imports this package first, and loading
the report's code with it would cost ``validate`` about 60 ms (``python -X importtime``) for nothing.
"""

from __future__ import annotations

from importlib import import_module

_HOMES = {  # each public name and the module it lives in
    "Summary": "ofsted_tracker.workbook.rules.summary",
    "TrackerError": "ofsted_tracker.workbook.errors",
    "build_report": "ofsted_tracker.report_builder",
    "frames": "ofsted_tracker.workbook.frames",  # pandas: only analysts load it
    "new_tracker": "ofsted_tracker.workbook.jobs",
    "open_summary": "ofsted_tracker.workbook.jobs",
    "refresh": "ofsted_tracker.workbook.jobs",
    "snapshot": "ofsted_tracker.workbook.jobs",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'ofsted_tracker' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value  # found once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
