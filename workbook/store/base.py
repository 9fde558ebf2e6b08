"""What every job needs of a workbook, wherever it is: the ``Store`` protocol, what it loads and what it writes.

Two stores: ``FileStore`` (a tracker file: read with python-calamine, written part by part inside the package,
atomically with a backup) and ``addin.excel.ExcelStore`` (the workbook open in Excel, through xlwings). The jobs in
``workbook.jobs`` are written once against this protocol, so the command line, the ribbon and xlwings Server run
the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ofsted_tracker.workbook.plan.findings import Finding
from ofsted_tracker.workbook.plan.model import Plan
from ofsted_tracker.workbook.plan.schema import CellValue, Grid, LogSheet
from ofsted_tracker.workbook.rules.chase import ChaseEntry
from ofsted_tracker.workbook.rules.history import Snapshot


@dataclass(frozen=True)
class Loaded:
    """A plan read from a workbook with the findings met while reading it, its snapshots and its Requests log."""

    plan: Plan
    findings: tuple[Finding, ...]
    history: tuple[Snapshot, ...] = ()
    log: tuple[ChaseEntry, ...] = ()


@dataclass(frozen=True)
class Changes:
    """One write of a job: computed sheets replaced whole, the tool's log sheets replaced whole (added when the
    workbook has none yet), named cells of officers' sheets (sheet -> (row, column) -> value), and the plan's
    conventions."""

    grids: dict[str, Grid] = field(default_factory=dict)
    logs: tuple[tuple[LogSheet, Grid], ...] = ()
    cells: dict[str, dict[tuple[int, int], CellValue]] = field(default_factory=dict)
    # the plan whose rating scheme and status words the drop-downs, rating colours, the Dashboard's fourth-bucket
    # row and its chart are brought to (``store.conventions``; a refresh after Settings changed); None: left as they are
    conventions: Plan | None = None
    # what the replaced sheets print above and below (``layout.print_heading``: the council, the as-at date); None:
    # their header and footer are left as they are
    heading: dict[str, str] | None = None


class Store(Protocol):
    """A tracker workbook a job reads and writes."""

    @property
    def name(self) -> str:
        """The workbook's name, as messages show it."""

    def again(self, option: str) -> str:
        """How the officer tries again at this edge, to end a refusal's sentence: 'or give --as-of DATE' on the
        command line, 'then click the button again' in Excel (``option`` is the command line's way to say it)."""

    def load(self) -> Loaded:
        """The plan, the findings met while reading it, its History and its Requests log."""

    def check_writable(self) -> None:
        """Refuse (``WorkbookLocked``) before anything else is written when the workbook cannot be written now."""

    def write(self, changes: Changes) -> None:
        """Write the changes; every sheet they name is checked before the first is written."""
