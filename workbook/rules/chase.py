"""Chase and collect, the pure part: who is asked about which action, what a return may change, the chase list.

An update request goes to each owner (from Leads) with open actions or actions due in the period; a return is
checked against the plan cell by cell and becomes updates of Actions and proposed (not yet agreed) Revisions, or
refusals that name the file and the cell. The Requests sheet's log (requests sent, returns received) and the
chase list per owner are computed here too. Nothing here reads files or the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.dates import read_date, uk
from ofsted_tracker.workbook.plan.findings import ERROR, WARNING, Finding
from ofsted_tracker.workbook.plan.model import Action, Lead, Period, Plan
from ofsted_tracker.workbook.plan.words import counted
from ofsted_tracker.workbook.rules.dashboard import derived_ratings, disagreements
from ofsted_tracker.workbook.rules.history import Snapshot, commentary_hash

# --- the request workbook's layout (written by store.request_files, read back by store.returns) -------------

REQUEST_SHEET = "Update request"
ABOUT_SHEET = "About"  # hidden: whose request it is, for which period, as at which date
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 4
FIRST_ROW = HEADER_ROW + 1
READ_ONLY = (
    schema.Column("Action ID", "action_id", schema.ID, 10),
    schema.Column("Action", "text", schema.TEXT, 45),
    schema.Column("Deadline in force", "deadline", schema.DATE, 13),
    schema.Column("Current status", "status", schema.TEXT, 13),
    schema.Column("Last commentary", "commentary", schema.TEXT, 45),
)
FILLED = (
    schema.Column("New status", "new_status", schema.LIST, 13, required=False),
    schema.Column("Completed on", "completed_on", schema.DATE, 13, required=False),
    schema.Column("Your commentary", "new_commentary", schema.TEXT, 45, required=False),
    schema.Column("Proposed new deadline", "proposed_deadline", schema.DATE, 14, required=False),
    schema.Column("Reason for the new deadline", "reason", schema.TEXT, 35, required=False),
)
REQUEST_COLUMNS = READ_ONLY + FILLED
# Shown beside the action's text, read-only, when some action of the plan says what success looks like (the
# Actions column of that name); a plan without it keeps the request's columns as they were.
SUCCESS_MEASURE = schema.Column("What does success look like?", "success_measure", schema.TEXT, 35)
WITH_MEASURE = (*READ_ONLY[:2], SUCCESS_MEASURE, *READ_ONLY[2:])


def read_only_columns(with_measure: bool) -> tuple[schema.Column, ...]:
    """The request's grey columns: with "What does success look like?" after the action's text, or without."""
    return WITH_MEASURE if with_measure else READ_ONLY


def request_columns(with_measure: bool) -> tuple[schema.Column, ...]:
    """Every column of the request sheet, in order."""
    return read_only_columns(with_measure) + FILLED


def instructions(columns: tuple[schema.Column, ...] = REQUEST_COLUMNS) -> str:
    """The note at the top of the request: which columns to fill in."""
    return (
        f"Fill in only the white columns {schema.column_letter(len(columns) - len(FILLED) + 1)} to "
        f"{schema.column_letter(len(columns))} for each of your actions: the new status (pick from the "
        "list), the date it was completed, your commentary on progress this period, and, if the deadline cannot "
        "be met, a proposed new deadline with the reason. Leave a cell blank to keep what the tracker has. "
        "Save the file and send it back by replying to the e-mail; do not rename the file or change the "
        "grey columns."
    )


INSTRUCTIONS = instructions()
# A1:A7, the values in B; "Tracker" is the tracker's file name (for people), "Tracker ID" its identity (for checks)
ABOUT_KEYS = ("Owner", "Name", "Period", "As at", "Tracker", "Request", "Tracker ID")
REQUEST_ID_CELL = f"B{ABOUT_KEYS.index('Request') + 1}"  # the request's id on the About sheet
TRACKER_ID_CELL = (
    f"B{ABOUT_KEYS.index('Tracker ID') + 1}"  # the tracker's identity on the About sheet
)
MAX_CELL_TEXT = (
    32767  # Excel's limit on the characters of one cell: a longer returned text cannot be written
)


def letter(field: str, columns: tuple[schema.Column, ...] = REQUEST_COLUMNS) -> str:
    """The request sheet's column letter of a field (``columns``: the request's, with or without the success
    measure)."""
    return schema.column_letter(next(i for i, c in enumerate(columns, 1) if c.field == field))


# --- requests --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One owner's update request: the lead, the period (name or ""), the as-at date and the actions asked about."""

    lead: Lead
    period: str
    as_at: date
    actions: tuple[Action, ...]
    email_cell: str = ""  # where the lead's e-mail address is, e.g. 'Leads!D7'
    initials_cell: str = ""  # where the lead's initials are, e.g. 'Leads!A7'
    request_id: str = (
        ""  # a random id given when the request is sent, logged on Requests and written on About
    )
    statuses: tuple[str, ...] = ()  # the plan's status words the New status drop-down offers
    tracker_id: str = (
        ""  # the identity of the tracker that sent it (Settings "Tracker ID"), written on About
    )
    with_measure: bool = (
        False  # some action of the plan says what success looks like: show it, read-only
    )

    @property
    def columns(self) -> tuple[schema.Column, ...]:
        """The request sheet's columns, in order."""
        return request_columns(self.with_measure)

    @property
    def file_stem(self) -> str:
        """The request's file name without extension: whose it is and for which period."""
        when = self.period or f"as at {self.as_at:%Y-%m-%d}"
        return safe_file_name(f"{when} update request - {self.lead.shown}")

    @property
    def file_name(self) -> str:
        """The request workbook's file name."""
        return f"{self.file_stem}.xlsx"


