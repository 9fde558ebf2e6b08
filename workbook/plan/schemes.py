"""A council's conventions: its rating scheme and the words it uses for an action's progress status.

Four rating schemes, each stated once here in words and rated by ``rules.rag.derived_rag``:

- ``RAG`` (the default): Green = completed by its deadline; Amber = not complete, deadline not passed; Red = not
  complete and the deadline passed, or at risk or off track, or completed after its deadline.
- ``BRAG``: RAG, with Blue = Green with its evidence of impact recorded (complete and embedded).
- ``RAG + Completed``: Completed (C) is its own bucket for every complete action; for the rest Green = on track
  (deadline not passed, status on track, not started or ongoing), Amber = at risk with the deadline not passed,
  Red = deadline passed or status off track.
- ``Days behind``: Completed (C) as above; Green = deadline not passed, Amber = up to N days past its current
  deadline, Red = more than N days (N: Settings "Amber tolerance (days)", 30 unless set).

Every scheme rates an action with no end date (an "Ongoing" deadline) by its status alone, and leaves a withdrawn
action out of every count. The Dashboard keeps its rows: Green, Amber and Red in rows 6 to 8 with the scheme's own
labels, and the scheme's fourth bucket (Blue, or Completed) in its own row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ofsted_tracker.workbook.plan.words import same_name

BLUE, COMPLETED = "B", "C"


@dataclass(frozen=True)
class Bucket:
    """One rating of a scheme: its letter, colour name, what it means in words, its ``--json`` key and colours."""

    letter: str
    name: str
    meaning: str
    key: str
    fill: str
    font: str
    light: str = ""  # the Dashboard's fourth-bucket row: its pale fill (Blue, Completed)
    # The report's words for the bucket's actions, each given only where the default does not read well:
    plural: str = ""  # in its tables' headings: "actions " + meaning unless given
    described: str = ""  # in its sentences and the cover table's rows: as plural unless given
    in_key: str = ""  # after "G (green)" in the report's key: the meaning unless given

    @property
    def label(self) -> str:
        """As the Dashboard and the report head it: "Completed by deadline (G)"."""
        return f"{self.meaning[:1].upper()}{self.meaning[1:]} ({self.letter})"

    @property
    def actions(self) -> str:
        """The bucket's actions in words, as the report's tables head them: "actions completed by deadline"."""
        return self.plural or f"actions {self.meaning}"

    @property
    def actions_described(self) -> str:
        """The bucket's actions in the report's sentences: "actions that are not completed by deadline or ..."."""
        return self.described or self.actions

    @property
    def key_words(self) -> str:
        """What the letter stands for in the report's key: "not completed by deadline, or unlikely to be"."""
        return self.in_key or self.meaning


_GREEN, _AMBER, _RED = (
    ("G", "Green", "00B050", "FFFFFF"),
    ("A", "Amber", "FFC000", "000000"),
    ("R", "Red", "FF0000", "FFFFFF"),
)


def _bucket(colour: tuple[str, str, str, str], meaning: str, key: str, **words: str) -> Bucket:
    letter, name, fill, font = colour
    return Bucket(letter, name, meaning, key, fill, font, **words)


_BLUE = Bucket(
    BLUE,
    "Blue",
    "complete and embedded: evidence of impact recorded",
    "complete_and_embedded",
    "00B0F0",
    "000000",
    "DDEBF7",
)
_COMPLETED = Bucket(COMPLETED, "Completed", "completed", "completed", "7F7F7F", "FFFFFF", "D9D9D9")


