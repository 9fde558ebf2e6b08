"""The report's content as plain data: every figure, list and sentence part the template shows, from the Summary.

This step is pure (no docx, no files, no clock): it turns a :class:`workbook.rules.summary.Summary` into a dict of
strings, numbers and lists that the Word template reads through its placeholders. Every count the prose states is
the length of a list the same dict holds for a table, so the report cannot disagree with itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ofsted_tracker.report_builder.text import (
    CleanRows,
    bullets,
    clean,
    clean_all,
    join_words,
    month_span,
    number_words,
    period_title,
    prose_date,
    table_date,
    typed_deadline,
    with_article,
)
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.findings import ERROR, WARNING
from ofsted_tracker.workbook.plan.model import Action, Plan, Recommendation
from ofsted_tracker.workbook.plan.schema import PLAN_TYPES, same_name
from ofsted_tracker.workbook.plan.schemes import Bucket, Scheme
from ofsted_tracker.workbook.plan.words import counted, noun
from ofsted_tracker.workbook.rules.history import other_scheme
from ofsted_tracker.workbook.rules.summary import Summary

# The template's vocabulary: each top-level placeholder and what it holds (the README lists the same).
PLACEHOLDERS: dict[str, str] = {
    "council": "Council name (Settings)",
    "committee": "Committee the report goes to (Settings)",
    "title": "Report title (Settings)",
    "plan_title": "Title of the improvement plan (Settings)",
    "wards": "Wards affected (Settings)",
    "contributors": "Contributors (Settings)",
    "report_class": "Class, e.g. Part 1 (Settings)",
    "author": "Author of the document (Settings)",
    "meeting_date": "Meeting date in words: 10 November 2016",
    "as_at": "As-at date in words: 31 October 2016",
    "as_at_short": "As-at date as in tables: 31/10/16",
    "periods_count": "How many reporting periods, in words: four",
    "periods_text": "The reporting periods in words: February to April 2016; May to July 2016 and ...",
    "period": "The reporting period: name, title, months, counts and lists (fields below)",
    "overall": "The whole plan by the plan's rating scheme: total, completed (G), ongoing (A), not_completed (R), "
    "not_rated, extra (the fourth bucket: Blue or Completed; 0 in RAG)",
    "scheme": "The plan's rating scheme (Settings 'Rating scheme') in the report's words: name, its buckets and "
    "the key (fields below); every rating's label, name and fill in the report comes from it",
    "success_measures": "Whether any action has a 'What does success look like?' (the action tables then show it)",
    "recorded_differs": "How many actions' recorded RAG differs from the rule",
    "recorded_differs_actions": "Those actions (ref, text, note: 'rated Amber by officers, but its deadline of ... has "
    "passed'), judged in the plan's scheme",
    "undated_complete": "Actions counted as completed by deadline whose deadline is not a date (ref, text, note: "
    "the deadline as typed); always empty in the two Completed schemes",
    "data_errors": "How many errors validation found in the workbook (the report still builds)",
    "data_warnings": "How many warnings validation found",
    "findings": "The errors, one row each (severity, cell, action, message); warnings are left to the Checks sheet",
    "policy_context": "The council's policy context paragraph (Settings 'Policy context', else a placeholder to fill)",
    "equalities_context": "The equalities implications paragraph (Settings 'Equalities context', else a placeholder)",
    "revisions": "The period's deadline revisions (rows: ref, action, old, new, reason, agreed_by)",
    "revisions_count": "How many deadline revisions (the number of rows of revisions)",
    "revisions_agreed_by": "Who agreed the revisions when one body agreed all of them ('the Board'), else blank",
    "sections": "Sections (A, B, C) with their recommendations and RAG counts (fields below)",
    "leads": "Key leads (rows: initials, name, job_title)",
    "unknown_owners": "Owners typed on the Actions sheet that are not in Leads, shown as typed",
    "rag_chart": "The native RAG chart (per section and overall); put it alone in a paragraph",
    "trend_chart": "The native trend chart (RAG counts at each report to date); alone in a paragraph",
    "plan_type": "Settings 'Plan type' as one of its choices (Ofsted ILACS, ..., Other), blank when not filled in",
    "inspectorate": "Settings 'Inspectorate', else the plan type's (Ofsted for Ofsted ILACS), else blank",
    "inspection_date": "Settings 'Inspection date' in words, else blank",
    "ilacs": "Whether the plan type is Ofsted ILACS (the paragraphs naming Ofsted and its Act)",
    "plan_origin": "The inspection or audit the plan was developed after ('an inspection by CQC in May 2024'), "
    "else blank",
    "officers_annex": "Whether the officers' annex (every error cell by cell) is asked for (report --officers-annex)",
    "unfinished_count": "How many actions are not complete in the scheme (rated neither Green nor Blue in RAG and "
    "BRAG; not Completed in the two Completed schemes)",
    "uncommented_count": "How many of those have no progress commentary this period",
    "uncommented_actions": "Those actions' refs: 1.2, 2.3, ...",
}
COUNTS = ("total", "completed", "ongoing", "not_completed", "not_rated", "extra")
RAG = ("rag", "fill", "rag_name")
FIELDS: dict[str, tuple[str, ...]] = {
    "period": (
        "name",
        "title",
        "months",
        "start",
        "end",
        "due",
        "completed",
        "not_completed",
        "not_yet_due",
        "rescheduled",
        "completed_late",
        "completed_actions",
        "not_completed_actions",
        "not_yet_due_actions",
        "groups",
        "completed_rating",
        "not_completed_rating",
        "not_yet_due_rated",
        "not_yet_due_letters",
    ),
    "scheme": (
        "name",
        "column",
        "brag",
        "completed_apart",
        "days_behind",
        "tolerance",
        "buckets",
        "extra",
        "green",
        "amber",
        "red",
        "key",
        "done",
        "unfinished",
        "trend_green",
        "trend_last",
    ),
    "scheme.buckets, scheme.extra, scheme.green, scheme.amber, scheme.red, period.*_rating": (
        "letter",
        "name",
        "colour",
        "meaning",
        "label",
        "actions",
        "described",
        "heading",
        "row",
        "key",
        "fill",
        "font",
        "count",
    ),
    "period.*_actions": ("ref", "text", "note"),
    "period.groups": ("heading", "rows"),
    "period.groups.rows": ("ref", "text", "owner", *RAG, "progress", "deadline"),
    "overall, *.counts": COUNTS,
    "recorded_differs_actions, undated_complete": ("ref", "text", "note"),
    "findings": ("severity", "cell", "action", "message"),
    "revisions": ("ref", "action", "old", "new", "reason", "agreed_by"),
    "sections": ("heading", "recommendations", "counts"),
    "sections.recommendations": (
        "ref",
        "heading",
        "text",
        "lead",
        "linked_plan",
        "partners",
        "outcomes",
        "measures",
        "actions",
        "progress",
        "exceptions",
        "uncommented",
        "impact",
        "further_action",
        "counts",
    ),
    "sections.recommendations.actions": (
        "ref",
        "text",
        "success_measure",
        "deadline",
        "status",
        "owner",
        *RAG,
    ),
    "sections.recommendations.exceptions": ("ref", "text", *RAG, "commentary"),
    "leads": ("initials", "name", "job_title"),
}

NOT_RATED = "NR"
NOT_RATED_FILL = (
    "BFBFBF"  # grey: no RAG colour, and darker than the header rows so it is not read as one
)
NO_SECTION = "Other recommendations"
NO_RECOMMENDATION = "Actions with no matching recommendation"
POLICY_PLACEHOLDER = (
    "[Council policy context: replace this paragraph with how the plan serves the council's own "
    "strategies and priorities, or fill in 'Policy context' on the Settings sheet.]"
)
EQUALITIES_PLACEHOLDER = (
    "[Equalities implications: replace this paragraph with how the plan sits within the "
    "council's equalities scheme and objectives, or fill in 'Equalities context' on the Settings "
    "sheet.]"
)
SEVERITY_WORDS = {ERROR: "Error", WARNING: "Warning"}
NO_COMMENTARY_CELL = (
    "\u2014"  # a dash in the period's table: the appendix lists the actions with no commentary once
)
# Settings "Plan type": who inspects when Settings "Inspectorate" is blank
INSPECTORATES = {
    "Ofsted ILACS": "Ofsted",
    "Ofsted/CQC area SEND": "Ofsted and the CQC",
    "JTAI": "Ofsted, the CQC, HMICFRS and HM Inspectorate of Probation",
    "CQC": "the CQC",
    "HMICFRS": "HMICFRS",
}


@dataclass(frozen=True)
class _Section:
    """A group of recommendations under one heading (A. Early help and safeguarding), each with its actions."""

    heading: str
    recommendations: tuple[tuple[Recommendation, tuple[Action, ...]], ...]


def rag_cell(rag: str | None, scheme: Scheme = schemes.RAG) -> dict[str, str]:
    """What a rating's cell shows in the plan's scheme: its letter, the colour it is filled with, and its name."""
    bucket = scheme.bucket(rag)
    if bucket is not None:
        return {"rag": bucket.letter, "fill": bucket.fill, "rag_name": bucket.name}
    return {"rag": NOT_RATED, "fill": NOT_RATED_FILL, "rag_name": "Not rated"}


def rag_cells(scheme: Scheme) -> dict[str | None, dict[str, str]]:
    """Each of the scheme's letters (and None, not rated) to its cell; rows share these (read-only) dicts."""
    return {rag: rag_cell(rag, scheme) for rag in (*scheme.letters, None)}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def bucket_words(bucket: Bucket, count: str) -> dict[str, str]:
    """A rating as the report names and colours it (``scheme.green`` and the rest); ``count``: the key that holds
    its count in every counts record (``overall``, ``sections.counts``, ``trend``)."""
    return {
        "letter": bucket.letter,
        "name": bucket.name,
        "colour": bucket.name.lower(),
        "meaning": bucket.meaning,
        "label": bucket.label,
        "actions": bucket.actions,
        "described": bucket.actions_described,
        "heading": f"{_capital(bucket.actions)} ({bucket.letter})",
        "row": _capital(bucket.actions_described),
        "key": f"{bucket.letter} ({bucket.name.lower()}) {bucket.key_words}",
        "fill": bucket.fill,
        "font": bucket.font,
        "count": count,
    }


