"""The installed package works on its own: a wheel built from the sources, installed into a fresh venv outside
the repo, runs ``demo`` and ``report`` from another folder (the Word template and the demo data travel inside it).

Offline and quick: the wheel is built with this venv's setuptools (no build isolation, nothing downloaded), the
fresh venv has no pip of its own (this venv's pip installs into it with ``--python``), and it reaches the
dependencies already installed here through one ``.pth`` line, so only the project itself comes from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "workbook",
    "addin",
    "report_builder",
    "ofsted_tracker",
    "templates",
)


def _run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources (the build leaves nothing in the repo)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(item, src / name)
    out = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        "--wheel-dir",
        out,
        src,
        cwd=out,
    )
    (built,) = out.glob("ofsted_tracker-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repo holding the wheel; returns its bin folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv
        ).stdout.strip()
    )
    (site / "deps-from-test-venv.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=venv.parent,
    )
    return python.parent


def test_the_wheel_carries_the_template_and_the_demo_data_under_one_import_package(
    wheel: Path,
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ofsted_tracker/templates/committee_report.docx" in names
    assert {
        f"ofsted_tracker/workbook/demo_data/{n}.csv"
        for n in ("actions", "leads", "recommendations", "deadline_revisions")
    } <= names
    assert "ofsted_tracker/addin/ribbon.xml" in names
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"ofsted_tracker"}, (
        top
    )  # no generic top-level names (workbook, addin) for a council's machine
    assert not [
        n for n in names if "make_template" in n
    ]  # how the template was first made stays in the repo


def test_an_installed_wheel_runs_demo_and_report_from_another_folder(
    installed: Path, tmp_path: Path
) -> None:
    from docx import Document

    where = _run(
        installed / "python",
        "-c",
        "import ofsted_tracker, ofsted_tracker.report_builder.build as b; "
        "print(ofsted_tracker.__file__); print(b.DEFAULT_TEMPLATE)",
        cwd=tmp_path,
    ).stdout.split()
    assert all(Path(p).is_relative_to(installed.parent) for p in where), (
        where
    )  # the wheel's copy, not the repo's
    alone = _run(
        installed / "python",
        "-c",
        "import importlib.util as u; "
        "print([n for n in ('workbook', 'addin', 'report_builder', 'templates') if u.find_spec(n)])",
        cwd=tmp_path,
    ).stdout.strip()
    assert alone == "[]"  # `import workbook` fails beside the installed package
    tool = installed / "ofsted-tracker"
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert _run(tool, "--version", cwd=tmp_path).stdout.strip() == f"ofsted-tracker {version}"
    demo = _run(tool, "demo", "--out", "demo-out", cwd=tmp_path)
    assert "lewisham-committee-report.docx" in demo.stdout
    assert Document(tmp_path / "demo-out" / "lewisham-committee-report.docx").paragraphs
    _run(
        tool,
        "report",
        "demo-out/lewisham-tracker.xlsx",
        "--period",
        "Q3",
        "-o",
        "q3.docx",
        cwd=tmp_path,
    )
    text = "\n".join(p.text for p in Document(tmp_path / "q3.docx").paragraphs)
    assert "Ofsted Improvement Plan" in text
