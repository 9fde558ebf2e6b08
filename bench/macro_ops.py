"""Excel operations per macro: the length of the action list xlwings' remote engine returns, beside a naive write."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def macro_operations(path: Path) -> dict[str, int]:
    """Operations each macro asks of Excel on this tracker (validate, refresh), and a cell-by-cell refresh."""
    import xlwings as xw

    from addin import macros
    from tests.addin.harness import payload
    from workbook.layout import computed_grids
    from workbook.tracker import open_summary

    counts = {}
    for name in ("validate", "refresh"):
        book = xw.Book(json=payload(path))
        getattr(macros, name)(book)
        counts[name] = len(book.json()["actions"])
    book = xw.Book(json=payload(path))
    for sheet_name, grid in computed_grids(open_summary(path)).items():  # the naive way: one write per cell
        sheet = book.sheets[sheet_name]
        for i, row in enumerate(grid, start=1):
            for j, value in enumerate(row, start=1):
                if value not in (None, ""):
                    sheet.cells(i, j).value = value
    counts["naive_refresh"] = len(book.json()["actions"])
    return counts
