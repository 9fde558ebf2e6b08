"""Terminal presentation of a summary and its findings with rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ofsted_tracker.workbook.plan.dates import uk
from ofsted_tracker.workbook.rules.summary import Summary

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def findings_table(s: Summary, limit: int | None = None) -> Table:
    """Findings as a table: severity, where, action, message (the first ``limit`` if given)."""
    title = f"Checks as at {uk(s.as_at)}: {s.counts_text()}"
    shown = s.findings if limit is None else s.findings[:limit]
    more = len(s.findings) - len(shown)
    table = Table(
        title=title,
        title_justify="left",
        show_lines=False,
        caption=(
            f"... and {more:,} more {'finding' if more == 1 else 'findings'} not shown: all "
            f"{len(s.findings):,} are on the Checks sheet after a refresh, and in --json output."
            if more
            else None
        ),
        caption_justify="left",
    )
    for name in ("Severity", "Where", "Action", "What is wrong and how to put it right"):
        table.add_column(name, overflow="fold")
    for f in shown:
        table.add_row(
            f"[{STYLE.get(f.severity, '')}]{f.severity}[/]",
            *(escape(t) for t in (f.where, f.action_id, f.message)),
        )
    return table


def print_summary(console: Console, s: Summary) -> None:
    """The overall and period dashboards and the disagreements, as the committee would read them."""
    o, r = s.overall, s.recorded
    table = Table(title=f"Overall progress as at {uk(s.as_at)}", title_justify="left")
    for name in ("", "By the rule", "As recorded"):
        table.add_column(name, justify="right" if name else "left")
    blue = (("Complete and embedded (B)", o.embedded, r.embedded),) if s.plan.brag else ()
    for label, a, b in (
        ("Total actions", o.total, r.total),
        *blue,
        ("Completed by deadline (G)", o.completed, r.completed),
        ("Ongoing within deadline (A)", o.ongoing, r.ongoing),
        ("Not completed by deadline (R)", o.not_completed, r.not_completed),
        ("Not rated", o.not_rated, r.not_rated),
    ):
        table.add_row(label, str(len(a)), str(len(b)))
    console.print(table)
    if s.disagreements:
        console.print(
            "Recorded RAG differs from the rule: "
            + ", ".join(
                escape(f"{d.action_id} ({d.recorded}→{d.derived or '-'})") for d in s.disagreements
            )
        )
    p = s.period
    if p:
        table = Table(
            title=escape(
                f"Period {p.period.name}: {uk(p.period.start)} to {uk(p.period.end)} "
                "(judged against the original deadline)"
            ),
            title_justify="left",
        )
        table.add_column("")
        table.add_column("Count", justify="right")
        table.add_column("Actions", overflow="fold")
        for label, ids in (
            ("Due", p.due),
            ("Completed by deadline", p.completed),
            ("Not completed by deadline", p.not_completed),
            ("  rescheduled", p.rescheduled),
            ("  completed late", p.completed_late),
            ("Not yet due", p.not_yet_due),
        ):
            table.add_row(label, str(len(ids)), escape(", ".join(ids)))
        console.print(table)
    console.print(f"Deadline revisions shown: {len(s.revisions)}.  Findings: {s.counts_text()}.")
