"""The ofsted-tracker command: the tracker's jobs run headless from a terminal or a scheduled task; `frames` for analysts."""

from __future__ import annotations

from pathlib import Path


def frames(path, as_of=None, period=None):
    """The tracker at ``path`` as pandas DataFrames: ``.actions``, ``.findings``, ``.history`` and ``.trend``.

    ``as_of`` (a date) and ``period`` (a name from Periods) default to the workbook's Settings, as on the
    command line. pandas is imported here, on first use, never by the command line or the ribbon.
    """
    from ofsted_tracker.workbook.frames import frames as read

    return read(path, as_of, period)


def packaged_template(name: str = "committee_report.docx") -> Path:
    """A Word template shipped inside the package (the top-level ``templates/`` folder of the source tree)."""
    from importlib.resources import files

    return Path(str(files("ofsted_tracker.templates").joinpath(name)))
