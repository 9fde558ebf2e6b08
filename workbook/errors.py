"""The project's one error hierarchy: every error the tool reports to a user as a sentence, never a traceback.

A ``TrackerError`` carries a ``code`` (what kind of refusal it is, for the command line's exit code, the server's
HTTP status and the tests), its ``message`` (the sentence shown, naming the place and what to do) and, where the
place is one cell or sheet, ``where`` (``Actions!F12``, ``[return.xlsx]Update request!G5``). The command line and
the macros catch ``TrackerError`` once, at their edge.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the tool reports to a user as a message (never a traceback)."""

    code = "refused"

    def __init__(self, message: str, where: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        if code is not None:
            self.code = code


class UnusableInput(TrackerError):
    """The workbook cannot be read as a tracker: not an .xlsx, a sheet or header missing, and so on."""

    code = "unusable-input"


class WorkbookLocked(TrackerError):
    """The workbook is open in Excel (its ``~$`` lock file is beside it) or cannot be written."""

    code = "workbook-locked"


class TemplateError(TrackerError):
    """The Word template is unusable, for example it names a placeholder the tool does not know."""

    code = "template"


class PartlyWritten(TrackerError):
    """Excel stopped part-way through writing the open workbook: some cells may be written, others not."""

    code = "partly-written"
