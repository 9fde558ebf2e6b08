"""Validation rules on the plan as at a date: each returns findings that say what is wrong, where, and the fix."""

from __future__ import annotations

from collections import Counter
from datetime import date

from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.findings import ERROR, INFO, WARNING, Finding, sort_findings
from ofsted_tracker.workbook.plan.model import Action, Plan
from ofsted_tracker.workbook.plan.parse import DOTTED_ID
from ofsted_tracker.workbook.rules.dashboard import Ratings, derived_ratings

A, V, S = schema.ACTIONS.name, schema.REVISIONS.name, schema.SETTINGS.name


def _at(
    plan: Plan, severity: str, sheet: str, fld: str, row: int, action: str, message: str, code: str
) -> Finding:
    return Finding(severity, sheet, plan.cell(sheet, fld, row), action, message, code)


def check_ids(plan: Plan) -> list[Finding]:
    """Blank and duplicate action ids (any other text is an id: 7.2, 2.01.02, 1a, A1); actions whose
    recommendation does not exist."""
    out = []
    seen = Counter(a.action_id for a in plan.actions if a.action_id)
    first_row: dict[str, int] = {}
    recs = {r.rec_id for r in plan.recommendations}
    for a in plan.actions:
        if not a.action_id:
            out.append(
                _at(
                    plan,
                    ERROR,
                    A,
                    "action_id",
                    a.row,
                    "",
                    f"row {a.row} has no Action ID. Give it an id no other action has, e.g. 7.2, or let the "
                    "tool number every action without one: ofsted-tracker validate --fix-ids (it lists what "
                    "it gave).",
                    "id-blank",
                )
            )
        elif seen[a.action_id] > 1:
            if a.action_id in first_row:
                out.append(
                    _at(
                        plan,
                        ERROR,
                        A,
                        "action_id",
                        a.row,
                        a.action_id,
                        f"Action ID {a.action_id} is used again (first on row {first_row[a.action_id]}). "
                        "Give each action its own id.",
                        "id-duplicate",
                    )
                )
            else:
                first_row[a.action_id] = a.row
        if not a.rec_id:
            out.append(
                _at(
                    plan,
                    ERROR,
                    A,
                    "rec_id",
                    a.row,
                    a.action_id,
                    "Recommendation is blank. Pick the recommendation this action serves.",
                    "rec-blank",
                )
            )
        elif a.rec_id not in recs:
            out.append(
                _at(
                    plan,
                    ERROR,
                    A,
                    "rec_id",
                    a.row,
                    a.action_id,
                    f"recommendation '{a.rec_id}' is not on the Recommendations sheet. Pick one from the drop-down "
                    "or add the recommendation.",
                    "rec-unknown",
                )
            )
        elif (
            DOTTED_ID.match(a.action_id)
            and DOTTED_ID.match(f"{a.rec_id}.1")
            and a.action_id.split(".")[0] != a.rec_id
        ):
            out.append(
                _at(
                    plan,
                    WARNING,
                    A,
                    "action_id",
                    a.row,
                    a.action_id,
                    f"Action ID {a.action_id} does not start with its recommendation number {a.rec_id}.",
                    "id-rec-mismatch",
                )
            )
    return out


def check_owners(plan: Plan) -> list[Finding]:
    """Owner initials that are not in Leads (a full name of a lead is accepted with a warning: ``Plan.lead_named``)."""
    out = []
    for a in plan.actions:
        if not a.owners:
            out.append(
                _at(
                    plan,
                    ERROR,
                    A,
                    "owners",
                    a.row,
                    a.action_id,
                    "no owner. Type the owner's initials or name from the Leads sheet (a person, a team or "
                    "an organisation).",
                    "owner-blank",
                )
            )
        for owner in a.owners:
            lead = plan.lead_named(owner)
            if lead is not None and (lead.initials == owner or not lead.initials):
                continue  # initials as Leads has them, or a lead (an organisation, a team) known by name alone
            if lead is not None:
                out.append(
                    _at(
                        plan,
                        WARNING,
                        A,
                        "owners",
                        a.row,
                        a.action_id,
                        f"owner '{owner}' is written as a name; write their initials {lead.initials}, as Leads "
                        "lists them.",
                        "owner-name",
                    )
                )
            else:
                out.append(
                    _at(
                        plan,
                        ERROR,
                        A,
                        "owners",
                        a.row,
                        a.action_id,
                        f"owner '{owner}' is not in the Leads sheet. Add them to Leads (a person's initials and "
                        "name, or an organisation's name) or correct the owner.",
                        "owner-unknown",
                    )
                )
    return out


