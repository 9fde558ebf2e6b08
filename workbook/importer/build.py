"""From the chosen tables to a tracker's officers' rows, the preview, and the tracker ``new`` would make."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
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
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.dates import read_date

_INITIALS = re.compile(r"^(?:[A-Z]{1,4}[0-9]?|[A-Z]{2}[a-z][A-Z]?)$")  # PK, SK2, JSt
_WAS = re.compile(
    r"^(?P<now>.+?)\s*\(was (?P<was>[^)]+)\)$", re.DOTALL
)  # the report's own "31/01/17 (was 30/10/16)"
_OWNERS = re.compile(r"\s*[/,]\s*")
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
    made_ids: int = 0
    collisions: list[str] = field(default_factory=list)
    scheme: str = schema.SCHEMES[0]
    scheme_assumed: bool = True

    def rows_settings(self) -> dict[str, object]:
        return {r["key"]: r["value"] for r in self.rows.get("Settings", [])}

    def counts(self) -> dict[str, int]:
        return {
            "recommendations": len(self.rows["Recommendations"]),
            "actions": len(self.rows["Actions"]),
            "revisions": len(self.rows["Revisions"]),
            "leads": len(self.rows["Leads"]),
        }

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
            "ids_made": self.made_ids,
            "lead_collisions": self.collisions,
            "unreadable": self.unreadable,
            "mapping_file": mapping_toml(self.choice),
        }

    def lines(self) -> list[str]:
        c = self.counts()
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
            f"Found {c['recommendations']} recommendations, {c['actions']} actions, {c['revisions']} revisions, "
            f"{c['leads']} leads. Scheme: {self.scheme}{' (assumed; --scheme to choose)' if self.scheme_assumed else ''}."
        )
        if self.from_shading:
            out.append(
                f"RAG read from cell shading in {self.from_shading} cells (no letter typed)."
            )
        if self.made_ids:
            out.append(
                f"Action ids made for {self.made_ids} actions that had none (recommendation.number)."
            )
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


def _leads(
    actions: list[dict[str, object]], notes: list[str], listed: list[dict[str, str]] = ()
) -> list[dict[str, object]]:
    """Leads from the owner cells (split on / or ,): a lead the source lists keeps its initials, initials typed
    are kept, other names get initials made, and two names on one set of initials are named."""
    by_name = {lead["name"]: lead["initials"] for lead in listed}
    by_name.update({lead["initials"]: lead["initials"] for lead in listed})
    taken = {lead["initials"]: lead["name"] for lead in listed}
    titles = {lead["initials"]: lead.get("job_title", "") for lead in listed}
    for a in actions:
        owners = []
        for token in _OWNERS.split(_text(a.get("owners"))):
            if not token:
                continue
            if token in by_name:
                owners.append(by_name[token])
                continue
            if _INITIALS.match(token):
                initials = token
            else:
                initials = base = _initials(token)
                n = 1
                while initials in taken and taken[initials] != token:
                    n += 1
                    initials = f"{base}{n}"
                if initials != base:
                    notes.append(
                        f"{taken[base]} and {token} both make {base}: {token} is {initials}."
                    )
            by_name[token] = initials
            taken.setdefault(initials, token)
            owners.append(initials)
        if owners:
            a["owners"] = "/".join(owners)
    return [
        {"initials": i, "name": n, **({"job_title": titles[i]} if titles.get(i) else {})}
        for i, n in taken.items()
    ]


def _date(value: object, unreadable: list[str], where: str) -> object:
    """A deadline through the one date reader: a date when it reads one, else the text as typed (noted)."""
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
    shading = made = 0
    for table in choice.tables:
        columns = choice.columns[table.label]
        headers = choice.headers[table.label]
        header_row = choice.header_rows[table.label]
        header_texts = [h.lower() for h in headers]
        rec_id: str | None = None
        counter: dict[str, int] = {}
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
            if not row.get("action_id"):
                counter[row["rec_id"]] = counter.get(row["rec_id"], 0) + 1
                row["action_id"], made = f"{row['rec_id']}.{counter[row['rec_id']]}", made + 1
            row["action_id"] = _text(row["action_id"])
            recs.setdefault(row["rec_id"], {"rec_id": row["rec_id"], "text": ""})
            actions.append(row)
    revisions = []
    for a in actions:
        old, new = a.get("original_deadline"), a.get("current_deadline")
        if isinstance(old, date) and isinstance(new, date) and old != new:
            revisions.append(
                {"action_id": a["action_id"], "old_deadline": old, "new_deadline": new}
            )
        a.pop("success", None)  # no Actions column for it yet (issue 20)
    collisions: list[str] = []
    leads = _leads(actions, collisions, listed_leads(tables))
    rows = {
        "Actions": actions,
        "Recommendations": list(recs.values()),
        "Leads": leads,
        "Revisions": revisions,
        "Periods": choice.periods,
    }
    return Imported(path.name, choice, rows, unreadable, shading, made, collisions)


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
    if scheme is not None:
        known = {s.lower(): s for s in schema.SCHEMES}
        if scheme.lower() not in known:
            raise UnusableInput(
                f"--scheme {scheme}: the tracker knows {', '.join(schema.SCHEMES)}."
            )
        values["Rating scheme"] = known[scheme.lower()]
        imported.scheme, imported.scheme_assumed = known[scheme.lower()], False
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
    return jobs.open_summary(out)
