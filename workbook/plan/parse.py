"""From the raw cell values of each sheet to the plan model, with a finding for every value that is not usable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.dates import read_date
from ofsted_tracker.workbook.plan.findings import ERROR, WARNING, Finding
from ofsted_tracker.workbook.plan.model import Action, Lead, Period, Plan, Recommendation, Revision

DOTTED_ID = re.compile(
    r"^\d+\.\d+[a-z]?$"
)  # the form "7.2": recommendation number, dot, action number
# Owners typed together: "SK/TB", "LA and ICB", "Health; Police", "LA & CCG"
OWNER_PARTS = re.compile(r"\s*[/,;]\s*")  # owners are split on these first, then on OWNER_SPLIT
OWNER_SPLIT = re.compile(r"\s*(?:/|,|;|&|\band\b)\s*", re.IGNORECASE)
SUPPORTING = re.compile(
    r"\s*\b(?:with (?:the )?support (?:from|of)|supported by|with)\b", re.IGNORECASE
)
EXCEL_ERRORS = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
}


@dataclass
class RawTable:
    """One officers' sheet as read: the column letter of each field and each non-blank row's values."""

    sheet: str
    letters: dict[str, str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    header_row: int = 0  # the sheet row of the header (1-based); 0 when not known


class _Parser:
    """Turns raw rows into model objects, collecting findings; one instance per workbook."""

    def __init__(self, date1904: bool = False) -> None:
        self.findings: list[Finding] = []
        self.date1904 = date1904

    def flag(
        self,
        severity: str,
        table: RawTable,
        fld: str,
        row: int,
        action: str,
        message: str,
        code: str,
    ) -> None:
        letter = table.letters.get(fld, "")
        self.findings.append(
            Finding(
                severity, table.sheet, f"{letter}{row}" if letter else "", action, message, code
            )
        )

    def text(
        self, table: RawTable, values: dict[str, object], fld: str, row: int, action: str = ""
    ) -> str:
        value = values.get(fld)
        if value is None:
            return ""
        if type(value) is str:
            cleaned = value.strip()
            if cleaned in EXCEL_ERRORS:
                self.flag(
                    ERROR,
                    table,
                    fld,
                    row,
                    action,
                    f"the cell shows the Excel error {cleaned}. Replace the formula with the value meant.",
                    "excel-error",
                )
                return ""
            return cleaned
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (date, datetime)):
            return f"{value:%d/%m/%Y}"
        return str(value)

    def identifier(
        self, table: RawTable, values: dict[str, object], fld: str, row: int, what: str
    ) -> str:
        value = values.get(fld)
        shown = self.text(table, values, fld, row)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and fld == "action_id":
            self.flag(
                WARNING,
                table,
                fld,
                row,
                shown,
                f"{what} {shown} is stored as a number, so Excel may have dropped a trailing zero "
                "(3.10 becomes 3.1). Format the column as Text and retype it.",
                "id-number",
            )
        return shown

    def day(
        self,
        table: RawTable,
        values: dict[str, object],
        fld: str,
        row: int,
        action: str,
        label: str,
    ) -> tuple[date | None, str]:
        """A date cell: (the date or None, the text typed when it was not a real date; '' otherwise)."""
        value = values.get(fld)
        if type(value) is date:  # the common case, first: a real date cell
            return value, ""
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
            self.text(table, values, fld, row, action)
            return None, value.strip()
        reading = read_date(value, self.date1904)
        if reading.problem:
            self.flag(
                reading.kind or ERROR,
                table,
                fld,
                row,
                action,
                f"{label}: {reading.problem}",
                "date",
            )
        raw = "" if value is None or isinstance(value, (date, datetime)) else str(value).strip()
        return reading.value, raw


def _choice(
    parser: _Parser,
    table: RawTable,
    values: dict[str, object],
    fld: str,
    row: int,
    action: str,
    choices: dict[str, str],
    label: str,
) -> str | None:
    shown = parser.text(table, values, fld, row, action)
    if not shown:
        return None
    picked = choices.get(shown.lower())
    if picked is None:
        options = ", ".join(dict.fromkeys(choices.values()))
        parser.flag(
            ERROR,
            table,
            fld,
            row,
            action,
            f"{label} '{shown}' is not one of {options}. Pick one from the drop-down list.",
            "choice",
        )
    return picked


def split_owners(typed: str, known: set[str]) -> tuple[tuple[str, ...], str]:
    """The owners an Owner(s) cell names, and its supporting note ("with support from all partners").

    Owners are separated by /, comma, semicolon, & or "and"; a name that is itself a lead's (``known``: initials
    and names as matched) is kept whole even when it holds "and" ("Health and Wellbeing Board")."""
    text = typed.strip()
    supporting = ""
    found = SUPPORTING.search(text)
    if found and found.start() > 0:
        text, supporting = text[: found.start()].strip(" ,;"), text[found.start() :].strip()
    if not text or schema.same_name(text) in known:
        return ((text,) if text else ()), supporting
    owners: list[str] = []
    for part in OWNER_PARTS.split(text):
        if not part:
            continue
        if schema.same_name(part) in known:
            owners.append(part)
        else:
            owners += [o for o in OWNER_SPLIT.split(part) if o]
    return tuple(owners), supporting


def parse_plan(tables: dict[str, RawTable], date1904: bool = False) -> tuple[Plan, list[Finding]]:
    """Build the plan from the raw tables (keyed by sheet name); every unusable value becomes a finding.

    ``date1904``: the workbook counts dates from 1904, so a plain number in a date cell is read on that calendar.
    """
    p = _Parser(date1904)
    read_settings = _Parser(
        date1904
    )  # read first (the rating scheme decides what a Recorded RAG may be), reported in place
    settings, setting_rows, setting_problems = _settings(
        read_settings, tables[schema.SETTINGS.name]
    )
    scheme = schemes.scheme_named(settings.get(schemes.SCHEME_KEY)) or schemes.RAG
    rag_choices = scheme.choices()
    words, word_problems = schemes.status_words(settings)
    for key, message in word_problems:
        read_settings.flag(
            ERROR,
            tables[schema.SETTINGS.name],
            "value",
            setting_rows.get(key, 0),
            "",
            message,
            "status-word-twice",
        )
    leads = _leads(p, tables[schema.LEADS.name])
    known = {schema.same_name(k) for lead in leads for k in (lead.initials, lead.name) if k}
    actions = []
    t = tables[schema.ACTIONS.name]
    for row, v in t.rows:
        aid = p.identifier(t, v, "action_id", row, "Action ID")
        original_value, current_value = v.get("original_deadline"), v.get("current_deadline")
        no_end = schemes.is_ongoing_deadline(original_value)
        if no_end:
            original, original_raw = None, str(original_value).strip()
        else:
            original, original_raw = p.day(t, v, "original_deadline", row, aid, "Original deadline")
        if schemes.is_ongoing_deadline(current_value):
            current, current_raw = None, str(current_value).strip()
            no_end = no_end or original is None
        elif (
            original is None and current_value not in (None, "") and current_value == original_value
        ):
            current, current_raw = (
                None,
                original_raw,
            )  # the same bad text twice: reported once, on the original
        else:
            current, current_raw = p.day(t, v, "current_deadline", row, aid, "Current deadline")
            if no_end and current is not None and original is None:
                p.flag(
                    ERROR,
                    t,
                    "original_deadline",
                    row,
                    aid,
                    f"Original deadline says '{original_raw}' (no end date) but Current deadline is "
                    f"{current:%d/%m/%Y}. Type the date the action was first due as Original deadline, or clear "
                    "Current deadline if the action has no end date.",
                    "ongoing-with-deadline",
                )
                no_end = False
        status, meaning = _status(p, t, v, row, aid, words)
        owners, supporting = split_owners(p.text(t, v, "owners", row, aid), known)
        actions.append(
            Action(
                action_id=aid,
                rec_id=p.text(t, v, "rec_id", row, aid),
                text=p.text(t, v, "text", row, aid),
                owners=owners,
                original_deadline=original,
                current_deadline=current,
                status=status,
                meaning=meaning,
                no_end_date=no_end,
                success_measure=p.text(t, v, "success_measure", row, aid),
                supporting=supporting,
                completed_on=p.day(t, v, "completed_on", row, aid, "Completed on")[0],
                recorded_rag=_choice(
                    p, t, v, "recorded_rag", row, aid, rag_choices, "Recorded RAG"
                ),
                commentary=p.text(t, v, "commentary", row, aid),
                last_updated=p.day(t, v, "last_updated", row, aid, "Last updated")[0],
                row=row,
                original_raw=original_raw,
                current_raw=current_raw,
                evidence=p.text(t, v, "evidence", row, aid),
                corrective_action=p.text(t, v, "corrective_action", row, aid),
                forecast=p.day(t, v, "forecast", row, aid, "Forecast date")[0],
            )
        )

    recommendations = []
    t = tables[schema.RECOMMENDATIONS.name]
    for row, v in t.rows:
        fields = {c.field: p.text(t, v, c.field, row) for c in schema.RECOMMENDATIONS.columns}
        recommendations.append(Recommendation(**fields, row=row))

    revisions = []
    t = tables[schema.REVISIONS.name]
    for row, v in t.rows:
        aid = p.identifier(t, v, "action_id", row, "Action ID")
        revisions.append(
            Revision(
                action_id=aid,
                old_deadline=p.day(t, v, "old_deadline", row, aid, "Old deadline")[0],
                new_deadline=p.day(t, v, "new_deadline", row, aid, "New deadline")[0],
                reason=p.text(t, v, "reason", row, aid),
                agreed_by=p.text(t, v, "agreed_by", row, aid),
                agreed_on=p.day(t, v, "agreed_on", row, aid, "Agreed on")[0],
                row=row,
            )
        )

    periods = []
    t = tables[schema.PERIODS.name]
    for row, v in t.rows:
        name = p.text(t, v, "name", row)
        start = p.day(t, v, "start", row, "", f"Start of period '{name}'")[0]
        end = p.day(t, v, "end", row, "", f"End of period '{name}'")[0]
        if start and end and start > end:
            p.flag(
                ERROR,
                t,
                "end",
                row,
                "",
                f"period '{name}' ends before it starts. Swap Start and End.",
                "period-order",
            )
        elif start and end:
            periods.append(Period(name, start, end, row))

    p.findings += read_settings.findings

    plan = Plan(
        actions=tuple(actions),
        recommendations=tuple(recommendations),
        leads=tuple(leads),
        revisions=tuple(revisions),
        periods=tuple(periods),
        settings=settings,
        setting_rows=setting_rows,
        setting_problems=setting_problems,
        columns={name: dict(table.letters) for name, table in tables.items()},
        last_rows={
            name: max([table.header_row, *(r for r, _ in table.rows)])
            for name, table in tables.items()
        },
    )
    return plan, p.findings


def _leads(p: _Parser, t: RawTable) -> list[Lead]:
    return [
        Lead(
            p.text(t, v, "initials", row),
            p.text(t, v, "name", row),
            p.text(t, v, "job_title", row),
            row,
            p.text(t, v, "email", row),
        )
        for row, v in t.rows
    ]


def _status(
    p: _Parser, t: RawTable, v: dict[str, object], row: int, aid: str, words: schemes.StatusWords
) -> tuple[str, str]:
    """(the status word as the table spells it, its meaning); ("", "") with a finding when blank or unknown."""
    typed = p.text(t, v, "status", row, aid)
    if not typed:
        p.flag(
            ERROR,
            t,
            "status",
            row,
            aid,
            f"Progress status is blank. Pick one from the drop-down ({', '.join(words.drop_down()[:6])}, ...).",
            "status-blank",
        )
        return "", ""
    found = words.meaning_of(typed)
    if found is None:
        p.flag(
            ERROR,
            t,
            "status",
            row,
            aid,
            f"Progress status '{typed}' is not one of the plan's status words (Settings, the rows 'Words for "
            "complete' to 'Words for withdrawn'). Pick one from the drop-down, or add the word to the row for "
            "what it means.",
            "choice",
        )
        return "", ""
    return found


def _settings(p: _Parser, t: RawTable) -> tuple[dict[str, object], dict[str, int], dict[str, str]]:
    """The Settings rows: each value by its key, each key's row, and why a filled-in setting cannot be used.

    Keys are matched as headers are (``As At Date`` is ``As at date``). A key typed twice is a finding at both
    cells; when the two values differ neither is used (the tool would be guessing), and the setting's problem
    says so, so a command that needs it can refuse with that message. A date setting that is filled in but is
    not a date has its problem too, naming the cell and what was typed.
    """
    settings: dict[str, object] = {}
    rows: dict[str, int] = {}
    problems: dict[str, str] = {}
    seen: dict[str, list[tuple[int, object]]] = {}
    for row, v in t.rows:
        typed = p.text(t, v, "key", row)
        key = schema.SETTING_KEYS.get(schema.same_name(typed), typed)
        if not key:
            continue
        if key in schema.SETTING_DATES:
            value: object = p.day(t, v, "value", row, "", key)[0]
            raw = v.get("value")
            shown = (
                str(raw).upper()
                if isinstance(raw, bool)
                else ""
                if raw is None
                else str(raw).strip()
            )
            if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
                shown = str(int(raw))
            if value is None and shown:
                problems[key] = (
                    f"{t.sheet}!{t.letters.get('value', 'B')}{row}: the {key} '{shown}' cannot be read "
                    "as a date. Type it as dd/mm/yyyy, for example 31/10/2016."
                )
        else:
            value = p.text(t, v, "value", row)
        seen.setdefault(key, []).append((row, value))
    for key, entries in seen.items():
        (row, value), *others = entries
        settings[key], rows[key] = value, row
        if not others:
            continue
        cells = [f"{t.sheet}!{t.letters.get('key', 'A')}{r}" for r, _ in entries]
        differ = len({repr(value) for _, value in entries}) > 1
        for r, _ in entries:
            p.flag(
                ERROR if differ else WARNING,
                t,
                "key",
                r,
                "",
                f"the setting '{key}' is typed {len(entries)} times ({', '.join(cells)})"
                + (" with different values, so none of them is used" if differ else "")
                + ". Keep one row and delete the other.",
                "setting-duplicate",
            )
        if differ:
            settings[key] = None
            problems[key] = (
                f"{' and '.join(cells)} both set '{key}', to different values. Keep one row and "
                "delete the other, then try again."
            )
    if "Committee" in rows and not settings.get("Committee"):
        p.flag(
            WARNING,
            t,
            "value",
            rows["Committee"],
            "",
            "the Committee is blank, so the report says 'the committee'. Type the committee's name here.",
            "setting-committee-blank",
        )
    return settings, rows, problems
