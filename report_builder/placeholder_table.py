"""The placeholder table of docs/report-template.md, generated from ``PLACEHOLDERS`` so the docs cannot drift.

``python -m ofsted_tracker.report_builder.placeholder_table`` (``make docs``) rewrites the block between
:data:`START` and :data:`END` in docs/report-template.md; ``tests/test_docs.py`` fails while the block differs from
:func:`table`. Only the marked block is touched: the rest of the page is written by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from ofsted_tracker.report_builder.context import PLACEHOLDERS

START = "<!-- placeholders:start -->"
END = "<!-- placeholders:end -->"
NOTE = "<!-- generated from PLACEHOLDERS in report_builder/context.py by `make docs`: do not edit by hand -->"
# The source tree's docs page (report_builder/ and docs/ are siblings); an installed wheel has no docs/.
DOC = Path(__file__).resolve().parent.parent / "docs" / "report-template.md"


class StaleTable(Exception):
    """The page has no marked block, or more than one, so it cannot be rewritten or checked."""


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def table(placeholders: Mapping[str, str] = PLACEHOLDERS) -> str:
    """The Markdown table of every top-level placeholder and what it holds, in ``PLACEHOLDERS`` order."""
    if not placeholders:
        raise ValueError("PLACEHOLDERS is empty: there is nothing to document")
    rows = [f"| `{name}` | {_cell(what)} |" for name, what in placeholders.items()]
    return "\n".join(["| placeholder | what it holds |", "|---|---|", *rows])


def block(placeholders: Mapping[str, str] = PLACEHOLDERS) -> str:
    """The whole marked block, markers included, as the page holds it."""
    return f"{START}\n{NOTE}\n\n{table(placeholders)}\n\n{END}"


def _span(text: str) -> tuple[int, int]:
    """Where the marked block starts and ends in ``text`` (end just after the END marker)."""
    if text.count(START) != 1 or text.count(END) != 1:
        raise StaleTable(f"the page must hold {START} and {END} once each")
    start, end = text.index(START), text.index(END) + len(END)
    if end < start:
        raise StaleTable(f"{END} comes before {START}")
    return start, end


def current(text: str) -> str:
    """The marked block as the page holds it now, markers included."""
    start, end = _span(text)
    return text[start:end]


def rewritten(text: str, placeholders: Mapping[str, str] = PLACEHOLDERS) -> str:
    """``text`` with its marked block replaced by the generated one (everything else unchanged)."""
    start, end = _span(text)
    return text[:start] + block(placeholders) + text[end:]


def problems(text: str, placeholders: Mapping[str, str] = PLACEHOLDERS) -> list[str]:
    """Why the page's block is not the generated one: each placeholder missing from it or not in
    ``placeholders``, or a plain difference; empty when they are equal."""
    try:
        shown = current(text)
    except StaleTable as exc:
        return [str(exc)]
    if shown == block(placeholders):
        return []
    listed = {line.split("`")[1] for line in shown.splitlines() if line.startswith("| `")}
    found = [
        f"placeholder '{name}' is not in the table" for name in placeholders if name not in listed
    ]
    found += [
        f"the table lists '{name}', which is not a placeholder"
        for name in sorted(listed - set(placeholders))
    ]
    return found or ["the table's text differs from PLACEHOLDERS' descriptions"]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the marked block of docs/report-template.md (or the page named as the one argument) in place."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DOC
    try:
        text = path.read_text(encoding="utf-8")
        new = rewritten(text)
    except (OSError, StaleTable) as exc:
        print(f"Cannot rewrite the placeholder table in {path}: {exc}", file=sys.stderr)
        return 2
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"Rewrote the placeholder table in {path} ({len(PLACEHOLDERS)} placeholders).")
    else:
        print(f"The placeholder table in {path} is up to date ({len(PLACEHOLDERS)} placeholders).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
