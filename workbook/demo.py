"""The built-in demo: Lewisham's 2016 plan (from the published committee report), defects kept as typed.

The published report gives one quarter (Q2, as at 31/10/2016). To show direction of travel the demo also records
an earlier snapshot that is **invented**, not Lewisham's: period "Q1 (invented)" as at 31/07/2016
(:func:`illustrative_rows`). Its name says so on the History sheet, the Dashboard, the report and the JSON, and the
Settings row "History note" says it again; the Q2 figures are the published ones, unchanged.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from importlib import resources

from ofsted_tracker.workbook.jobs import open_summary, record_snapshot
from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.model import Period
from ofsted_tracker.workbook.rules.summary import summarise
from ofsted_tracker.workbook.store.writer import settings_rows

DEMO_AS_AT = date(2016, 10, 31)
DEMO_PERIOD = "Q2"
AGREED_BY = "Children & Young People's Strategic Partnership Board"
STATUS_FROM_RAG = {"G": "Complete", "A": "On track", "R": "At risk"}
PERIODS = (
    ("Q1", date(2016, 2, 1), date(2016, 4, 30)),
    ("Q2", date(2016, 5, 1), date(2016, 7, 31)),
    ("Q3", date(2016, 8, 1), date(2016, 10, 31)),
    ("Q4", date(2016, 11, 1), date(2017, 1, 31)),
)
ILLUSTRATIVE_PERIOD = "Q1 (invented)"  # the name itself says it is not Lewisham's
ILLUSTRATIVE_AS_AT = date(2016, 7, 31)
HISTORY_NOTE = (
    f"The {ILLUSTRATIVE_PERIOD} snapshot as at {ILLUSTRATIVE_AS_AT:%d/%m/%Y} is invented for this demo "
    "to show direction of travel; it is not Lewisham's. The Q2 figures are those Lewisham published."
)
POLICY_CONTEXT = (
    "The actions described in this report are consistent with the Council's corporate priorities as set out in the "
    "Borough's Sustainable Community Strategy 2008-2020. In particular, the proposals relate to the Council's "
    "priorities regarding young people's Achievement and Involvement, Protection of Children and Community "
    "Leadership and Empowerment. The actions are also in line with the Children and Young People's Plan 2015-18 and "
    "the four outcomes of building resilience, staying safe, being healthy and active and raising achievement and "
    "attainment."
)
EQUALITIES_CONTEXT = (
    "The development, implementation and monitoring of the Ofsted improvement plan sits within the ambit of the "
    "Council's Comprehensive Equalities Scheme (CES) 2016-20. Specifically, the Ofsted improvement plan accords with "
    "the following CES objectives: tackling victimisation, discrimination and harassment; closing the gap in "
    "outcomes between citizens; improving access to services; and increasing participation and engagement."
)
# Settings rows the demo adds after the standard ones (a council adds its own the same way, or leaves the
# template's placeholder paragraphs to be written in Word).
EXTRA_SETTINGS = (
    (
        "Policy context",
        POLICY_CONTEXT,
        "The report's policy context paragraph (this council's own strategies)",
    ),
    ("Equalities context", EQUALITIES_CONTEXT, "The report's equalities implications paragraph"),
    ("History note", HISTORY_NOTE, "A sentence the report prints beside its direction of travel"),
)
SETTINGS = {
    "Council": "Lewisham",
    "Committee": "Children and Young People's Select Committee",
    "Report title": "Ofsted Improvement Plan Update",
    "Plan title": "Ofsted Improvement Plan",
    "Wards": "All",
    "Contributors": "Executive Director for Children & Young People, Director of Children's Social Care",
    "Class": "Part 1",
    "Author": "Policy and Analysis, Children and Young People's Directorate",
    "Meeting date": date(2016, 11, 10),
    "As at date": DEMO_AS_AT,
    "Reporting period": DEMO_PERIOD,
    "Plan type": "Ofsted ILACS",
    "Inspectorate": "Ofsted",
}


def _csv(name: str) -> list[dict[str, str]]:
    text = (
        resources.files("ofsted_tracker.workbook")
        .joinpath("demo_data", name)
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


def _day(iso: str) -> date | None:
    return date.fromisoformat(iso) if iso else None


def demo_rows() -> dict[str, list[dict[str, object]]]:
    """The officers' sheets of the demo tracker, as an officer would have typed them."""
    revisions = {r["action_id"]: r for r in _csv("deadline_revisions.csv")}
    progress = {
        q["matched_action_id"]: q["progress_summary"]
        for q in _csv("quarter_table_as_published.csv")
    }
    actions = []
    for a in _csv("actions.csv"):
        printed = (
            _day(a["deadline"]) or a["deadline_raw"]
        )  # a real date, else the text exactly as printed
        revision = revisions.get(a["action_id"])
        actions.append(
            {
                "action_id": a["action_id"],
                "rec_id": a["rec_id"],
                "text": a["text"],
                "owners": a["owner_initials"],
                "original_deadline": _day(revision["old_deadline"]) if revision else printed,
                "current_deadline": _day(revision["new_deadline"]) if revision else printed,
                "status": STATUS_FROM_RAG[a["status"]],
                "recorded_rag": a["status"],
                "commentary": progress.get(a["action_id"], ""),
            }
        )
    recommendations = [{**r, "impact": r["impact_commentary"]} for r in _csv("recommendations.csv")]
    revision_rows = [
        {
            "action_id": r["action_id"],
            "old_deadline": _day(r["old_deadline"]),
            "new_deadline": _day(r["new_deadline"]),
            "reason": r["reason"],
            "agreed_by": AGREED_BY,
        }
        for r in _csv("deadline_revisions.csv")
    ]
    return {
        "Actions": actions,
        "Recommendations": recommendations,
        "Leads": [
            {"initials": lead["initials"], "name": lead["name"], "job_title": lead["job_title"]}
            for lead in _csv("leads.csv")
        ],
        "Revisions": revision_rows,
        "Periods": [{"name": n, "start": s, "end": e} for n, s, e in PERIODS],
        "Settings": settings_rows(SETTINGS)
        + [{"key": k, "value": v, "What it is": about} for k, v, about in EXTRA_SETTINGS],
    }


