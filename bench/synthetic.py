"""Synthetic trackers for benchmarks, made through the project's own workbook writer."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from ofsted_tracker.workbook.demo import demo_rows
from ofsted_tracker.workbook.jobs import new_tracker
from ofsted_tracker.workbook.store.writer import settings_rows

WORDS = (
    "review",
    "implement",
    "refresh",
    "multi-agency",
    "safeguarding",
    "early help",
    "referral",
    "assessment",
    "audit",
    "training",
    "partners",
    "LSCB",
    "MASH",
    "performance",
    "framework",
    "children",
    "young people",
    "quality assurance",
    "practice",
    "social workers",
    "timely",
    "plan",
    "strategy",
    "governance",
    "CSE",
)
STATUSES = ("Complete", "Complete", "Complete", "On track", "On track", "At risk", "Not started")
RAG_FOR = {"Complete": "G", "On track": "A", "At risk": "R", "Not started": "A"}
START = date(2016, 2, 1)


def _text(rng: random.Random, low: int, high: int) -> str:
    words, length = [], rng.randint(low, high)
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def synthetic_rows(n_actions: int, seed: int = 2016) -> dict[str, list[dict[str, object]]]:
    """Officers' rows for a plan of ``n_actions``: realistic text lengths, 1-3 owners, a tenth revised, all statuses."""
    rng = random.Random(seed)
    base = demo_rows()
    leads = base["Leads"]
    initials = [lead["initials"] for lead in leads]
    n_recs = max(1, n_actions // 7)
    recs = [
        {
            "rec_id": str(r),
            "section": "ABC"[r % 3],
            "section_title": ("Early help", "Children in care", "Leadership")[r % 3],
            "text": _text(rng, 120, 300),
            "lead": rng.choice(leads)["name"],
            "expected_outcomes": _text(rng, 100, 300),
            "success_measures": _text(rng, 100, 300),
            "progress_commentary": _text(rng, 100, 400),
        }
        for r in range(1, n_recs + 1)
    ]
    actions, revisions = [], []
    for i in range(n_actions):
        rec = i % n_recs + 1
        aid = f"{rec}.{i // n_recs + 1}"
        original = START + timedelta(days=rng.randint(0, 360))
        status = STATUSES[i % len(STATUSES)]
        current = original
        if i % 10 == 0:
            current = original + timedelta(days=rng.randint(30, 150))
            revisions.append(
                {
                    "action_id": aid,
                    "old_deadline": original,
                    "new_deadline": current,
                    "reason": _text(rng, 40, 160),
                    "agreed_by": "Strategic Partnership Board",
                    "agreed_on": original - timedelta(days=10),
                }
            )
        completed = (
            original - timedelta(days=rng.randint(-20, 30)) if status == "Complete" else None
        )
        actions.append(
            {
                "action_id": aid,
                "rec_id": str(rec),
                "text": _text(rng, 60, 200),
                "owners": "/".join(rng.sample(initials, rng.randint(1, 3))),
                "original_deadline": original,
                "current_deadline": current,
                "status": status,
                "completed_on": completed,
                "recorded_rag": RAG_FOR[status],
                "commentary": _text(rng, 0, 500),
                "last_updated": START + timedelta(days=300),
            }
        )
    settings = dict((r["key"], r["value"]) for r in base["Settings"])
    settings.update({"As at date": date(2016, 10, 31), "Reporting period": "Q2"})
    return {
        "Actions": actions,
        "Recommendations": recs,
        "Leads": leads,
        "Revisions": revisions,
        "Periods": base["Periods"],
        "Settings": settings_rows(settings),
    }


def make_tracker(path: Path, n_actions: int) -> Path:
    """Write a synthetic tracker of ``n_actions`` at ``path`` (the demo itself for 61)."""
    rows = demo_rows() if n_actions == 61 else synthetic_rows(n_actions)
    if path.exists():
        path.unlink()
    return new_tracker(path, rows)