def scheme_words(scheme: Scheme, tolerance: int = schemes.DEFAULT_TOLERANCE) -> dict:
    """The plan's rating scheme as the report words it: every label, name and fill comes from here
    (``tolerance``: the Amber tolerance in days, which Days behind rates by)."""
    counts = {"G": "completed", "A": "ongoing", "R": "not_completed"}
    words = {b.letter: bucket_words(b, counts.get(b.letter, "extra")) for b in scheme.buckets}
    done = scheme.extra.meaning if scheme.completed_apart else schemes.RAG.green.meaning
    return {
        "name": scheme.name,
        "column": scheme.name if len(scheme.name) <= 4 else "Rating",
        "brag": scheme is schemes.BRAG,
        "completed_apart": scheme.completed_apart,
        "days_behind": scheme.days_behind,
        "tolerance": counted(tolerance, "day") if scheme.days_behind else "",
        "buckets": [words[b.letter] for b in scheme.buckets],
        "extra": words[scheme.extra.letter] if scheme.extra else None,
        "green": words["G"],
        "amber": words["A"],
        "red": words["R"],
        "key": "Key: "
        + "; ".join(words[b.letter]["key"] for b in scheme.buckets)
        + f"; {NOT_RATED} (grey) not rated: no valid target date.",
        "done": done,
        "unfinished": "actions not yet complete",  # not the Red bucket's 'not completed by deadline'
        "trend_green": "B+G" if scheme is schemes.BRAG else "G",
        "trend_last": scheme.extra.label if scheme.completed_apart else "Recorded as complete",
    }


