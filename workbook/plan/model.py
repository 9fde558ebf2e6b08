"""The plan as plain data: actions, recommendations, leads, revisions, periods and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from ofsted_tracker.workbook.plan import schemes
from ofsted_tracker.workbook.plan.ids import blank_last
from ofsted_tracker.workbook.plan.schema import OFFICER_SHEETS, same_name


@dataclass(frozen=True)
class Action:
    """One action of the plan as officers recorded it; ``row`` is its row on the Actions sheet."""

    action_id: str
    rec_id: str
    text: str
    owners: tuple[str, ...]
    original_deadline: date | None
    current_deadline: date | None
    status: str
    completed_on: date | None = None
    recorded_rag: str | None = None
    commentary: str = ""
    last_updated: date | None = None
    row: int = 0
    original_raw: str = ""
    current_raw: str = ""
    evidence: str = ""  # evidence of impact: in BRAG, what makes a Complete action Blue
    corrective_action: str = ""  # for a Red action: what is being done about it
    forecast: date | None = None  # for a Red action: when it is now expected to be complete
    # what the status word means (schemes.MEANINGS: complete, on track, at risk, ...); "" when it names none
    meaning: str = ""
    no_end_date: bool = (
        False  # the deadline says Ongoing (or Monthly, Annual, ...): a continuous action
    )
    success_measure: str = ""  # what success looks like, as the plan states it
    supporting: str = (
        ""  # who supports the owners ("with support from all partners"): a note, not an owner
    )

    def __post_init__(self) -> None:
        if (
            not self.meaning and self.status
        ):  # made in code (the demo, tests): the default words' meaning
            found = schemes.DEFAULT_STATUS_WORDS.meaning_of(self.status)
            if found:
                object.__setattr__(self, "meaning", found[1])

    @property
    def deadline(self) -> date | None:
        """The deadline now in force: the current one, else the original (None for an action with no end date)."""
        return self.current_deadline or self.original_deadline

    @property
    def is_complete(self) -> bool:
        return self.meaning == schemes.COMPLETE

    @property
    def withdrawn(self) -> bool:
        """Withdrawn, superseded, merged or no longer required: out of every count, listed apart."""
        return self.meaning == schemes.WITHDRAWN

    @property
    def owners_text(self) -> str:
        return "/".join(self.owners)


@dataclass(frozen=True)
class Recommendation:
    """A recommendation of the inspection, with the plan's narrative about it."""

    rec_id: str
    text: str
    section: str = ""
    section_title: str = ""
    lead: str = ""
    linked_plan: str = ""
    partners: str = ""
    expected_outcomes: str = ""
    success_measures: str = ""
    progress_commentary: str = ""
    impact: str = ""
    further_action: str = ""
    row: int = 0


@dataclass(frozen=True)
class Lead:
    """A key lead: initials as used in the Owner(s) column, name, job title and e-mail address (for requests).

    A lead may be an organisation or a team ("Health", "Police"): its name is enough, initials are optional."""

    initials: str
    name: str
    job_title: str = ""
    row: int = 0
    email: str = ""

    @property
    def key(self) -> str:
        """What names the lead in requests and their log: the initials, else (an organisation, a team) the name."""
        return self.initials or self.name

    @property
    def shown(self) -> str:
        """ "Stephen Kitchman (SK)", or "Health" for a lead known by name alone."""
        return f"{self.name} ({self.initials})" if self.name and self.initials else self.key


@dataclass(frozen=True)
class Revision:
    """One agreed change of an action's deadline, from the Revisions log."""

    action_id: str
    old_deadline: date | None
    new_deadline: date | None
    reason: str = ""
    agreed_by: str = ""
    agreed_on: date | None = None
    row: int = 0

    @property
    def approved(self) -> bool:
        """A revision counts as approved once the Agreed by column names who agreed it."""
        return bool(self.agreed_by.strip())


