"""The project's small error hierarchy; the command line and the macros catch `TrackerError` once."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the tool reports to a user as a message (never a traceback)."""

    exit_code = 2


class UnusableInput(TrackerError):
    """The workbook cannot be read as a tracker: not an .xlsx, a sheet or header missing, and so on."""


class WorkbookLocked(TrackerError):
    """The workbook is open in Excel (its ``~$`` lock file is beside it) or cannot be written."""


class TemplateError(TrackerError):
    """The Word template is unusable, for example it names a placeholder the tool does not know."""