def owner_names(plan: Plan, action: Action) -> str:
    """The action's owners as full names from Leads (``Plan.lead_named``); owners not in Leads are shown as typed."""
    leads = [plan.lead_named(owner) for owner in action.owners]
    return ", ".join(
        lead.name if lead is not None and lead.name else owner
        for lead, owner in zip(leads, action.owners)
    )


class _Shown(dict):
    """Officers' text as the report shows it: ``shown[text]`` is ``clean(text)``, each distinct string cleaned once
    (an action's text and owners appear in up to four lists, and deadlines and stock phrases repeat on many rows)."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self._plan = plan
        self._owners: dict[tuple[str, ...], str] = {}

    def __missing__(self, text: str) -> str:
        done = self[text] = clean(text)
        return done

    def owner(self, action: Action) -> str:
        """:func:`owner_names`, cleaned."""
        done = self._owners.get(action.owners)
        if done is None:
            done = self._owners[action.owners] = clean(owner_names(self._plan, action))
        return done


def unknown_owners(plan: Plan) -> list[str]:
    """Owners typed on the Actions sheet that are neither initials nor a name in Leads (``Plan.lead_named``), in order
    of first use."""
    seen: dict[str, None] = {}
    for action in plan.actions:
        for owner in action.owners:
            if owner and plan.lead_named(owner) is None:
                seen.setdefault(owner, None)
    return list(seen)


def original_shown(action: Action, style=table_date) -> str:
    """The original deadline as the report shows it: a date, or the text as typed when it is no date or a month."""
    return typed_deadline(action.original_deadline, action.original_raw, style)


def in_force_shown(action: Action, style=table_date) -> str:
    """The deadline now in force as the report shows it (the current one when filled in, else the original)."""
    if action.current_deadline is None and not action.current_raw:
        return original_shown(action, style)
    return typed_deadline(action.current_deadline, action.current_raw, style)


def _deadline_shown(action: Action) -> str:
    """The deadline now in force for a table, with the original when it moved; text that is no date as typed."""
    now, was = in_force_shown(action), original_shown(action)
    return f"{now}\n(was {was})" if now and was and was != now else now or was


def _sections(plan: Plan) -> list[_Section]:
    """Recommendations with their actions, grouped by section in order of first appearance.

    Actions whose recommendation is not on the Recommendations sheet are gathered last, under their own heading,
    so that no action is ever left out of the report.
    """
    by_rec: dict[str, list[Action]] = {}
    for action in plan.actions:
        by_rec.setdefault(action.rec_id, []).append(action)
    groups: dict[str, list[tuple[Recommendation, tuple[Action, ...]]]] = {}
    for rec in plan.recommendations:
        letter, title = rec.section.strip(), rec.section_title.strip()
        heading = f"{letter}. {title}" if letter and title else (title or letter or NO_SECTION)
        groups.setdefault(heading, []).append((rec, tuple(by_rec.pop(rec.rec_id, ()))))
    sections = [_Section(heading, tuple(recs)) for heading, recs in groups.items()]
    if by_rec:  # what is left names no known recommendation
        names = ", ".join(r or "blank" for r in by_rec)
        text = f"These actions name a recommendation that is not on the Recommendations sheet ({names})."
        orphans = tuple(a for a in plan.actions if a.rec_id in by_rec)
        sections.append(
            _Section(NO_RECOMMENDATION, ((Recommendation(rec_id="", text=text), orphans),))
        )
    return sections


def _counts(ratings: Iterable[str | None]) -> dict[str, int]:
    """Counts by rating; ``completed``, ``ongoing`` and ``not_completed`` hold G, A and R in every scheme (their
    words are ``scheme.green`` and the rest), ``extra`` the fourth bucket's (Blue or Completed; 0 in RAG)."""
    values = list(ratings)
    return {
        "total": len(values),
        "completed": values.count("G"),
        "ongoing": values.count("A"),
        "not_completed": values.count("R"),
        "not_rated": values.count(None),
        "extra": values.count(schemes.BLUE) + values.count(schemes.COMPLETED),
    }


