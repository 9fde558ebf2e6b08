"""Plans made to stress the report: every officer field holding hostile text, and a plan of any size."""

from __future__ import annotations

from datetime import date, timedelta

from ofsted_tracker.workbook.plan.model import Action, Lead, Period, Plan, Recommendation, Revision
from ofsted_tracker.workbook.rules.summary import Summary, summarise

AS_AT = date(2016, 10, 31)
PERIODS = (
    Period("Q1", date(2016, 2, 1), date(2016, 4, 30), row=2),
    Period("Q2", date(2016, 5, 1), date(2016, 7, 31), row=3),
    Period("Q3", date(2016, 8, 1), date(2016, 10, 31), row=4),
    Period("Q4", date(2016, 11, 1), date(2017, 1, 31), row=5),
)

# What officers type or paste, and what the report must show for it (None: shown exactly as typed).
HOSTILE: dict[str, tuple[str, str | None]] = {
    "markup": ("Police & Crime <Commissioner> said \"yes\" and 'no' > 3", None),
    "xml": ("</w:t></w:r></w:p><w:p><w:r><w:t>injected", None),
    "jinja": ("{{ council }} {% if x %}not a tag{% endif %}", None),
    "breaks": (
        "Line one\nLine two\r\nLine three\rLine four",
        "Line one\nLine two\nLine three\nLine four",
    ),
    "tab": ("Before\tafter a tab", None),
    "emoji": ("Done ✅ thumbs 👍🏽 family 👨‍👩‍👧", None),
    "rtl": ("Arabic مراجعة الخطة and Hebrew תוכנית עבודה", None),
    "control": (
        "Pasted\x00 from\x07 CRM\x1b[0m\x0bnext line\x0cform\ufffe end\x85done",
        "Pasted from CRM[0m\nnext line\nform end\ndone",
    ),
    # docxtpl's own escapes for braces in a template's text: officers' text keeps them as typed
    "braces": ("Brace pairs {_{ kept }_} and {_% kept %_}", None),
}


def shown(kind: str) -> str:
    """What the report shows for a hostile sample."""
    typed, expected = HOSTILE[kind]
    return typed if expected is None else expected


def hostile_plan(kinds: list[str] | None = None) -> Plan:
    """A small plan whose every free-text field holds one of the hostile samples (all of them, or ``kinds``)."""
    kinds = list(HOSTILE) if kinds is None else kinds
    actions = []
    for i, kind in enumerate(kinds, start=1):
        typed = HOSTILE[kind][0]
        actions.append(
            Action(
                action_id=f"1.{i}",
                rec_id="1",
                text=f"Action {kind}: {typed}",
                owners=("SK", f"X{i}"),
                original_deadline=date(2016, 6, i),
                current_deadline=date(2016, 6, i) if i % 2 else date(2016, 12, 1),
                status="Complete" if i % 3 == 0 else "On track",
                completed_on=date(2016, 6, 1) if i % 3 == 0 else None,
                recorded_rag="G" if i % 3 == 0 else "A",
                commentary=f"Commentary {kind}: {typed}",
                row=i + 1,
            )
        )
    rec = Recommendation(
        "1",
        f"Recommendation {HOSTILE['markup'][0]}",
        "A",
        f"Section {HOSTILE['rtl'][0]}",
        lead=HOSTILE["emoji"][0],
        linked_plan=HOSTILE["jinja"][0],
        partners=HOSTILE["control"][0],
        expected_outcomes=f"{HOSTILE['breaks'][0]} | {HOSTILE['tab'][0]}",
        success_measures=HOSTILE["xml"][0],
        progress_commentary=HOSTILE["control"][0],
        impact=HOSTILE["markup"][0],
        further_action=HOSTILE["rtl"][0],
        row=2,
    )
    moved = [(i, a) for i, a in enumerate(actions) if a.current_deadline != a.original_deadline]
    revisions = tuple(
        Revision(
            a.action_id,
            a.original_deadline,
            a.current_deadline,
            reason=f"Reason {kinds[i]}: {HOSTILE[kinds[i]][0]}",
            agreed_by="Board & <Panel>",
            row=n,
        )
        for n, (i, a) in enumerate(moved, start=2)
    )
    settings = {
        "Council": "Hostile & <Borough>",
        "Committee": 'Children\'s "Select" Committee & Co',
        "Report title": "Update <draft>",
        "Author": "Policy & Analysis ✅",
        "Meeting date": date(2016, 11, 10),
        "Contributors": HOSTILE["rtl"][0],
        "Wards": HOSTILE["control"][0],
    }
    return Plan(
        actions=tuple(actions),
        recommendations=(rec,),
        leads=(Lead("SK", f"Stephen {HOSTILE['markup'][0]}", "Director", row=2),),
        revisions=revisions,
        periods=PERIODS,
        settings=settings,
    )


def large_plan(actions: int = 1000, recommendations: int = 12) -> Plan:
    """A plan of the given size: actions spread over recommendations, three sections, a year of deadlines,
    mixed statuses, a paragraph of commentary each, one revision in twenty. Deterministic."""
    recs = tuple(
        Recommendation(
            str(r),
            f"Recommendation {r}: improve the service in area {r} so children are safe.",
            "ABC"[r % 3],
            (
                "Early help and safeguarding",
                "Looked after children and permanence",
                "Leadership and management",
            )[r % 3],
            lead=f"Lead {r}",
            linked_plan="Business plan 2016-17",
            partners="Police, Health",
            expected_outcomes="Outcome one | Outcome two",
            success_measures="Measure one | Measure two",
            progress_commentary="Progress is being made.",
            impact="Some impact.",
            row=r + 1,
        )
        for r in range(1, recommendations + 1)
    )
    leads = tuple(
        Lead(f"L{i}", f"Lead Officer {i}", f"Service Manager {i}", row=i + 1) for i in range(1, 31)
    )
    out, revisions = [], []
    statuses = ("Complete", "On track", "At risk", "Not started", "Complete")
    for n in range(actions):
        rec = n % recommendations + 1
        original = date(2016, 2, 1) + timedelta(days=(n * 7) % 360)
        status = statuses[n % len(statuses)]
        action_id = f"{rec}.{n // recommendations + 1}"
        current = original
        if n % 20 == 0:
            current = original + timedelta(days=60)
            revisions.append(
                Revision(
                    action_id,
                    original,
                    current,
                    "Linked to partner timetable",
                    "Board",
                    original + timedelta(days=10),
                    row=len(revisions) + 2,
                )
            )
        out.append(
            Action(
                action_id,
                str(rec),
                f"Action {action_id}: deliver the agreed change and report on it.",
                (f"L{n % 30 + 1}", f"L{(n + 7) % 30 + 1}"),
                original,
                current,
                status,
                completed_on=original - timedelta(days=n % 3) if status == "Complete" else None,
                recorded_rag={"Complete": "G", "At risk": "R"}.get(status, "A"),
                commentary="Work is under way with partners; a further update will follow next quarter. "
                * 2,
                row=n + 2,
            )
        )
    settings = {
        "Council": "Testborough",
        "Committee": "Scrutiny Committee",
        "Meeting date": date(2016, 11, 10),
        "Author": "Policy team",
    }
    return Plan(
        actions=tuple(out),
        recommendations=recs,
        leads=leads,
        revisions=tuple(revisions),
        periods=PERIODS,
        settings=settings,
    )


def summary_of(plan: Plan, period: str = "Q2", as_at: date = AS_AT) -> Summary:
    """The plan's summary as the report sees it."""
    return summarise(plan, as_at, period)
