"""``python -m bench`` (``make bench``): every figure of BENCHMARKS.md, each beside its yardstick from the same run.

1. The yardstick: a fresh process that only does ``import pandas, openpyxl, docx`` (the naive stack), run from a
   venv of its own (``bench/out/naive-venv``, made on first use from PyPI).
2. Each command as an officer starts it (a fresh process, imports included) at 61, 2,000, 10,000 and 100,000
   actions: median time, peak memory, and the ratio to the yardstick; growth from 10,000 to 100,000.
3. In process, at 61, 1,000 and 10,000 actions: read + validate, refresh and the report build, beside the naive way
   of each (openpyxl cell by cell, python-docx row by row).
4. What each command imports (``python -X importtime``), by top-level package.
5. Excel operations per macro, beside a cell-by-cell write; the macros' time through xlwings' remote engine.
6. The add-in server (``bench.server``): each script's latency in process and through a local server, and a
   bounded load test.

Synthetic trackers are made through the project's own writer and kept in ``bench/out`` (remade when the generator
or the writer changes). The project's modules are compiled to bytecode first, as an install compiles them.
Timings on a 2-core machine vary by about ±30 % from run to run: read the medians.
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

from bench.requests import figure as requests_figure

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial"}
PAIRS = (("read_validate", "naive_read"), ("refresh", "naive_refresh"), ("report", "naive_report"))
LABELS = {
    "read_validate": "read + validate",
    "refresh": "refresh (dashboards written)",
    "report": "report build",
}
COMMANDS = ("validate", "summary", "refresh", "report")
NAIVE_STACK = ("pandas", "openpyxl", "python-docx")
# the targets, as multiples of the yardstick (the naive stack's bare import)
COLD_TARGETS = {
    (61, "report"): 0.75,
    (61, "validate"): 0.4,
    (61, "refresh"): 0.4,
    (61, "summary"): 0.4,
}
COLD_TARGET_2000 = 3.0
GROWTH_TARGET, MEMORY_TARGET_MB, REPORT_10K_TARGET_S = 11.0, 500, 4.0


def _stats(times: list[float]) -> dict:
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": len(times),
    }


def _fmt(result: dict) -> str:
    return f"{result['median']:.3f} s ({result['min']:.3f}–{result['max']:.3f})"


def _tracker(out: Path, n: int) -> Path:
    """The synthetic tracker of n actions, made again only when the generator or the writer has changed."""
    path = out / f"tracker-{n}.xlsx"
    sources = [
        ROOT / "bench" / "synthetic.py",
        ROOT / "workbook" / "store" / "writer.py",
        ROOT / "workbook" / "rules" / "layout.py",
    ]
    if path.exists() and path.stat().st_mtime > max(s.stat().st_mtime for s in sources):
        return path
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from bench.synthetic import "
            "make_tracker; make_tracker(Path(sys.argv[1]), int(sys.argv[2]))",
            str(path),
            str(n),
        ],
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    print(
        f"generated {n:,} actions in {time.perf_counter() - start:.1f} s ({path.stat().st_size // 1024:,} KB)",
        file=sys.stderr,
    )
    return path


def _naive_python(out: Path) -> Path:
    """The naive stack's own venv (pandas, openpyxl, python-docx), made on first use."""
    venv = out / "naive-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *NAIVE_STACK], check=True)
    return python


def _yardstick(python: Path, runs: int) -> dict:
    """A fresh process doing only ``import pandas, openpyxl, docx``."""
    command = [str(python), "-c", "import pandas, openpyxl, docx"]
    subprocess.run(command, check=True)  # warm the disk cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True)
        times.append(time.perf_counter() - start)
    return _stats(times)


def _command_args(command: str, tracker: Path, scratch: Path) -> list[str]:
    if command == "report":
        return ["report", str(tracker), "-o", str(scratch / "report.docx")]
    return [command, str(tracker)]