def _period(
    summary: Summary, section_of: dict[str, str], headings: list[str], shown: _Shown, words: dict
) -> dict:
    """The period snapshot: counts, the named lists behind them and the period's actions table by section."""
    p = summary.period
    if p is None:
        unknown = next((f.message for f in summary.findings if f.code == "period-unknown"), "")
        raise UnusableInput(
            (f"The {unknown[0].lower()}{unknown[1:].rstrip('.')}. " if unknown else "")
            + "The report needs a reporting period: give --period NAME (a name on the Periods sheet) "
            "or fill in 'Reporting period' on the Settings sheet."
        )
    plan = summary.plan
    scheme = plan.scheme
    cells = rag_cells(scheme)
    actions = {a.action_id: a for a in plan.actions}
    # judged against the original deadline: completed by it is the scheme's complete rating (Completed in the two
    # Completed schemes, else Green), not completed by it Red; not yet due Amber in RAG and BRAG, and in the
    # Completed schemes the action's own rating (Green for on track, Amber, Red: its deadline is still to come)
    done = schemes.COMPLETED if scheme.completed_apart else "G"
    judged = {
        **{i: done for i in p.completed},
        **{i: "R" for i in p.not_completed},
        **{i: summary.ratings.get(i) if scheme.completed_apart else "A" for i in p.not_yet_due},
    }
    later = [
        b["letter"] for b in words["buckets"] if b["letter"] in {judged[i] for i in p.not_yet_due}
    ]

    def named(ids: tuple[str, ...], note) -> CleanRows:
        # in a sentence's list the item's own full stop would clash with the bracket after it
        return CleanRows(
            {
                "ref": shown[i],
                "text": shown[actions[i].text.rstrip().rstrip(".")],
                "note": clean(note(actions[i])),
            }
            for i in ids
        )

    def missed(a: Action) -> str:
        was = original_shown(a, prose_date)
        if a.is_complete and a.completed_on:
            return f"completed on {prose_date(a.completed_on)}, after its deadline of {was}"
        if a.is_complete:
            return f"completed after its deadline of {was}"
        if a.action_id in p.rescheduled and a.deadline and a.deadline != a.original_deadline:
            return f"deadline of {was} extended to {in_force_shown(a, prose_date)}"
        return f"deadline of {was} passed; not yet complete"

    groups: dict[str, CleanRows] = {}
    for action_id in p.due:
        a = actions[action_id]
        deadline = original_shown(a)
        if a.deadline and a.deadline != a.original_deadline:
            deadline += f"\n(now {in_force_shown(a)})"
        groups.setdefault(section_of[action_id], CleanRows()).append(
            {
                "ref": shown[a.action_id],
                "text": shown[a.text],
                "owner": shown.owner(a),
                **cells[judged[action_id] if judged[action_id] in cells else None],
                "progress": shown[a.commentary or NO_COMMENTARY_CELL],
                "deadline": deadline,
            }
        )
    return {
        "name": p.period.name,
        "title": period_title(p.period.name),
        "months": month_span(p.period.start, p.period.end),
        "start": prose_date(p.period.start),
        "end": prose_date(p.period.end),
        "due": len(p.due),
        "completed": len(p.completed),
        "not_completed": len(p.not_completed),
        "not_yet_due": len(p.not_yet_due),
        "rescheduled": len(p.rescheduled),
        "completed_late": len(p.completed_late),
        "completed_actions": named(p.completed, lambda a: ""),
        "not_completed_actions": named(p.not_completed, missed),
        "not_yet_due_actions": named(
            p.not_yet_due, lambda a: f"due {original_shown(a, prose_date)}"
        ),
        "groups": [{"heading": h, "rows": groups[h]} for h in headings if h in groups],
        "completed_rating": next(b for b in words["buckets"] if b["letter"] == done),
        "not_completed_rating": words["red"],
        "not_yet_due_rated": (
            f"rated '{words['amber']['colour']}' ({words['amber']['letter']})"
            if not scheme.completed_apart
            else f"rated as in the rest of this report ({_either(words, ('G', 'A', 'R'))})"
        ),
        "not_yet_due_letters": _either(words, later or ("A",)),
    }


def _either(words: dict, letters: Iterable[str]) -> str:
    """Ratings' letters in words, in the scheme's order: "A", "G or A", "G, A or R"."""
    shown = [b["letter"] for b in words["buckets"] if b["letter"] in set(letters)]
    return ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else "".join(shown)


def _recommendation(
    rec: Recommendation,
    actions: list[Action],
    ratings: dict[str, str | None],
    shown: _Shown,
    scheme: Scheme,
    cells: dict[str | None, dict[str, str]],
) -> dict:
    """A recommendation with its actions table and exceptions, every string already cleaned (see CleanRows)."""
    rows, exceptions, uncommented = [], [], []
    for a in actions:
        rag = ratings.get(a.action_id)
        ref, text, cell = (
            shown[a.action_id],
            shown[a.text],
            cells[rag if rag in cells else None],
        )
        rows.append(
            {
                "ref": ref,
                "text": text,
                "success_measure": shown[a.success_measure],
                "deadline": shown[_deadline_shown(a)],
                "status": shown[a.status],
                "owner": shown.owner(a),
                **cell,
            }
        )
        if rag in scheme.complete_letters:  # complete (Green, Blue or Completed) is no exception
            continue
        if a.commentary:
            exceptions.append({"ref": ref, "text": text, **cell, "commentary": shown[a.commentary]})
        else:
            uncommented.append(f"{ref} ({cell['rag_name']})")
    return {
        "ref": shown[rec.rec_id],
        "heading": shown[
            f"Recommendation {rec.rec_id}" if rec.rec_id else ""
        ],  # its section says it already
        "text": shown[rec.text],
        "lead": shown[rec.lead],
        "linked_plan": shown[rec.linked_plan],
        "partners": shown[rec.partners],
        "outcomes": [shown[b] for b in bullets(rec.expected_outcomes)],
        "measures": [shown[b] for b in bullets(rec.success_measures)],
        "actions": rows,
        "progress": shown[rec.progress_commentary],
        "exceptions": exceptions,
        "uncommented": uncommented_sentence(uncommented),
        "impact": shown[rec.impact],
        "further_action": shown[rec.further_action],
        "counts": _counts(ratings.get(a.action_id) for a in actions),
    }