@dataclass(frozen=True)
class Scheme:
    """A rating scheme: its name as typed in Settings, its Green/Amber/Red buckets and its fourth bucket, if any."""

    name: str
    green: Bucket
    amber: Bucket
    red: Bucket
    extra: Bucket | None = None  # Blue (BRAG) or Completed (the two Completed schemes); None in RAG
    days_behind: bool = False  # Amber/Red by days past the deadline, against the tolerance

    @property
    def buckets(self) -> tuple[Bucket, ...]:
        """In the order counts are shown: the fourth bucket first (Blue, Completed), then Green, Amber, Red."""
        return (*((self.extra,) if self.extra else ()), self.green, self.amber, self.red)

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(b.letter for b in self.buckets)

    @property
    def completed_apart(self) -> bool:
        """Whether complete actions are their own bucket (C), rather than Green or Red by their deadline."""
        return self.extra is not None and self.extra.letter == COMPLETED

    @property
    def complete_letters(self) -> tuple[str, ...]:
        """The letters that say an action is complete: C, or in RAG and BRAG Green and Blue."""
        return (COMPLETED,) if self.completed_apart else (BLUE, "G") if self.extra else ("G",)

    def bucket(self, letter: str | None) -> Bucket | None:
        return next((b for b in self.buckets if b.letter == letter), None)

    def name_of(self, letter: str | None) -> str:
        """A rating's colour name ("Green"), or "not rated"."""
        bucket = self.bucket(letter)
        return bucket.name if bucket else "not rated"

    @property
    def prompt(self) -> str:
        """The Recorded RAG drop-down's message: the scheme's letters and what each means."""
        return (
            f"{', '.join(self.letters)} as the action owner rated it ({self.name}: "
            + "; ".join(f"{b.letter} {b.meaning}" for b in self.buckets)
            + ")"
        )[:255]

    def choices(self) -> dict[str, str]:
        """What an officer may type as a Recorded RAG in this scheme, as matched (lower case), to its letter."""
        out = {}
        for b in self.buckets:
            out[b.letter.lower()] = out[b.name.lower()] = b.letter
        if self.completed_apart:
            out["complete"] = COMPLETED
        return out


_RAG_GREEN = _bucket(_GREEN, "completed by deadline", "completed_by_deadline")
_RAG_AMBER = _bucket(_AMBER, "ongoing within deadline", "ongoing_within_deadline")
_RAG_RED = _bucket(
    _RED,
    "not completed by deadline",
    "not_completed_by_deadline",
    described="actions that are not completed by deadline or are unlikely to be completed by deadline",
    in_key="not completed by deadline, or unlikely to be",
)

RAG = Scheme("RAG", _RAG_GREEN, _RAG_AMBER, _RAG_RED)
BRAG = Scheme(
    "BRAG",
    _bucket(_GREEN, "completed by deadline, impact not yet evidenced", "completed_by_deadline"),
    _RAG_AMBER,
    _RAG_RED,
    _BLUE,
)
RAG_COMPLETED = Scheme(
    "RAG + Completed",
    _bucket(_GREEN, "on track", "on_track"),
    _bucket(_AMBER, "at risk, deadline not passed", "at_risk"),
    _bucket(_RED, "off track or deadline passed", "off_track"),
    _COMPLETED,
)
DAYS_BEHIND = Scheme(
    "Days behind",
    _bucket(
        _GREEN, "deadline not passed", "on_schedule", plural="actions whose deadline has not passed"
    ),
    _bucket(
        _AMBER,
        "behind its deadline, within the tolerance",
        "behind_within_tolerance",
        plural="actions behind their deadline, within the tolerance",
    ),
    _bucket(
        _RED,
        "behind its deadline, beyond the tolerance",
        "behind_beyond_tolerance",
        plural="actions behind their deadline, beyond the tolerance",
    ),
    _COMPLETED,
    days_behind=True,
)
SCHEMES = (RAG, BRAG, RAG_COMPLETED, DAYS_BEHIND)
SCHEME_NAMES = {same_name(s.name): s for s in SCHEMES} | {
    same_name(alias.replace("+", " + ")): s  # as scheme_named matches: "RAG+C" is "RAG + C"
    for alias, s in (
        ("RAG+C", RAG_COMPLETED),
        ("RAGC", RAG_COMPLETED),
        ("RAG and Completed", RAG_COMPLETED),
    )
}
DEFAULT_TOLERANCE = 30  # days, for "Days behind"
SCHEME_KEY, TOLERANCE_KEY = "Rating scheme", "Amber tolerance (days)"


def tolerance(typed: object) -> tuple[int, str]:
    """The Amber tolerance in days and why the typed value cannot be used ('' when it can; 30 when blank)."""
    if typed in (None, ""):
        return DEFAULT_TOLERANCE, ""
    text = str(typed).strip()
    if isinstance(typed, float) and typed.is_integer():
        text = str(int(typed))
    if text.isdigit():
        return int(text), ""
    return DEFAULT_TOLERANCE, (
        f"the {TOLERANCE_KEY} '{text}' is not a whole number of days, so {DEFAULT_TOLERANCE} is used. "
        "Type a whole number, for example 30."
    )


