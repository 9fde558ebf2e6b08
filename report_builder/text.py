"""Officers' text made safe for a Word document, and dates and counts written the way the council writes them."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from ofsted_tracker.workbook.plan.words import noun as plural_noun

# Characters XML 1.0 forbids (C0 controls other than tab and line breaks, surrogates, U+FFFE/U+FFFF) and the C1
# controls that only ever arrive from text decoded with the wrong code page. Word refuses a file holding the former.
# The noncharacters U+FDD0-U+FDEF go too: the report uses them as markers (chart.MARKER, BRACE_GUARD).
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# Line breaks as other systems write them: Windows CR LF, old Mac CR, Word's manual break (vertical tab),
# form feed, next-line (NEL), Unicode line and paragraph separators. All become one line break in the same paragraph.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Any character the three steps below could change other than the ends: most text has none and is only trimmed.
_SPECIAL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
# docxtpl turns {_{ }_} {_% %_} into braces everywhere in the filled document, officers' text included: in their
# text the underscore of such a pair is guarded by this character while docxtpl fills (build._unguard).
BRACE_GUARD = "\ufdd2"
_BULLET_SEPARATORS = re.compile(r"\s*\|\s*|\n+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# A deadline typed as a month and year only ("February 2017", "Sept. 2016"): read as the month's last day for the
# rule, but never shown as that exact day.
_MONTH_ONLY = re.compile(r"^\s*[A-Za-z]+\.?,?\s+\d{4}\s*$")
# The last word of a body (not a person) that agrees something: "the Board", "the Select Committee".
_BODIES = frozenset(
    {
        "board",
        "committee",
        "panel",
        "partnership",
        "group",
        "team",
        "forum",
        "council",
        "executive",
        "cabinet",
        "directorate",
        "meeting",
        "network",
        "trust",
        "service",
        "department",
        "authority",
    }
)
_ORDINAL_WORDS = ("One", "Two", "Three", "Four")


def clean(text: object) -> str:
    """Text as an officer typed or pasted it, with only what Word cannot hold removed.

    ``&``, ``<``, quotes, emoji and right-to-left scripts are kept (the template escapes them); tabs are kept;
    every kind of line break becomes ``\\n`` (a line break in the same cell or paragraph); characters XML forbids
    are dropped; runs of blank lines are reduced to one and the ends are trimmed.
    """
    if text is None:
        return ""
    value = str(text)
    if (
        value.isprintable() or _SPECIAL.search(value) is None
    ):  # the common case (isprintable is the quick test)
        return value.strip()
    value = _BREAKS.sub("\n", value)
    value = _FORBIDDEN.sub("", value)
    value = _BLANK_LINES.sub("\n\n", value)
    return value.strip()


def guard_braces(value: object) -> object:
    """The report's values with the underscore of each brace pair in officers' text guarded (see BRACE_GUARD)."""
    if isinstance(value, str):
        return (
            value.replace("{_", "{" + BRACE_GUARD).replace("_}", BRACE_GUARD + "}")
            if "_" in value
            else value
        )
    if isinstance(value, dict):
        return {key: guard_braces(item) for key, item in value.items()}
    if (
        type(value) is list
    ):  # a marker list (report_builder.stream) holds markers, no officer's text
        return [guard_braces(item) for item in value]
    return value


class CleanRows(list):
    """Rows (dicts) built from values already passed through :func:`clean`: :func:`clean_all` keeps them as they
    are, as a plain list, instead of walking thousands of rows again. Lists inside the rows must be plain lists
    (they are not looked at)."""


def clean_all(value: object) -> object:
    """Apply :func:`clean` to every string inside nested dicts and lists (numbers and booleans pass through).

    Tuples become lists. Each distinct string is cleaned once (owners, dates and RAG words repeat on every row).
    """
    done: dict[str, str] = {}

    def walk(item: object) -> object:
        kind = type(item)
        if kind is str:
            cleaned = done.get(item)
            if cleaned is None:
                cleaned = done[item] = clean(item)
            return cleaned
        if kind is dict:
            return {key: walk(v) for key, v in item.items()}
        if kind is CleanRows:
            return list(item)
        if kind is list or kind is tuple:
            return [walk(v) for v in item]
        if isinstance(item, str):
            return clean(item)
        if isinstance(item, dict):
            return {key: walk(v) for key, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [walk(v) for v in item]
        return item

    return walk(value)


@lru_cache(maxsize=4096)  # a plan's dates repeat on many rows
def prose_date(day: date | None) -> str:
    """A date as written in a sentence: 30 November 2016 (blank for None)."""
    return "" if day is None else f"{day.day} {calendar.month_name[day.month]} {day.year}"


@lru_cache(maxsize=4096)
def table_date(day: date | None) -> str:
    """A date as written in a table: 30/11/16 (blank for None)."""
    return "" if day is None else f"{day:%d/%m/%y}"


def month_span(start: date, end: date) -> str:
    """A period in words: 'May to July 2016', 'November 2016 to January 2017', or exact days when not whole months."""
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if not whole:
        if start.year == end.year:
            return f"{start.day} {calendar.month_name[start.month]} to {prose_date(end)}"
        return f"{prose_date(start)} to {prose_date(end)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{calendar.month_name[end.month]} {end.year}"
    if start.year == end.year:
        return f"{calendar.month_name[start.month]} to {calendar.month_name[end.month]} {end.year}"
    return f"{calendar.month_name[start.month]} {start.year} to {calendar.month_name[end.month]} {end.year}"


def period_title(name: str) -> str:
    """A period's name as a heading: 'Q2' becomes 'Quarter Two'; any other name is kept as typed."""
    match = re.fullmatch(r"\s*Q(?:uarter)?\s*([1-4])\s*", name, flags=re.IGNORECASE)
    return f"Quarter {_ORDINAL_WORDS[int(match[1]) - 1]}" if match else name.strip()


