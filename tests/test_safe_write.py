"""Safe writes: a failure part way leaves the workbook as it was, backups are kept and bounded, an open or
read-only workbook is refused with a clear message, and a refresh writes nowhere but the workbook and backups/."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app
from ofsted_tracker.workbook.errors import WorkbookLocked
from ofsted_tracker.workbook.jobs import new_tracker, refresh
from ofsted_tracker.workbook.store import package, safe_write
from ofsted_tracker.workbook.store.base import Changes
from ofsted_tracker.workbook.store.file import FileStore
from ofsted_tracker.workbook.store.safe_write import (
    KEEP_BACKUPS,
    atomic_write,
    backups_of,
    lock_files,
    temp_files,
)

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[1]
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
    """Every entry under the folder (relative path): a file with a digest of its bytes, a folder or a link as such."""

    def what(p: Path) -> str:
        if p.is_symlink():
            return "link to " + os.readlink(p)
        return "folder" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()

    return {str(p.relative_to(folder)): what(p) for p in sorted(folder.rglob("*"))}


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

    def open_part(
        self, name, mode="r", *args, **kwargs
    ):  # every part written, copied or rewritten, opens here
        if mode == "w":
            calls.append(1)
            if len(calls) == 12:  # a dozen parts in: the disk fills up
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_part)
    with pytest.raises(WorkbookLocked, match="the disk is full") as failed:
        refresh(tracker)
    assert failed.value.code == "workbook-locked" and "Nothing was changed" in str(failed.value)
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "report.docx"
    ]  # a new file: nothing to back up


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
    assert (
        kept[-1].read_bytes() == previous
    )  # the newest backup is the workbook as it was before the last refresh
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
    assert (
        "Close the workbook" in result.stderr
        and f"delete the hidden file {lock.name}" in result.stderr
    )
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
    monkeypatch.setattr(
        safe_write.os, "access", lambda p, mode: False if Path(p).is_dir() else real(p, mode)
    )
    result = cli("refresh", tracker)
    assert result.exit_code == 2 and "cannot be written to" in result.stderr


# --- nowhere else ---------------------------------------------------------------------------------------------


def test_the_cli_refresh_writes_only_the_workbook_and_its_backups_folder(tracker, tmp_path):
    """Run the real command from another folder; list every file around before and after."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = tree(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "ofsted_tracker", "refresh", str(tracker), "--as-of", "30/11/2016"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    after = tree(tmp_path)
    workbook = str(tracker.relative_to(tmp_path))
    changed = {name for name in before if after.get(name) != before[name]}
    added = set(after) - set(before)
    assert changed == {workbook}
    assert {name for name in added if after[name] == "folder"} == {
        str(Path(workbook).parent / "backups")
    }
    (backup,) = (Path(name) for name in added if after[name] != "folder")
    assert backup.parent == Path(workbook).parent / "backups" and backup.suffix == ".xlsx"
    assert after[str(backup)] == before[workbook]  # the backup is the workbook as it was
    assert list(elsewhere.iterdir()) == []


# --- every step of a write can fail: the folder stays as it was ---------------------------------------------

# Every system call a write makes on its way: creating the temporary files, flushing, copying the backup,
# giving the copies their owner and mode, renaming. A full disk can strike at any of them.
STEPS = [
    (os, "open"),
    (os, "mkdir"),
    (os, "fsync"),
    (os, "replace"),
    (os, "rename"),
    (os, "chmod"),
    (os, "chown"),
    (os, "utime"),
    (os, "sendfile"),
    (shutil, "copyfileobj"),
]


def _faulty(monkeypatch, fail_at: int | None) -> list[str]:
    """Count the steps a write takes (each recorded as 'name path'); raise ENOSPC at step ``fail_at``."""
    seen: list[str] = []
    for module, name in STEPS:
        real = getattr(module, name, None)
        if real is None:
            continue

        def step(*args, _real=real, _name=name, **kwargs):
            seen.append(f"{_name} {args[1] if _name in ('replace', 'rename') else args[0]}")
            if len(seen) == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, step)
    return seen


