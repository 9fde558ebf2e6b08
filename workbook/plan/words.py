"""Words as the tool writes and matches them: the one pluraliser, and names matched with spaces and case ignored."""

from __future__ import annotations


def noun(number: int, singular: str, plural: str | None = None) -> str:
    """'action' for one, 'actions' for any other count (``plural`` where adding an s is wrong)."""
    return singular if number == 1 else plural or singular + "s"


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """A count in digits and its noun: '1 error', '3 errors', '0 warnings'."""
    return f"{number} {noun(number, singular, plural)}"


def same_name(value: object) -> str:
    """A sheet, header or word as matched: spaces collapsed, case ignored ("Action  id" is "Action ID")."""
    return " ".join(str(value).split()).casefold() if value is not None else ""
