"""A finding of validation: what is wrong, where (sheet and cell), which action, and how to put it right."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ofsted_tracker.workbook.errors import UnusableInput

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One problem found in the workbook; ``where`` reads like Excel: ``Actions!F12``."""

    severity: str
    sheet: str
    cell: str
    action_id: str
    message: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "where": self.where}


def sort_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then notes; within each, in sheet order as found."""
    return tuple(sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9)))


def count(findings: tuple[Finding, ...] | list[Finding], severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity)


def refuse_unreadable(findings: Iterable[Finding], sheet: str) -> None:
    """Refuse a write of the tool's own ``sheet`` when it has cells the tool cannot read: writing would drop them."""
    problems = [f for f in findings if f.sheet == sheet]
    if problems:
        where = ", ".join(f.where for f in problems[:5]) + (
            " and more" if len(problems) > 5 else ""
        )
        raise UnusableInput(
            f"The {sheet} sheet has cells the tool cannot read ({where}): {problems[0].message} "
            "Nothing was changed."
        )