@dataclass(frozen=True)
class Requests:
    """The requests to send, the owners typed on Actions who are not in Leads (with their actions), and findings."""

    requests: tuple[Request, ...]
    unknown: tuple[tuple[str, tuple[str, ...]], ...]
    findings: tuple[Finding, ...]


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def safe_file_name(text: str, limit: int = 120) -> str:
    """A file name that every OS accepts: no path characters or control characters, no trailing dot or space."""
    name = " ".join(_UNSAFE.sub("-", text).split())[:limit].rstrip(" .")
    return name or "request"


def owners_of(plan: Plan, action: Action) -> tuple[str, ...]:
    """The initials of the action's owners that are in Leads (names resolved to initials), each once."""
    found = [lead.key for lead in (plan.lead_named(o) for o in action.owners) if lead is not None]
    return tuple(dict.fromkeys(found))


def asked_about(action: Action, period: Period | None) -> bool:
    """Whether an owner is asked about the action: it is not complete, or its deadline falls in the period."""
    if not action.action_id:
        return False
    if not action.is_complete:
        return True
    return period is not None and (
        period.contains(action.original_deadline) or period.contains(action.deadline)
    )


def plan_requests(plan: Plan, period: Period | None, as_at: date) -> Requests:
    """Who gets which actions: each owner in Leads with actions to update; the unknown owners; missing addresses."""
    by_owner: dict[
        str, dict[int, Action]
    ] = {}  # by the action's row: an action listed once per owner, in order
    unknown: dict[str, list[str]] = {}
    for action in plan.actions:
        if not asked_about(action, period):
            continue
        for typed in action.owners:
            lead = plan.lead_named(typed)
            if lead is None:
                unknown.setdefault(typed, []).append(action.action_id)
            else:
                by_owner.setdefault(lead.key, {}).setdefault(action.row, action)
    asked = [lead for lead in plan.leads if lead.key in by_owner]
    measured = any(a.success_measure.strip() for a in plan.actions)
    findings = []
    for lead in asked:
        who = lead.shown
        where = plan.cell(schema.LEADS.name, "email", lead.row)
        if not lead.email.strip():
            findings.append(
                Finding(
                    WARNING,
                    schema.LEADS.name,
                    where,
                    "",
                    f"{who} has no e-mail address, so the draft "
                    "e-mail of their update request has no recipient. Type the address in the Email "
                    "column of Leads.",
                    "lead-email",
                )
            )
        elif not is_email_address(lead.email):
            findings.append(
                Finding(
                    WARNING,
                    schema.LEADS.name,
                    where,
                    "",
                    f"{who}'s Email '{lead.email.strip()}' is not "
                    "an e-mail address, so the draft e-mail of their update request has no recipient. "
                    "Type one address, such as name@council.gov.uk, in the Email column of Leads.",
                    "lead-email-invalid",
                )
            )
    requests = tuple(
        Request(
            lead if is_email_address(lead.email) else replace(lead, email=""),
            period.name if period else "",
            as_at,
            tuple(by_owner[lead.key].values()),
            f"{schema.LEADS.name}!{plan.cell(schema.LEADS.name, 'email', lead.row)}",
            f"{schema.LEADS.name}!{plan.cell(schema.LEADS.name, 'initials', lead.row)}",
            statuses=plan.words.drop_down(),
            with_measure=measured,
        )
        for lead in asked
    )
    return Requests(requests, tuple((k, tuple(v)) for k, v in unknown.items()), tuple(findings))


def is_email_address(text: str) -> bool:
    """Whether the text is one e-mail address a draft's To can carry ('sk@council.gov.uk', 'Sam <sk@...>'): two
    addresses in one Email cell are not, so a request never goes to someone the Leads row does not name."""
    from email.errors import MessageError
    from email.message import EmailMessage
    from email.policy import SMTP

    message = EmailMessage(policy=SMTP)
    try:
        message["To"] = text.strip()
        header = message["To"]
    except (ValueError, IndexError, MessageError):
        return False
    return (
        bool(text.strip())
        and not header.defects
        and len(header.addresses) == 1
        and all(a.username and a.domain for a in header.addresses)
    )


# --- returns ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    """One row of a returned request: its row number and the raw value of each column, by field."""

    row: int
    values: dict[str, object]


@dataclass(frozen=True)
class Returned:
    """A returned request file as read: its name, whose it was (initials), the period, and its rows."""

    file: str
    owner: str
    period: str
    rows: tuple[ReturnRow, ...]
    request_id: str = (
        ""  # the id on its About sheet; "" for a request made before requests carried one
    )
    tracker_id: str = (
        ""  # the identity of the tracker it names on About; "" before requests carried one
    )
    columns: tuple[schema.Column, ...] = (
        REQUEST_COLUMNS  # as its header row has them (success measure or not)
    )


def refusal(
    file: str, cell: str, action_id: str, message: str, code: str, sheet: str = REQUEST_SHEET
) -> Finding:
    """A value of a return that is not taken, as a finding located the way Excel names a cell in another file:
    ``[SK return.xlsx]Update request!F5``."""
    return Finding(ERROR, f"[{file}]{sheet}", cell, action_id, message, code)


