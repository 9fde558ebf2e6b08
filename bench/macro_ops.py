"""Excel operations per macro: the length of the action list xlwings' remote engine returns, beside a naive write."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ENGINE_NAIVE_LIMIT = (
    2000  # above this, the remote engine's memory for a naive run grows past this machine's 24 GB
)


def macro_operations(path: Path, n_actions: int) -> dict[str, int | bool]:
    """Operations each macro asks of Excel on this tracker (validate, refresh), and a cell-by-cell refresh.

    The naive refresh writes every non-blank cell of the computed sheets one at a time, one Excel operation
    each. Up to ENGINE_NAIVE_LIMIT actions it is run through the remote engine and its actions counted; above,
    the cells it would write are counted instead (``naive_measured`` says which): xlwings' remote engine holds
    about 125 KB per recorded operation, so 130,000 of them do not fit in memory.
    """
    import xlwings as xw

    from ofsted_tracker.addin import macros
    from ofsted_tracker.workbook.jobs import open_summary
    from ofsted_tracker.workbook.rules.layout import computed_grids
    from tests.addin.harness import payload

    counts: dict[str, int | bool] = {}
    for name in ("validate", "refresh"):
        book = xw.Book(json=payload(path))
        getattr(macros, name)(book)
        counts[name] = len(book.json()["actions"])
    grids = computed_grids(open_summary(path))
    cells = [
        (name, i, j, value)
        for name, grid in grids.items()
        for i, row in enumerate(grid, start=1)
        for j, value in enumerate(row, start=1)
        if value not in (None, "")
    ]
    counts["naive_cells"] = len(cells)
    counts["naive_measured"] = n_actions <= ENGINE_NAIVE_LIMIT
    if counts["naive_measured"]:
        book = xw.Book(json=payload(path))
        for name, i, j, value in cells:  # the naive way: one write per cell
            book.sheets[name].cells(i, j).value = value
        counts["naive_refresh"] = len(book.json()["actions"])
    else:
        counts["naive_refresh"] = len(cells)
    return counts


def macro_seconds(path: Path, runs: int) -> float:
    """Median seconds of the Refresh dashboards macro on this tracker through the remote engine (payload built first)."""
    import statistics
    import time

    import xlwings as xw

    from ofsted_tracker.addin import macros
    from tests.addin.harness import payload

    data = payload(path)
    times = []
    for _ in range(runs):
        book = xw.Book(json=data)
        start = time.perf_counter()
        macros.refresh(book)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
