"""One benchmark step in a process of its own: time it over several runs and report peak memory (JSON on stdout).

Run as ``python -m bench.worker STEP TRACKER RUNS``. Our steps get one untimed warm-up run (they import their
libraries on first use); the naive steps import theirs before timing. The process's peak resident memory
covers every run, imports included.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def _summary(path: Path):
    from ofsted_tracker.workbook.jobs import open_summary

    return open_summary(path)


def _scratch(path: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    target = folder / path.name
    shutil.copy2(path, target)
    return target


def step_read_validate(path: Path) -> Callable[[], object]:
    """Ours: python-calamine read, parse and every rule."""
    return lambda: _summary(path)


def step_refresh(path: Path) -> Callable[[], object]:
    """Ours: read, compute and rewrite only the computed sheets inside the package (atomic, with a backup)."""
    from ofsted_tracker.workbook.jobs import refresh

    target = _scratch(path)
    return lambda: refresh(target)


def step_report(path: Path) -> Callable[[], object]:
    """Ours: the Word report from the summary (template prepared once, compiled table rows, chart picture, atomic save)."""
    from ofsted_tracker.report_builder import build_report

    summary = _summary(path)
    out = Path(tempfile.mkdtemp(prefix="bench-")) / "report.docx"
    return lambda: build_report(summary, out)


def step_naive_read(path: Path) -> Callable[[], object]:
    """Naive: openpyxl load, then every Actions cell read one at a time with ``ws.cell(r, c)``."""
    import openpyxl

    def run() -> int:
        ws = openpyxl.load_workbook(path)["Actions"]
        return sum(
            1
            for r in range(1, ws.max_row + 1)
            for c in range(1, 12)
            if ws.cell(r, c).value is not None
        )

    return run


def step_naive_refresh(path: Path) -> Callable[[], object]:
    """Naive: openpyxl load, write the computed grids cell by cell, save the whole workbook again."""
    import openpyxl

    from ofsted_tracker.workbook.rules.layout import computed_grids

    target = _scratch(path)
    grids = computed_grids(_summary(path))

    def run() -> None:
        wb = openpyxl.load_workbook(target)
        for name, grid in grids.items():
            ws = wb[name]
            for i, row in enumerate(grid, start=1):
                for j, value in enumerate(row, start=1):
                    ws.cell(i, j).value = value
        wb.save(target)

    return run


def step_naive_report(path: Path) -> Callable[[], object]:
    """Naive: python-docx, one ``add_row()`` per action and ``cell.text`` for each of its 6 cells."""
    import docx

    summary = _summary(path)
    out = Path(tempfile.mkdtemp(prefix="bench-")) / "naive.docx"

    def run() -> None:
        document = docx.Document()
        table = document.add_table(rows=1, cols=6)
        for a in summary.plan.actions:
            cells = table.add_row().cells
            for cell, value in zip(
                cells,
                (
                    a.action_id,
                    a.text,
                    a.owners_text,
                    summary.ratings.get(a.action_id) or "",
                    a.commentary,
                    str(a.deadline or ""),
                ),
            ):
                cell.text = value
        document.save(out)

    return run


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ``ru_maxrss`` would carry the
    parent's peak across exec (the bench's parent builds the 10,000-action tracker in-process)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STEPS = {name[5:]: fn for name, fn in globals().items() if name.startswith("step_")}


def main() -> None:
    """Time one step: ``python -m bench.worker STEP TRACKER RUNS``."""
    name, tracker, runs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    run = STEPS[name](tracker)  # imports happen here
    if not name.startswith("naive"):
        run()  # warm-up: our steps import docx and friends on first use
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    peak_mb = peak_memory_mb()
    print(
        json.dumps(
            {
                "step": name,
                "median": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "runs": runs,
                "peak_mb": peak_mb,
            }
        )
    )


if __name__ == "__main__":
    main()