def check_progress(plan: Plan, as_at: date) -> list[Finding]:
    """Completion dates against status and the as-at date."""
    out = []
    for a in plan.actions:
        if a.is_complete and a.completed_on is None:
            out.append(
                _at(
                    plan,
                    WARNING,
                    A,
                    "completed_on",
                    a.row,
                    a.action_id,
                    "marked Complete but Completed on is blank; it is counted as on time. Type the date it was completed.",
                    "complete-no-date",
                )
            )
        if a.completed_on and a.completed_on > as_at:
            out.append(
                _at(
                    plan,
                    ERROR,
                    A,
                    "completed_on",
                    a.row,
                    a.action_id,
                    f"Completed on {a.completed_on:%d/%m/%Y} is after the as-at date {as_at:%d/%m/%Y}. "
                    "Check the date.",
                    "completed-future",
                )
            )
        if a.completed_on and a.status and not a.is_complete:
            out.append(
                _at(
                    plan,
                    WARNING,
                    A,
                    "status",
                    a.row,
                    a.action_id,
                    f"has a Completed on date but its status is {a.status}. Set the status to Complete "
                    "or clear the date.",
                    "date-not-complete",
                )
            )
    return out


def check_revisions(plan: Plan) -> list[Finding]:
    """Deadline changes must be logged in Revisions, and each revision must match the action's deadlines."""
    out = []
    actions = {a.action_id: a for a in plan.actions}
    for r in plan.revisions:
        if r.action_id not in actions:
            out.append(
                _at(
                    plan,
                    ERROR,
                    V,
                    "action_id",
                    r.row,
                    r.action_id,
                    f"revision for action '{r.action_id}', which is not on the Actions sheet. Correct the Action ID.",
                    "revision-unknown-action",
                )
            )
        if not r.reason:
            out.append(
                _at(
                    plan,
                    WARNING,
                    V,
                    "reason",
                    r.row,
                    r.action_id,
                    "revision has no reason. Say why the deadline moved; the committee sees this.",
                    "revision-no-reason",
                )
            )
        if not r.approved:
            out.append(
                _at(
                    plan,
                    WARNING,
                    V,
                    "agreed_by",
                    r.row,
                    r.action_id,
                    "revision does not say who agreed it, so it is not treated as approved. Fill in Agreed by.",
                    "revision-not-agreed",
                )
            )
        elif r.agreed_on is None:
            out.append(
                _at(
                    plan,
                    INFO,
                    V,
                    "agreed_on",
                    r.row,
                    r.action_id,
                    "revision has no Agreed on date, so it is shown in every period's revisions table. "
                    "Type the date it was agreed.",
                    "revision-no-date",
                )
            )
    for a in plan.actions:
        out.extend(_check_chain(plan, a))
    return out


def _check_chain(plan: Plan, a: Action) -> list[Finding]:
    revisions = plan.revisions_of(a.action_id)
    moved = (
        a.current_deadline is not None
        and a.original_deadline is not None
        and a.current_deadline != a.original_deadline
    )
    if not revisions:
        if moved:
            return [
                _at(
                    plan,
                    ERROR,
                    A,
                    "current_deadline",
                    a.row,
                    a.action_id,
                    f"Current deadline {a.current_deadline:%d/%m/%Y} differs from the original "
                    f"{a.original_deadline:%d/%m/%Y} but the Revisions sheet has no row for {a.action_id}. "
                    "Log the revision (old and new deadline, reason, who agreed it).",
                    "revision-missing",
                )
            ]
        return []
    out = []
    first, last = revisions[0], revisions[-1]
    if a.original_deadline and first.old_deadline and first.old_deadline != a.original_deadline:
        out.append(
            _at(
                plan,
                ERROR,
                V,
                "old_deadline",
                first.row,
                a.action_id,
                f"Old deadline {first.old_deadline:%d/%m/%Y} does not match the action's original deadline "
                f"{a.original_deadline:%d/%m/%Y} (Actions row {a.row}). Correct one of them.",
                "revision-old-mismatch",
            )
        )
    if a.deadline and last.new_deadline and last.new_deadline != a.deadline and not last.approved:
        # a proposal (collect takes owners' proposed deadlines in as rows with Agreed by blank): pending, not wrong
        out.append(
            _at(
                plan,
                WARNING,
                V,
                "new_deadline",
                last.row,
                a.action_id,
                f"New deadline {last.new_deadline:%d/%m/%Y} is proposed and not yet agreed; the deadline in "
                f"force stays {a.deadline:%d/%m/%Y}. When it is agreed, fill in Agreed by and Agreed on and "
                "change Current deadline on Actions; if it is not, delete this row.",
                "revision-pending",
            )
        )
    elif a.deadline and last.new_deadline and last.new_deadline != a.deadline:
        out.append(
            _at(
                plan,
                ERROR,
                V,
                "new_deadline",
                last.row,
                a.action_id,
                f"New deadline {last.new_deadline:%d/%m/%Y} does not match the action's current deadline "
                f"{a.deadline:%d/%m/%Y} (Actions row {a.row}). Correct one of them.",
                "revision-new-mismatch",
            )
        )
    for before, after in zip(revisions, revisions[1:]):
        if before.new_deadline and after.old_deadline and before.new_deadline != after.old_deadline:
            out.append(
                _at(
                    plan,
                    ERROR,
                    V,
                    "old_deadline",
                    after.row,
                    a.action_id,
                    f"Old deadline {after.old_deadline:%d/%m/%Y} does not follow on from the previous revision's "
                    f"new deadline {before.new_deadline:%d/%m/%Y} (row {before.row}).",
                    "revision-chain",
                )
            )
    return out