def test_a_full_disk_at_any_step_of_a_refresh_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    """Record the steps of one refresh, then fail each in turn: before the swap, nothing is changed (no new
    backups folder, no temporary or partial file); after it, the refresh is complete."""
    folder = tmp_path / "plans"
    folder.mkdir()
    source = CORPUS / "clean-tracker.xlsx"
    tracker = folder / source.name
    shutil.copyfile(source, tracker)
    with monkeypatch.context() as patch:
        steps = _faulty(patch, None)
        refresh(tracker, as_at=date(2016, 11, 30))
    swap = steps.index(f"replace {tracker}")
    assert any(
        s.startswith(("copyfileobj", "sendfile")) for s in steps[:swap]
    )  # the backup is among the steps
    for fail_at in range(1, len(steps) + 1):
        shutil.rmtree(folder)
        folder.mkdir()
        shutil.copyfile(source, tracker)
        before = tree(folder)
        with monkeypatch.context() as patch:
            _faulty(patch, fail_at)
            if fail_at <= swap + 1:
                with pytest.raises(WorkbookLocked, match="the disk is full") as failed:
                    refresh(tracker, as_at=date(2016, 11, 30))
                assert "Nothing was changed" in str(failed.value), steps[fail_at - 1]
            else:  # the workbook is already replaced: flushing the folder or tidying backups cannot undo that
                refresh(tracker, as_at=date(2016, 11, 30))
        if fail_at <= swap + 1:
            assert tree(folder) == before, (
                f"a full disk at step {fail_at} ({steps[fail_at - 1]}) changed the folder"
            )
        else:
            assert tracker.read_bytes() != source.read_bytes() and len(backups_of(tracker)) == 1
            assert backups_of(tracker)[0].read_bytes() == source.read_bytes() and not temp_files(
                tracker
            )


def _padded(tracker: Path, size: int) -> None:
    """Make the workbook about ``size`` bytes bigger with a Checks sheet of text that does not compress."""
    noise = random.Random(9)
    rows = [[f"{noise.getrandbits(4000):x}"] for _ in range(size // 500)]
    FileStore(tracker).write(Changes(grids={"Checks": rows}))
    shutil.rmtree(tracker.parent / "backups")


def test_a_real_write_limit_part_way_through_the_backup_leaves_the_folder_as_it_was(
    tracker, tmp_path
):
    """The kernel refuses the write (a file-size limit, which any user may set, acts as a full disk): the new
    workbook fits under it but the backup of the larger old one does not, so the failure comes part way
    through copying the backup. No backups folder and no cut-off copy are left."""
    _padded(tracker, 2_000_000)
    trial = tmp_path / "trial"
    trial.mkdir()
    shutil.copyfile(tracker, trial / tracker.name)
    refresh(trial / tracker.name, as_at=date(2016, 11, 30))
    new_size, old_size = (trial / tracker.name).stat().st_size, tracker.stat().st_size
    assert new_size * 4 < old_size
    limit = (new_size + old_size) // 2
    before = tree(tracker.parent)

    def limited() -> None:
        import resource

        signal.signal(
            signal.SIGXFSZ, signal.SIG_IGN
        )  # the write fails with EFBIG rather than killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "ofsted_tracker", "refresh", str(tracker), "--as-of", "30/11/2016"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited,
    )
    assert done.returncode == 2, done.stderr
    assert "could not be written" in done.stderr and "Nothing was changed" in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(tracker.parent) == before


# --- killed part way (kill -9): never a cut-off file under a real name, and the next run tidies up -------------

KILLED_WRITER = """
import os, shutil, sys, time, zipfile
from pathlib import Path
from ofsted_tracker.workbook.jobs import refresh

marker, stage = Path(sys.argv[2]), sys.argv[3]

def stop_here():
    marker.write_text("writing")
    time.sleep(120)  # killed here

if stage == "backup":  # whichever way the backup is copied, stop after its first kilobyte
    real_copy = shutil.copyfileobj
    def copyfileobj(src, dst, length=0):
        dst.write(src.read(1024)); dst.flush(); os.fsync(dst.fileno()); stop_here()
    shutil.copyfileobj = copyfileobj
    def sendfile(out_fd, in_fd, offset, count):
        os.write(out_fd, os.pread(in_fd, 1024, offset or 0)); os.fsync(out_fd); stop_here()
    os.sendfile = sendfile
else:  # stop half way through the new workbook
    real_open, calls = zipfile.ZipFile.open, []
    def open_part(self, name, mode="r", *args, **kwargs):  # every part written opens here
        if mode == "w":
            calls.append(1)
            if len(calls) == 10:
                self.fp.flush(); stop_here()
        return real_open(self, name, mode, *args, **kwargs)
    zipfile.ZipFile.open = open_part
refresh(sys.argv[1])
"""


def _killed_mid_write(tracker: Path, stage: str, tmp_path: Path) -> None:
    marker = tmp_path / f"{stage}.marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(tracker), str(marker), stage],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, (
                f"the write ended before it could be stopped: {child.communicate()}"
            )
            assert time.monotonic() < deadline, "the write never reached the point to stop it"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()


