"""Safe writes: refuse a workbook Excel has open, write to a temporary file, keep backups, then replace.

The new file is written beside the old one under a temporary name, flushed to disk, and only then swapped in
with one ``os.replace``; the backup of the old file is made the same way (a temporary name in ``backups/``,
flushed, renamed). Until the swap the original is untouched, and a failure part way (a full disk, a crash, an
error in the writer) leaves the folder as it was: no temporary file, no new backup, no new ``backups`` folder.
A run killed outright (``kill -9``, a power cut) can leave only temporary files, never a cut-off file under a
workbook's or a backup's name; the next write of the same file removes them.

Temporary files are named ``.NAME.ofsted-XXXXXXXX.tmp``. While a write is under way its temporary file is
locked (``flock``); a temporary file nobody holds is left over from a killed run.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from ofsted_tracker.workbook.errors import WorkbookLocked
from ofsted_tracker.workbook.store.paths import not_a_file

try:
    import fcntl
# Windows: a file another program has open cannot be deleted, which is lock enough
except ImportError:
    fcntl = None  # type: ignore[assignment]

BACKUP_DIR = "backups"
KEEP_BACKUPS = 5
TEMP_TAG = ".ofsted-"
TEMP_SUFFIX = ".tmp"
_STAMP = r"\d{8}-\d{6}-\d{6}"
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def lock_file(path: Path) -> Path:
    """The owner file Excel keeps beside a workbook it has open: ``~$NAME``."""
    return path.with_name("~$" + path.name)


def lock_files(path: Path) -> tuple[Path, ...]:
    """Every lock file that says the workbook is open: Excel's ``~$NAME``, the ``~$ME`` form Office uses for long
    names (the first two characters replaced), and LibreOffice's ``.~lock.NAME#``."""
    locks = [lock_file(path), path.with_name(".~lock." + path.name + "#")]
    if len(path.stem) > 8:
        locks.insert(1, path.with_name("~$" + path.name[2:]))
    return tuple(locks)


def writable(path: Path) -> bool:
    """Whether the file or folder may be written: the system allows it and it is not marked read-only.

    The mode bits are read too: an administrator (root, a scheduled task) may write anything, but a file or
    folder marked read-only is still treated as read-only.
    """
    return os.access(path, os.W_OK) and bool(os.stat(path).st_mode & 0o222)


def assert_writable(path: Path) -> None:
    """Refuse, with a message an officer can act on, when the workbook is open, read-only or in a read-only folder."""
    path = Path(path)
    for lock in lock_files(path):
        if lock.exists():
            raise WorkbookLocked(
                f"{path.name} is open in Excel, Word or LibreOffice on this or another computer: the lock file "
                f"{lock.name} is beside it. Close the workbook there, then try again. If nobody has it open "
                f"(Excel crashed, for example), check that no one else is using it, delete the hidden file {lock.name} "
                "from the same folder and try again. Nothing was changed."
            )
    if path.exists():
        kind = not_a_file(path.stat().st_mode)
        if kind:
            raise WorkbookLocked(
                f"{path} is {kind}, not a file the tool can write. Give a file name. "
                "Nothing was changed."
            )
        if not path.is_dir() and not writable(path):
            raise WorkbookLocked(
                f"{path.name} is read-only. Save a copy you can edit, or ask for write access. "
                "Nothing was changed."
            )
    folder = path.parent if str(path.parent) else Path(".")
    if not writable(folder):
        raise WorkbookLocked(
            f"The folder of {path.name} ({os.path.abspath(folder)}) is read-only (it cannot be written to). Move the file to a "
            "folder you can write to, or ask for write access. Nothing was changed."
        )


def backup_folder(path: Path) -> Path:
    """The ``backups`` folder beside the workbook, refused when it is a file, a broken link, a link leading out of
    the workbook's folder, or read-only (it need not exist yet)."""
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    where = f"The '{BACKUP_DIR}' beside {path.name}"
    if folder.is_symlink():
        target = Path(os.path.realpath(folder))
        if not target.exists():
            raise WorkbookLocked(
                f"{where} is a link to a folder that does not exist. Delete the link or make the "
                f"folder, then try again. Nothing was changed."
            )
        if not target.is_relative_to(Path(os.path.realpath(path.parent))):
            raise WorkbookLocked(
                f"{where} is a link leading out of the workbook's folder; the tool keeps backups "
                f"only beside the workbook. Replace the link with a folder named {BACKUP_DIR}. "
                "Nothing was changed."
            )
    if folder.exists() and not folder.is_dir():
        raise WorkbookLocked(
            f"{where} is a file, not a folder, so no backup can be kept. Rename or move the file "
            f"named {BACKUP_DIR}, then try again. Nothing was changed."
        )
    if folder.is_dir() and not writable(folder):
        raise WorkbookLocked(
            f"{where} is read-only, so no backup can be kept. Ask for write access to it. "
            "Nothing was changed."
        )
    return folder


def _backup_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"\." + _STAMP + re.escape(path.suffix) + r"\Z")


def backups_of(path: Path) -> list[Path]:
    """The backups of ``path`` in its ``backups/`` folder, oldest first (other files there are not counted)."""
    folder = Path(path).parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(Path(path))
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))


