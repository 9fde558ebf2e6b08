"""The tests' one way to run LibreOffice (tests/report/office.py): a fresh profile per call, one call at a time
across processes, a bounded wait, one retry after a cold-start failure, and a failure (not a skip) when it is
missing. A stand-in ``soffice`` on PATH plays each part, so these tests need no LibreOffice."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.report import office

ROOT = Path(__file__).resolve().parents[1]

FAKE = textwrap.dedent("""\
    import os, pathlib, sys, time
    args = sys.argv[1:]
    log = pathlib.Path(os.environ["FAKE_LOG"])
    profile = next(a for a in args if a.startswith("-env:UserInstallation="))
    outdir = pathlib.Path(args[args.index("--outdir") + 1])
    with log.open("a") as f:
        f.write(f"start {time.time()} {profile}\\n")
    mode = os.environ.get("FAKE_MODE", "")
    if mode == "cold" and log.read_text().count("start") == 1:
        print("soffice not found"); sys.exit(1)
    if mode == "hang":
        time.sleep(600)
    time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
    if mode != "empty":
        for source in args[args.index("--outdir") + 2:]:
            (outdir / (pathlib.Path(source).stem + ".pdf")).write_bytes(b"%PDF-1.4 stand-in")
    with log.open("a") as f:
        f.write(f"end {time.time()}\\n")
""")


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in soffice first on PATH; returns its log (one 'start TIME PROFILE' and 'end TIME' line per run)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(f"#!{sys.executable}\n{FAKE}")
    script.chmod(0o755)
    log = tmp_path / "soffice.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


def _source(tmp_path: Path) -> Path:
    source = tmp_path / "report.docx"
    source.write_bytes(b"a document")
    return source


def _starts(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines() if line.startswith("start")]


def test_a_cold_start_failure_is_retried_once_with_a_fresh_profile(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_MODE", "cold")
    (pdf,) = office.convert([_source(tmp_path)], "pdf", tmp_path / "out")
    assert pdf.read_bytes().startswith(b"%PDF")
    profiles = [start[2] for start in _starts(fake)]
    assert len(profiles) == 2 and profiles[0] != profiles[1]  # each call its own profile
    assert not any(
        Path(p.split("=", 1)[1].removeprefix("file://")).exists() for p in profiles
    )  # removed after


def test_no_output_after_the_retry_fails_the_test_with_what_libreoffice_said(
    fake, tmp_path, monkeypatch
):
    monkeypatch.setenv("FAKE_MODE", "empty")
    with pytest.raises(
        pytest.fail.Exception, match=r"(?s)did not convert report.docx.*attempt 1.*attempt 2"
    ):
        office.convert([_source(tmp_path)], "pdf", tmp_path / "out")
    assert len(_starts(fake)) == 2


def test_a_conversion_that_hangs_is_stopped(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_MODE", "hang")
    monkeypatch.setattr(office, "TIMEOUT", 2)
    with pytest.raises(pytest.fail.Exception, match="no answer after 2 s"):
        office.convert([_source(tmp_path)], "pdf", tmp_path / "out")
    assert (
        subprocess.run(["pgrep", "-f", str(fake.parent / "bin" / "soffice")]).returncode == 1
    )  # none left


def test_conversions_in_parallel_processes_run_one_at_a_time(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_SLEEP", "1")
    runs = []
    for i in range(3):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        code = (
            f"from pathlib import Path; from tests.report import office; "
            f"office.convert([Path({str(_source(folder))!r})], 'pdf', Path({str(folder)!r}))"
        )
        runs.append(subprocess.Popen([sys.executable, "-c", code], cwd=ROOT))
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    lines = [line.split() for line in fake.read_text().splitlines()]
    assert [line[0] for line in lines] == ["start", "end"] * 3  # never two started before one ended


def test_a_missing_libreoffice_fails_the_test_rather_than_skipping_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(office.SKIP_WITHOUT_OFFICE, raising=False)
    with pytest.raises(pytest.fail.Exception, match="soffice not found on PATH.*apt-get install"):
        office.convert([_source(tmp_path)], "pdf", tmp_path)
    monkeypatch.setenv(office.SKIP_WITHOUT_OFFICE, "1")  # only a knowing opt-out skips
    with pytest.raises(pytest.skip.Exception):
        office.require("soffice")
