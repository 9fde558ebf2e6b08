"""The tracker's sheets and columns: one definition shared by the writer, the reader and the macros."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.words import noun, same_name

TEXT, DATE, ID, LIST = "text", "date", "id", "list"

RAGS = ("G", "A", "R")
RAG_NAMES = {"G": "Green", "A": "Amber", "R": "Red"}
# Each rating letter of every scheme (workbook.plan.schemes) with its colour name, fill and font colour
RATING_NAMES = {b.letter: b.name for s in schemes.SCHEMES for b in s.buckets}
RATING_FILLS = {b.letter: b.fill for s in schemes.SCHEMES for b in s.buckets}
RATING_FONTS = {b.letter: b.font for s in schemes.SCHEMES for b in s.buckets}
RAG_FILLS = {k: RATING_FILLS[k] for k in RAGS}  # Excel's standard green, amber, red
RAG_FONTS = {k: RATING_FONTS[k] for k in RAGS}
# BRAG: Blue is complete and embedded (complete by its deadline, with its evidence of impact recorded).
BLUE, BLUE_NAME = schemes.BLUE, RATING_NAMES[schemes.BLUE]
BLUE_FILL, BLUE_FONT = (
    RATING_FILLS[BLUE],
    RATING_FONTS[BLUE],
)  # light blue: black text on it reads at 8.5:1
SCHEMES = tuple(s.name for s in schemes.SCHEMES)
BRAG_NAMES = {BLUE: BLUE_NAME, **RAG_NAMES}
BRAG_FILLS = {BLUE: BLUE_FILL, **RAG_FILLS}
BRAG_FONTS = {BLUE: BLUE_FONT, **RAG_FONTS}


Cell = str | int | float | None
Grid = list[
    list[Cell]
]  # a sheet's values as rows from A1: what a computed or log sheet is written as
CellValue = (
    str | date | None
)  # a value written into an officer's cell: text, a date, or None to clear it


@dataclass(frozen=True)
class Column:
    """One column of an officers' sheet: header text, field name, kind, width and whether it is required."""

    header: str
    field: str
    kind: str = TEXT
    width: float = 14
    required: bool = True
    note: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """An officers' sheet holding one Excel Table (header in row 1)."""

    name: str
    table: str
    columns: tuple[Column, ...]
    note: str

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    def letter(self, field: str) -> str:
        return column_letter(self.columns.index(self.column(field)) + 1)


def column_number(letters: str | bytes) -> int:
    """A -> 1, AA -> 27: the inverse of ``column_letter`` (text or the bytes of a cell reference)."""
    number = 0
    for ch in letters.encode("ascii") if isinstance(letters, str) else letters:
        number = number * 26 + ch - 64
    return number


def find_sheets(present: Iterable[str], wanted: Iterable[str], label: str) -> dict[str, str]:
    """Each wanted sheet's name as the workbook spells it, matched by ``same_name``; a missing one is left out.

    Two sheets that both match one wanted name (``Actions`` and a hidden ``Actions `` copy, say) are refused
    with a message naming both: reading either would be a guess. The file reader, the refresh and the Excel
    adapter all look sheets up here.
    """
    by_name: dict[str, list[str]] = {}
    for name in present:
        by_name.setdefault(same_name(name), []).append(name)
    found = {}
    for name in wanted:
        matches = by_name.get(same_name(name), [])
        if len(matches) > 1:
            shown = " and ".join(repr(m) for m in matches)
            raise UnusableInput(
                f"{label} has {len(matches)} sheets named {shown}, which read as the same name '{name}' once spaces "
                "and capitals are ignored, so the tool cannot tell which one to use (one may be hidden: right-click "
                f"a sheet tab > Unhide). Delete or rename the copy so that one sheet is called {name}, then try again."
            )
        if matches:
            found[name] = matches[0]
    return found


