"""The ``ofsted-tracker`` command line: new, demo, validate, refresh, summary, report, addin.

Exit codes: 0 done; 1 validation errors found (validate); 2 unusable input (a message names the place).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from workbook.errors import TrackerError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Ofsted improvement plan tracker: validate the workbook, refresh its dashboards, build the report.")
addin_app = typer.Typer(no_args_is_help=True, help="Build and install the Excel ribbon add-in.")
app.add_typer(addin_app, name="addin")

AsOf = Annotated[Optional[str], typer.Option("--as-of", help="As-at date (dd/mm/yyyy, yyyy-mm-dd or 'today'); "
                                              "default: 'As at date' in Settings.")]
PeriodOpt = Annotated[Optional[str], typer.Option("--period", help="Reporting period name from the Periods sheet; "
                                                   "default: 'Reporting period' in Settings.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Tracker = Annotated[Path, typer.Argument(help="The tracker workbook (.xlsx or .xlsm).")]


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    if text.strip().lower() == "today":
        return date.today()  # the edge of the program: the rules themselves never read the clock
    from workbook.dates import read_date

    reading = read_date(text)
    if reading.value is None or (reading.kind == "warning" and "month" in (reading.problem or "")):
        raise TrackerError(f"--as-of '{text}' is not a date; give it as dd/mm/yyyy or yyyy-mm-dd.")
    return reading.value


def _fail(exc: TrackerError) -> None:
    typer.echo(f"ofsted-tracker: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def _console():
    from rich.console import Console

    return Console(highlight=False)


@app.command()
def new(path: Tracker, force: Annotated[bool, typer.Option(help="Replace an existing file (a backup is kept).")] = False) -> None:
    """Make a blank tracker workbook."""
    from workbook.tracker import new_tracker

    try:
        if path.exists() and not force:
            raise TrackerError(f"{path.name} already exists. Choose another name, or add --force to replace it (a backup is kept).")
        new_tracker(path)
    except TrackerError as exc:
        _fail(exc)
    typer.echo(f"Made {path}. Fill in Settings, Periods, Leads, Recommendations and Actions, then run validate.")


@app.command()
def validate(path: Tracker, as_of: AsOf = None, period: PeriodOpt = None, as_json: JsonOpt = False) -> None:
    """Check the workbook; list every finding with its cell. Exit 1 when there are errors."""
    from workbook.tracker import open_summary

    try:
        s = open_summary(path, _as_of(as_of), period)
    except TrackerError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps({"findings": [f.as_dict() for f in s.findings],
                               "counts": {"errors": s.errors, "warnings": s.warnings}}, indent=2))
    else:
        from ofsted_tracker.show import findings_table

        _console().print(findings_table(s))
    raise typer.Exit(1 if s.errors else 0)


@app.command()
def summary(path: Tracker, as_of: AsOf = None, period: PeriodOpt = None, as_json: JsonOpt = False) -> None:
    """Print the dashboards: overall (rule and recorded), the period snapshot, slippage."""
    from workbook.tracker import open_summary

    try:
        s = open_summary(path, _as_of(as_of), period)
    except TrackerError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(s.as_dict(), indent=2))
    else:
        from ofsted_tracker.show import print_summary

        print_summary(_console(), s)


@app.command()
def refresh(path: Tracker, as_of: AsOf = None, period: PeriodOpt = None) -> None:
    """Write the Dashboard, Slippage and Checks sheets into the workbook (a backup is kept)."""
    from workbook.tracker import refresh as do_refresh

    try:
        s = do_refresh(path, _as_of(as_of), period)
    except TrackerError as exc:
        _fail(exc)
    typer.echo(f"Refreshed {path.name} as at {s.as_at:%d/%m/%Y}: {s.errors} errors, {s.warnings} warnings (see Checks).")


@app.command()
def report(path: Tracker, output: Annotated[Path, typer.Option("-o", "--output", help="The Word report to write.")],
           as_of: AsOf = None, period: PeriodOpt = None,
           template: Annotated[Optional[Path], typer.Option(help="Word template (.docx) to use.")] = None) -> None:
    """Build the Word committee report from the workbook."""
    from report_builder import build_report
    from workbook.paths import output_folder
    from workbook.tracker import open_summary

    try:
        _report_paths(path, output, template)
        s = open_summary(path, _as_of(as_of), period)
        output_folder(output.parent)
        written = build_report(s, output, template=template)
    except TrackerError as exc:
        _fail(exc)
    typer.echo(f"Wrote {written}")


def _report_paths(tracker: Path, output: Path, template: Path | None) -> None:
    """Refuse a report path that is the tracker, the template or in the backups folder; a template that is no file."""
    from report_builder.build import DEFAULT_TEMPLATE
    from workbook.paths import refuse_overwriting_inputs, regular_file
    from workbook.safe_write import BACKUP_DIR

    if template is not None:
        regular_file(template, "a Word template")
    refuse_overwriting_inputs(output, [tracker, template or DEFAULT_TEMPLATE], tracker.parent / BACKUP_DIR)


@app.command()
def demo(out: Annotated[Path, typer.Option("--out", help="Folder for the demo tracker and report.")] = Path("out")) -> None:
    """Build the Lewisham demo tracker, validate and refresh it, print the summary and write the report."""
    from workbook.demo import demo_rows
    from workbook.paths import output_folder
    from workbook.tracker import new_tracker, refresh as do_refresh
    from ofsted_tracker.show import findings_table, print_summary

    console = _console()
    try:
        output_folder(out)
        tracker = out / "lewisham-tracker.xlsx"
        new_tracker(tracker, demo_rows())
        s = do_refresh(tracker)
        console.print(f"[bold]Tracker[/bold] {tracker}")
        console.print(findings_table(s, limit=12))
        print_summary(console, s)
        from report_builder import build_report

        written = build_report(s, out / "lewisham-committee-report.docx")
        console.print(f"[bold]Report[/bold] {written}")
    except TrackerError as exc:
        _fail(exc)


@addin_app.command("build")
def addin_build(out: Annotated[Path, typer.Option("--out", help="Folder for the built add-in.")] = Path("dist")) -> None:
    """Build the ribbon add-in (.xlam) from the text sources in addin/, on any OS."""
    from addin.build import build

    try:
        written = build(out)
    except TrackerError as exc:
        _fail(exc)
    for path in written:
        typer.echo(f"Built {path}")


@addin_app.command("install")
def addin_install() -> None:
    """Put the add-in where Excel loads it and write the xlwings settings a click needs."""
    from addin.install import install

    try:
        message = install()
    except TrackerError as exc:
        _fail(exc)
    typer.echo(message)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except TrackerError as exc:  # a safety net: every command catches its own
        typer.echo(f"ofsted-tracker: {exc}", err=True)
        sys.exit(exc.exit_code)