def check_recorded_rag(plan: Plan, as_at: date, ratings: Ratings) -> list[Finding]:
    """A recorded RAG that contradicts the rule: Green while not complete; Amber after the deadline passed unrevised."""
    out = []
    scheme = plan.scheme
    for a in plan.counted:
        if a.recorded_rag in scheme.complete_letters and a.status and not a.is_complete:
            bucket = scheme.bucket(a.recorded_rag)
            out.append(
                _at(
                    plan,
                    ERROR,
                    A,
                    "recorded_rag",
                    a.row,
                    a.action_id,
                    f"recorded {bucket.name} but the status is {a.status}. In the {scheme.name} scheme "
                    f"{bucket.name} means {bucket.meaning}: set a status that means complete or change the "
                    "rating.",
                    "rag-green-not-complete",
                )
            )
        approved = any(r.approved for r in plan.revisions_of(a.action_id))
        if (
            a.recorded_rag == "A"
            and not scheme.completed_apart  # there Amber may be past the deadline (Days behind) or not at all
            and not approved
            and a.deadline
            and a.deadline < as_at
            and not a.is_complete
        ):
            out.append(
                _at(
                    plan,
                    WARNING,
                    A,
                    "recorded_rag",
                    a.row,
                    a.action_id,
                    f"recorded Amber but its deadline {a.deadline:%d/%m/%Y} has passed with no approved revision; "
                    f"by the rule it is {scheme.name_of(ratings[a.action_id])}. "
                    "Log an agreed revision or rate it Red.",
                    "rag-amber-overdue",
                )
            )
    return out


def check_exceptions(plan: Plan, ratings: Ratings) -> list[Finding]:
    """A Red action needs a corrective action or a forecast date; a forecast past the deadline needs a revision.

    Trackers made before these columns existed (with neither a Corrective action nor a Forecast date column as
    read, ``Plan.columns``) are not asked for them.
    """
    read = plan.columns.get(A, {})
    asked = "corrective_action" in read or "forecast" in read
    out = []
    for a in plan.actions:
        if (
            asked
            and not a.corrective_action
            and a.forecast is None
            and ratings[a.action_id] == "R"
            and not a.is_complete
        ):  # completed late: done, nothing left to correct
            out.append(
                _at(
                    plan,
                    WARNING,
                    A,
                    "corrective_action",
                    a.row,
                    a.action_id,
                    "rated Red but has no corrective action or forecast date; the committee asks for both. "
                    "Say in Corrective action what is being done, and in Forecast date when it is now "
                    "expected to be complete.",
                    "red-no-corrective",
                )
            )
        if (
            a.forecast
            and a.deadline
            and a.forecast > a.deadline
            and not a.is_complete
            and not any(
                r.new_deadline and r.new_deadline >= a.forecast
                for r in plan.revisions_of(a.action_id)
            )
        ):
            out.append(
                _at(
                    plan,
                    WARNING,
                    A,
                    "forecast",
                    a.row,
                    a.action_id,
                    f"Forecast date {a.forecast:%d/%m/%Y} is after the deadline {a.deadline:%d/%m/%Y}, and no "
                    "revision of the deadline is logged. If the deadline moves, log the revision in Revisions "
                    "and change Current deadline; if not, check the forecast.",
                    "forecast-after-deadline",
                )
            )
    return out


