"""From the chosen tables to a tracker's officers' rows, the preview, and the tracker ``new`` would make."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ofsted_tracker.workbook import jobs
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.importer.mapping import (
    FIELDS,
    IGNORE,
    Choice,
    choose,
    colour_letter,
    mapping_toml,
    norm,
    recommendation_row,
)
from ofsted_tracker.workbook.importer.readers import Table, read_source
from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.dates import read_date
from ofsted_tracker.workbook.plan.findings import Finding, sort_findings
from ofsted_tracker.workbook.plan.ids import fresh_ids
from ofsted_tracker.workbook.plan.parse import OWNER_PARTS, OWNER_SPLIT, SUPPORTING, split_owners
from ofsted_tracker.workbook.plan.words import counted, same_name

_INITIALS = re.compile(r"^(?:[A-Z]{1,4}[0-9]?|[A-Z]{2}[a-z][A-Z]?)$")  # PK, SK2, JSt
_WAS = re.compile(
    r"^(?P<now>.+?)\s*\(was (?P<was>[^)]+)\)$", re.DOTALL
)  # the report's own "31/01/17 (was 30/10/16)"
_PERSON = re.compile(r"^[A-Z][a-z'\u2019\-]+(?:\s+(?:[A-Z][A-Za-z'\u2019\-]+|[A-Z]\.?)){1,3}$")
ORGANISATION_WORDS = {  # a name holding one of these is an organisation's, kept as typed
    *("agency", "authority", "board", "cabinet", "care", "ccg", "centre", "children", "children's"),
    *("college", "commissioning", "committee", "council", "department", "directorate", "education"),
    *("forum", "group", "health", "housing", "hub", "icb", "members", "network", "nhs", "office"),
    *(
        "panel",
        "partners",
        "partnership",
        "police",
        "probation",
        "safeguarding",
        "school",
        "schools",
    ),
    *("service", "services", "team", "trust", "unit", "university", "youth"),
}
DATES = ("original_deadline", "current_deadline")
TITLES = {  # titles and police ranks, not part of initials
    *("dr", "mr", "mrs", "ms", "miss", "mx", "cllr", "prof", "sir", "dame", "rev", "revd"),
    *("dci", "di", "ds", "dc", "dcs", "dsi", "pc", "ps", "insp", "supt"),
}


@dataclass
class Imported:
    """What an import found: the officers' rows, the mapping, and every note for the preview."""

    source: str
    choice: Choice
    rows: dict[str, list[dict[str, object]]]
    unreadable: list[str] = field(default_factory=list)
    from_shading: int = 0
    ids_given: list[dict[str, object]] = field(
        default_factory=list
    )  # ids made by validate --fix-ids' rule
    collisions: list[str] = field(default_factory=list)
    unknown_words: dict[str, int] = field(
        default_factory=dict
    )  # status word -> actions, not in the tracker's
    scheme: str = schema.SCHEMES[0]
    scheme_assumed: bool = True

    def words_note(self) -> str:
        """The status words the tracker does not know, and how to say what each means."""
        words, _ = schemes.status_words(self.choice.settings)
        listed = ", ".join(f"'{w}' ({counted(n, 'action')})" for w, n in self.unknown_words.items())
        example = next(iter(self.unknown_words))
        at_risk = ", ".join((*words.words[schemes.AT_RISK], example))
        return (
            f"Status words the tracker does not know (each an error until placed): {listed}. Say what each "
            f'means in the mapping file\'s [settings], e.g. "Words for at risk" = "{at_risk}" (the rows '
            "'Words for complete' to 'Words for withdrawn')."
        )

    def rows_settings(self) -> dict[str, object]:
        return {r["key"]: r["value"] for r in self.rows.get("Settings", [])}

    def counts(self) -> dict[str, int]:
        return {
            "recommendations": len(self.rows["Recommendations"]),
            "actions": len(self.rows["Actions"]),
            "revisions": len(self.rows["Revisions"]),
            "leads": len(self.rows["Leads"]),
        }

    def counts_text(self) -> str:
        """ "9 recommendations, 61 actions, 10 revisions, 22 leads" (the one pluraliser: 1 revision)."""
        return ", ".join(counted(n, k[:-1]) for k, n in self.counts().items())

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "tables": [t.label for t in self.choice.tables],
            "mapping": [
                {
                    "table": t.label,
                    "column": i + 1,
                    "header": self.choice.headers[t.label][i],
                    "field": f,
                }
                for t in self.choice.tables
                for i, f in sorted(self.choice.columns[t.label].items())
            ],
            **self.counts(),
            "scheme": self.scheme,
            "scheme_assumed": self.scheme_assumed,
            "rag_from_shading": self.from_shading,
            "ids_made": len(self.ids_given),
            "ids_given": [
                {"id": g["id"], "source": g["place"], "action": g["text"]} for g in self.ids_given
            ],
            "unknown_status_words": self.unknown_words,
            "lead_collisions": self.collisions,
            "unreadable": self.unreadable,
            "mapping_file": mapping_toml(self.choice),
        }

    def lines(self) -> list[str]:
        out = [f"Import preview of {self.source} (nothing written)."]
        out.append(
            "Action table: "
            + ", ".join(
                f"{t.label} (header row {self.choice.header_rows[t.label]})"
                for t in self.choice.tables
            )
        )
        out.append("Mapping (source column -> tracker column):")
        first = self.choice.tables[0].label
        for i, f in sorted(self.choice.columns[first].items()):
            out.append(f'  "{self.choice.headers[first][i]}" -> {f}')
        out.append(
            f"Found {self.counts_text()}. Scheme: {self.scheme}{' (assumed; --scheme to choose)' if self.scheme_assumed else ''}."
        )
        if self.from_shading:
            out.append(
                f"RAG read from cell shading in {self.from_shading} cells (no letter typed)."
            )
        if self.ids_given:
            out.append(
                f"{counted(len(self.ids_given), 'action')} had no Action ID; each is given one by the rule of "
                "validate --fix-ids (<recommendation>.<n>), listed in the tracker's findings:"
            )
            out += [
                f"  {g['place']}: id {g['id']} given to '{g['text'][:40]}'" for g in self.ids_given
            ]
        if self.unknown_words:
            out.append(self.words_note())
        out += [f"Leads: {c}" for c in self.collisions]
        if self.unreadable:
            out.append(
                f"Could not read {len(self.unreadable)} cells (kept as typed; each is a finding in the tracker):"
            )
            out += [f"  {u}" for u in self.unreadable]
        out.append(
            "Mapping file reproducing these choices (edit it and pass it back with --mapping):"
        )
        out += ["  " + line for line in mapping_toml(self.choice).splitlines()]
        return out


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _initials(name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", name) if w.lower() not in TITLES]
    return "".join(w[0].upper() for w in words[:4]) or name[:4].upper()


_LEAD_HEADERS = {
    "initials": "initials",
    "name": "name",
    "current post-holder": "name",
    "post holder": "name",
    "officer": "name",
    "job title": "job_title",
    "role": "job_title",
}


def listed_leads(tables: list[Table]) -> list[dict[str, str]]:
    """A list of leads the source gives (a table with Initials and Name columns), as the source gives it."""
    out = []
    for table in tables:
        for _number, cells in table.rows[:1]:
            columns = {i: _LEAD_HEADERS.get(norm(c.value)) for i, c in enumerate(cells)}
            if {"initials", "name"} <= set(columns.values()):
                for _n, row in table.rows[1:]:
                    lead = {
                        f: _text(row[i].value) for i, f in columns.items() if f and i < len(row)
                    }
                    if lead.get("initials") and lead.get("name"):
                        out.append(lead)
    return out


def _without_titles(name: str) -> str:
    """A name without the titles before it: "Dr Jane Smith" is "Jane Smith"."""
    words = name.split()
    while words and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def _is_person(name: str) -> bool:
    """A person's name: two to four capitalised words (a title such as Dr or DCI left out), none of them a word
    of an organisation's name (Board, Police, Service, ...)."""
    rest = _without_titles(name)
    return bool(_PERSON.match(rest)) and not any(
        w.lower().strip(".,()") in ORGANISATION_WORDS for w in rest.split()
    )


def _organisations(cells: list[str], known: set[str]) -> dict[str, str]:
    """The organisations the owner cells name (as matched -> as first typed): a part between / , or ; that is
    neither initials, a person's name, a listed lead, nor initials and names joined by "and" or "&"."""

    def plain(piece: str) -> bool:
        return bool(_INITIALS.match(piece)) or _is_person(piece) or same_name(piece) in known

    found: dict[str, str] = {}
    for cell in cells:
        support = SUPPORTING.search(cell)
        text = cell[: support.start()] if support and support.start() > 0 else cell
        for part in OWNER_PARTS.split(text.strip(" ,;")):
            if part and not all(plain(p) for p in OWNER_SPLIT.split(part) if p):
                found.setdefault(same_name(part), part)
    return found


def _leads(
    actions: list[dict[str, object]], notes: list[str], listed: list[dict[str, str]] = ()
) -> list[dict[str, object]]:
    """Leads from the owner cells, split by the tracker's own reader (``parse.split_owners``): a lead the source
    lists keeps its initials, initials typed are kept, a person's name gets initials made (two names on one set of
    initials are named), and an organisation stays its name, as a Leads row with no initials."""
    listed_known = {same_name(x) for lead in listed for x in (lead["initials"], lead["name"])}
    organisations = _organisations([_text(a.get("owners")) for a in actions], listed_known)
    known = listed_known | set(organisations)
    by_name = {lead["name"]: lead["initials"] for lead in listed}
    by_name.update({lead["initials"]: lead["initials"] for lead in listed})
    taken = {lead["initials"]: lead["name"] for lead in listed}
    titles = {lead["initials"]: lead.get("job_title", "") for lead in listed}
    named: dict[str, str] = {}  # organisations as the owner cells write them
    for a in actions:
        owners, supporting = split_owners(_text(a.get("owners")), known)
        written = []
        for token in owners:
            if token in by_name:
                written.append(by_name[token])
                continue
            if same_name(token) in organisations:
                written.append(named.setdefault(same_name(token), organisations[same_name(token)]))
                continue
            if _INITIALS.match(token):
                initials = token
            else:
                initials = base = _initials(token)
                n = 1
                while initials in taken and same_name(
                    _without_titles(taken[initials])
                ) != same_name(_without_titles(token)):
                    n += 1
                    initials = f"{base}{n}"
                if initials != base:
                    notes.append(
                        f"{taken[base]} and {token} both make {base}: {token} is {initials}."
                    )
            by_name[token] = initials
            taken.setdefault(initials, token)
            written.append(initials)
        if written:
            a["owners"] = "/".join(written) + (f" {supporting}" if supporting else "")
    return [
        {"initials": i, "name": n, **({"job_title": titles[i]} if titles.get(i) else {})}
        for i, n in taken.items()
    ] + [{"name": name} for name in named.values()]


def _date(value: object, unreadable: list[str], where: str) -> object:
    """A deadline through the one date reader: a date when it reads one, else the text as typed (noted)."""
    if schemes.is_ongoing_deadline(value):
        return (
            value  # "Ongoing", "Monthly", ...: an action with no end date, as the tracker reads it
        )
    reading = read_date(value)
    if reading.value is not None and not reading.month_only:
        return reading.value
    if reading.value is None:
        unreadable.append(f"{where}: {reading.problem}")
    return value


def collect(path: Path | str, mapping: dict | None = None) -> Imported:
    """Read the source and map it: the officers' rows a tracker made from it would hold."""
    path = Path(path)
    tables = read_source(path)
    choice = choose(tables, mapping)
    unreadable: list[str] = []
    actions: list[dict[str, object]] = []
    recs: dict[str, dict[str, object]] = {}
    shading = 0
    places: list[str] = []  # each action's row in the source
    for table in choice.tables:
        columns = choice.columns[table.label]
        headers = choice.headers[table.label]
        header_row = choice.header_rows[table.label]
        header_texts = [h.lower() for h in headers]
        rec_id: str | None = None
        for number, cells in table.rows:
            if number <= header_row or number in choice.skip.get(table.label, ()):
                continue
            texts = [_text(c.value) for c in cells]
            if not any(texts) or [t.lower() for t in texts] == header_texts[: len(texts)]:
                continue  # blank, or the header repeated on a new page
            rec = recommendation_row(texts)
            if rec is not None:
                rec_id = rec[0] or str(len(recs) + 1)
                recs.setdefault(rec_id, {"rec_id": rec_id, "text": rec[1]})
                continue
            row: dict[str, object] = {}
            for i, column in columns.items():
                if column == IGNORE or i >= len(cells):
                    continue
                name, cell = FIELDS[column], cells[i]
                value = cell.value.strip() if isinstance(cell.value, str) else cell.value
                if name == "recorded_rag" and value in ("", None):
                    letter = colour_letter(cell.fill, choice.colours)
                    if letter:
                        value, shading = letter, shading + 1
                pairs = [(name, value)]
                was = _WAS.match(value) if isinstance(value, str) else None
                if (
                    name == "original_deadline"
                    and was
                    and "Current deadline" not in columns.values()
                ):
                    pairs = [(name, was["was"]), ("current_deadline", was["now"])]
                for name, value in pairs:
                    if name in DATES and value not in ("", None):
                        value = _date(value, unreadable, table.where(number, i, headers[i]))
                    if value not in ("", None):
                        row[name] = value
            if not row.get("text"):
                continue
            row.setdefault("rec_id", rec_id or _text(row.get("action_id")).split(".")[0] or "1")
            row["rec_id"] = _text(row["rec_id"])
            row["action_id"] = _text(row.get("action_id"))
            recs.setdefault(row["rec_id"], {"rec_id": row["rec_id"], "text": ""})
            actions.append(row)
            places.append(f"{table.label}, row {number}")
    ids = _give_ids(actions, places)
    revisions = []
    for a in actions:
        old, new = a.get("original_deadline"), a.get("current_deadline")
        if isinstance(old, date) and isinstance(new, date) and old != new:
            revisions.append(
                {"action_id": a["action_id"], "old_deadline": old, "new_deadline": new}
            )
    collisions: list[str] = []
    leads = _leads(actions, collisions, listed_leads(tables))
    rows = {
        "Actions": actions,
        "Recommendations": list(recs.values()),
        "Leads": leads,
        "Revisions": revisions,
        "Periods": choice.periods,
    }
    return Imported(
        path.name,
        choice,
        rows,
        unreadable,
        shading,
        ids,
        collisions,
        _unknown_words(actions, choice),
    )


@dataclass
class _Pending:
    """An imported action as ``ids.fresh_ids`` and ``jobs.ids_given`` see it: its id, recommendation, the Actions
    row it is written to, and its text."""

    action_id: str
    rec_id: str
    row: int
    text: str


FIRST_ROW = 2  # the Actions row of the first action (row 1 is the header), as ``jobs.new_tracker`` writes them


def _give_ids(actions: list[dict[str, object]], places: list[str]) -> list[dict[str, str]]:
    """Ids for the actions with none, by the one rule of ``validate --fix-ids`` (``ids.fresh_ids``): each with the
    source row it came from and the Actions row it is written to."""
    pending = [
        _Pending(a["action_id"], a["rec_id"], n, _text(a.get("text")))
        for n, a in enumerate(actions, FIRST_ROW)
    ]
    given = []
    for p, new in fresh_ids(pending):
        actions[p.row - FIRST_ROW]["action_id"] = new
        given.append({"id": new, "place": places[p.row - FIRST_ROW], "row": p.row, "text": p.text})
    return given


def _unknown_words(actions: list[dict[str, object]], choice) -> dict[str, int]:
    """The status words the tracker would not know (its Settings "Words for ..." rows, as the mapping's
    [settings] give them): each with how many actions use it."""
    words, _ = schemes.status_words(choice.settings)
    out: dict[str, int] = {}
    for a in actions:
        typed = _text(a.get("status"))
        if typed and words.meaning_of(typed) is None:
            out[typed] = out.get(typed, 0) + 1
    return out


def read_mapping(path: Path | str | None) -> dict | None:
    if path is None:
        return None
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"{path.name} cannot be read as a mapping file ({exc}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UnusableInput(f"{path.name} is not a valid mapping file (TOML): {exc}.") from exc


def import_plan(
    source: Path | str,
    mapping: dict | None = None,
    scheme: str | None = None,
    as_at: date | None = None,
) -> Imported:
    """The preview of an import: the rows, with the tracker's Settings (scheme, as-at date, the mapping's [settings])."""
    from ofsted_tracker.workbook.store.writer import settings_rows  # defers openpyxl

    imported = collect(source, mapping)
    values: dict[str, object] = {"Class": "Part 1", **imported.choice.settings}
    typed = values.get(schemes.SCHEME_KEY)
    if scheme is None and typed not in (None, ""):  # the mapping file's [settings] names it
        scheme = str(typed)
    if scheme is not None:
        picked = schemes.scheme_named(
            scheme
        )  # the one reader of a scheme's name, as Settings and new read it
        if picked is None:
            raise UnusableInput(
                f"--scheme {scheme}: the tracker knows {', '.join(schema.SCHEMES)}."
            )
        values[schemes.SCHEME_KEY] = picked.name
        imported.scheme, imported.scheme_assumed = picked.name, False
    if as_at is not None:
        values["As at date"] = as_at
    for key in DATES_IN_SETTINGS:
        if isinstance(values.get(key), str):
            reading = read_date(values[key])
            if reading.value is not None:
                values[key] = reading.value
    imported.rows["Settings"] = settings_rows(values)
    return imported


DATES_IN_SETTINGS = ("As at date", "Meeting date")


def write_tracker(imported: Imported, out: Path | str, force: bool = False):
    """Make the tracker as ``new`` does, from the imported rows, and validate it (its summary)."""
    out = Path(out)
    if out.exists() and not force:
        raise UnusableInput(
            f"{out.name} already exists. Choose another name, or add --force to replace it (a backup is kept)."
        )
    for p in imported.rows["Periods"]:
        for key in ("start", "end"):
            if isinstance(p.get(key), str):
                p[key] = read_date(p[key]).value or p[key]
    jobs.new_tracker(out, imported.rows)
    if not isinstance(imported.rows_settings().get("As at date"), date):
        return (
            None  # nothing to rate against yet: the officer fills in 'As at date', then validates
        )
    summary = jobs.open_summary(out)
    finding = ids_finding(imported)
    if finding is None:
        return summary
    return replace(summary, findings=sort_findings((*summary.findings, finding)))


def ids_finding(imported: Imported) -> Finding | None:
    """The finding listing each id the import gave, at its cell of the tracker made (``jobs.ids_given``)."""
    if not imported.ids_given:
        return None
    given = [
        (_Pending(str(g["id"]), "", int(g["row"]), str(g["text"])), str(g["id"]))
        for g in imported.ids_given
    ]
    letter = schema.ACTIONS.letter("action_id")
    return jobs.ids_given(given, letter, f"given at import; {imported.source} is unchanged")