def not_a_tracker(label: str, present: Iterable[str]) -> str | None:
    """Why a workbook with these sheets is not a tracker (the officers' sheets it lacks), or None when it is one.

    The one answer to "is this a tracker?" for the file reader and the open workbook in Excel.
    """
    found = find_sheets(present, [spec.name for spec in OFFICER_SHEETS], label)
    missing = [spec.name for spec in OFFICER_SHEETS if spec.name not in found]
    if not missing:
        return None
    return (
        f"{label} is not an improvement plan tracker: it has no {', '.join(missing)} "
        f"{noun(len(missing), 'sheet')} (sheets: {', '.join(present) or 'none'}). A tracker has the sheets "
        f"{', '.join(s.name for s in OFFICER_SHEETS)}: rename the sheet back, or make a new tracker with "
        "'ofsted-tracker new' and copy your rows into it."
    )


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


ACTIONS = SheetSpec(
    "Actions",
    "Actions",
    (
        Column(
            "Action ID",
            "action_id",
            ID,
            10,
            note="Any text unique in the plan: 7.2, 2.01.02, 1a, A1",
        ),
        Column("Recommendation", "rec_id", LIST, 16, note="Pick from the Recommendations sheet"),
        Column("Action", "text", TEXT, 50),
        Column(
            "Owner(s)",
            "owners",
            TEXT,
            14,
            note="Initials or names from Leads (people or organisations), separated by /: SK/TB",
        ),
        Column(
            "Original deadline",
            "original_deadline",
            DATE,
            13,
            note="dd/mm/yyyy, or Ongoing for an action with no end date",
        ),
        Column(
            "Current deadline",
            "current_deadline",
            DATE,
            13,
            required=False,
            note="Blank means the original deadline. A change needs a row in Revisions",
        ),
        Column("Progress status", "status", LIST, 13),
        Column("Completed on", "completed_on", DATE, 13, required=False),
        Column(
            "Recorded RAG",
            "recorded_rag",
            LIST,
            10,
            required=False,
            note="G, A or R as the owner rated it",
        ),
        Column("Progress commentary", "commentary", TEXT, 60, required=False),
        Column("Last updated", "last_updated", DATE, 13, required=False),
        Column(
            "Evidence of impact",
            "evidence",
            TEXT,
            40,
            required=False,
            note="BRAG: the evidence that the change is embedded; a Complete action with it is rated Blue",
        ),
        Column(
            "Corrective action",
            "corrective_action",
            TEXT,
            40,
            required=False,
            note="For an action rated Red: what is being done to bring it back on track",
        ),
        Column(
            "Forecast date",
            "forecast",
            DATE,
            13,
            required=False,
            note="For an action rated Red: when it is now expected to be complete, dd/mm/yyyy",
        ),
        Column(
            "What does success look like?",
            "success_measure",
            TEXT,
            40,
            required=False,
            note="How the plan will know the action worked: shown in update requests and the report",
        ),
    ),
    "One row per action of the plan.",
)
CHECKS_COLUMN = "Checks"  # a formula column the workbook computes itself from the Checks sheet

RECOMMENDATIONS = SheetSpec(
    "Recommendations",
    "Recommendations",
    (
        Column("Rec", "rec_id", ID, 6),
        Column("Section", "section", TEXT, 8, required=False),
        Column("Section title", "section_title", TEXT, 22, required=False),
        Column("Recommendation", "text", TEXT, 60),
        Column("Lead", "lead", TEXT, 22, required=False),
        Column("Linked plan", "linked_plan", TEXT, 20, required=False),
        Column("Partners", "partners", TEXT, 30, required=False),
        Column(
            "Expected outcomes",
            "expected_outcomes",
            TEXT,
            40,
            required=False,
            note="Separate bullets with |",
        ),
        Column(
            "Success measures",
            "success_measures",
            TEXT,
            40,
            required=False,
            note="Separate bullets with |",
        ),
        Column("Progress commentary", "progress_commentary", TEXT, 40, required=False),
        Column("Impact", "impact", TEXT, 30, required=False),
        Column("Further action", "further_action", TEXT, 30, required=False),
    ),
    "One row per recommendation of the inspection report.",
)

LEADS = SheetSpec(
    "Leads",
    "Leads",
    (
        Column(
            "Initials",
            "initials",
            ID,
            10,
            required=False,
            note="Optional: a team or organisation (Health, Police) may be given by its name alone",
        ),
        Column("Name", "name", TEXT, 26),
        Column("Job title", "job_title", TEXT, 50, required=False),
        Column(
            "Email",
            "email",
            TEXT,
            30,
            required=False,
            note="Where update requests go (ofsted-tracker requests); optional",
        ),
    ),
    "Key leads and those responsible for actions.",
)

