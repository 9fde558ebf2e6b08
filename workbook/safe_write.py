"""Safe writes: refuse a workbook Excel has open, write to a temporary file, keep backups, then replace."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from workbook.errors import WorkbookLocked

BACKUP_DIR = "backups"
KEEP_BACKUPS = 5


def lock_file(path: Path) -> Path:
    """The owner file Excel (and LibreOffice) keep beside a workbook they have open: ``~$NAME``."""
    return path.with_name("~$" + path.name)


def assert_writable(path: Path) -> None:
    """Refuse, with a message an officer can act on, when the workbook is open or read-only."""
    path = Path(path)
    for lock in (lock_file(path), path.with_name(".~lock." + path.name + "#")):
        if lock.exists():
            raise WorkbookLocked(
                f"{path.name} is open in Excel (or LibreOffice) on this or another computer ({lock.name} is beside it). "
                "Close it there, then try again. Nothing was changed."
            )
    if path.exists() and not os.access(path, os.W_OK):
        raise WorkbookLocked(f"{path.name} is read-only. Save a copy you can edit, or ask for write access. Nothing was changed.")
    if not os.access(path.parent if str(path.parent) else Path("."), os.W_OK):
        raise WorkbookLocked(f"The folder of {path.name} cannot be written to. Nothing was changed.")


def backup(path: Path, keep: int = KEEP_BACKUPS) -> Path | None:
    """Copy the current file into ``backups/`` beside it (timestamped), keeping the newest ``keep`` copies."""
    if not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    olds = sorted(folder.glob(f"{glob_escape(path.stem)}.*{path.suffix}"))
    for old in olds[:-keep]:
        old.unlink()
    return target


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "[]*?" else c for c in text)


@contextmanager
def atomic_write(path: Path, keep_backup: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success back up the old file and replace it.

    If anything fails before the replace, the temporary file is removed and the original is untouched.
    """
    path = Path(path)
    assert_writable(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        if path.exists():
            shutil.copymode(path, tmp)
            if keep_backup:
                backup(path)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
