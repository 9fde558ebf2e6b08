"""``python -m bench`` (``make bench``): the whole job at 61, 1,000 and 10,000 actions, beside the naive way.

Prints a Markdown table: for each size and step, the median of several runs with the spread (min-max), the
process's peak memory, the naive way's median and the ratio ours/naive; then the cold ``ofsted-tracker report``
process on the 61-action plan, and the Excel operations per macro.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic import make_tracker

ROOT = Path(__file__).resolve().parents[1]
PAIRS = (("read_validate", "naive_read"), ("refresh", "naive_refresh"), ("report", "naive_report"))
LABELS = {"read_validate": "read + validate", "refresh": "refresh (dashboards written)", "report": "report build"}


def _worker(step: str, tracker: Path, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([sys.executable, "-m", "bench.worker", step, str(tracker), str(runs)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"bench step {step} on {tracker.name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cold_report(tracker: Path, runs: int) -> dict:
    """The whole ``ofsted-tracker report`` process, imports included, as an officer's click would start it."""
    out = Path(tempfile.mkdtemp(prefix="bench-")) / "report.docx"
    command = [sys.executable, "-m", "ofsted_tracker", "report", str(tracker), "-o", str(out)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # warm the disk cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": runs}


def _fmt(result: dict) -> str:
    return f"{result['median']:.3f} s ({result['min']:.3f}–{result['max']:.3f})"


def main() -> None:
    """Generate the trackers, run every step at every size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="61,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)

    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}")
    trackers = {}
    for n in sizes:
        start = time.perf_counter()
        trackers[n] = make_tracker(args.out / f"tracker-{n}.xlsx", n)
        print(f"generated {n} actions in {time.perf_counter() - start:.1f} s ({trackers[n].stat().st_size // 1024} KB)",
              file=sys.stderr)

    results: dict[tuple[int, str], dict] = {}
    for n in sizes:
        for ours, naive in PAIRS:
            results[n, ours] = _worker(ours, trackers[n], args.runs)
            results[n, naive] = _worker(naive, trackers[n], args.naive_runs if n >= 10000 else args.runs)
            print(f"{n:>6} {ours:<14} {_fmt(results[n, ours])}  naive {_fmt(results[n, naive])}", file=sys.stderr)

    print()
    print("| actions | step | ours: median (min–max) | peak memory | naive: median (min–max) | ours / naive |")
    print("|---:|---|---|---:|---|---:|")
    for n in sizes:
        for ours, naive in PAIRS:
            a, b = results[n, ours], results[n, naive]
            print(f"| {n:,} | {LABELS[ours]} | {_fmt(a)} | {a['peak_mb']:.0f} MB | {_fmt(b)} | {a['median'] / b['median']:.2f} |")
    if len(sizes) > 1:
        small, big = sizes[-2], sizes[-1]
        print()
        print(f"Growth, time at {big:,} ÷ time at {small:,} (linear = {big / small:.0f}): " + ", ".join(
            f"{LABELS[s]} {results[big, s]['median'] / results[small, s]['median']:.1f}" for s, _ in PAIRS))

    if 61 in trackers:
        cold = _cold_report(trackers[61], args.runs)
        print()
        print(f"Whole `ofsted-tracker report` process, cold (imports included), 61 actions: {_fmt(cold)} "
              f"over {cold['runs']} runs")

    from bench.macro_ops import macro_operations

    print()
    print("| actions | Excel operations: validate | refresh | naive cell-by-cell refresh | ours / naive |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        ops = macro_operations(trackers[n], n)
        naive = f"{ops['naive_refresh']:,}" + ("" if ops["naive_measured"] else " (cells counted)")
        print(f"| {n:,} | {ops['validate']} | {ops['refresh']} | {naive} | {ops['refresh'] / ops['naive_refresh']:.4f} |")
    print()
    print("The naive refresh is counted through the remote engine up to 2,000 actions (one operation per cell "
          "written, as the counted cells confirm); above, its cells are counted: the engine's memory for 130,000 "
          "recorded operations exceeds this machine.")


if __name__ == "__main__":
    main()
