"""The tracker file as a ``Store``: read with python-calamine (``reader``), written inside its package (``package``).

Every write is one atomic rewrite of the package with a backup (``safe_write``), refused while Excel has the file
open; only the parts the changes name are new, every other part is copied byte for byte.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ofsted_tracker.workbook.plan.schema import DASHBOARD
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.store.base import Changes, Loaded, Store
from ofsted_tracker.workbook.store.conventions import convention_parts
from ofsted_tracker.workbook.store.package import (
    ChartTable,
    cell_parts,
    computed_parts,
    print_area_parts,
    rewrite_package,
    tool_sheet_parts,
)
from ofsted_tracker.workbook.store.reader import load
from ofsted_tracker.workbook.store.safe_write import assert_writable

# The Dashboard's direction-of-travel chart: its ranges follow the points the trend table holds.
TREND_CHART = ChartTable(
    DASHBOARD,
    layout.TREND_COLUMN,
    len(layout.TREND_HEADERS),
    layout.TREND_FIRST_ROW,
    layout.TREND_POINTS,
)


@dataclass(frozen=True)
class FileStore:
    """A tracker workbook on disk (.xlsx or .xlsm)."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def again(self, option: str) -> str:
        return f"or give {option}"

    def load(self) -> Loaded:
        return load(self.path)

    def check_writable(self) -> None:
        assert_writable(self.path)

    def write(self, changes: Changes) -> None:
        def parts(package: zipfile.ZipFile, label: str) -> dict:
            changed: dict = {}
            if changes.cells:
                changed.update(cell_parts(package, changes.cells, label))
            if changes.conventions is not None:
                changed.update(convention_parts(package, changes.conventions, label, changed))
            if changes.grids:
                changed.update(
                    computed_parts(
                        package, changes.grids, label, (TREND_CHART,), changed, changes.heading
                    )
                )
            for log, grid in changes.logs:
                changed.update(
                    tool_sheet_parts(package, grid, label, changed, log, changes.heading)
                )
            replaced = {**changes.grids, **{log.name: grid for log, grid in changes.logs}}
            rows = {sheet: len(grid) for sheet, grid in replaced.items()}
            changed.update(print_area_parts(package, changed, label, rows))
            return changed

        rewrite_package(self.path, parts)


def as_store(where: Store | Path | str) -> Store:
    """The store for a job: a path becomes its ``FileStore``; a store is itself."""
    return FileStore(Path(where)) if isinstance(where, (str, Path)) else where
