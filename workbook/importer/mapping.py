"""Finding the action table and its columns: header synonyms, the mapping file, recommendation rows, RAG shading.

Nothing here guesses a value: a column is mapped only by its header (or the mapping file), a colour only when it is
near red, amber, green or blue, and every cell keeps its text as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.importer.readers import Table

# Tracker column (its header on the Actions sheet) -> the headers councils give it, case and spacing ignored.
SYNONYMS = {
    "Action ID": ("ref", "no", "no.", "id", "action id", "action no", "ref no", "number"),
    "Recommendation": ("recommendation", "rec", "rec no", "recommendation no", "theme", "priority"),
    "Action": ("action", "actions", "task", "what we will do", "action text"),
    "Owner(s)": (
        "lead",
        "owner",
        "owners",
        "lead officer",
        "responsible",
        "who",
        "action owner",
        "by whom",
    ),
    "Original deadline": (
        "deadline",
        "target date",
        "timescale",
        "by when",
        "due date",
        "target deadline",
    ),
    "Current deadline": ("revised deadline", "new date", "current deadline", "revised date"),
    "Progress status": ("status", "progress", "progress status"),
    "Recorded RAG": ("rag", "rating", "status colour", "status color", "rag rating", "rag status"),
    "Progress commentary": (
        "update",
        "commentary",
        "progress update",
        "comments",
        "progress summary",
    ),
    "Evidence of impact": ("evidence", "evidence of impact"),
    "What does success look like?": (
        "success measure",
        "success measures",
        "what does success look like",
        "outcome",
        "outcomes",
    ),
}
IGNORE = "ignore"
FIELDS = {
    "Action ID": "action_id",
    "Recommendation": "rec_id",
    "Action": "text",
    "Owner(s)": "owners",
    "Original deadline": "original_deadline",
    "Current deadline": "current_deadline",
    "Progress status": "status",
    "Recorded RAG": "recorded_rag",
    "Progress commentary": "commentary",
    "Evidence of impact": "evidence",
    "What does success look like?": "success_measure",
}
NEEDED = ("Action",)
COLOURS = {  # reference shades (RRGGBB) of each letter; a fill is read as the nearest, if near enough
    "R": ("FF0000", "C00000", "E6194B", "F4B6B6"),
    "A": ("FFC000", "FFA500", "FFBF00", "FFFF00", "F79646", "FFD966"),
    "G": ("00B050", "008000", "92D050", "00FF00", "70AD47", "C6EFCE"),
    "B": ("0070C0", "0000FF", "4472C4", "00B0F0"),
}
NEAR = 110  # how far (in RGB space) a fill may be from a reference shade and still be read as its letter
_REC_ROW = re.compile(
    r"^(?:recommendation|rec|theme|priority|area)\s*(?P<id>[0-9A-Za-z.]+)\s*[:.\-\u2013\u2014)]?\s*(?P<text>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def norm(text: object) -> str:
    return " ".join(str(text).lower().replace("?", " ").replace(":", " ").split()).strip(" .")


_LOOKUP = {norm(s): col for col, synonyms in SYNONYMS.items() for s in synonyms}


def match_header(text: object) -> tuple[str | None, tuple[str, ...]]:
    """The tracker column a header names (exactly, or by one synonym it contains), and every column it could be."""
    key = norm(text)
    if not key:
        return None, ()
    if key in _LOOKUP:
        return _LOOKUP[key], (_LOOKUP[key],)
    words = f" {key} "
    found = [s for s in _LOOKUP if len(s) > 2 and f" {s} " in words]
    found = [s for s in found if not any(s != o and s in o for o in found)]
    columns = tuple(dict.fromkeys(_LOOKUP[s] for s in found))
    return (columns[0] if len(columns) == 1 else None), columns


def colour_letter(fill: str | None, colours: dict[str, str] | None = None) -> str | None:
    """The RAG letter a fill colour shows, when it is near one (or named in the mapping file's [colours])."""
    if not fill:
        return None
    fill = fill.upper()
    if colours and fill in colours:
        return colours[fill]
    try:
        rgb = [int(fill[i : i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        return None
    best, letter = NEAR + 1, None
    for name, shades in COLOURS.items():
        for shade in shades:
            ref = [int(shade[i : i + 2], 16) for i in (0, 2, 4)]
            distance = sum((a - b) ** 2 for a, b in zip(rgb, ref)) ** 0.5
            if distance < best:
                best, letter = distance, name
    return letter


@dataclass
class Choice:
    """The mapping chosen: the action tables, each one's header row and columns, rows skipped, colours."""

    tables: list[Table]
    header_rows: dict[str, int]
    columns: dict[str, dict[int, str]]  # table label -> column index -> tracker column (or IGNORE)
    headers: dict[str, list[str]]  # table label -> header texts
    skip: dict[str, set[int]] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=dict)
    periods: list[dict[str, object]] = field(default_factory=list)


def _texts(cells) -> list[str]:
    return [str(c.value).strip() if c.value is not None else "" for c in cells]


def _header(table: Table, overrides: dict[str, str]):
    """The table's header row: its number, its columns, its texts and a problem (a header read two ways), or None."""
    for number, cells in table.rows[:30]:
        texts = _texts(cells)
        mapped: dict[int, str] = {}
        problem = None
        for i, text in enumerate(texts):
            if text in overrides:
                mapped[i] = overrides[text]
                continue
            column, could = match_header(text)
            if column is None and len(could) > 1 and problem is None:
                problem = (
                    f'{table.label}: the header "{text}" could be {" or ".join(could)}. Say which in a mapping '
                    f'file ([columns] "{text}" = "{could[0]}") and pass it with --mapping.'
                )
            if column:
                mapped[i] = column
        useful = {c for c in mapped.values() if c != IGNORE}
        if "Action" in useful and len(useful) >= 2:
            seen: dict[str, int] = {}
            for i, column in sorted(mapped.items()):
                if column != IGNORE and column in seen and problem is None:
                    problem = (
                        f'{table.label}: the headers "{texts[seen[column]]}" and "{texts[i]}" both look like '
                        f'{column}. Say which in a mapping file ([columns] "{texts[i]}" = "ignore") and pass '
                        "it with --mapping."
                    )
                seen.setdefault(column, i)
            return number, mapped, texts, problem
    return None


def choose(tables: list[Table], mapping: dict | None = None) -> Choice:
    """Find the action table(s) and their columns, or refuse saying what was looked for and what was seen."""
    mapping = mapping or {}
    overrides = {str(k): str(v) for k, v in mapping.get("columns", {}).items()}
    for value in overrides.values():
        if value != IGNORE and value not in SYNONYMS:
            raise UnusableInput(
                f'mapping file: "{value}" is not a tracker column; use one of {", ".join(SYNONYMS)} or "ignore".'
            )
    wanted = mapping.get("tables")
    if wanted is not None:
        missing = [w for w in wanted if w not in {t.label for t in tables}]
        if missing:
            raise UnusableInput(f'mapping file: the source has no "{missing[0]}".')
    found = []
    for table in tables:
        if wanted is None or table.label in wanted:
            header = _header(table, overrides)
            if header:
                found.append((table, header))
    if not found:
        seen = "; ".join(
            f"{t.label}: " + " | ".join(x for x in _texts(t.rows[0][1]) if x)[:120]
            if t.rows
            else f"{t.label}: empty"
            for t in tables
        )
        raise UnusableInput(
            "No table looks like a plan: looked for a header row naming an Action column and at least one of "
            f"Ref, Lead, Deadline, Status or RAG. Tables seen: {seen or 'none'}."
        )
    shapes: dict[tuple[str, ...], list[str]] = {}
    for t, h in found:
        shapes.setdefault(tuple(x for x in h[2] if x), []).append(t.label)
    if len(shapes) > 1 and wanted is None:
        names = " and ".join(labels[0] for labels in list(shapes.values())[:2])
        listed = "; ".join(
            f'"{" | ".join(shape)}": {", ".join(labels)}' for shape, labels in shapes.items()
        )
        raise UnusableInput(
            f"{names} both look like the action table, with different headers ({listed}). Name the tables to "
            f'read in a mapping file (tables = ["{found[0][0].label}"]) and pass it with --mapping.'
        )
    for _, h in found:
        if h[3]:
            raise UnusableInput(h[3])
    seen_headers = {text for _, h in found for text in h[2] if text}
    unused = [text for text in overrides if text not in seen_headers]
    if unused:
        raise UnusableInput(
            f'mapping file: [columns] names "{unused[0]}", which no header of '
            f"{', '.join(t.label for t, _ in found)} has (headers: {' | '.join(sorted(seen_headers))}). "
            "Correct it or remove the line."
        )
    skip = {str(k): {int(r) for r in v} for k, v in mapping.get("skip", {}).items()}
    strange = [k for k in skip if k not in {t.label for t, _ in found}]
    if strange:
        raise UnusableInput(
            f'mapping file: [skip] names "{strange[0]}", which is not a table read '
            f"({', '.join(t.label for t, _ in found)})."
        )
    colours = {str(k).upper().lstrip("#"): str(v) for k, v in mapping.get("colours", {}).items()}
    return Choice(
        [t for t, _ in found],
        {t.label: h[0] for t, h in found},
        {t.label: h[1] for t, h in found},
        {t.label: h[2] for t, h in found},
        skip,
        colours,
        dict(mapping.get("settings", {})),
        [dict(p) for p in mapping.get("periods", [])],
    )


def recommendation_row(texts: list[str]) -> tuple[str | None, str] | None:
    """A row with only its first cell filled (or one cell spanning the table) starts a recommendation: its id and text."""
    filled = [t for t in texts if t]
    if len(filled) != 1 or not texts[0]:
        return None
    match = _REC_ROW.match(texts[0])
    if match:
        return match["id"].rstrip("."), match["text"].strip()
    return None, texts[0]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def mapping_toml(choice: Choice) -> str:
    """The mapping file that reproduces ``choice`` (``--mapping`` reads it back)."""
    lines = [
        "# ofsted-tracker import mapping: edit and pass back with --mapping",
        "tables = [" + ", ".join(_quote(t.label) for t in choice.tables) + "]",
        "",
        '[columns]  # source header = tracker column, or "ignore"',
    ]
    done = set()
    for table in choice.tables:
        headers = choice.headers[table.label]
        for i, text in enumerate(headers):
            if text and text not in done:
                done.add(text)
                lines.append(
                    f"{_quote(text)} = {_quote(choice.columns[table.label].get(i, IGNORE))}"
                )
    lines += ["", '[skip]  # rows to leave out, by table: "table 1" = [14, 15]']
    lines += [f"{_quote(k)} = {sorted(v)}" for k, v in choice.skip.items() if v]
    lines += [
        "",
        "[colours]  # fill colour (RRGGBB) = RAG letter, beside the near-red/amber/green/blue rule",
    ]
    lines += [f"{_quote(k)} = {_quote(v)}" for k, v in choice.colours.items()]
    if choice.settings:  # Settings values for the tracker made (Council, Reporting period, ...)
        lines += ["", "[settings]"] + [
            f"{_quote(k)} = {_quote(str(v))}" for k, v in choice.settings.items()
        ]
    for period in choice.periods:  # rows of its Periods sheet
        lines += ["", "[[periods]]"] + [f"{k} = {_quote(str(v))}" for k, v in period.items()]
    return "\n".join(lines) + "\n"