@dataclass(frozen=True)
class Update:
    """One accepted change of an Actions cell: the action, the field, the value before and after, and its source."""

    action_id: str
    field: str
    old: object
    new: object
    file: str
    cell: str


@dataclass(frozen=True)
class Proposal:
    """A proposed new deadline, to be logged on Revisions as not yet agreed."""

    action_id: str
    old_deadline: date | None
    new_deadline: date
    reason: str
    file: str
    cell: str


@dataclass(frozen=True)
class RecordedAfter:
    """An action a return changes whose Recorded RAG (the officers' rating) will differ from the rule's once the
    return is written: the letters and their names in the plan's scheme (``rule`` None: the rule cannot rate it),
    and the return that changed it."""

    action_id: str
    recorded: str
    rule: str | None
    recorded_name: str
    rule_name: str
    file: str

    @property
    def said(self) -> str:
        """In officers' words: '5.2: recorded Amber, the rule gives Green after this return'."""
        if self.rule is None:
            return (
                f"{self.action_id}: recorded {self.recorded_name}, the rule cannot rate it after this return "
                "(it has no usable deadline), so it is not set"
            )
        return f"{self.action_id}: recorded {self.recorded_name}, the rule gives {self.rule_name} after this return"

    @property
    def note(self) -> str:
        """The Requests log's note when the rule's rating is set: 'Amber to Green: set to the rule's rating ...'."""
        return (
            f"{self.recorded_name} to {self.rule_name}: set to the rule's rating after this return"
        )


@dataclass(frozen=True)
class Collected:
    """What the returns change (updates, proposals), what is refused, and per file the actions it updated."""

    updates: tuple[Update, ...]
    proposals: tuple[Proposal, ...]
    refusals: tuple[Finding, ...]
    accepted: tuple[
        tuple[str, str, str, tuple[str, ...]], ...
    ]  # (file, owner, period, action ids changed)
    unlogged: tuple[str, ...] = ()  # files taken with no logged request (--trust-unlogged)
    requests: tuple[tuple[str, str], ...] = ()  # (file, request id) of each return taken
    # the Recorded RAGs that will differ from the rule after the returns (``recorded_after``)
    recorded: tuple[RecordedAfter, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.updates or self.proposals)

    @property
    def settable(self) -> tuple[RecordedAfter, ...]:
        """The Recorded RAGs ``--set-recorded`` sets: those the rule gives a letter for."""
        return tuple(r for r in self.recorded if r.rule is not None)


# the Actions fields a return may change, and the request column each comes from
UPDATED_FIELDS = (
    ("status", "new_status"),
    ("completed_on", "completed_on"),
    ("commentary", "new_commentary"),
)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return uk(value.date() if isinstance(value, datetime) else value)
    return " ".join(str(value).split())


def _day(value: object) -> tuple[date | None, str | None]:
    """A date typed in a return: (the date, None), (None, None) for blank, or (None, the problem)."""
    reading = read_date(value)
    if reading.value is None or reading.month_only:
        return None, reading.problem
    return reading.value, None


def deadline_shown(action: Action) -> object:
    """What the request's "Deadline in force" column shows: the date, else the deadline as typed."""
    return action.deadline or action.current_raw or action.original_raw or ""


def _read_only_edited(
    action: Action,
    values: dict[str, object],
    proposed: dict[str, object],
    columns: tuple[schema.Column, ...] = REQUEST_COLUMNS,
) -> str | None:
    """The first read-only field whose value is not the tracker's (nor the value this return already applied)."""
    for column in columns[1 : len(columns) - len(FILLED)]:
        typed = values.get(column.field)
        if column.field == "deadline":
            shown, tracker = _text(typed), _text(deadline_shown(action))
        else:
            shown, tracker = _text(typed), _text(getattr(action, column.field))
        if shown == tracker:
            continue
        if (
            column.field in ("status", "commentary")
            and proposed.get(column.field) is not None
            and _text(proposed[column.field]) == tracker
        ):
            continue  # this return was applied already: the tracker holds its new value
        return column.field
    return None