def number_words(number: int) -> str:
    """A count in words as council prose writes it: 'no', 'four', 'seventeen', 'sixty-one'; 100 and above as digits."""
    if 0 <= number < len(_NUMBER_WORDS):
        return _NUMBER_WORDS[number]
    if 20 <= number < 100:
        tens, units = divmod(number, 10)
        return _TENS[tens] + (f"-{_NUMBER_WORDS[units]}" if units else "")
    return f"{number:,}"


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun in words, singular or plural: 'one action', 'seventeen actions', 'no actions'."""
    return f"{number_words(number)} {plural_noun(number, noun, plural)}"


def with_article(name: str) -> str:
    """A body's name as the object of a sentence ('the Strategic Partnership Board'); a person's name as typed."""
    name = name.strip()
    words = name.split()
    if not words or words[0].lower() == "the" or words[-1].lower().strip(".,") not in _BODIES:
        return name
    return f"the {name}"


def typed_deadline(day: date | None, raw: str, style=None) -> str:
    """A deadline as the report shows it: the date (``style``: table_date by default) when one was typed, and the
    text exactly as typed when it is no date or only a month ('February 2017' is never shown as 28/02/17)."""
    if raw and (day is None or _MONTH_ONLY.match(raw)):
        return " ".join(raw.split())
    return (style or table_date)(day)


def join_words(items: list[str], separator: str = "; ") -> str:
    """'a', 'a and b', 'a; b and c': a list in a sentence (semicolons by default, since items may hold commas)."""
    if len(items) <= 1:
        return "".join(items)
    return separator.join(items[:-1]) + " and " + items[-1]


def bullets(text: str) -> list[str]:
    """A cell of bullets separated by '|' (or by line breaks) as a list; blanks dropped."""
    cleaned = clean(text)
    parts = _BULLET_SEPARATORS.split(cleaned) if "|" in cleaned or "\n" in cleaned else [cleaned]
    return [p.strip(" \t•·-") for p in parts if p.strip(" \t•·-")]
