"""LibreOffice headless for the tests: the one way a test runs ``soffice``, and reads the PDFs it makes.

Every conversion gets its own fresh profile folder (``-env:UserInstallation``), runs alone (a lock file in the
system's temporary folder serialises conversions across every pytest process on the machine), is waited for
with a generous time limit (the whole process group is stopped if it overruns), and counts only when each source
gave a non-empty output file. A failed first attempt (LibreOffice's cold start can fail: "soffice not found",
exit 1) is retried once with another fresh profile; a second failure fails the test with both attempts' output.

A missing LibreOffice or poppler fails the test that needs it: CI installs both (``.ci/run``), so a missing one
there is a broken machine, never a reason to pass quietly. On a machine without them, set
``OFSTED_TRACKER_NO_OFFICE=1`` to skip those tests instead, knowingly.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

SKIP_WITHOUT_OFFICE = "OFSTED_TRACKER_NO_OFFICE"
INSTALL = (
    "apt-get install -y libreoffice-writer libreoffice-calc poppler-utils nodejs (.ci/run does)"
)
LOCK = Path(tempfile.gettempdir()) / "ofsted-tracker-soffice.lock"
TIMEOUT = 300  # seconds for one conversion; a cold start on a busy machine takes tens of seconds
LOCK_WAIT = 1800  # seconds to wait for other conversions (other test processes) to finish
# --convert-to for a workbook's sheets as UTF-8 CSV, one file per sheet (NAME-SHEET.csv), text cells as shown
CSV_EACH_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def require(*tools: str) -> None:
    """Fail the test (or skip it, when OFSTED_TRACKER_NO_OFFICE=1) if a program it needs is not installed."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = (
        f"{', '.join(missing)} not found on PATH; the tests need LibreOffice, poppler and Node.js: {INSTALL}. "
        f"On a machine without them, set {SKIP_WITHOUT_OFFICE}=1 to skip these tests."
    )
    if os.environ.get(SKIP_WITHOUT_OFFICE) == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """Hold the machine-wide LibreOffice lock: one conversion at a time, across parallel test sessions."""
    with open(LOCK, "a+") as lock:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"another LibreOffice conversion held {LOCK} for {LOCK_WAIT} s",
                        pytrace=False,
                    )
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _outputs(source: Path, extension: str, outdir: Path) -> list[Path]:
    """What a conversion of ``source`` writes: NAME.EXT, or NAME-SHEET.EXT for each sheet of a CSV export."""
    return sorted(p for p in outdir.glob(f"{glob.escape(source.stem)}*.{extension}") if p != source)


def _attempt(command: list[str]) -> tuple[int | None, str]:
    """Run one conversion in its own process group; stop the whole group if it overruns or leaves anything."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        code, output = None, f"no answer after {TIMEOUT} s"
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # nothing of LibreOffice outlives the conversion
    process.communicate()
    return code, output


def convert(
    sources: Sequence[Path], to: str, outdir: Path, infilter: str | None = None
) -> list[Path]:
    """Convert the files with LibreOffice (``to`` as ``--convert-to`` takes it: "pdf", "csv:...") into ``outdir``;
    return every file written, and fail the test unless each source gave a non-empty one."""
    require("soffice")
    sources = [Path(s) for s in sources]
    extension = to.split(":")[0]
    outdir.mkdir(parents=True, exist_ok=True)
    failures = []
    for attempt in (1, 2):
        for stale in (p for s in sources for p in _outputs(s, extension, outdir)):
            stale.unlink()  # a failed attempt's leftovers must not count as output
        with _one_at_a_time(), tempfile.TemporaryDirectory(prefix="ofsted-lo-profile-") as profile:
            command = [
                shutil.which("soffice"),
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                *([f"--infilter={infilter}"] if infilter else []),
                "--convert-to",
                to,
                "--outdir",
                str(outdir),
                *map(str, sources),
            ]
            code, output = _attempt(command)
        made = {
            s: [p for p in _outputs(s, extension, outdir) if p.stat().st_size > 0] for s in sources
        }
        if code == 0 and all(made.values()):
            return sorted(p for files in made.values() for p in files)
        missing = ", ".join(s.name for s, files in made.items() if not files) or "none"
        failures.append(
            f"attempt {attempt}: exit {code}, no output for {missing}:\n{output.strip()}"
        )
    pytest.fail(
        "LibreOffice did not convert "
        + ", ".join(s.name for s in sources)
        + "\n"
        + "\n".join(failures),
        pytrace=False,
    )


def to_pdf(docx: Path, folder: Path) -> Path:
    """The document converted to PDF in ``folder``."""
    (pdf,) = convert([docx], "pdf", folder)
    return pdf


def pages(pdf: Path) -> int:
    """The PDF's page count (pdfinfo)."""
    require("pdfinfo")
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def text(pdf: Path, layout: bool = False) -> str:
    """The PDF's text (pdftotext; in reading order, or laid out as on the page)."""
    require("pdftotext")
    return subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