def _check_row(
    plan: Plan, actions: dict[str, Action], returned: Returned, row: ReturnRow, as_at: date
) -> tuple[Action | None, dict[str, object], list[Finding]]:
    """One return row: the action, the values it proposes by Actions field (and "deadline", "reason"), refusals."""
    v = row.values
    action_id = _text(v.get("action_id"))
    refusals: list[Finding] = []

    def refuse(field: str, message: str, code: str) -> None:
        refusals.append(
            refusal(
                returned.file,
                f"{letter(field, returned.columns)}{row.row}",
                action_id,
                f"{message} Nothing from this row is taken.",
                code,
            )
        )

    action = actions.get(action_id)
    if action is None:
        refuse(
            "action_id",
            f"action {action_id} is not in the tracker (the Action ID was changed, or the action "
            "was removed since the request was sent).",
            "return-unknown-action",
        )
        return None, {}, refusals
    if returned.owner not in owners_of(plan, action):
        refuse(
            "action_id",
            f"action {action_id} is not {returned.owner}'s: its owners in the tracker are "
            f"{action.owners_text or 'none'}. Only an owner's return is taken.",
            "return-not-owner",
        )
        return action, {}, refusals
    proposed: dict[str, object] = {}
    status = _text(v.get("new_status"))
    if status:
        found = plan.words.meaning_of(status)
        if found is None:
            refuse(
                "new_status",
                f"status '{status}' is not one of the plan's status words "
                f"({', '.join(plan.words.drop_down())}).",
                "return-status",
            )
        proposed["status"] = found[0] if found else None
    for field, target in (("completed_on", "completed_on"), ("proposed_deadline", "deadline")):
        if v.get(field) in (None, ""):
            continue
        day, problem = _day(v.get(field))
        if day is None:
            refuse(
                field,
                f"{_header(field)} '{_text(v.get(field))}' cannot be read as a date: {problem}",
                "return-date",
            )
        elif field == "completed_on" and day > as_at:
            refuse(
                field,
                f"completed on {uk(day)} is after the as-at date {uk(as_at)}: a completion cannot be in "
                "the future.",
                "return-future",
            )
        proposed[target] = day
    for field, target in (("new_commentary", "commentary"), ("reason", "reason")):
        text = str(v.get(field) or "").strip()
        if len(text) > MAX_CELL_TEXT:
            refuse(
                field,
                f"{_header(field)} holds {len(text):,} characters; a cell holds at most {MAX_CELL_TEXT:,}. "
                "Shorten it.",
                "return-too-long",
            )
        if text:
            proposed[target] = text
    edited = _read_only_edited(action, v, proposed, returned.columns)
    if edited is not None:
        refuse(
            edited,
            f"{_header(edited)} reads '{_text(v.get(edited))}' here but "
            f"'{_text(deadline_shown(action) if edited == 'deadline' else getattr(action, edited))}' in the "
            "tracker: a grey (read-only) column was edited, or the tracker changed since the request was "
            "sent. Send a fresh request.",
            "return-read-only",
        )
    return action, proposed, refusals


def _header(field: str) -> str:
    return next(c.header for c in request_columns(True) if c.field == field)


_SOURCE = {
    "status": "new_status",
    "completed_on": "completed_on",
    "commentary": "new_commentary",
    "deadline": "proposed_deadline",
    "reason": "reason",
}


def sent_for(
    returned: Returned,
    log: tuple[ChaseEntry, ...],
    trust_unlogged: bool = False,
    tracker_id: str = "",
) -> tuple[Returned | None, Finding | None]:
    """The return as the tracker sent it, or why nothing from it is taken.

    Nothing a return says about itself is trusted: its request id must be one this tracker logged as sent, and the
    owner, period and actions are the log's, and the tracker it names (its identity, ``tracker_id``: Settings
    "Tracker ID") must be this one, as must the tracker that wrote the log's row. A return whose About sheet names
    another owner, period or tracker than the log, or that holds an action the request did not ask about, is
    refused whole. A return with no request id (made
    before requests carried one) is taken as it says only with ``trust_unlogged``.
    """

    def refuse(
        message: str, code: str, cell: str = REQUEST_ID_CELL, sheet: str = ABOUT_SHEET
    ) -> Finding:
        return refusal(
            returned.file, cell, "", f"{message} Nothing from this file is taken.", code, sheet
        )

    if not returned.request_id:
        if trust_unlogged:
            return returned, None
        return None, refuse(
            "this return carries no request id (it was made before requests carried one, or its "
            "hidden About sheet was changed), so it cannot be checked against a request this tracker "
            "sent. Send the owner a fresh request, or, if you know the file is genuine, collect it "
            "from the command line with --trust-unlogged.",
            "return-unlogged",
        )
    sent = next((e for e in log if e.event == SENT and e.request == returned.request_id), None)
    if sent is None:
        return None, refuse(
            f"its request id {returned.request_id} is not one this tracker sent (the Requests log has "
            "no such request): it was made from another tracker, or its About sheet was changed. "
            "Collect it into the tracker it came from.",
            "return-not-sent",
        )
    if sent.tracker and sent.tracker != tracker_id:
        return None, refuse(
            f"the Requests log's row for its request {returned.request_id} was written by another tracker "
            f"(Tracker ID {sent.tracker}; this tracker's is {tracker_id or 'blank'} on Settings): the Requests "
            "sheet was copied from another workbook, or Settings' Tracker ID was changed (put it back from the "
            "copy in the backups folder). Collect the return into the tracker it came from.",
            "return-other-tracker",
        )
    if (returned.tracker_id or sent.tracker) and returned.tracker_id != sent.tracker:
        return None, refuse(
            f"its About sheet names the tracker {returned.tracker_id or '(blank)'}, but the request was sent "
            f"by this tracker ({sent.tracker or 'no Tracker ID logged'}): it was made from another tracker, or "
            "its About sheet was changed. Collect it into the tracker it came from.",
            "return-other-tracker",
            TRACKER_ID_CELL,
        )
    if returned.owner != sent.owner:
        return None, refuse(
            f"its About sheet names the owner {returned.owner}, but the request was sent to "
            f"{sent.owner}.",
            "return-owner-changed",
            f"B{ABOUT_KEYS.index('Owner') + 1}",
        )
    if schema.same_name(returned.period) != schema.same_name(sent.period):
        return None, refuse(
            f"its About sheet names the period '{returned.period}', but the request was sent for "
            f"'{sent.period}'.",
            "return-period-changed",
            f"B{ABOUT_KEYS.index('Period') + 1}",
        )
    asked = set(sent.actions)
    for row in returned.rows:
        action_id = _text(row.values.get("action_id"))
        if action_id not in asked:
            return None, refuse(
                f"action {action_id} was not in the request sent to {sent.owner} "
                f"({', '.join(sent.actions) or 'no actions'}): rows were added or an Action ID "
                "changed.",
                "return-not-asked",
                f"{letter('action_id', returned.columns)}{row.row}",
                REQUEST_SHEET,
            )
    return replace(returned, owner=sent.owner, period=sent.period), None