def _cold(command: str, tracker: Path, runs: int) -> dict:
    """One command in a fresh process, as the console script runs it: median time and the highest peak memory."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    target = scratch / tracker.name
    target.write_bytes(
        tracker.read_bytes()
    )  # refresh writes into the workbook: never into the kept one
    peak_file = scratch / "peak"
    args = [
        sys.executable,
        "-m",
        "bench.cold",
        str(peak_file),
        *_command_args(command, target, scratch),
    ]
    times, peaks = [], []
    warm = (
        1 if runs > 1 else 0
    )  # a first run warms the disk cache and is not counted (not for the largest plans)
    for i in range(runs + warm):
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):  # validate exits 1 when the plan has errors
            message = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            return {
                **_stats([elapsed]),
                "peak_mb": float(peak_file.read_text() or 0) if peak_file.exists() else 0,
                "failed": f"exit {done.returncode} after {elapsed:.0f} s: {message[:300]}",
            }
        if i >= warm:
            times.append(elapsed)
            peaks.append(float(peak_file.read_text()))
    return {**_stats(times), "peak_mb": max(peaks)}


def _worker(step: str, tracker: Path, runs: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", step, str(tracker), str(runs)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"bench step {step} on {tracker.name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _imports(command: str, tracker: Path) -> list[tuple[str, float]]:
    """What the command imports, by top-level package, in milliseconds (``-X importtime``, cumulative)."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    target = scratch / tracker.name
    target.write_bytes(tracker.read_bytes())
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "bench.cold",
            str(scratch / "peak"),
            *_command_args(command, target, scratch),
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    by_package: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if (
            not cumulative.strip().isdigit() or name[1:2] == " "
        ):  # a header line, or a nested (indented) import
            continue
        package = name.strip().split(".")[0]
        by_package[package] = by_package.get(package, 0) + int(cumulative) / 1000
    return sorted(by_package.items(), key=lambda item: -item[1])


