"""``python -m bench.server``: the add-in server's latency per script at 61 and 1,000 actions, and a bounded load test.

In process (FastAPI's test client, no network) and through ``ofsted-tracker serve`` on 127.0.0.1 (HTTPS, one
uvicorn process as started for development); then N concurrent clients posting Refresh for D seconds against that
server: p50/p95 latency, errors (must be 0), requests done and the server's peak memory (VmHWM). Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ROOT = Path(__file__).resolve().parents[1]
ROUTES = {
    "validate": "/xlwings/custom-scripts-call/validate",
    "refresh": "/xlwings/custom-scripts-call/refresh",
    "go_to_finding": "/xlwings/custom-scripts-call/go_to_finding",
    "summary": "/improvement-plan/summary",
    "report": "/improvement-plan/report",
}


def _bodies(path: Path) -> dict[str, bytes]:
    from ofsted_tracker.addin.payload import PLAN_SHEETS, payload
    from ofsted_tracker.workbook.plan import schema

    bodies = {name: json.dumps(payload(path, include=PLAN_SHEETS)).encode() for name in ROUTES}
    bodies["go_to_finding"] = json.dumps(
        payload(path, include=[schema.CHECKS], active=schema.CHECKS, selection="A5")
    ).encode()
    return bodies


def _time(post, body: bytes, runs: int) -> dict:
    post(body)  # warm-up: imports, template compilation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status = post(body)
        times.append(time.perf_counter() - start)
        assert status == 200, status
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _load(url: str, body: bytes, clients: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def officer() -> None:
        with httpx.Client(verify=False, timeout=120) as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    response = client.post(
                        url, content=body, headers={"Content-Type": "application/json"}
                    )
                    ok = response.status_code == 200
                except httpx.HTTPError as exc:
                    ok, response = False, exc
                with lock:
                    (
                        latencies.append(time.perf_counter() - start)
                        if ok
                        else errors.append(str(response))
                    )

    threads = [threading.Thread(target=officer) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50": statistics.median(latencies),
        "p95": q[18],
    }


def main() -> None:
    """Generate the trackers, time each route in process and through a server, run the load test, print tables."""
    import httpx
    from fastapi.testclient import TestClient

    from bench.synthetic import make_tracker
    from ofsted_tracker.addin.server.app import app

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="61,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--load-size", type=int, default=61)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-server-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    trackers = {n: make_tracker(out / f"tracker-{n}.xlsx", n) for n in sizes}
    bodies = {n: _bodies(trackers[n]) for n in sizes}

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ofsted_tracker",
            "serve",
            "--port",
            str(port),
            "--cert-dir",
            str(out / "certs"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"https://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/", verify=False, timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.2)
        in_process = TestClient(app)
        remote = httpx.Client(verify=False, timeout=120)
        print("| route | actions | payload | in process (median, min-max) | through the server |")
        print("|---|---:|---:|---|---|")
        for n in sizes:
            for name, route in ROUTES.items():
                body = bodies[n][name]
                headers = {"Content-Type": "application/json"}
                local = _time(
                    lambda b, route=route, headers=headers: (
                        in_process.post(route, content=b, headers=headers).status_code
                    ),
                    body,
                    args.runs,
                )
                served = _time(
                    lambda b, route=route, headers=headers: (
                        remote.post(base + route, content=b, headers=headers).status_code
                    ),
                    body,
                    args.runs,
                )
                print(
                    f"| {name} | {n} | {len(body) / 1024:.0f} KB | {local['median'] * 1000:.0f} ms "
                    f"({local['min'] * 1000:.0f}-{local['max'] * 1000:.0f}) | {served['median'] * 1000:.0f} ms "
                    f"({served['min'] * 1000:.0f}-{served['max'] * 1000:.0f}) |",
                    flush=True,
                )
        load = _load(
            base + ROUTES["refresh"], bodies[args.load_size]["refresh"], args.clients, args.seconds
        )
        print(
            f"\nLoad: {args.clients} concurrent Refresh clients for {args.seconds:g} s on the {args.load_size}-action "
            f"plan, one server process: {load['requests']} requests, {load['errors']} errors, "
            f"p50 {load['p50'] * 1000:.0f} ms, p95 {load['p95'] * 1000:.0f} ms, "
            f"server peak memory {_peak_kb(server.pid) / 1024:.0f} MB."
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
