"""Action and recommendation ids as a council writes them: any text, ordered naturally, and made for a plan with none.

Natural order: an id is read as runs of digits and runs of other characters; runs of digits compare as numbers and
other runs as text with case ignored, so 1.2 comes before 1.10, 2.01.02 before 2.01.10, 9a before 10a and R3.2
before r3.10. The plan keeps its actions and recommendations in this order (``model.Plan``), so every list, the
Dashboard, ``--json`` and the report follow it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

_RUNS = re.compile(r"(\d+)")

NaturalKey = tuple[tuple[tuple[int, int, str], ...], str, str]


def natural_key(text: str) -> NaturalKey:
    """The key ids are sorted by: digit runs as numbers, other runs case-folded; ties (``01`` and ``1``, ``A1`` and
    ``a1``) broken by the text itself, so the order is total."""
    parts = tuple(
        (0, int(run), "") if i % 2 else (1, 0, run.casefold())
        for i, run in enumerate(_RUNS.split(text))
        if run
    )
    return parts, text.casefold(), text


def in_order(ids: Iterable[str]) -> list[str]:
    """The ids in natural order."""
    return sorted(ids, key=natural_key)


def blank_last(text: str) -> tuple[bool, NaturalKey]:
    """The key a plan orders its rows by: natural order, rows with no id after the rest (in sheet order)."""
    return not text, natural_key(text)


class _Row(Protocol):
    action_id: str
    rec_id: str
    row: int


def fresh_ids(actions: Iterable[_Row]) -> list[tuple[_Row, str]]:
    """Ids for the actions that have none (``validate --fix-ids``), in sheet-row order: ``<rec>.<n>`` for an action
    with a recommendation, n going on from the highest number its recommendation's ids already use (3.4 after 3.3;
    2.01.03 after 2.01.02, zeros kept), and ``1``, ``2``, ... for an action with none, going on from the highest
    plain number in use. An id already taken (case ignored) is skipped, so every id given is new."""
    rows = list(actions)
    taken = {a.action_id.casefold() for a in rows if a.action_id}
    highest: dict[str, tuple[int, int]] = {}  # "3." (or "" for plain numbers) -> (number, digits)
    for a in rows:
        prefix, digits = _numbered(a.action_id)
        if digits is not None:
            highest[prefix.casefold()] = max(
                highest.get(prefix.casefold(), (0, 0)), (int(digits), len(digits))
            )
    given = []
    for a in sorted((a for a in rows if not a.action_id), key=lambda a: a.row):
        prefix = f"{a.rec_id.strip()}." if a.rec_id.strip() else ""
        number, width = highest.get(prefix.casefold(), (0, 0))
        while True:
            number += 1
            new = f"{prefix}{number:0{width}d}" if prefix else str(number)
            if new.casefold() not in taken:
                break
        highest[prefix.casefold()] = (number, width)
        taken.add(new.casefold())
        given.append((a, new))
    return given


def _numbered(text: str) -> tuple[str, str | None]:
    """('3.', '4') for 3.4, ('', '12') for 12; (text, None) for an id that does not end in a number after a dot."""
    if text.isascii() and text.isdigit():
        return "", text
    head, dot, tail = text.rpartition(".")
    if dot and head and tail.isascii() and tail.isdigit():
        return head + dot, tail
    return text, None