def uncommented_sentence(refs: list[str]) -> str:
    """The recommendation's unfinished actions with no commentary of their own, in one sentence (blank for none):
    'Action 1.2 (Amber) has no progress commentary of its own this period.'"""
    if not refs:
        return ""
    one = len(refs) == 1
    return (
        f"{noun(len(refs), 'Action')} {join_words(refs, ', ')} {'has' if one else 'have'} no progress "
        f"commentary of {'its' if one else 'their'} own this period."
    )


def capitalised(message: str) -> str:
    """A message as a sentence in the report: its first letter a capital."""
    return message[:1].upper() + message[1:]


def plan_words(plan: Plan, council: str) -> dict[str, object]:
    """What the report's standard paragraphs say about the plan's origin, from Settings "Plan type", "Inspectorate"
    and "Inspection date": Ofsted, an Act or children's social care only when the plan type says so."""
    typed = clean(plan.setting("Plan type"))
    plan_type = next(
        (t for t in PLAN_TYPES if same_name(t) == same_name(typed)), "Other" if typed else ""
    )
    inspectorate = clean(plan.setting("Inspectorate")) or INSPECTORATES.get(plan_type, "")
    day = plan.setting("Inspection date", None)
    when = f" in {calendar.month_name[day.month]} {day.year}" if isinstance(day, date) else ""
    ilacs = plan_type == "Ofsted ILACS"
    if ilacs:
        origin = (
            f"the statutory inspection of children's social care in {council or 'the council'}"
            f"{when} by {inspectorate}"
        )
    elif plan_type == "Internal audit":
        origin = f"an internal audit{when}"
    elif inspectorate:
        origin = f"an inspection by {inspectorate}{when}"
    else:
        origin = f"an inspection{when}" if when else ""
    return {
        "plan_type": plan_type,
        "inspectorate": inspectorate,
        "inspection_date": prose_date(day) if isinstance(day, date) else "",
        "ilacs": ilacs,
        "plan_origin": origin,
    }


def differs_note(
    action: Action,
    recorded: str,
    derived: str | None,
    as_at: date,
    scheme: Scheme = schemes.RAG,
    tolerance: int = schemes.DEFAULT_TOLERANCE,
) -> str:
    """Why the rule's rating differs from the officers', in words for members and in the plan's scheme: "rated
    Amber by officers, but its deadline of 30 September 2016 has passed (Red in this report)"."""
    name = scheme.bucket(recorded).name if scheme.bucket(recorded) else recorded
    officers = f"rated {name} by officers"
    deadline = in_force_shown(action, prose_date)
    if derived is None:
        typed = action.current_raw or action.original_raw
        why = (
            f"its deadline ('{typed}') is not a date" if typed else "it has no deadline"
        ) + ", so it cannot be rated (not rated in this report)"
        return f"{officers}, but {why}"
    if scheme.completed_apart:
        why = _why_in_completed_scheme(action, derived, deadline, as_at, scheme, tolerance)
    elif derived == schemes.BLUE:
        why = "it is complete by its deadline, with its evidence of impact recorded"
    elif derived == "R":
        if action.is_complete:
            when = f"on {prose_date(action.completed_on)}, " if action.completed_on else ""
            why = f"it was completed {when}after its deadline of {deadline}"
        elif action.deadline and action.deadline < as_at:
            why = f"its deadline of {deadline} has passed"
        else:
            why = f"its progress status is {action.status.strip() or 'At risk'}"
    elif derived == "A":
        why = (
            f"it is not yet complete and its deadline of {deadline} is still to come"
            if recorded == "G"
            else f"its deadline of {deadline} is still to come and it is not marked At risk"
        )
    else:
        why = "it is recorded as complete, by its deadline" + (
            f" of {deadline}" if deadline else ""
        )
    return f"{officers}, but {why} ({scheme.name_of(derived)} in this report)"


def _why_in_completed_scheme(
    action: Action, derived: str, deadline: str, as_at: date, scheme: Scheme, tolerance: int
) -> str:
    """Why an action has its rating in RAG + Completed or Days behind (``differs_note``)."""
    status = f"its progress status is {action.status.strip() or 'blank'}"
    if derived == schemes.COMPLETED:
        return f"{status}, so it is complete"
    if action.no_end_date:
        return f"it has no end date and {status}"
    late = (as_at - action.deadline).days if action.deadline else 0
    if scheme.days_behind:
        if derived == "R":
            return f"its deadline of {deadline} passed {late} days ago, more than the {tolerance} allowed"
        if derived == "A":
            return (
                f"its deadline of {deadline} passed {late} days ago, within the {tolerance} allowed"
            )
        return f"it is not complete and its deadline of {deadline} is still to come"
    if derived == "R":
        return f"its deadline of {deadline} has passed" if late > 0 else status
    if derived == "A":
        return f"{status} and its deadline of {deadline} is still to come"
    return f"it is not complete, {status} and its deadline of {deadline} is still to come"