def collect(
    plan: Plan,
    returns: list[Returned] | tuple[Returned, ...],
    as_at: date,
    log: tuple[ChaseEntry, ...] = (),
    trust_unlogged: bool = False,
) -> Collected:
    """Check every return against the request the tracker sent (``sent_for``, from the Requests ``log``) and against
    the plan: the accepted updates and proposals, and each refusal with its cell.

    Two returns giving different values for one field of one action are both refused for that field; a value
    equal to the tracker's, or a proposal already on Revisions, is no change, so applying a return twice changes
    nothing the second time.
    """
    actions = {a.action_id: a for a in plan.actions if a.action_id}
    refusals: list[Finding] = []
    offers: dict[tuple[str, str], list[tuple[object, Returned, ReturnRow]]] = {}
    taken: list[Returned] = []
    for given in returns:
        returned, refused_whole = sent_for(
            given, log, trust_unlogged, str(plan.setting(schema.TRACKER_ID_KEY))
        )
        if returned is None:
            refusals.append(refused_whole)
            continue
        taken.append(returned)
        for row in returned.rows:
            action, proposed, refused = _check_row(plan, actions, returned, row, as_at)
            refusals += refused
            if refused or action is None:
                continue
            for field, value in proposed.items():
                offers.setdefault((action.action_id, field), []).append((value, returned, row))
    conflicted: set[tuple[str, str]] = set()
    for (action_id, field), given in offers.items():
        if len({_text(value) for value, _, _ in given}) > 1:
            conflicted.add((action_id, field))
            if field == "reason":
                conflicted.add((action_id, "deadline"))
            shown = "; ".join(f"{r.file}: '{_text(value)}'" for value, r, _ in given)
            for _, returned, row in given:
                refusals.append(
                    refusal(
                        returned.file,
                        f"{letter(_SOURCE[field], returned.columns)}{row.row}",
                        action_id,
                        f"owners returned different values for action {action_id} ({shown}), so "
                        "none is taken. Agree one value and type it in the tracker.",
                        "return-conflict",
                    )
                )
    updates: list[Update] = []
    proposals: list[Proposal] = []
    changed_by: dict[str, set[str]] = {}
    for (action_id, field), given in offers.items():
        if (action_id, field) in conflicted or field == "reason":
            continue
        value, returned, row = given[0]
        action = actions[action_id]
        cell = f"{letter(_SOURCE[field], returned.columns)}{row.row}"
        if field == "deadline":
            reason = next((str(v) for v, _, _ in offers.get((action_id, "reason"), ())), "")
            logged = any(r.new_deadline == value for r in plan.revisions_of(action_id))
            if value != action.deadline and not logged:
                proposals.append(
                    Proposal(action_id, action.deadline, value, reason, returned.file, cell)
                )
                for _, r, _ in given:
                    changed_by.setdefault(r.file, set()).add(action_id)
            continue
        old = getattr(action, field)
        if (_text(old) if field == "commentary" else old) == (
            _text(value) if field == "commentary" else value
        ):
            continue
        updates.append(Update(action_id, field, old, value, returned.file, cell))
        for _, r, _ in given:
            changed_by.setdefault(r.file, set()).add(action_id)
    touched = dict.fromkeys(u.action_id for u in updates)
    for action_id in touched:  # each changed action: the date of its update
        action = actions[action_id]
        if action.last_updated != as_at:
            source = next(u for u in updates if u.action_id == action_id)
            updates.append(
                Update(
                    action_id, "last_updated", action.last_updated, as_at, source.file, source.cell
                )
            )
    order = {a: i for i, a in enumerate(actions)}
    updates.sort(
        key=lambda u: (
            order[u.action_id],
            [f for f, _ in UPDATED_FIELDS + (("last_updated", ""),)].index(u.field),
        )
    )
    accepted = tuple(
        (r.file, r.owner, r.period, tuple(sorted(changed_by.get(r.file, ()), key=order.get)))
        for r in taken
    )
    return Collected(
        tuple(updates),
        tuple(proposals),
        tuple(refusals),
        accepted,
        tuple(r.file for r in taken if not r.request_id),
        tuple((r.file, r.request_id) for r in taken if r.request_id),
        recorded_after(plan, tuple(updates), as_at),
    )


def plan_after(plan: Plan, updates: tuple[Update, ...]) -> Plan:
    """The plan as it will be once the updates are written into Actions (a proposed deadline is not yet agreed, so
    no deadline changes); a new status carries the meaning the plan's words give it."""
    changed: dict[str, dict[str, object]] = {}
    for u in updates:
        changed.setdefault(u.action_id, {})[u.field] = u.new
    if not changed:
        return plan

    def after(action: Action) -> Action:
        fields = changed.get(action.action_id)
        if not fields:
            return action
        if "status" in fields:
            found = plan.words.meaning_of(fields["status"])
            fields = {**fields, "meaning": found[1] if found else ""}
        return replace(action, **fields)

    return replace(plan, actions=tuple(after(a) for a in plan.actions))


