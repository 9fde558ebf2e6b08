"""The ribbon's scripts on xlwings Server: each runs the desktop add-in's macro, unchanged, on the book Excel sent.

xlwings-server imports this package as ``custom_scripts`` and serves each ``@script`` at
``POST /xlwings/custom-scripts-call/<name>``. ``include`` makes Excel send only the sheets a macro reads (the
others arrive as names without values): the six officers' sheets for the plan, the Checks sheet for Go to
finding. The macros write Dashboard, Slippage and Checks and show their message box as xlwings actions.
Build report is not a script: its .docx comes back as a download (``addin.server.routes``).
"""

from __future__ import annotations

import xlwings as xw
from xlwings.server import script

from addin import macros
from workbook import schema

PLAN_SHEETS = [spec.name for spec in schema.OFFICER_SHEETS]
FINDING_SHEETS = [schema.CHECKS]


@script(include=PLAN_SHEETS)
def validate(book: xw.Book) -> None:
    """Validate: write every finding to Checks (``macros.validate``)."""
    macros.validate(book)


@script(include=PLAN_SHEETS)
def refresh(book: xw.Book) -> None:
    """Refresh dashboards: write Dashboard, Slippage and Checks (``macros.refresh``)."""
    macros.refresh(book)


@script(include=FINDING_SHEETS)
def go_to_finding(book: xw.Book) -> None:
    """Go to finding: jump to the cell of the finding selected on Checks (``macros.go_to_finding``)."""
    macros.go_to_finding(book)