def report_context(summary: Summary, officers_annex: bool = False) -> dict:
    """Everything the committee report shows, as plain data for the template (every string cleaned for Word);
    ``officers_annex``: whether the report ends with the officers' annex, the errors cell by cell."""
    plan = summary.plan
    ratings = summary.ratings
    scheme = plan.scheme
    cells = rag_cells(scheme)
    words_of_scheme = scheme_words(scheme, plan.tolerance)
    shown = _Shown(plan)
    sections = []
    section_of: dict[str, str] = {}
    for section in _sections(plan):
        recs = []
        for rec, actions in section.recommendations:
            section_of.update({a.action_id: section.heading for a in actions})
            recs.append(_recommendation(rec, list(actions), ratings, shown, scheme, cells))
        sections.append(
            {
                "heading": section.heading,
                "recommendations": CleanRows(recs),
                "counts": _counts(
                    ratings.get(a.action_id)
                    for _, actions in section.recommendations
                    for a in actions
                ),
            }
        )
    headings = [s["heading"] for s in sections]

    o = summary.overall
    revisions = []
    actions = {a.action_id: a for a in plan.actions}
    for r in summary.revisions:
        reason = r.reason or "No reason recorded."
        if not r.approved:
            reason += " (not yet agreed)"
        revisions.append(
            {
                "ref": r.action_id,
                "action": actions[r.action_id].text
                if r.action_id in actions
                else "(not an action of the plan)",
                "old": table_date(r.old_deadline),
                "new": table_date(r.new_deadline),
                "reason": reason,
                "agreed_by": r.agreed_by,
            }
        )
    agreed_by = {r.agreed_by.strip() for r in summary.revisions}
    meeting = plan.setting("Meeting date")
    periods = sorted(plan.periods, key=lambda x: x.start)
    differ = CleanRows(
        {
            "ref": shown[d.action_id],
            "text": shown[actions[d.action_id].text.rstrip().rstrip(".")],
            "note": clean(
                differs_note(
                    actions[d.action_id],
                    d.recorded,
                    d.derived,
                    summary.as_at,
                    scheme,
                    plan.tolerance,
                )
            ),
        }
        for d in summary.disagreements
        if d.action_id in actions
    )
    undated = CleanRows(
        {
            "ref": shown[a.action_id],
            "text": shown[a.text.rstrip().rstrip(".")],
            "note": clean(in_force_shown(a) or "blank"),
        }
        for a in plan.actions
        if not scheme.completed_apart  # Completed does not depend on the deadline
        and ratings.get(a.action_id) in scheme.complete_letters
        and a.deadline is None
    )
    shown_findings = CleanRows(
        {
            "severity": SEVERITY_WORDS[f.severity],
            "cell": shown[f.where],
            "action": shown[f.action_id],
            "message": shown[capitalised(f.message)],
        }
        for f in summary.findings
        if f.severity == ERROR
    )  # warnings stay on Checks
    words = plan_words(plan, clean(plan.setting("Council")))
    named = "Ofsted " if words["ilacs"] else ""
    unfinished = [
        a for a in plan.counted if ratings.get(a.action_id) not in scheme.complete_letters
    ]
    uncommented = [a.action_id for a in unfinished if not clean(a.commentary)]
    context = {
        **words,
        "scheme": words_of_scheme,
        "success_measures": any(a.success_measure.strip() for a in plan.actions),
        "officers_annex": officers_annex,
        "unfinished_count": len(unfinished),
        "uncommented_count": len(uncommented),
        "uncommented_actions": ", ".join(shown[i] for i in uncommented),
        "council": plan.setting("Council"),
        "committee": plan.setting("Committee"),
        "title": plan.setting("Report title", f"{named}Improvement Plan Update"),
        "plan_title": plan.setting("Plan title", f"{named}Improvement Plan"),
        "wards": plan.setting("Wards"),
        "contributors": plan.setting("Contributors"),
        "report_class": plan.setting("Class"),
        "author": plan.setting("Author", plan.setting("Council")),
        "meeting_date": prose_date(meeting) if isinstance(meeting, date) else clean(meeting),
        "as_at": prose_date(summary.as_at),
        "as_at_short": table_date(summary.as_at),
        "periods_count": number_words(len(periods)),
        "periods_text": join_words([month_span(x.start, x.end) for x in periods]),
        "period": _period(summary, section_of, headings, shown, words_of_scheme),
        "overall": {
            "total": len(o.total),
            "completed": len(o.completed),
            "ongoing": len(o.ongoing),
            "not_completed": len(o.not_completed),
            "not_rated": len(o.not_rated),
            "extra": len(o.embedded) + len(o.complete),
        },
        "recorded_differs": len(summary.disagreements),
        "recorded_differs_actions": differ,
        "undated_complete": undated,
        "data_errors": summary.errors,
        "data_warnings": summary.warnings,
        "findings": shown_findings,
        "policy_context": clean(plan.setting("Policy context", POLICY_PLACEHOLDER)),
        "equalities_context": clean(plan.setting("Equalities context", EQUALITIES_PLACEHOLDER)),
        "revisions": revisions,
        "revisions_count": len(revisions),
        "revisions_agreed_by": with_article(agreed_by.pop()) if len(agreed_by) == 1 else "",
        "sections": sections,
        "leads": [
            {"initials": lead.initials, "name": lead.name, "job_title": lead.job_title}
            for lead in plan.leads
        ],
        "unknown_owners": ", ".join(unknown_owners(plan)),
    }
    context.update(direction_of_travel(summary, shown))
    context.update(chase_context(summary))
    context.update(brag_and_red_actions(summary, shown))
    context.update(listed_apart(summary, shown))
    return clean_all(context)


# --- direction of travel: the trend and "since the last report" (from the History sheet's snapshots) ----------------