def _compile_bytecode() -> None:
    """Compile the project's modules to bytecode, as ``pip install`` does for the yardstick's libraries and for an
    officer's install: an editable install run with PYTHONDONTWRITEBYTECODE set (as on these machines) would
    otherwise compile every module from source on every cold run, about 0.08 s of a command."""
    import compileall

    for folder in ("ofsted_tracker", "workbook", "addin", "report_builder"):
        compileall.compile_dir(ROOT / folder, quiet=1)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main() -> None:
    """Generate the trackers, run every measurement, print the tables (Markdown on stdout, progress on stderr)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="61,1000,10000", help="plan sizes measured in process")
    parser.add_argument(
        "--cold-sizes", default="61,2000,10000,100000", help="plan sizes of the cold commands"
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--no-server", action="store_true", help="skip the xlwings Server measurements"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cold_sizes = [int(s) for s in args.cold_sizes.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    _compile_bytecode()
    trackers = {n: _tracker(args.out, n) for n in sorted({*sizes, *cold_sizes})}

    print(
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}"
    )
    yard = _yardstick(_naive_python(args.out), args.runs)
    print()
    print(
        f"**Yardstick**: a fresh process doing only `import pandas, openpyxl, docx`, from its own venv: "
        f"{_fmt(yard)} over {yard['runs']} runs."
    )
    print()
    print(requests_figure(yard["median"]))

    cold: dict[tuple[int, str], dict] = {}
    for n in cold_sizes:
        runs = args.runs if n <= 2000 else 3 if n <= 10000 else 1
        for command in COMMANDS:
            cold[n, command] = _cold(command, trackers[n], runs)
            print(
                f"cold {n:>7,} {command:<9} {_fmt(cold[n, command])}  {cold[n, command]['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
    print()
    print(
        "| actions | command (fresh process) | median (min–max) | ÷ yardstick | target | met? | peak memory |"
    )
    print("|---:|---|---|---:|---|---|---:|")
    for (n, command), result in cold.items():
        ratio = result["median"] / yard["median"]
        target = COLD_TARGETS.get((n, command)) or (COLD_TARGET_2000 if n == 2000 else None)
        mem_target = n >= 100000
        verdict = (
            _met(ratio <= target)
            if target
            else _met(result["peak_mb"] <= MEMORY_TARGET_MB)
            if mem_target
            else ""
        )
        target_text = f"≤ {target}×" if target else f"≤ {MEMORY_TARGET_MB} MB" if mem_target else ""
        if result.get("failed"):
            verdict, shown = "**no**", f"did not complete: {result['failed']}"
        else:
            shown = _fmt(result)
        print(
            f"| {n:,} | {command} | {shown} | {ratio:.2f} | {target_text} | {verdict} | "
            f"{result['peak_mb']:.0f} MB |"
        )
    if 10000 in cold_sizes and 100000 in cold_sizes:
        print()
        growth = {
            c: cold[100000, c]["median"] / cold[10000, c]["median"]
            for c in COMMANDS
            if not cold[100000, c].get("failed")
        }
        print(
            f"Growth, cold time at 100,000 ÷ at 10,000 (linear = 10, target ≤ {GROWTH_TARGET:.0f}): "
            + ", ".join(
                f"{c} {g:.1f} ({'met' if g <= GROWTH_TARGET else 'missed'})"
                for c, g in growth.items()
            )
        )

    results: dict[tuple[int, str], dict] = {}
    for n in sizes:
        for ours, naive in PAIRS:
            results[n, ours] = _worker(ours, trackers[n], args.runs)
            results[n, naive] = _worker(
                naive, trackers[n], args.naive_runs if n >= 10000 else args.runs
            )
            print(
                f"{n:>6} {ours:<14} {_fmt(results[n, ours])}  naive {_fmt(results[n, naive])}",
                file=sys.stderr,
            )
    print()
    print(
        "| actions | step (in process) | ours: median (min–max) | peak memory | naive: median (min–max) | ours / naive |"
    )
    print("|---:|---|---|---:|---|---:|")
    for n in sizes:
        for ours, naive in PAIRS:
            a, b = results[n, ours], results[n, naive]
            print(
                f"| {n:,} | {LABELS[ours]} | {_fmt(a)} | {a['peak_mb']:.0f} MB | {_fmt(b)} | "
                f"{a['median'] / b['median']:.2f} |"
            )
    if (10000, "report") in results:
        build = results[10000, "report"]["median"]
        print()
        print(
            f"Report build at 10,000 actions, in process: {build:.2f} s (target ≤ {REPORT_10K_TARGET_S:.0f} s: "
            f"{'met' if build <= REPORT_10K_TARGET_S else 'missed'})."
        )

    print()
    print(
        "What each command imports at 61 actions (`python -X importtime`, cumulative ms by top-level package; "
        "the largest eight):"
    )
    print()
    for command in COMMANDS:
        packages = _imports(command, trackers[min(trackers)])
        print(
            f"- `{command}`: "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in packages[:8])
            + f"; all imports {sum(ms for _, ms in packages):.0f} ms"
        )

    from bench.macro_ops import macro_operations, macro_seconds

    print()
    print(
        "| actions | Excel operations: validate | refresh | naive cell-by-cell refresh | ours / naive | refresh macro, remote engine |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        ops = macro_operations(trackers[n], n)
        naive = f"{ops['naive_refresh']:,}" + ("" if ops["naive_measured"] else " (cells counted)")
        seconds = macro_seconds(trackers[n], runs=3 if n <= 1000 else 1)
        print(
            f"| {n:,} | {ops['validate']} | {ops['refresh']} | {naive} | {ops['refresh'] / ops['naive_refresh']:.4f} "
            f"| {seconds:.2f} s |"
        )
    print()
    print(
        "The naive refresh is counted through the remote engine up to 2,000 actions (one operation per cell "
        "written, as the counted cells confirm); above, its cells are counted: the engine's memory for 130,000 "
        "recorded operations exceeds this machine."
    )

    if not args.no_server:
        print()
        print("xlwings Server (`python -m bench.server`, its own process):")
        print()
        done = subprocess.run(
            [sys.executable, "-m", "bench.server"],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
        )
        print(done.stdout if done.returncode == 0 else f"(failed: {done.stderr[-1500:]})")


if __name__ == "__main__":
    main()