def recorded_after(
    plan: Plan, updates: tuple[Update, ...], as_at: date
) -> tuple[RecordedAfter, ...]:
    """Each action the updates change whose Recorded RAG will differ from the rule's rating after them, in the plan's
    scheme as at the date: ``dashboard.disagreements``, the rule the Dashboard and the report use, on the plan as it
    will be (``plan_after``). A blank Recorded RAG is no disagreement."""
    if not updates:
        return ()
    after = plan_after(plan, updates)
    source: dict[str, str] = {}  # each changed action: the first return that changes it
    for u in updates:
        source.setdefault(u.action_id, u.file)
    name = after.scheme.name_of
    return tuple(
        RecordedAfter(
            d.action_id,
            d.recorded,
            d.derived,
            name(d.recorded),
            name(d.derived),
            source[d.action_id],
        )
        for d in disagreements(after, derived_ratings(after, as_at))
        if d.action_id in source
    )


def shown(value: object) -> str:
    """A value of the preview as an officer reads it: dates in UK form, blanks as nothing."""
    return uk(value) if isinstance(value, date) else ("" if value is None else str(value))


def preview_lines(collected: Collected, limit: int | None = None) -> tuple[str, ...]:
    """The preview of what the returns change, one line per change and per proposed deadline (and per refusal),
    each value named by its Actions column header ('Completed on', not the field name).

    ``limit`` shortens each value shown (and each refusal's reason, to twice that) for a message box.
    """

    def cut(value: object, most: int | None = limit) -> str:
        text = shown(value)
        return text if most is None or len(text) <= most else text[: most - 1] + "…"

    lines = [
        f"{u.action_id}  {schema.ACTIONS.column(u.field).header}: '{cut(u.old)}' -> '{cut(u.new)}'  "
        f"({u.file} {u.cell})"
        for u in collected.updates
    ]
    lines += [
        f"{p.action_id}  new deadline proposed: {shown(p.old_deadline)} -> {shown(p.new_deadline)} (Revisions, "
        f"not yet agreed; reason: {cut(p.reason) or 'none given'})  ({p.file} {p.cell})"
        for p in collected.proposals
    ]
    lines += [
        f"refused {r.where}: {cut(r.message, limit and 2 * limit)}" for r in collected.refusals
    ]
    lines += [
        f"{file}: taken without a logged request (--trust-unlogged): its owner and period are as the file says"
        for file in collected.unlogged
    ]
    return tuple(lines)


def recorded_set_sentence(recorded: tuple[RecordedAfter, ...]) -> str:
    """What was set, in a sentence: 'Set the Recorded RAG of 1 action to the rule's rating (5.2), logged on the
    Requests sheet.' ("" when nothing was)."""
    if not recorded:
        return ""
    return (
        f"Set the Recorded RAG of {counted(len(recorded), 'action')} to the rule's rating "
        f"({', '.join(r.action_id for r in recorded)}), logged on the Requests sheet."
    )


def recorded_lines(collected: Collected) -> tuple[str, ...]:
    """The Recorded RAGs that will differ from the rule after the returns, one sentence each (``RecordedAfter.said``)."""
    return tuple(r.said for r in collected.recorded)


def preview_dict(
    collected: Collected, as_at: date, applied: bool, set_recorded: bool = False
) -> dict:
    """The preview as ``ofsted-tracker collect --json`` prints it (and the task pane shows it); ``set_recorded``:
    the Recorded RAGs were set to the rule's rating as the returns were applied."""
    return {
        "as_at": as_at.isoformat(),
        "applied": applied,
        "updates": [
            {
                "action": u.action_id,
                "field": u.field,
                "old": shown(u.old),
                "new": shown(u.new),
                "file": u.file,
                "cell": u.cell,
            }
            for u in collected.updates
        ],
        "revisions": [
            {
                "action": p.action_id,
                "old_deadline": shown(p.old_deadline),
                "new_deadline": shown(p.new_deadline),
                "reason": p.reason,
                "file": p.file,
                "cell": p.cell,
            }
            for p in collected.proposals
        ],
        "refused": [r.as_dict() for r in collected.refusals],
        "taken_without_a_logged_request": list(collected.unlogged),
        "recorded_rag": [
            {
                "action": r.action_id,
                "recorded": r.recorded,
                "rule": r.rule,
                "said": r.said,
                "file": r.file,
                "set": applied and set_recorded and r.rule is not None,
            }
            for r in collected.recorded
        ],
    }


def _column(plan: Plan, sheet: str, field: str) -> int | None:
    letter = plan.columns.get(sheet, {}).get(field)
    return schema.column_number(letter) if letter else None


def tracker_id_cells(plan: Plan, tracker_id: str) -> dict[tuple[int, int], schema.CellValue]:
    """The Settings cells that record the tracker's identity, when it has none yet (its row, or a new row below the
    table); nothing when Settings already holds this id. Another id there is refused: the requests were made from
    a tracker whose identity has changed since."""
    held = str(plan.setting(schema.TRACKER_ID_KEY))
    if held == tracker_id:
        return {}
    sheet = schema.SETTINGS.name
    if held:
        raise UnusableInput(
            f"{sheet}!{plan.cell(sheet, 'value', plan.setting_rows[schema.TRACKER_ID_KEY])}: the Tracker ID is "
            f"{held}, but the requests were made with {tracker_id}. Nothing was logged: make the requests again.",
            sheet,
        )
    key, value = _column(plan, sheet, "key") or 1, _column(plan, sheet, "value") or 2
    row = plan.setting_rows.get(schema.TRACKER_ID_KEY) or max(plan.last_rows.get(sheet, 0), 1) + 1
    return {(row, key): schema.TRACKER_ID_KEY, (row, value): tracker_id}


