"""Shared fixtures: the demo tracker built once per session, and a private copy for tests that write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


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
