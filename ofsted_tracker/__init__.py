"""The ofsted-tracker command: the tracker's jobs run headless from a terminal or a scheduled task."""

from __future__ import annotations

from pathlib import Path


def packaged_template(name: str = "committee_report.docx") -> Path:
    """A Word template shipped inside the package (the top-level ``templates/`` folder of the source tree)."""
    from importlib.resources import files

    return Path(str(files("ofsted_tracker.templates").joinpath(name)))