def scheme_named(typed: object) -> Scheme | None:
    """The scheme a Settings value names (spaces, capitals and the spaces around '+' ignored); RAG when blank;
    None when it names none."""
    text = str(typed or "").strip()
    if not text:
        return RAG
    return SCHEME_NAMES.get(same_name(text.replace("+", " + ")))


# ---- status words ----------------------------------------------------------------------------------------------

COMPLETE, ON_TRACK, AT_RISK, OFF_TRACK, NOT_STARTED, ONGOING, WITHDRAWN = (
    "complete",
    "on track",
    "at risk",
    "off track",
    "not started",
    "ongoing",
    "withdrawn",
)
MEANINGS = (COMPLETE, ON_TRACK, AT_RISK, OFF_TRACK, NOT_STARTED, ONGOING, WITHDRAWN)
# The words a tracker comes with, by meaning; the first of each is the one the drop-down offers first.
DEFAULT_WORDS = {
    COMPLETE: ("Complete", "Completed", "Achieved", "Done", "Closed"),
    ON_TRACK: ("On track", "In progress", "Work in progress", "On target"),
    AT_RISK: ("At risk", "Delayed", "Behind"),
    OFF_TRACK: ("Off track",),
    NOT_STARTED: ("Not started",),
    ONGOING: ("Ongoing", "Business as usual"),
    WITHDRAWN: ("Withdrawn", "Superseded", "Merged", "No longer required"),
}
# The Settings row that lists each meaning's words, separated by commas: "Words for complete".
WORDS_KEY = "Words for {}"
WORD_KEYS = {meaning: WORDS_KEY.format(meaning) for meaning in MEANINGS}

# A deadline cell holding one of these marks an action with no end date (a continuous action).
ONGOING_DEADLINES = frozenset(
    same_name(w) for w in ("Ongoing", "Continuous", "Monthly", "Quarterly", "Annual", "Annually")
)


def is_ongoing_deadline(value: object) -> bool:
    return isinstance(value, str) and same_name(value) in ONGOING_DEADLINES


@dataclass(frozen=True)
class StatusWords:
    """A council's progress-status words, each mapped to one meaning (the Settings "Words for …" rows)."""

    words: dict[str, tuple[str, ...]]  # meaning -> words, as typed (first: the drop-down's first)

    def meaning_of(self, typed: object) -> tuple[str, str] | None:
        """(the word as the table spells it, its meaning) for a typed status (case and spaces ignored), else None."""
        return self._by_name.get(same_name(typed))

    @functools.cached_property
    def _by_name(self) -> dict[str, tuple[str, str]]:
        """Each word as matched -> (the word, its meaning); a word given twice keeps its first meaning."""
        found: dict[str, tuple[str, str]] = {}
        for meaning, words in self.words.items():
            for word in words:
                found.setdefault(same_name(word), (word, meaning))
        return found

    @property
    def all_words(self) -> tuple[str, ...]:
        return tuple(w for words in self.words.values() for w in words)

    def drop_down(self) -> tuple[str, ...]:
        """The words the Progress status drop-down offers: all of them when they fit Excel's 255-character list,
        else the first word of each meaning (every other word is still accepted when typed)."""
        every = self.all_words
        if len(",".join(every)) <= 255:
            return every
        return tuple(words[0] for words in self.words.values() if words)


DEFAULT_STATUS_WORDS = StatusWords(dict(DEFAULT_WORDS))


def status_words(settings: dict[str, object]) -> tuple[StatusWords, list[tuple[str, str]]]:
    """The plan's status words from its Settings rows (a meaning with no row keeps the default words), and the
    problems found: (Settings key, message) for a word given two meanings."""
    words: dict[str, tuple[str, ...]] = {}
    for meaning in MEANINGS:
        typed = settings.get(WORD_KEYS[meaning])
        if typed in (None, ""):
            words[meaning] = DEFAULT_WORDS[meaning]
        else:
            words[meaning] = tuple(
                dict.fromkeys(w.strip() for w in str(typed).split(",") if w.strip())
            )
    problems = []
    seen: dict[str, str] = {}
    for meaning, listed in words.items():
        for word in listed:
            other = seen.setdefault(same_name(word), meaning)
            if other != meaning:
                problems.append(
                    (
                        WORD_KEYS[meaning],
                        f"the status word '{word}' is listed for both {other} and {meaning}, so the tool cannot "
                        f"tell what it means. Keep it in one of '{WORD_KEYS[other]}' and '{WORD_KEYS[meaning]}'.",
                    )
                )
    return StatusWords(words), problems