REVISIONS = SheetSpec(
    "Revisions",
    "Revisions",
    (
        Column("Action ID", "action_id", ID, 10),
        Column("Old deadline", "old_deadline", DATE, 13),
        Column("New deadline", "new_deadline", DATE, 13),
        Column("Reason", "reason", TEXT, 60, required=False),
        Column("Agreed by", "agreed_by", TEXT, 30, required=False),
        Column("Agreed on", "agreed_on", DATE, 13, required=False),
    ),
    "The deadline revision log: one row per agreed change of an action's deadline.",
)

PERIODS = SheetSpec(
    "Periods",
    "Periods",
    (
        Column("Period", "name", ID, 30),
        Column("Start", "start", DATE, 13),
        Column("End", "end", DATE, 13),
    ),
    "Reporting periods. An action belongs to the period its original deadline falls in.",
)

SETTINGS = SheetSpec(
    "Settings",
    "Settings",
    (
        Column("Setting", "key", ID, 22),
        Column("Value", "value", TEXT, 60, required=False),
    ),
    "About the plan and the report.",
)

# Settings "Plan type": what the plan answers (the report's standard paragraphs name an inspectorate or an Act only
# for the types that have one). Blank or any other text reads as "Other".
PLAN_TYPES = (
    "Ofsted ILACS",
    "Ofsted/CQC area SEND",
    "JTAI",
    "CQC",
    "HMICFRS",
    "Internal audit",
    "Corporate plan",
    "Other",
)

# Settings rows: (setting, what it is). Dates among them are read as dates.
SETTING_ROWS = (
    ("Council", "Council name, e.g. Lewisham"),
    ("Committee", "Committee the report goes to"),
    ("Report title", "Title of the committee report"),
    ("Plan title", "Title of the improvement plan"),
    ("Wards", "Wards affected"),
    ("Contributors", "Who contributed to the report"),
    ("Class", "Part 1 (open) or Part 2"),
    ("Author", "Author of the Word document"),
    ("Meeting date", "Date of the committee meeting"),
    ("As at date", "Date the figures are computed at"),
    ("Reporting period", "Name of the period from the Periods sheet"),
    (
        schemes.SCHEME_KEY,
        "RAG (the default), BRAG, RAG + Completed or Days behind: see the README's rules",
    ),
    (
        schemes.TOLERANCE_KEY,
        "Days behind: days past its deadline an action stays Amber before it is Red (30 if blank)",
    ),
    *(
        (key, f"Progress status words meaning {meaning}, separated by commas")
        for meaning, key in schemes.WORD_KEYS.items()
    ),
    (
        "Plan type",
        "Optional: " + ", ".join(PLAN_TYPES) + " (the report's standard paragraphs follow it)",
    ),
    ("Inspectorate", "Optional: who inspected, e.g. Ofsted (else taken from the plan type)"),
    ("Inspection date", "Optional: the date of the inspection the plan answers"),
    (
        "Tracker ID",
        "Written by the tool with the first update request: do not change (returns are checked against it)",
    ),
)
TRACKER_ID_KEY = (
    "Tracker ID"  # this tracker's identity, a random id: each request and log row names it
)
SETTING_DATES = ("Meeting date", "As at date", "Inspection date")

OFFICER_SHEETS = (ACTIONS, RECOMMENDATIONS, LEADS, REVISIONS, PERIODS, SETTINGS)
SETTING_KEYS = {
    same_name(key): key for key, _ in SETTING_ROWS
}  # a typed key, as matched, to the key it means

# Sheets the tool computes and owns; everything else belongs to officers.
DASHBOARD, SLIPPAGE, CHECKS = "Dashboard", "Slippage", "Checks"
COMPUTED_SHEETS = (DASHBOARD, SLIPPAGE, CHECKS)
TOOL_SHEETS = tuple(spec.name for spec in OFFICER_SHEETS) + COMPUTED_SHEETS


@dataclass(frozen=True)
class LogSheet:
    """One of the tool's own log sheets (History, Requests): a title and a note above a table the tool writes whole,
    added at the end of a workbook made before it existed."""

    spec: SheetSpec
    header_row: int

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.spec.columns]