@pytest.mark.parametrize("stage", ["workbook", "backup"])
def test_a_write_killed_part_way_leaves_only_temporary_files_which_the_next_run_removes(
    tracker, tmp_path, stage
):
    original = tracker.read_bytes()
    _killed_mid_write(tracker, stage, tmp_path)
    assert tracker.read_bytes() == original
    assert backups_of(tracker) == []  # no cut-off copy under a backup's name
    left = temp_files(tracker)
    assert left and all(
        p.name.startswith(f".{tracker.name}.ofsted-") and p.name.endswith(".tmp") for p in left
    )
    done = cli("refresh", tracker, "--as-of", "30/11/2016")
    assert done.exit_code == 0, done.stderr
    assert temp_files(tracker) == []
    names = sorted(
        str(p.relative_to(tracker.parent)) for p in tracker.parent.rglob("*") if p.is_file()
    )
    assert names == [str(backups_of(tracker)[0].relative_to(tracker.parent)), tracker.name]
    assert backups_of(tracker)[0].read_bytes() == original


def test_a_temporary_file_another_run_is_writing_is_left_alone(tracker):
    """A write under way holds its temporary file locked; a refresh at the same moment does not remove it."""
    busy = tracker.parent / f".{tracker.name}.ofsted-abcd1234.tmp"
    busy.write_bytes(b"being written")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "f = open(sys.argv[1], 'rb'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True)\n"
            "time.sleep(120)",
            str(busy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        refresh(tracker, as_at=date(2016, 11, 30))
        assert busy.read_bytes() == b"being written"
    finally:
        holder.kill()
        holder.communicate()
    refresh(tracker, as_at=date(2016, 12, 1))  # nobody holds it now: left over, so removed
    assert not busy.exists()


# --- the backups folder ---------------------------------------------------------------------------------------


def _backups_is_a_file(folder: Path, outside: Path) -> None:
    (folder / "backups").write_text("someone's notes")


def _backups_is_a_broken_link(folder: Path, outside: Path) -> None:
    (folder / "backups").symlink_to(folder / "gone")


def _backups_leads_outside(folder: Path, outside: Path) -> None:
    (folder / "backups").symlink_to(outside)


@pytest.mark.parametrize(
    "make",
    [_backups_is_a_file, _backups_is_a_broken_link, _backups_leads_outside],
    ids=["a-file", "a-broken-link", "a-link-out-of-the-folder"],
)
def test_a_backups_that_is_not_a_folder_beside_the_workbook_is_refused(tracker, tmp_path, make):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    make(tracker.parent, outside)
    before, elsewhere = tree(tracker.parent), tree(outside)
    result = cli("refresh", tracker, "--as-of", "30/11/2016")
    assert result.exit_code == 2
    assert "'backups'" in result.stderr and "Nothing was changed" in result.stderr
    assert tree(tracker.parent) == before and tree(outside) == elsewhere


def test_a_backups_link_to_a_folder_beside_the_workbook_is_used(tracker):
    (tracker.parent / "kept").mkdir()
    (tracker.parent / "backups").symlink_to("kept")
    refresh(tracker, as_at=date(2016, 11, 30))
    assert len(list((tracker.parent / "kept").iterdir())) == 1


# --- owner, group and mode ------------------------------------------------------------------------------------


def test_a_refresh_keeps_the_workbooks_mode_and_its_backup_has_it_too(tracker):
    tracker.chmod(0o640)
    refresh(tracker, as_at=date(2016, 11, 30))
    assert tracker.stat().st_mode & 0o7777 == 0o640
    assert backups_of(tracker)[0].stat().st_mode & 0o7777 == 0o640


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file to another user needs root (as a scheduled task runs; CI runs as root)",
)
def test_a_refresh_run_as_root_keeps_the_owner_and_group_of_a_users_workbook(tracker):
    """A scheduled task running as root (or another account) refreshes an officer's workbook: the officer keeps it."""
    os.chown(tracker, 4321, 8765)
    tracker.chmod(0o640)
    refresh(tracker, as_at=date(2016, 11, 30))
    after, kept = tracker.stat(), backups_of(tracker)[0].stat()
    assert (after.st_uid, after.st_gid, after.st_mode & 0o7777) == (4321, 8765, 0o640)
    assert (kept.st_uid, kept.st_gid, kept.st_mode & 0o7777) == (4321, 8765, 0o640)


# --- read-only folders ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["folder", "backups"])
def test_a_read_only_folder_is_refused_even_for_an_administrator(tracker, which):
    """The folder's mode bits are read, not only what the system allows: root may write anywhere, but a folder
    marked read-only is refused."""
    folder = tracker.parent if which == "folder" else tracker.parent / "backups"
    folder.mkdir(exist_ok=True)
    before = tree(tracker.parent)
    folder.chmod(0o555)
    try:
        result = cli("refresh", tracker, "--as-of", "30/11/2016")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert "read-only" in result.stderr and "Nothing was changed" in result.stderr
    assert tree(tracker.parent) == before


def test_a_path_to_write_that_is_a_pipe_is_refused(tmp_path):
    pipe = tmp_path / "report.docx"
    os.mkfifo(pipe)
    with pytest.raises(WorkbookLocked, match="is a pipe"):
        with atomic_write(pipe, keep_backup=False) as tmp:
            tmp.write_bytes(b"x")
    assert pipe.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]
