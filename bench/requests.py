"""``requests`` at many owners: the time to write every owner's request workbook and draft, and its growth.

Run as ``python -m bench.requests [OWNERS...]``: a synthetic tracker with that many owners (two actions each) is
made through the project's writer, then ``send_requests`` writes the requests into a scratch folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ofsted_tracker.workbook.demo import demo_rows
from ofsted_tracker.workbook.jobs import new_tracker, send_requests
from ofsted_tracker.workbook.store.writer import settings_rows


def owners_tracker(path: Path, owners: int) -> Path:
    """A tracker whose plan has ``owners`` leads, each owning two open actions."""
    base = demo_rows()
    leads = [
        {"initials": f"L{i}", "name": f"Lead {i}", "email": f"lead{i}@council.gov.uk"}
        for i in range(owners)
    ]
    recs = [dict(base["Recommendations"][0], rec_id="1")]
    actions = [
        {
            "action_id": f"1.{2 * i + k + 1}",
            "rec_id": "1",
            "text": f"Action {2 * i + k + 1} of the plan, with a sentence or two of text",
            "owners": f"L{i}",
            "original_deadline": date(2016, 12, 31),
            "current_deadline": date(2016, 12, 31),
            "status": "On track",
            "recorded_rag": "G",
            "commentary": "Work is under way with partners.",
        }
        for i in range(owners)
        for k in range(2)
    ]
    settings = dict((r["key"], r["value"]) for r in base["Settings"])
    settings.update({"As at date": date(2016, 10, 31), "Reporting period": "Q2"})
    rows = {
        "Actions": actions,
        "Recommendations": recs,
        "Leads": leads,
        "Periods": base["Periods"],
        "Settings": settings_rows(settings),
    }
    return new_tracker(path, rows)


def time_requests(owners: int) -> float:
    """Seconds ``send_requests`` takes for a tracker of ``owners`` owners (the tracker made beforehand)."""
    with tempfile.TemporaryDirectory() as scratch:
        tracker = owners_tracker(Path(scratch) / "tracker.xlsx", owners)
        start = time.perf_counter()
        sent = send_requests(tracker, Path(scratch) / "out")
        elapsed = time.perf_counter() - start
        assert len(sent.written) == owners, (len(sent.written), owners)
    return elapsed


TARGET_OWNERS, TARGET_S = 2000, 10.0  # issue 19: 2,000 owners in 10 s at most


def figure(yardstick_s: float) -> str:
    """The Markdown line ``make bench`` prints beside the yardstick: ``requests`` at 2,000 owners."""
    seconds = time_requests(TARGET_OWNERS)
    met = "met" if seconds <= TARGET_S else "NOT met"
    return (
        f"**requests**, {TARGET_OWNERS:,} owners (a workbook and a draft each, logged): {seconds:.2f} s, "
        f"{seconds / yardstick_s:.1f}x the yardstick; target {TARGET_S:.0f} s, {met}."
    )


def main() -> None:
    """Print the time for each number of owners given (default 100 and 2,000)."""
    for owners in [int(a) for a in sys.argv[1:]] or [100, 2000]:
        print(f"requests, {owners:,} owners: {time_requests(owners):.2f} s")


if __name__ == "__main__":
    main()