def edits_for(
    plan: Plan, collected: Collected, set_recorded: bool = False
) -> dict[str, dict[tuple[int, int], schema.CellValue]]:
    """The cells to write, by sheet: each accepted update at its Actions cell, each proposal as a new Revisions row,
    and with ``set_recorded`` the rule's letter in the Recorded RAG cell of each action ``collected.settable`` names."""
    rows = {a.action_id: a.row for a in plan.actions}
    actions: dict[tuple[int, int], schema.CellValue] = {}
    recorded = _column(plan, schema.ACTIONS.name, "recorded_rag")
    if set_recorded and recorded is not None:  # a Recorded RAG was read, so its column is there
        for r in collected.settable:
            actions[(rows[r.action_id], recorded)] = r.rule
    for update in collected.updates:
        column = _column(plan, schema.ACTIONS.name, update.field)
        if column is None:
            if update.field == "last_updated":
                continue  # an older tracker without the column: nothing to date
            header = schema.ACTIONS.column(update.field).header
            raise UnusableInput(
                f"The Actions sheet has no '{header}' column, so {update.action_id}'s returned value "
                "cannot be written. Add the column (see 'ofsted-tracker new'). Nothing was changed."
            )
        actions[(rows[update.action_id], column)] = update.new
    revisions: dict[tuple[int, int], schema.CellValue] = {}
    # below the last row of Revisions that holds anything (a row the plan could not read included), never above its header
    row = max([plan.last_rows.get(schema.REVISIONS.name, 0), *(r.row for r in plan.revisions)]) or 1
    for proposal in collected.proposals:
        row += 1
        for field, value in (
            ("action_id", proposal.action_id),
            ("old_deadline", proposal.old_deadline),
            ("new_deadline", proposal.new_deadline),
            ("reason", proposal.reason),
        ):
            column = _column(plan, schema.REVISIONS.name, field)
            if column is not None:
                revisions[(row, column)] = value
    return {schema.ACTIONS.name: actions, schema.REVISIONS.name: revisions}


# --- the Requests sheet: the log of requests sent and returns received ------------------------------------------------

CHASE_SHEET = "Requests"
CHASE_NOTE = (
    "Written by 'ofsted-tracker requests' and 'collect --apply': do not type here. One row per request sent "
    "and per return applied (the chase list on the Dashboard counts them), and per Recorded RAG set to the "
    "rule's rating with a return."
)
CHASE_HEADER_ROW = 4
SENT, RECEIVED, RECORDED_SET = "Request sent", "Return received", "Recorded RAG set"
EVENTS = (SENT, RECEIVED, RECORDED_SET)
CHASE_SPEC = schema.SheetSpec(
    CHASE_SHEET,
    "Requests",
    (
        schema.Column("Period", "period", schema.ID, 12, required=False),
        schema.Column("Owner", "owner", schema.ID, 10),
        schema.Column("Event", "event", schema.TEXT, 16),
        schema.Column("On", "on", schema.DATE, 12),
        schema.Column("File", "file", schema.TEXT, 50, required=False),
        schema.Column("Actions", "actions", schema.TEXT, 40, required=False),
        schema.Column("Request ID", "request", schema.ID, 18, required=False),
        schema.Column("Tracker ID", "tracker", schema.ID, 34, required=False),
        schema.Column("Note", "note", schema.TEXT, 45, required=False),
    ),
    "One row per update request sent, per return received and per Recorded RAG set by the rule.",
)
CHASE_LOG = schema.LogSheet(CHASE_SPEC, CHASE_HEADER_ROW)


def unreadable_log(message: str) -> Finding:
    """The finding for a Requests sheet whose table cannot be found at all (its header typed over, say)."""
    return Finding(
        ERROR,
        CHASE_SHEET,
        f"A{CHASE_HEADER_ROW}",
        "",
        f"{message} It is "
        "written by the tool: restore it from a backup, or delete it to start the log again.",
        "requests-header",
    )


@dataclass(frozen=True)
class ChaseEntry:
    """One line of the log: a request sent to an owner, or a return received from them, with the actions."""

    period: str
    owner: str
    event: str
    on: date
    file: str
    actions: tuple[str, ...]
    request: str = ""  # the request's random id (a return received names the request it answers)
    tracker: str = ""  # the identity of the tracker that wrote the row (Settings "Tracker ID")
    note: str = (
        ""  # a Recorded RAG set: from what to what ("Amber to Green: set to the rule's rating ...")
    )


def sent_entries(requests: Requests) -> tuple[ChaseEntry, ...]:
    """The log lines for the requests written (each named by its workbook's file name)."""
    return tuple(
        ChaseEntry(
            r.period,
            r.lead.key,
            SENT,
            r.as_at,
            r.file_name,
            tuple(a.action_id for a in r.actions),
            r.request_id,
            r.tracker_id,
        )
        for r in requests.requests
    )


def with_entries(
    log: tuple[ChaseEntry, ...], new: tuple[ChaseEntry, ...]
) -> tuple[ChaseEntry, ...]:
    """The log with the new entries after it, an entry already there (the same line: period, owner, event, day, file
    and actions) once."""
    seen = set(log)
    return log + tuple(e for e in new if e not in seen)


