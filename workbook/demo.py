"""The built-in demo: Lewisham's 2016 plan (from the published committee report), defects kept as typed."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources

from workbook.writer import settings_rows

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
}


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("workbook").joinpath("demo_data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _day(iso: str) -> date | None:
    return date.fromisoformat(iso) if iso else None


def demo_rows() -> dict[str, list[dict[str, object]]]:
    """The officers' sheets of the demo tracker, as an officer would have typed them."""
    revisions = {r["action_id"]: r for r in _csv("deadline_revisions.csv")}
    progress = {q["matched_action_id"]: q["progress_summary"] for q in _csv("quarter_table_as_published.csv")}
    actions = []
    for a in _csv("actions.csv"):
        printed = _day(a["deadline"]) or a["deadline_raw"]  # a real date, else the text exactly as printed
        revision = revisions.get(a["action_id"])
        actions.append({
            "action_id": a["action_id"],
            "rec_id": a["rec_id"],
            "text": a["text"],
            "owners": a["owner_initials"],
            "original_deadline": _day(revision["old_deadline"]) if revision else printed,
            "current_deadline": _day(revision["new_deadline"]) if revision else printed,
            "status": STATUS_FROM_RAG[a["status"]],
            "recorded_rag": a["status"],
            "commentary": progress.get(a["action_id"], ""),
        })
    recommendations = [
        {**r, "impact": r["impact_commentary"]} for r in _csv("recommendations.csv")
    ]
    revision_rows = [
        {"action_id": r["action_id"], "old_deadline": _day(r["old_deadline"]), "new_deadline": _day(r["new_deadline"]),
         "reason": r["reason"], "agreed_by": AGREED_BY}
        for r in _csv("deadline_revisions.csv")
    ]
    return {
        "Actions": actions,
        "Recommendations": recommendations,
        "Leads": [{"initials": l["initials"], "name": l["name"], "job_title": l["job_title"]} for l in _csv("leads.csv")],
        "Revisions": revision_rows,
        "Periods": [{"name": n, "start": s, "end": e} for n, s, e in PERIODS],
        "Settings": settings_rows(SETTINGS),
    }
