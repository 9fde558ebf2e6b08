"""Safe writes: a failure part way leaves the workbook as it was, backups are kept and bounded, an open or
read-only workbook is refused with a clear message, and a refresh writes nowhere but the workbook and backups/."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app
from workbook import package, safe_write
from workbook.errors import WorkbookLocked
from workbook.safe_write import KEEP_BACKUPS, atomic_write, backups_of, lock_files
from workbook.tracker import new_tracker, refresh

CORPUS = Path(__file__).parent / "corpus"
runner = CliRunner()


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    """A private copy of the corpus' clean tracker, alone in its folder."""
    folder = tmp_path / "plans"
    folder.mkdir()
    target = folder / "clean-tracker.xlsx"
    shutil.copyfile(CORPUS / target.name, target)
    return target


def tree(folder: Path) -> dict[str, str]:
    """Every file under the folder (relative path) with a digest of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(*args: object):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


# --- a write that fails part way ---------------------------------------------------------------------------

def test_a_full_disk_part_way_through_leaves_the_original_byte_identical(tracker, monkeypatch):
    before = tree(tracker.parent)
    real = zipfile.ZipFile.open
    calls = []

    def open_part(self, name, mode="r", *args, **kwargs):  # every part written, copied or rewritten, opens here
        if mode == "w":
            calls.append(1)
            if len(calls) == 12:  # a dozen parts in: the disk fills up
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_part)
    with pytest.raises(WorkbookLocked, match="the disk is full") as failed:
        refresh(tracker)
    assert failed.value.exit_code == 2 and "Nothing was changed" in str(failed.value)
    assert len(calls) == 12
    assert tree(tracker.parent) == before  # the workbook untouched, no temporary file, no backup


def test_the_cli_reports_a_full_disk_with_exit_code_2(tracker, monkeypatch):
    real = zipfile.ZipFile.open

    def full(self, name, mode="r", *args, **kwargs):
        if mode == "w":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, mode, *args, **kwargs)

    before = tree(tracker.parent)
    monkeypatch.setattr(zipfile.ZipFile, "open", full)
    result = cli("refresh", tracker)
    assert result.exit_code == 2
    assert "the disk is full" in result.stderr and "Nothing was changed" in result.stderr
    assert tree(tracker.parent) == before


def test_an_error_in_the_writer_leaves_no_trace(tracker, monkeypatch):
    before = tree(tracker.parent)

    def broken(*args, **kwargs):
        raise RuntimeError("the writer broke")

    monkeypatch.setattr(package, "_copy_info", broken)
    with pytest.raises(RuntimeError, match="the writer broke"):
        refresh(tracker)
    assert tree(tracker.parent) == before


def test_a_replace_refused_by_the_system_is_reported_as_open_elsewhere(tracker, monkeypatch):
    original = tracker.read_bytes()

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(safe_write.os, "replace", refuse)
    with pytest.raises(WorkbookLocked, match="may be open in Excel"):
        refresh(tracker)
    assert tracker.read_bytes() == original
    assert not [p for p in tracker.parent.iterdir() if p.name.endswith(".tmp")]


def test_the_temporary_file_sits_beside_the_target_and_is_gone_after(tmp_path):
    target = tmp_path / "report.docx"
    with atomic_write(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]  # a new file: nothing to back up


def test_a_new_file_gets_ordinary_permissions_not_the_temporary_files(tmp_path):
    path = new_tracker(tmp_path / "blank.xlsx")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_refresh_through_a_link_updates_the_linked_workbook_and_keeps_the_link(tracker, tmp_path):
    link = tmp_path / "shortcut.xlsx"
    link.symlink_to(tracker)
    before = tracker.read_bytes()
    refresh(link, as_at=date(2016, 11, 30))
    assert link.is_symlink() and link.resolve() == tracker.resolve()
    assert tracker.read_bytes() != before
    assert len(backups_of(tracker)) == 1


# --- backups --------------------------------------------------------------------------------------------------

def test_backups_are_kept_bounded_and_only_their_own(tracker):
    folder = tracker.parent / safe_write.BACKUP_DIR
    folder.mkdir()
    others = ["clean-tracker.v2.20161031-101010-000000.xlsx", "notes.txt", "clean-tracker.old.xlsx"]
    for name in others:
        (folder / name).write_bytes(b"someone else's")
    previous = None
    for day in range(1, 8):
        previous = tracker.read_bytes()
        refresh(tracker, as_at=date(2016, 11, day))
    kept = backups_of(tracker)
    assert len(kept) == KEEP_BACKUPS
    assert kept[-1].read_bytes() == previous  # the newest backup is the workbook as it was before the last refresh
    assert all((folder / name).read_bytes() == b"someone else's" for name in others)


# --- refusals -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", [0, 1, 2], ids=["excel", "excel-long-name", "libreoffice"])
def test_a_workbook_open_elsewhere_is_refused_with_exit_code_2(tracker, which):
    lock = lock_files(tracker)[which]
    lock.write_bytes(b"\x0bJane Smith ")  # as Excel leaves it; also what a crash leaves behind
    before = tree(tracker.parent)
    result = cli("refresh", tracker)
    assert result.exit_code == 2
    assert lock.name in result.stderr
    assert "Close the workbook" in result.stderr and f"delete the hidden file {lock.name}" in result.stderr
    assert tree(tracker.parent) == before


def test_a_read_only_workbook_is_refused_with_exit_code_2(tracker):
    before = tree(tracker.parent)
    tracker.chmod(0o444)
    try:
        result = cli("refresh", tracker)
    finally:
        tracker.chmod(0o644)
    assert result.exit_code == 2
    assert "read-only" in result.stderr and "Nothing was changed" in result.stderr
    assert tree(tracker.parent) == before


def test_a_folder_that_cannot_be_written_is_refused(tracker, monkeypatch):
    real = os.access
    monkeypatch.setattr(safe_write.os, "access", lambda p, mode: False if Path(p).is_dir() else real(p, mode))
    result = cli("refresh", tracker)
    assert result.exit_code == 2 and "cannot be written to" in result.stderr


# --- nowhere else ---------------------------------------------------------------------------------------------

def test_the_cli_refresh_writes_only_the_workbook_and_its_backups_folder(tracker, tmp_path):
    """Run the real command from another folder; list every file around before and after."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = tree(tmp_path)
    done = subprocess.run([sys.executable, "-m", "ofsted_tracker", "refresh", str(tracker), "--as-of", "30/11/2016"],
                          cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    after = tree(tmp_path)
    workbook = str(tracker.relative_to(tmp_path))
    changed = {name for name in before if after.get(name) != before[name]}
    added = set(after) - set(before)
    assert changed == {workbook}
    assert len(added) == 1
    backup = Path(added.pop())
    assert backup.parent == Path(workbook).parent / "backups" and backup.suffix == ".xlsx"
    assert after[str(backup)] == before[workbook]  # the backup is the workbook as it was
    assert list(elsewhere.iterdir()) == []