def check_settings(plan: Plan, period_name: str | None) -> list[Finding]:
    """The reporting period named in Settings (or asked for) must exist on the Periods sheet; the rating scheme
    must be one of the schemes, and the Amber tolerance a whole number of days."""
    typed = plan.settings.get(schemes.SCHEME_KEY)
    out = []
    if schemes.scheme_named(typed) is None:
        out.append(
            _at(
                plan,
                ERROR,
                S,
                "value",
                plan.setting_rows.get(schemes.SCHEME_KEY, 0),
                "",
                f"Rating scheme '{typed}' is not one of {', '.join(schema.SCHEMES)}, so the plan is rated RAG. "
                "Pick one from the drop-down.",
                "scheme-unknown",
            )
        )
    problem = schemes.tolerance(plan.settings.get(schemes.TOLERANCE_KEY))[1]
    if problem:
        out.append(
            _at(
                plan,
                ERROR,
                S,
                "value",
                plan.setting_rows.get(schemes.TOLERANCE_KEY, 0),
                "",
                problem[:1].upper() + problem[1:],
                "tolerance-not-days",
            )
        )
    return out + _period_setting(plan, period_name)


def _period_setting(plan: Plan, period_name: str | None) -> list[Finding]:
    if period_name and plan.period(period_name) is None:
        names = ", ".join(p.name for p in plan.periods) or "none"
        from_settings = (
            str(plan.settings.get("Reporting period", "")).strip() == period_name.strip()
        )
        row = plan.setting_rows.get("Reporting period", 0) if from_settings else 0
        return [
            _at(
                plan,
                ERROR,
                S,
                "value",
                row,
                "",
                f"reporting period '{period_name}' is not on the Periods sheet (periods: {names}). "
                "Type one of those names, or add the period to Periods.",
                "period-unknown",
            )
        ]
    return []


def _repeated(plan: Plan, sheet: str, fld: str, entries, what: str, code: str) -> list[Finding]:
    """An error at each row whose key (matched as sheet names are) was already used on an earlier row."""
    out, first = [], {}
    for key, row in entries:
        matched = schema.same_name(key)
        if not matched:
            continue
        if matched in first:
            out.append(
                _at(
                    plan,
                    ERROR,
                    sheet,
                    fld,
                    row,
                    "",
                    f"{what} '{key}' is used again (first on row {first[matched]}), so the tool cannot tell "
                    f"which row is meant. Give each row its own {what}, or delete the copy.",
                    code,
                )
            )
        else:
            first[matched] = row
    return out


def check_unique_keys(plan: Plan) -> list[Finding]:
    """Lead initials, recommendation ids and period names each name one row; a second use is an error."""
    return (
        _repeated(
            plan,
            schema.LEADS.name,
            "initials",
            ((lead.initials, lead.row) for lead in plan.leads),
            "initials",
            "lead-duplicate",
        )
        + _repeated(
            plan,
            schema.RECOMMENDATIONS.name,
            "rec_id",
            ((r.rec_id, r.row) for r in plan.recommendations),
            "recommendation number",
            "rec-duplicate",
        )
        + _repeated(
            plan,
            schema.PERIODS.name,
            "name",
            ((p.name, p.row) for p in plan.periods),
            "period name",
            "period-duplicate",
        )
    )


def check_deadlines_present(plan: Plan) -> list[Finding]:
    """An action needs an original deadline to be rated and placed in a period."""
    return [
        _at(
            plan,
            ERROR,
            A,
            "original_deadline",
            a.row,
            a.action_id,
            "Original deadline is blank. Type the deadline as dd/mm/yyyy, or Ongoing for an action with "
            "no end date.",
            "deadline-blank",
        )
        for a in plan.actions
        if a.original_deadline is None and not a.original_raw and not a.no_end_date
    ]


def validate(
    plan: Plan, as_at: date, period_name: str | None = None, ratings: Ratings | None = None
) -> tuple[Finding, ...]:
    """Every rule's findings on the plan as at the date, errors first (``ratings``: the summary's, when it has them)."""
    ratings = derived_ratings(plan, as_at) if ratings is None else ratings
    return sort_findings(
        check_ids(plan)
        + check_owners(plan)
        + check_deadlines_present(plan)
        + check_progress(plan, as_at)
        + check_revisions(plan)
        + check_recorded_rag(plan, as_at, ratings)
        + check_settings(plan, period_name)
        + check_unique_keys(plan)
        + check_exceptions(plan, ratings)
    )