def received_entries(
    collected: Collected, as_at: date, set_recorded: bool = False
) -> tuple[ChaseEntry, ...]:
    """The log lines for returns that changed something when applied, then (``set_recorded``) one per Recorded RAG
    set to the rule's rating, with the return that changed its action and what it was set from and to."""
    requests = dict(collected.requests)
    received = tuple(
        ChaseEntry(period, owner, RECEIVED, as_at, file, ids, requests.get(file, ""))
        for file, owner, period, ids in collected.accepted
        if ids
    )
    if not set_recorded:
        return received
    whose = {file: (owner, period) for file, owner, period, _ in collected.accepted}
    return received + tuple(
        ChaseEntry(
            whose[r.file][1],
            whose[r.file][0],
            RECORDED_SET,
            as_at,
            r.file,
            (r.action_id,),
            note=r.note,
        )
        for r in collected.settable
    )


def chase_grid(entries: tuple[ChaseEntry, ...]) -> list[list[object]]:
    """The Requests sheet from A1: title, note, a blank row, the header, one row per entry (dates as yyyy-mm-dd)."""
    rows: list[list[object]] = [
        ["Update requests and returns"],
        [CHASE_NOTE],
        [],
        list(CHASE_SPEC.headers),
    ]
    rows += [
        [
            e.period,
            e.owner,
            e.event,
            e.on.isoformat(),
            e.file,
            ", ".join(e.actions),
            e.request or None,
            e.tracker or None,
            e.note or None,
        ]
        for e in entries
    ]
    width = len(CHASE_SPEC.columns)
    return [row + [None] * (width - len(row)) for row in rows]


def read_chase(
    letters: dict[str, str], rows: list[tuple[int, dict[str, object]]]
) -> tuple[tuple[ChaseEntry, ...], list[Finding]]:
    """The log from the Requests table's rows; a row that cannot be read is left out with a finding at its cell."""
    entries, findings = [], []
    for number, values in rows:
        owner, event = _text(values.get("owner")), _text(values.get("event"))
        on, problem = _day(values.get("on"))
        if not owner or event not in EVENTS or on is None:
            field = "owner" if not owner else "event" if event not in EVENTS else "on"
            findings.append(
                Finding(
                    ERROR,
                    CHASE_SHEET,
                    f"{letters.get(field, 'A')}{number}",
                    "",
                    "this row of the Requests log cannot be read, so it is left out of the chase list. "
                    "The Requests sheet is written by the tool: restore it from a backup.",
                    "requests-value",
                )
            )
            continue
        actions = tuple(a.strip() for a in _text(values.get("actions")).split(",") if a.strip())
        entries.append(
            ChaseEntry(
                _text(values.get("period")),
                owner,
                event,
                on,
                _text(values.get("file")),
                actions,
                _text(values.get("request")),
                _text(values.get("tracker")),
                str(values.get("note") or "").strip(),
            )
        )
    return tuple(entries), findings


# --- the chase list ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerChase:
    """Per owner: requests sent and returns received (this period), their actions without an update this period,
    and those whose commentary is unchanged since the last snapshot (None when there is no earlier snapshot)."""

    owner: str
    name: str
    requests_sent: int
    returns_received: int
    without_update: tuple[str, ...]
    commentary_unchanged: tuple[str, ...] | None

    def as_dict(self) -> dict:
        return {
            "owner": self.owner,
            "name": self.name,
            "requests_sent": self.requests_sent,
            "returns_received": self.returns_received,
            "without_update": {
                "count": len(self.without_update),
                "actions": list(self.without_update),
            },
            "commentary_unchanged": None
            if self.commentary_unchanged is None
            else {
                "count": len(self.commentary_unchanged),
                "actions": list(self.commentary_unchanged),
            },
        }


def chase_list(
    plan: Plan,
    period: Period | None,
    as_at: date,
    entries: tuple[ChaseEntry, ...],
    last: Snapshot | None,
) -> tuple[OwnerChase, ...]:
    """The chase list for the period as at the date, one row per owner with actions to update (Leads order).

    An action has an update this period when its Last updated date, or a return received for it, falls between the
    period's start and the as-at date (any date up to the as-at date when there is no period).
    """
    start = period.start if period else date.min
    name = period.name if period else ""

    def this_period(e: ChaseEntry) -> bool:
        return start <= e.on <= as_at and (
            not name or schema.same_name(e.period) == schema.same_name(name)
        )

    returned = {a for e in entries if e.event == RECEIVED and this_period(e) for a in e.actions}
    before = {r.action_id: r.commentary for r in last.rows} if last else None
    out = []
    for request in plan_requests(plan, period, as_at).requests:
        initials = request.lead.key
        stale = tuple(
            a.action_id
            for a in request.actions
            if a.action_id not in returned
            and not (a.last_updated and start <= a.last_updated <= as_at)
        )
        same = (
            None
            if before is None
            else tuple(
                a.action_id
                for a in request.actions
                if before.get(a.action_id) == commentary_hash(a.commentary)
            )
        )
        mine = [e for e in entries if e.owner == initials and this_period(e)]
        out.append(
            OwnerChase(
                initials,
                request.lead.name,
                sum(e.event == SENT for e in mine),
                sum(e.event == RECEIVED for e in mine),
                stale,
                same,
            )
        )
    return tuple(out)