PLACEHOLDERS.update(
    {
        "has_history": "Whether an earlier snapshot (the last report) exists to compare with",
        "trend_note": "One sentence when some trend points were rated in another scheme than the plan's now "
        "(their periods named; those rows' fourth column reads –), else blank",
        "history_text": "One sentence: what the figures are compared with, or that this is the first report with none",
        "trend": "The trend, one row per period up to now (fields below)",
        "since_last": "What changed since the last report: period, as_at and lists completed, turned_red, "
        "turned_red_deadline_passed, deadline_moved_again (fields below)",
        "history_note": "Settings 'History note': a sentence about the earlier snapshots (the demo says its Q1 is "
        "invented), else blank",
    }
)
FIELDS.update(
    {
        "trend": (
            "period",
            "as_at",
            "total",
            "completed",
            "ongoing",
            "not_completed",
            "not_rated",
            "complete",
            "extra",
            "other_scheme",
        ),
        "since_last": (
            "period",
            "as_at",
            "completed",
            "turned_red",
            "turned_red_deadline_passed",
            "deadline_moved_again",
        ),
        "since_last.*": ("ref", "text", "note"),
    }
)
FIRST_REPORT = (
    "This is the first report with a recorded snapshot of the plan, so there are no earlier figures "
    "to compare with yet."
)


def direction_of_travel(summary: Summary, shown: _Shown) -> dict:
    """The trend by period and the actions completed, turned Red and rescheduled since the last report, by name."""
    actions = {a.action_id: a for a in summary.plan.actions}
    travel = summary.travel

    def named(category: str, note) -> CleanRows:
        return CleanRows(
            {
                "ref": shown[c.action_id],
                "text": shown[actions[c.action_id].text.rstrip().rstrip(".")],
                "note": clean(note(c)),
            }
            for c in (travel.of(category) if travel else ())
            if c.action_id in actions
        )

    revised: dict[str, int] = {}
    for r in summary.plan.revisions:
        revised[r.action_id] = revised.get(r.action_id, 0) + 1

    def moved(c) -> str:
        old, new = (date.fromisoformat(d) if d else None for d in (c.before, c.after))
        again = " again" if revised.get(c.action_id, 0) > 1 else ""
        return (
            f"moved{again} from {prose_date(old) if old else 'no date'} "
            f"to {prose_date(new) if new else 'no date'}"
        )

    trend = [
        {
            "period": p.period,
            "as_at": table_date(p.as_at) + (" (edited)" if p.edited else ""),
            "total": p.counts.total,
            "completed": p.counts.by_deadline,
            "ongoing": p.counts.amber,
            "not_completed": p.counts.red,
            "not_rated": p.counts.not_rated,
            "complete": p.counts.complete,
            "extra": p.counts.blue + p.counts.completed,
            "other_scheme": other_scheme(p.counts, summary.plan.scheme),
        }
        for p in summary.trend
    ]
    earlier = [row["period"] for row in trend if row["other_scheme"]]
    since = {
        "period": travel.previous.period if travel else "",
        "as_at": prose_date(travel.previous.as_at) if travel else "",
        "completed": named("completed", lambda c: ""),
        "turned_red": named("turned_red", lambda c: ""),
        "turned_red_deadline_passed": named(
            "turned_red_deadline_passed", lambda c: "its deadline passed"
        ),
        "deadline_moved_again": named("deadline_moved_again", moved),
    }
    text = (
        f"The figures are compared with the last report's, for {since['period']} as at {since['as_at']}."
        if travel
        else FIRST_REPORT
    )
    return {
        "has_history": travel is not None,
        "history_text": text,
        "trend": trend,
        "trend_note": _trend_note(earlier, summary.plan.scheme),
        "since_last": since,
        "history_note": clean(summary.plan.setting("History note")),
    }


def _trend_note(periods: list[str], scheme: Scheme) -> str:
    """One sentence under the trend when some of its points were rated in another scheme, else blank."""
    if not periods:
        return ""
    return (
        f"The figures for {join_words(periods)} were recorded when the plan was rated in another scheme, so they "
        f"do not compare column by column with the {scheme.name} figures"
        + (
            f" ({scheme.extra.name} had no column then: shown as –)."
            if scheme.completed_apart
            else "."
        )
    )


# --- the chase list: update requests sent to owners and their returns (from the Requests sheet) ---------------------

PLACEHOLDERS.update(
    {
        "chase": "The chase list for the annex, one row per owner with actions to update (fields below)",
        "chase_sent": "How many update requests were sent this period (all owners)",
        "chase_received": "How many returns were received this period (all owners)",
        "chase_without_update": "How many actions have no update this period",
    }
)
FIELDS.update(
    {
        "chase": (
            "owner",
            "name",
            "requests_sent",
            "returns_received",
            "without_update",
            "without_update_count",
            "commentary_unchanged",
            "commentary_unchanged_count",
        ),
    }
)


def chase_context(summary: Summary) -> dict:
    """The chase list per owner: requests sent, returns received, actions without an update this period, and those
    whose commentary is unchanged since the last snapshot ("" and None count when there is no earlier snapshot)."""
    rows = [
        {
            "owner": o.owner,
            "name": o.name,
            "requests_sent": o.requests_sent,
            "returns_received": o.returns_received,
            "without_update": ", ".join(o.without_update),
            "without_update_count": len(o.without_update),
            "commentary_unchanged": ", ".join(o.commentary_unchanged or ()),
            "commentary_unchanged_count": None
            if o.commentary_unchanged is None
            else len(o.commentary_unchanged),
        }
        for o in summary.chase
    ]
    return {
        "chase": rows,
        "chase_sent": sum(r["requests_sent"] for r in rows),
        "chase_received": sum(r["returns_received"] for r in rows),
        "chase_without_update": len({a for o in summary.chase for a in o.without_update}),
    }