def illustrative_plan(plan):
    """The demo plan as it might have stood at 31/07/2016: INVENTED, for the illustrative earlier snapshot.

    Taken from the published Q2 plan by three plain changes, so that the Q2 report has something to compare with:
    no deadline revision had been agreed yet (each revised action still had its old deadline); the actions rated
    Red (At risk) at Q2 were still On track; and the actions complete at Q2 whose deadline fell after 31/07/2016
    were still On track.
    """
    late = {r.action_id: r.old_deadline for r in plan.revisions}
    actions = []
    for a in plan.actions:
        if a.action_id in late:
            a = replace(a, current_deadline=late[a.action_id])
        if a.status == "At risk" or (
            a.is_complete and a.deadline and a.deadline > ILLUSTRATIVE_AS_AT
        ):
            a = replace(a, status="On track", meaning=schemes.ON_TRACK, completed_on=None)
        actions.append(a)
    q1 = next((x for x in plan.periods if x.name == "Q1"), None)
    period = Period(
        ILLUSTRATIVE_PERIOD, q1.start if q1 else PERIODS[0][1], q1.end if q1 else PERIODS[0][2]
    )
    return replace(plan, actions=tuple(actions), revisions=(), periods=plan.periods + (period,))


def record_illustrative_snapshot(tracker):
    """Record the invented "Q1 (invented)" snapshot as at 31/07/2016 on a demo tracker's History sheet.

    Run before the published Q2 is reported, so the demo report has a last report to compare with. Returns what
    ``jobs.record_snapshot`` recorded (its message names the invented period).
    """
    published = open_summary(tracker)
    invented = summarise(
        illustrative_plan(published.plan),
        ILLUSTRATIVE_AS_AT,
        ILLUSTRATIVE_PERIOD,
        history=published.history,
    )
    return record_snapshot(tracker, invented)
