"""Shared fixtures (the demo tracker built once per session, and a private copy for tests that write) and the test
tiers: every collected test gets exactly one of the markers ``unit``, ``integration`` or ``office``.

How a test's tier is chosen (``pytest_collection_modifyitems`` below), first rule that applies:

1. a tier marker written on the test itself (``@pytest.mark.integration``) is kept;
2. ``office``: the test, or a fixture it uses, runs LibreOffice or Node through the tests' helpers, that is its
   source calls one of OFFICE_CALLS (``office.convert``, ``to_pdf``, ``office.require``, test_server's ``_node``);
   test_office_helper.py, the tests of that helper, counts too (it runs a stand-in soffice through it);
3. ``integration``: it uses a temporary folder, ``tmp_path`` or ``tmp_path_factory`` or a fixture built on them
   (``demo_master``, ``demo_tracker``, each module fixture that writes a tracker or a report), or it is listed in
   INTEGRATION_TESTS (by module, or one test by name: it reads files under tests/ or the package's data, or starts
   a subprocess, without a temporary folder);
4. ``unit``: everything else, the rules and the plan in memory with no files, subprocesses or servers (``make
   test-fast``, seconds). Importing modules and reading the installed package's version do not count as files.

``pytest --collect-only -m unit`` lists what a tier holds. A new test that reads or writes files with no
``tmp_path`` (a file under tests/, the package's data, a ``tempfile`` folder of its own) or starts a subprocess
must be added to INTEGRATION_TESTS, or carry ``@pytest.mark.integration``, or it lands in ``unit`` by mistake.

Under ``make test`` (pytest-xdist) the workers run at once: each LibreOffice call has a fresh profile of its own
and they still convert one file at a time across every process on the machine (tests/report/office.py).
"""

from __future__ import annotations

import inspect
import re
import shutil
from functools import cache
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis tries the same examples on every run (its built-in "ci" profile: derandomised, no example database), so
# `make test` never fails on an example the run before did not try, in CI or in a parallel worker. To look for new
# failing examples, run: pytest --hypothesis-profile=default tests/test_fuzz.py
settings.load_profile("ci")

TIERS = ("unit", "integration", "office")

# A test is `office` when its source, or the source of a fixture it uses, calls one of these: the helpers of
# tests/report/office.py that start soffice (convert, to_pdf) or check LibreOffice, poppler or Node is installed
# (require: every test that starts one of them calls it first), and test_server's _node().
OFFICE_CALLS = re.compile(r"(?<![\w.])(?:office\.)?(?:convert|to_pdf|require|_node)\(")

# Fixtures that give a test a folder on disk; every fixture built on them (demo_master, demo_tracker, ...) counts too,
# since pytest lists a test's fixtures with all the fixtures they use.
FILE_FIXTURES = frozenset({"tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory"})

# Tests that touch files, subprocesses or servers without asking for a temporary folder, so FILE_FIXTURES misses them:
# "module.py" for every test in a module, "module.py::test_name" for one test (with all its parametrisations). They
# are `integration` (or `office`, when they start LibreOffice or Node).
INTEGRATION_TESTS = (
    "test_corpus.py",  # reads the workbooks in tests/corpus
    "test_fuzz.py",  # tests/corpus, and tempfile folders inside hypothesis examples
    "test_package_preservation.py",  # reads tests/fixtures
    "test_demo.py",  # reads the demo data and the Word template
    "test_addin_build.py",  # reads addin/ribbon.xml
    "test_server_manifest.py",  # reads the add-in's manifest and icons
    "test_server_desktop.py",  # runs olevba in a subprocess
    "test_server.py::test_every_element_main_js_uses_is_on_the_task_pane",  # reads main.js and the stylesheet
)


@cache
def _source(function) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def _fixture_functions(item: pytest.Item) -> list:
    """The functions of every fixture the test uses, directly or through other fixtures."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    return [
        definition.func
        for name in item.fixturenames
        for definition in info.name2fixturedefs.get(name, ())
    ]


def tier(item: pytest.Item) -> str:
    """The tier of one collected test (the rules in this module's docstring)."""
    marked = [name for name in TIERS if item.get_closest_marker(name)]
    if len(marked) > 1:
        raise pytest.UsageError(
            f"{item.nodeid} is marked {' and '.join(marked)}: a test has one tier"
        )
    if marked:
        return marked[0]
    functions = [getattr(item, "function", None), *_fixture_functions(item)]
    if any(OFFICE_CALLS.search(_source(f)) for f in functions if f is not None):
        return "office"
    listed = item.path.name, f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
    if FILE_FIXTURES & set(getattr(item, "fixturenames", ())) or any(
        name in INTEGRATION_TESTS for name in listed
    ):
        return "integration"
    return "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = tier(item)
        if not item.get_closest_marker(name):
            item.add_marker(name)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Lewisham demo tracker, made once; copy it (``demo_tracker``) before changing it."""
    from ofsted_tracker.workbook.demo import demo_rows
    from ofsted_tracker.workbook.jobs import new_tracker

    path = tmp_path_factory.mktemp("demo") / "lewisham-tracker.xlsx"
    new_tracker(path, demo_rows())
    return path


@pytest.fixture
def demo_tracker(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo tracker for a test that writes to it."""
    target = tmp_path / demo_master.name
    shutil.copy2(demo_master, target)
    return target
