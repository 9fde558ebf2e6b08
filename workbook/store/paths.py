"""Path rules at the edges: what the tool reads must be a regular file, and what it writes is never a file it reads.

Checked with ``os.stat`` before anything is opened, so a pipe or a device (``/dev/zero``) is refused at once
instead of hanging; the same file is recognised through links and hard links (``os.path.samefile``).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from ofsted_tracker.workbook.errors import UnusableInput

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9 _.()-]+")

_KINDS = (
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_a_file(mode: int) -> str | None:
    """What a path whose ``st_mode`` is ``mode`` is when it is not a regular file or folder ("a pipe", "a device")."""
    return next((kind for test, kind in _KINDS if test(mode)), None)


def regular_file(path: Path, what: str) -> None:
    """Refuse, before opening it, a ``path`` to read that is missing, a folder, a pipe or a device; ``what`` names
    what was expected ("a workbook", "a Word template")."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UnusableInput(f"{path}: no such file.") from None  # the path as typed
    except OSError as exc:
        raise UnusableInput(f"{path.name} cannot be opened ({exc.strerror}).") from exc
    if stat.S_ISDIR(mode):
        raise UnusableInput(f"{path} is a folder, not {what}.")
    if not stat.S_ISREG(mode):
        raise UnusableInput(
            f"{path} is {not_a_file(mode) or 'not a regular file'}, not {what}: give the file itself."
        )


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, hard links, or a different spelling); False if either is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting_inputs(
    target: Path, inputs: Iterable[Path], backups: Path | None = None
) -> None:
    """Refuse to write ``target`` when it is one of the files the command reads, or lies in the ``backups`` folder.

    ``inputs`` are the files read (the tracker, the template); ``backups`` the tracker's backups folder.
    """
    for source in inputs:
        if same_file(target, source):
            also = "" if Path(target).name == Path(source).name else f" ({Path(source).name})"
            raise UnusableInput(
                f"{Path(target).name} is the file this command reads{also}: writing there would "
                "destroy it. Give the output another name. Nothing was changed."
            )
    if backups is not None and same_file(Path(target).parent, backups):
        raise UnusableInput(
            f"{Path(target).name} would be written into the backups folder, which holds only the "
            "workbook's earlier versions. Give the output another folder. Nothing was changed."
        )


def output_folder(folder: Path) -> Path:
    """Make the folder to write into (and its parents), or refuse with a message when it cannot be a folder."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        kind = not_a_file(folder.stat().st_mode) or "a file"
        raise UnusableInput(f"{folder} is {kind}, not a folder. Give a folder to write into.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a part of the path is a file" if exc.errno == errno.ENOTDIR else exc.strerror
        raise UnusableInput(
            f"The folder {folder} cannot be made ({why}). Give a folder you can write to."
        ) from exc
    return folder


def existing_folder(folder: Path, what: str = "the report") -> Path:
    """The folder to write into, which must exist already (it is never made): else a message saying why not."""
    folder = Path(folder)
    if folder.is_dir():
        return folder
    if folder.exists():
        kind = not_a_file(folder.stat().st_mode) or "a file"
        raise UnusableInput(
            f"{folder} is {kind}, not a folder. Give a folder to write {what} into."
        )
    if any(parent.exists() and not parent.is_dir() for parent in folder.parents):
        raise UnusableInput(
            f"The folder {folder} for {what} cannot be made (a part of the path is a file). "
            "Give a folder that exists."
        )
    raise UnusableInput(
        f"The folder {folder} for {what} does not exist. Create it first, or give -o a file name "
        "in a folder that exists."
    )


def report_name(workbook_name: str) -> str:
    """The report's file name, from the workbook's name alone: 'plan.xlsx' -> 'plan report.docx'."""
    stem = Path(workbook_name.replace("\\", "/")).name.rsplit(".", 1)[0]
    safe = _UNSAFE_NAME.sub("-", stem).strip(" .-")[:80] or "tracker"
    return f"{safe} report.docx"
