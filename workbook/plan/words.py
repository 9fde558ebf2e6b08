"""The one pluraliser: a noun for a count, as every message, sheet and report of the tool writes it."""

from __future__ import annotations


def noun(number: int, singular: str, plural: str | None = None) -> str:
    """'action' for one, 'actions' for any other count (``plural`` where adding an s is wrong)."""
    return singular if number == 1 else plural or singular + "s"


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """A count in digits and its noun: '1 error', '3 errors', '0 warnings'."""
    return f"{number} {noun(number, singular, plural)}"
