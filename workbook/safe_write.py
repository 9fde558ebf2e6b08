"""Safe writes: refuse a workbook Excel has open, write to a temporary file, keep backups, then replace.

The new file is written beside the old one, flushed to disk, and only then swapped in with one
``os.replace``; until that moment the original is untouched, and a failure part way (a full disk, a
crash, an error in the writer) leaves it byte for byte as it was with no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from workbook.errors import WorkbookLocked

BACKUP_DIR = "backups"
KEEP_BACKUPS = 5
_STAMP = r"\d{8}-\d{6}-\d{6}"


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
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
        # the mode bits too: an administrator may write anything, but a file marked read-only is still refused
        raise WorkbookLocked(f"{path.name} is read-only. Save a copy you can edit, or ask for write access. "
                             "Nothing was changed.")
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise WorkbookLocked(f"The folder of {path.name} cannot be written to. Nothing was changed.")


def _backup_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"\." + _STAMP + re.escape(path.suffix) + r"\Z")


def backups_of(path: Path) -> list[Path]:
    """The backups of ``path`` in its ``backups/`` folder, oldest first (other files there are not counted)."""
    folder = Path(path).parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(Path(path))
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))


def backup(path: Path, keep: int = KEEP_BACKUPS) -> Path | None:
    """Copy the current file into ``backups/`` beside it (timestamped), keeping the newest ``keep`` copies."""
    path = Path(path)
    if not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    for old in backups_of(path)[:-max(keep, 1)]:
        old.unlink()
    return target


@contextmanager
def atomic_write(path: Path, keep_backup: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success back up the old file and replace it.

    If anything fails before the replace, the temporary file is removed and the original is untouched.
    A disk or permission error becomes ``WorkbookLocked`` with a message saying nothing was changed.
    """
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    assert_writable(path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    except OSError as exc:
        raise WorkbookLocked(f"{path.name} cannot be written here ({exc.strerror}). Nothing was changed.") from exc
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as written:  # on disk before the swap, so a power cut cannot leave half a file
            os.fsync(written.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
            if keep_backup:
                backup(path)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except PermissionError as exc:
        raise WorkbookLocked(
            f"{path.name} could not be replaced ({exc.strerror}): it may be open in Excel or another program. "
            "Close it and try again. Nothing was changed.") from exc
    except OSError as exc:
        why = "the disk is full" if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) \
            else (exc.strerror or str(exc))
        raise WorkbookLocked(f"{path.name} could not be written ({why}). Nothing was changed.") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