def temp_files(path: Path) -> list[Path]:
    """The temporary files of writes of ``path`` (``.NAME.ofsted-XXXXXXXX.tmp``) beside it and in its backups folder."""
    path = Path(path)
    pattern = re.compile(
        re.escape("." + path.name + TEMP_TAG) + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + r"\Z"
    )
    folders = [path.parent, path.parent / BACKUP_DIR]
    return sorted(
        p
        for folder in folders
        if folder.is_dir() and not folder.is_symlink()
        for p in folder.iterdir()
        if pattern.match(p.name)
    )


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete the temporary files a killed write of ``path`` left behind (none is locked); return those removed.

    A temporary file another run is writing is locked and left alone (on Windows, it is open and cannot be deleted).
    """
    removed = []
    for temp in temp_files(path):
        if not stat.S_ISREG(os.lstat(temp).st_mode):
            continue  # a link or a pipe under such a name was not made by the tool
        with suppress(OSError):  # in use by a write under way, or not ours to delete: left alone
            if fcntl is None:
                temp.unlink()
            else:
                with open(temp, "rb") as held:
                    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    temp.unlink()
            removed.append(temp)
    return removed


@contextmanager
def _temporary(folder: Path, name: str) -> Iterator[Path]:
    """A new, locked, empty temporary file for ``name`` in ``folder``; removed on the way out unless renamed."""
    handle, temp = tempfile.mkstemp(prefix=f".{name}{TEMP_TAG}", suffix=TEMP_SUFFIX, dir=folder)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh name: nobody else holds it
        else:
            os.close(handle)  # Windows could not rename a file held open
            handle = -1
        yield Path(temp)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        if handle >= 0:
            os.close(handle)


def _flush_to_disk(path: Path) -> None:
    with open(path, "rb+") as written:
        os.fsync(written.fileno())


def _flush_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no way to open a folder for this)."""
    if os.name != "nt":
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def keep_owner_and_mode(original: os.stat_result, target: Path) -> None:
    """Give ``target`` the mode, and the owner and group where the system allows it, of the file ``original`` is of.

    Root (a scheduled task, say) can keep both; an ordinary user keeps the group when they are in it. The mode
    (for example 0640) is always kept.
    """
    if hasattr(os, "chown"):
        now = os.stat(target)
        if (now.st_uid, now.st_gid) != (original.st_uid, original.st_gid):
            try:
                os.chown(target, original.st_uid, original.st_gid)
            except PermissionError:
                with suppress(PermissionError):
                    os.chown(target, -1, original.st_gid)
    os.chmod(target, stat.S_IMODE(original.st_mode))


def _copy_into(source: Path, target: Path, original: os.stat_result) -> None:
    with open(source, "rb") as read, open(target, "wb") as written:
        shutil.copyfileobj(read, written, 1 << 20)
        written.flush()
        os.fsync(written.fileno())
    keep_owner_and_mode(original, target)
    os.utime(target, ns=(original.st_atime_ns, original.st_mtime_ns))


@contextmanager
def _backup(path: Path, original: os.stat_result) -> Iterator[Path]:
    """Copy the current file into ``backups/`` (temporary name, flushed, renamed); undone if the block fails."""
    folder = backup_folder(path)
    made = not folder.exists()
    if made:
        os.mkdir(folder)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    try:
        with _temporary(folder, path.name) as temp:
            _copy_into(path, temp, original)
            os.replace(temp, target)
        _flush_folder(folder)
        yield target
    except BaseException:
        with suppress(OSError):
            target.unlink()
        if made:
            with suppress(OSError):
                os.rmdir(folder)
        raise


def _prune(path: Path, keep: int) -> None:
    """Keep the newest ``keep`` backups; a backup that cannot be deleted stays (the write itself is done)."""
    for old in backups_of(path)[: -max(keep, 1)]:
        with suppress(OSError):
            old.unlink()


@contextmanager
def atomic_write(path: Path, keep_backup: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success back up the old file and replace it.

    If anything fails before the replace, the temporary file and any new backup are removed and the folder is
    as it was. A disk or permission error becomes ``WorkbookLocked`` with a message saying nothing was changed.
    The new file keeps the old one's mode, and its owner and group where the system allows.
    """
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    assert_writable(path)
    exists = path.exists()
    if exists and keep_backup:
        backup_folder(path)
    remove_stale_temp_files(path)
    try:
        with _temporary(path.parent, path.name) as temp:
            yield temp
            _flush_to_disk(temp)  # on disk before the swap, so a power cut cannot leave half a file
            if not exists:
                os.chmod(temp, 0o666 & ~_umask())
                os.replace(temp, path)
            else:
                original = os.stat(path)
                keep_owner_and_mode(original, temp)
                if keep_backup:
                    with _backup(path, original):
                        os.replace(temp, path)
                else:
                    os.replace(temp, path)
    except PermissionError as exc:
        raise WorkbookLocked(
            f"{path.name} could not be replaced ({exc.strerror}): it may be open in Excel or another program. "
            "Close it and try again. Nothing was changed."
        ) from exc
    except OSError as exc:
        why = "the disk is full" if exc.errno in _FULL else (exc.strerror or str(exc))
        raise WorkbookLocked(
            f"{path.name} could not be written ({why}). Nothing was changed."
        ) from exc
    with suppress(
        OSError
    ):  # the new file is in place; these only make it last and tidy the backups
        _flush_folder(path.parent)
    if exists and keep_backup:
        _prune(path, KEEP_BACKUPS)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