@dataclass(frozen=True)
class Period:
    """A reporting period: an action is due in it when its original deadline falls between start and end."""

    name: str
    start: date
    end: date
    row: int = 0

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class Plan:
    """Everything read from one tracker workbook.

    Actions and recommendations are kept in the natural order of their ids (``ids.natural_key``: 1.2 before 1.10),
    whatever order the sheet has them in; rows with no id come last, and rows sharing an id stay in sheet order."""

    actions: tuple[Action, ...]
    recommendations: tuple[Recommendation, ...] = ()
    leads: tuple[Lead, ...] = ()
    revisions: tuple[Revision, ...] = ()
    periods: tuple[Period, ...] = ()
    settings: dict[str, object] = field(default_factory=dict)
    setting_rows: dict[str, int] = field(
        default_factory=dict
    )  # the Settings row of each setting, for locations
    # why a setting that is filled in cannot be used (a date that is not one, a key typed twice), with its cells
    setting_problems: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # sheet -> field -> column letter as read
    # sheet -> the last row of its table as read: its last non-blank row, else its header row (0 when not known)
    last_rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = (
            ("actions", sorted(self.actions, key=lambda a: blank_last(a.action_id))),
            ("recommendations", sorted(self.recommendations, key=lambda r: blank_last(r.rec_id))),
        )
        for name, items in ordered:
            object.__setattr__(self, name, tuple(items))

    def cell(self, sheet: str, field_name: str, row: int) -> str:
        """Where a value lives, e.g. 'F12', using the column letters the workbook actually has."""
        letter = self.columns.get(sheet, {}).get(field_name)
        if letter is None:
            spec = next(s for s in OFFICER_SHEETS if s.name == sheet)
            letter = spec.letter(field_name)
        return f"{letter}{row}" if row else ""

    def setting(self, key: str, default: object = "") -> object:
        value = self.settings.get(key)
        return default if value in (None, "") else value

    @cached_property
    def scheme(self) -> schemes.Scheme:
        """The rating scheme Settings names (RAG when blank or not a scheme: that is a finding)."""
        return schemes.scheme_named(self.settings.get(schemes.SCHEME_KEY)) or schemes.RAG

    @property
    def brag(self) -> bool:
        """Whether the plan is rated Blue/Red/Amber/Green (Settings "Rating scheme" is BRAG)."""
        return self.scheme is schemes.BRAG

    @cached_property
    def tolerance(self) -> int:
        """Days behind: how many days past its deadline an action stays Amber (Settings, else 30)."""
        return schemes.tolerance(self.settings.get(schemes.TOLERANCE_KEY))[0]

    @cached_property
    def words(self) -> schemes.StatusWords:
        """The council's status words, by meaning (Settings "Words for ..." rows, else the defaults)."""
        return schemes.status_words(self.settings)[0]

    @cached_property
    def counted(self) -> tuple[Action, ...]:
        """The actions every count is made of: all but the withdrawn."""
        return tuple(a for a in self.actions if not a.withdrawn)

    @property
    def withdrawn(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.withdrawn)

    @property
    def no_end_date(self) -> tuple[Action, ...]:
        """Actions whose deadline says Ongoing: rated by status alone, never due in a period."""
        return tuple(a for a in self.counted if a.no_end_date)

    def period(self, name: str) -> Period | None:
        wanted = same_name(name)
        return next((p for p in self.periods if same_name(p.name) == wanted), None)

    def revisions_of(self, action_id: str) -> tuple[Revision, ...]:
        """The action's revisions in log order (an index built once per plan)."""
        return self._revisions_by_action.get(action_id, ())

    @cached_property
    def _revisions_by_action(self) -> dict[str, tuple[Revision, ...]]:
        index: dict[str, list[Revision]] = {}
        for revision in self.revisions:
            index.setdefault(revision.action_id, []).append(revision)
        return {key: tuple(value) for key, value in index.items()}

    @cached_property
    def _leads_by(self) -> tuple[dict[str, Lead], dict[str, Lead]]:
        """Leads by initials and by name as matched (the first of two with one key, in sheet order)."""
        by_initials: dict[str, Lead] = {}
        by_name: dict[str, Lead] = {}
        for lead in self.leads:
            by_initials.setdefault(lead.initials, lead)
            if lead.name:
                by_name.setdefault(same_name(lead.name), lead)
        return by_initials, by_name

    def lead(self, initials: str) -> Lead | None:
        """The lead with these initials exactly (the first, when two share them: that is a finding)."""
        return self._leads_by[0].get(initials)

    def lead_named(self, typed: str) -> Lead | None:
        """The lead an owner typed on Actions stands for: by initials exactly, else by full name matched as names are
        (spaces and case ignored: "stephen  KITCHMAN"). The one rule for validation, requests and the report."""
        return self.lead(typed) or self._leads_by[1].get(same_name(typed))