# --- BRAG and the Red actions' corrective action and forecast (Settings "Rating scheme", Actions columns) --------

PLACEHOLDERS.update(
    {
        "brag": "Whether the plan is rated Blue, Red, Amber, Green (Settings 'Rating scheme' is BRAG)",
        "brag_counts": "The counts with Blue, one row per section then the whole plan (fields below)",
        "red_actions": "Every action rated Red, with its corrective action and forecast date (fields below)",
        "red_actions_planned": "The Red actions with a corrective action or a forecast date given (fields as "
        "red_actions)",
        "red_actions_unplanned": "The refs of the other Red actions: 1.2, 2.3, ...",
    }
)
FIELDS.update(
    {
        "brag_counts": (
            "heading",
            *COUNTS,
            "blue",
        ),  # blue: complete and embedded (0 unless rated BRAG)
        "red_actions, red_actions_planned": (
            "ref",
            "text",
            "owner",
            "deadline",
            "corrective_action",
            "forecast",
        ),
    }
)
WHOLE_PLAN, NO_CORRECTIVE_ACTION, NO_FORECAST = "Whole plan", "None recorded.", "Not given"


def brag_and_red_actions(summary: Summary, shown: _Shown) -> dict:
    """``brag``, ``brag_counts`` (each section's and the whole plan's counts with Blue) and ``red_actions`` (every
    Red action with its corrective action and forecast date)."""
    plan, ratings = summary.plan, summary.ratings

    def counts(heading: str, actions: Iterable[Action]) -> dict:
        rags = [ratings.get(a.action_id) for a in actions]
        return {"heading": heading, **_counts(rags), "blue": rags.count(schemes.BLUE)}

    rows = [
        counts(section.heading, (a for _, actions in section.recommendations for a in actions))
        for section in _sections(plan)
    ]
    rows.append(counts(WHOLE_PLAN, plan.actions))
    red = CleanRows(
        {
            "ref": shown[a.action_id],
            "text": shown[a.text],
            "owner": shown.owner(a),
            "deadline": shown[_deadline_shown(a)],
            "corrective_action": shown[a.corrective_action or NO_CORRECTIVE_ACTION],
            "forecast": table_date(a.forecast) if a.forecast else NO_FORECAST,
        }
        for a in summary.exceptions
    )
    planned = [a.action_id for a in summary.exceptions if a.corrective_action or a.forecast]
    return {
        "brag": plan.brag,
        "brag_counts": rows,
        "red_actions": red,
        "red_actions_planned": CleanRows(r for r in red if r["ref"] in {shown[i] for i in planned}),
        "red_actions_unplanned": ", ".join(
            shown[a.action_id] for a in summary.exceptions if a.action_id not in planned
        ),
    }


# --- actions listed apart: withdrawn, ongoing (no end date), completed late, rescheduled with approval ------------

PLACEHOLDERS.update(
    {
        "withdrawn_actions": "Withdrawn actions (superseded, merged, no longer required): in no count, listed apart "
        "with their status and commentary (fields below); empty when there are none",
        "ongoing_actions": "Ongoing actions (no end date): rated by their status alone, listed apart (fields below)",
        "completed_late_actions": "The two Completed schemes: actions complete after their deadline in force, "
        "listed apart though counted Completed (fields below); always empty in RAG and BRAG",
        "rescheduled_actions": "Days behind: actions not complete whose deadline an approved revision moved, the "
        "council's 'rescheduled with approval' (fields below); always empty in the other schemes",
    }
)
FIELDS.update(
    {
        "withdrawn_actions": ("ref", "text", "status", "commentary"),
        "ongoing_actions": ("ref", "text", "status", "deadline", *RAG),
        "completed_late_actions": ("ref", "text", "deadline", "completed_on"),
        "rescheduled_actions": ("ref", "text", "deadline"),
    }
)


def listed_apart(summary: Summary, shown: _Shown) -> dict:
    """The actions every output lists apart from the counts, with what the committee needs to read each."""
    plan = summary.plan
    scheme, by_id = plan.scheme, {a.action_id: a for a in plan.actions}
    cells = rag_cells(scheme)

    def row(a: Action, **more) -> dict:
        return {"ref": shown[a.action_id], "text": shown[a.text.rstrip()], **more}

    late = summary.completed_late if scheme.completed_apart else ()
    moved = summary.rescheduled if scheme.days_behind else ()
    return {
        "withdrawn_actions": CleanRows(
            row(
                a,
                status=shown[a.status],
                commentary=shown[a.commentary or "No commentary recorded."],
            )
            for a in summary.withdrawn
        ),
        "ongoing_actions": CleanRows(
            row(
                a,
                status=shown[a.status],
                deadline=shown[in_force_shown(a)],
                **cells[summary.ratings.get(a.action_id)],
            )
            for a in plan.no_end_date
        ),
        "completed_late_actions": CleanRows(
            row(
                by_id[i],
                deadline=shown[_deadline_shown(by_id[i])],
                completed_on=table_date(by_id[i].completed_on) if by_id[i].completed_on else "",
            )
            for i in late
        ),
        "rescheduled_actions": CleanRows(
            row(by_id[i], deadline=shown[_deadline_shown(by_id[i])]) for i in moved
        ),
    }


def known_fields() -> set[str]:
    """Every field name a placeholder may use after a dot (``{{ a.owner }}``), across all records."""
    return {name for names in FIELDS.values() for name in names}
