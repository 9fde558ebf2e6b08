"""The ``ofsted-tracker`` command line: new, demo, validate, refresh, summary, report, snapshot, requests, collect,
addin, serve, payload.

Exit codes: 0 done; 1 validation errors found (validate); 2 unusable input (a message names the place); 3 a fault
of the tool itself (a one-line message; ``OFSTED_TRACKER_DEBUG=1`` shows the traceback).

Built on click. Each command imports what it needs inside its own body, so a click starts only what that command
uses: ``validate`` never loads python-docx, ``--json`` never loads rich. (typer, which this file used before,
imports pydantic to convert every option, about 0.1 s on each run.)
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from ofsted_tracker.addin import payload as excel_payload
from ofsted_tracker.addin.build import build
from ofsted_tracker.addin.install import install
from ofsted_tracker.workbook import jobs
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.plan.dates import read_date
from ofsted_tracker.workbook.plan.words import counted, noun
from ofsted_tracker.workbook.rules.chase import (
    preview_dict,
    preview_lines,
    recorded_lines,
    recorded_set_sentence,
)
from ofsted_tracker.workbook.store.file import FileStore
from ofsted_tracker.workbook.store.paths import (
    existing_folder,
    output_folder,
    refuse_overwriting_inputs,
    regular_file,
    report_name,
)
from ofsted_tracker.workbook.store.reader import check_package
from ofsted_tracker.workbook.store.safe_write import BACKUP_DIR

UNEXPECTED = 3  # the exit code of a fault of the tool itself (never of bad input, which is 2)
SHOWN_FINDINGS = (
    30  # validate's text output: at most this many findings, then a line saying where the rest are
)

_tracker = click.argument("path", metavar="TRACKER", type=click.Path(path_type=Path))
_as_at = click.option(
    "--as-of",
    "as_at",
    metavar="DATE",
    help="As-at date (dd/mm/yyyy, yyyy-mm-dd or 'today'); default: 'As at date' in Settings.",
)
_period = click.option(
    "--period",
    metavar="NAME",
    help="Reporting period name from the Periods sheet; default: 'Reporting period' in Settings.",
)
_json = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@click.group(
    help="Ofsted improvement plan tracker: validate the workbook, refresh its dashboards, build the report.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(
    package_name="ofsted-tracker",
    prog_name="ofsted-tracker",
    message="%(prog)s %(version)s",
    help="Print the version and exit.",
)
def app() -> None:
    """The command group; each command below is one job."""


def _as_at_option(text: str | None) -> date | None:
    if text is None:
        return None
    if text.strip().lower() == "today":
        return date.today()  # the edge of the program: the rules themselves never read the clock
    reading = read_date(text)
    if reading.value is None or reading.month_only:
        raise TrackerError(f"--as-of '{text}' is not a date; give it as dd/mm/yyyy or yyyy-mm-dd.")
    return reading.value


# Each kind of refusal's exit code (``TrackerError.code``); every refusal of input is 2, a fault of the tool is 3.
EXIT_CODES = {
    "refused": 2,
    "unusable-input": 2,
    "workbook-locked": 2,
    "template": 2,
    "partly-written": 2,
}


def exit_code(exc: TrackerError) -> int:
    """The exit code of a refusal, by its code."""
    return EXIT_CODES.get(exc.code, 2)


def _fail(exc: TrackerError, prefix: str = "") -> None:
    click.echo(f"ofsted-tracker: {prefix}{exc}", err=True)
    sys.exit(exit_code(exc))


class ReportStore(FileStore):
    """The tracker as ``report`` writes it: ``report`` has no --force, so a snapshot refused for its dates points to
    the snapshot command, which has."""

    def again(self, option: str) -> str:
        if option.startswith("--force"):
            return (
                f"or run 'ofsted-tracker snapshot {self.path}' with the same --period and --as-of and "
                "--force to record it anyway"
            )
        return super().again(option)


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _open(path: Path, as_at: str | None, period: str | None):
    """The workbook's summary, or the command's message and exit code."""
    try:
        return jobs.open_summary(path, _as_at_option(as_at), period)
    except TrackerError as exc:
        _fail(exc)


@app.command()
@_tracker
@click.option("--force", is_flag=True, help="Replace an existing file (a backup is kept).")
@click.option(
    "--scheme",
    default="RAG",
    show_default=True,
    metavar="NAME",
    help="The rating scheme: RAG, BRAG, 'RAG + Completed' or 'Days behind' (README: the rules).",
)
def new(path: Path, force: bool, scheme: str) -> None:
    """Make a blank tracker workbook."""
    try:
        if path.exists() and not force:
            raise TrackerError(
                f"{path.name} already exists. Choose another name, or add --force to replace it (a backup is kept)."
            )
        jobs.new_tracker(path, scheme=scheme)
    except TrackerError as exc:
        _fail(exc)
    click.echo(
        f"Made {path}. Fill in Settings, Periods, Leads, Recommendations and Actions, then run validate."
    )


@app.command()
@_tracker
@_as_at
@_period
@_json
@click.option(
    "--fix-ids",
    is_flag=True,
    help="First give each action with a blank Action ID an id (<rec>.<n>, or 1, 2, ...), written into the "
    "workbook (a backup is kept); the ids given are listed.",
)
def validate(
    path: Path, as_at: str | None, period: str | None, as_json: bool, fix_ids: bool
) -> None:
    """Check the workbook; list every finding with its cell. Exit 1 when there are errors."""
    given = None
    if fix_ids:
        try:
            fixed = jobs.fix_ids(path, _as_at_option(as_at), period)
        except TrackerError as exc:
            _fail(exc)
        s, given = fixed.summary, fixed.finding
        if not as_json:
            click.echo(
                given.message if given else "Every action has an Action ID: nothing was changed."
            )
    else:
        s = _open(path, as_at, period)
    if given and not as_json:  # said above, in full: the table lists what is left to put right
        s = replace(s, findings=tuple(f for f in s.findings if f is not given))
    if as_json:
        click.echo(
            json.dumps(
                {"findings": [f.as_dict() for f in s.findings], "counts": s.counts()}, indent=2
            )
        )
    else:
        from ofsted_tracker.show import findings_table  # defers rich

        _console().print(findings_table(s, limit=SHOWN_FINDINGS))
    sys.exit(1 if s.errors else 0)


@app.command()
@_tracker
@_as_at
@_period
@_json
def summary(path: Path, as_at: str | None, period: str | None, as_json: bool) -> None:
    """Print the dashboards: overall (rule and recorded), the period snapshot, slippage."""
    s = _open(path, as_at, period)
    if as_json:
        click.echo(json.dumps(s.as_dict(), indent=2))
    else:
        from ofsted_tracker.show import print_summary  # defers rich

        print_summary(_console(), s)


@app.command()
@_tracker
@_as_at
@_period
def refresh(path: Path, as_at: str | None, period: str | None) -> None:
    """Write the Dashboard, Slippage and Checks sheets into the workbook (a backup is kept)."""
    try:
        s = jobs.refresh(path, _as_at_option(as_at), period)
    except TrackerError as exc:
        _fail(exc)
    click.echo(f"Refreshed {path.name} as at {s.as_at:%d/%m/%Y}: {s.counts_text()} (see Checks).")


@app.command()
@_tracker
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="REPORT.docx",
    type=click.Path(path_type=Path),
    help="The Word report to write (default: '<tracker name> report.docx' beside the tracker, as the ribbon names it).",
)
@_as_at
@_period
@click.option(
    "--template",
    metavar="TEMPLATE.docx",
    type=click.Path(path_type=Path),
    help="Word template (.docx) to use.",
)
@click.option(
    "--strict", is_flag=True, help="Refuse to build the report while validation finds errors."
)
@click.option(
    "--pdf",
    "pdf",
    is_flag=True,
    help="Also write a tagged, accessible PDF beside it (needs LibreOffice).",
)
@click.option(
    "--officers-annex",
    is_flag=True,
    help="End the report with the officers' annex: every error with its cell (members get a paragraph).",
)
def report(
    path: Path,
    output: Path | None,
    as_at: str | None,
    period: str | None,
    template: Path | None,
    strict: bool,
    pdf: bool,
    officers_annex: bool,
) -> None:
    """Build the Word committee report from the workbook."""
    from ofsted_tracker.report_builder import build_report  # defers the report's code
    from ofsted_tracker.report_builder.pdf import write_pdf  # defers the report's code

    if output is None:
        output = path.parent / report_name(path.name)
    try:
        _report_paths(path, output, template)
    except TrackerError as exc:
        _fail(exc)
    s = _open(path, as_at, period)
    if s.errors:
        errors = counted(s.errors, "error")
        if strict:
            _fail(
                TrackerError(
                    f"{path.name} has {errors} (run validate to see them with their cells); --strict "
                    "refuses to build the report until they are put right. Nothing was written."
                )
            )
        click.echo(
            f"ofsted-tracker: warning: {path.name} has {errors}; the report says so (the Checks sheet lists "
            "them; --officers-annex adds them to the report). Put them right, or use --strict to refuse.",
            err=True,
        )
    try:
        done = jobs.report(
            ReportStore(path),
            output,
            lambda summary, out: build_report(
                summary, out, template=template, officers_annex=officers_annex
            ),
            summary=s,
            today=date.today(),
        )
    except TrackerError as exc:
        _fail(exc)
    click.echo(f"Wrote {done.written}")
    if done.not_recorded:
        click.echo(f"ofsted-tracker: {done.why_not_recorded}", err=True)
        sys.exit(exit_code(done.not_recorded))
    click.echo(done.recorded.message(path.name))
    if pdf:
        try:
            click.echo(f"Wrote {write_pdf(done.written)}")
        except TrackerError as exc:
            _fail(exc)


def _report_paths(tracker: Path, output: Path, template: Path | None) -> None:
    """Refuse a report path in a folder that does not exist, or that is the tracker, the template or in the backups
    folder; and a template that is no file."""
    from ofsted_tracker.report_builder.build import DEFAULT_TEMPLATE  # defers the report's code

    existing_folder(output.parent)
    if template is not None:
        regular_file(template, "a Word template")
    refuse_overwriting_inputs(
        output, [tracker, template or DEFAULT_TEMPLATE], tracker.parent / BACKUP_DIR
    )


@app.command()
@_tracker
@_as_at
@_period
@click.option(
    "--force", is_flag=True, help="Record it even outside its period's dates, or after today."
)
def snapshot(path: Path, as_at: str | None, period: str | None, force: bool) -> None:
    """Record each action's state for the period on the History sheet (a period's earlier snapshot is replaced)."""
    s = _open(path, as_at, period)
    try:
        # the clock is read here, at the edge
        recorded = jobs.record_snapshot(path, s, date.today(), force)
    except TrackerError as exc:
        _fail(exc)
    click.echo(recorded.message(path.name))


@app.command()
@click.option(
    "--out",
    default=Path("out"),
    show_default=True,
    metavar="FOLDER",
    type=click.Path(path_type=Path),
    help="Folder for the demo tracker and report.",
)
def demo(out: Path) -> None:
    """Build the Lewisham demo tracker, validate and refresh it, print the summary and write the report."""
    from rich.markup import escape

    from ofsted_tracker.report_builder import build_report  # defers the report's code
    from ofsted_tracker.show import findings_table, print_summary  # defers rich
    from ofsted_tracker.workbook.demo import (  # defers openpyxl
        demo_rows,
        record_illustrative_snapshot,
    )

    console = _console()
    try:
        output_folder(out)
        tracker = out / "lewisham-tracker.xlsx"
        jobs.new_tracker(tracker, demo_rows())
        invented = record_illustrative_snapshot(
            tracker
        )  # an invented Q1, so the report shows direction of travel
        console.print(
            invented.message(tracker.name)
            + " [bold]Invented for the demo[/bold], not Lewisham's figures."
        )
        s = jobs.refresh(tracker)
        console.print(f"[bold]Tracker[/bold] {escape(str(tracker))}")
        console.print(findings_table(s, limit=12))
        print_summary(console, s)
        done = jobs.report(tracker, out / "lewisham-committee-report.docx", build_report, summary=s)
        console.print(f"[bold]Report[/bold] {escape(str(done.written))}")
        if done.not_recorded:
            raise done.not_recorded
        console.print(done.recorded.message(tracker.name))  # the published Q2, as the report does
    except TrackerError as exc:
        _fail(exc)


# --- import: a council's existing plan (Word, Excel or CSV) into a tracker (issue 21) ---
@app.command("import")
@click.argument("source", metavar="SOURCE", type=click.Path(path_type=Path))
@click.option(
    "--out", metavar="TRACKER.xlsx", type=click.Path(path_type=Path), help="Make this tracker."
)
@click.option(
    "--mapping", metavar="MAP.toml", type=click.Path(path_type=Path), help="Override the mapping."
)
@click.option(
    "--scheme",
    metavar="NAME",
    help="Rating scheme of the tracker made: RAG (the default), BRAG, 'RAG + Completed' or 'Days behind'.",
)
@_as_at
@_json
@click.option("--force", is_flag=True, help="Replace an existing tracker (a backup is kept).")
def import_(
    source: Path,
    out: Path | None,
    mapping: Path | None,
    scheme: str | None,
    as_at: str | None,
    as_json: bool,
    force: bool,
) -> None:
    """Bring an existing plan (.docx tables, .xlsx/.xlsm sheet, .csv) into a tracker; without --out, preview."""
    from ofsted_tracker.workbook.importer.build import (  # defers python-docx and openpyxl
        ids_finding,
        import_plan,
        read_mapping,
        write_tracker,
    )

    try:
        imported = import_plan(source, read_mapping(mapping), scheme, _as_at_option(as_at))
        summary = write_tracker(imported, out, force) if out is not None else None
    except TrackerError as exc:
        _fail(exc)
    if as_json:
        data = imported.as_dict()
        if out is not None:
            data["written"] = str(out)
            given = ids_finding(imported)
            if given is not None:
                data["ids_finding"] = given.as_dict()
            if summary is not None:
                data["findings"] = len(summary.findings)
                data["summary"] = summary.ratings_text()
        click.echo(json.dumps(data, indent=2, default=str))
        return
    if out is None:
        click.echo("\n".join(imported.lines()))
        return
    click.echo(f"Made {out} from {source.name}: {imported.counts_text()}")
    given = ids_finding(imported)
    if given is not None:
        click.echo(given.message)
    if imported.unknown_words:
        click.echo(imported.words_note())
    if summary is None:
        click.echo("Fill in 'As at date' in Settings, then run validate.")
    else:
        click.echo(
            f"{summary.ratings_text()}. Checks: {summary.counts_text()} ({len(summary.findings)} findings)."
        )


# --- end of import ---


@app.group("addin")
def addin_app() -> None:
    """Build and install the Excel ribbon add-in."""


@addin_app.command("build")
@click.option(
    "--out",
    default=Path("dist"),
    show_default=True,
    metavar="FOLDER",
    type=click.Path(path_type=Path),
    help="Folder for the built add-in.",
)
def addin_build(out: Path) -> None:
    """Build the ribbon add-in (.xlam) from the text sources in addin/, on any OS."""
    try:
        written = build(out)
    except TrackerError as exc:
        _fail(exc)
    for path in written:
        click.echo(f"Built {path}")


@addin_app.command("install")
def addin_install() -> None:
    """Put the add-in where Excel loads it and write the xlwings settings a click needs."""
    try:
        message = install()
    except TrackerError as exc:
        _fail(exc)
    click.echo(message)


# --- the add-in for Excel on the web, Windows and Mac (xlwings Server) ----------------------------------------


@app.command()
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address to listen on: this computer only unless Entra ID sign-in is on.",
)
@click.option(
    "--cert-dir",
    default=Path("certs"),
    show_default=True,
    metavar="FOLDER",
    type=click.Path(path_type=Path),
    help="Folder with mkcert's localhost+2.pem, or for a self-signed certificate.",
)
@click.option(
    "--certfile",
    metavar="CERT.pem",
    type=click.Path(path_type=Path),
    help="HTTPS certificate (PEM).",
)
@click.option(
    "--keyfile", metavar="KEY.pem", type=click.Path(path_type=Path), help="Its private key (PEM)."
)
def serve(
    port: int, host: str, cert_dir: Path, certfile: Path | None, keyfile: Path | None
) -> None:
    """Run the Improvement Plan add-in's server (xlwings Server) over HTTPS, for Excel on the web, Windows and Mac."""
    from ofsted_tracker.addin.server.serve import run  # defers xlwings Server (an optional extra)

    try:
        _port_free(host, port)
        run(host, port, cert_dir, certfile, keyfile)
    except TrackerError as exc:
        _fail(exc)


def _port_free(host: str, port: int) -> None:
    """Refuse, in one line and before the server's banner, a port another program is listening on."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise TrackerError(
                f"port {port} on {host} is in use ({exc.strerror}): stop the program using it, or give "
                "another with --port."
            ) from None


@app.command()
@_tracker
@click.option(
    "--include",
    metavar="SHEETS",
    help="Comma-separated sheets to send with values (default: the plan's sheets, as Refresh sends).",
)
def payload(path: Path, include: str | None) -> None:
    """Print the JSON Excel would send to the server for this workbook (for checking a deployment with curl)."""
    sheets = include.split(",") if include else excel_payload.PLAN_SHEETS
    try:
        check_package(path)
        data = excel_payload.payload(path, include=[name.strip() for name in sheets])
    except TrackerError as exc:
        _fail(exc)
    click.echo(json.dumps(data, default=str))


# --- chase and collect: update requests to action owners, their returns merged back -------------------------------


@app.command()
@_tracker
@click.option(
    "--out",
    required=True,
    metavar="FOLDER",
    type=click.Path(path_type=Path),
    help="Folder for the request workbooks and their e-mail drafts.",
)
@_period
@_as_at
def requests(path: Path, out: Path, period: str | None, as_at: str | None) -> None:
    """Write an update request (a workbook and an e-mail draft) for each owner with open actions or actions due."""
    try:
        sent = jobs.send_requests(path, out, _as_at_option(as_at), period)
    except TrackerError as exc:
        _fail(exc)
    for w in sent.written:
        to = w.request.lead.email or "no address"
        click.echo(
            f"{w.request.lead.initials}: {counted(len(w.request.actions), 'action')} -> {w.workbook.name} "
            f"and {w.draft.name} (to {to})"
        )
    for f in sent.requests.findings:
        click.echo(f"warning {f.where}: {f.message}")
    for owner, ids in sent.requests.unknown:
        click.echo(
            f"No request for '{owner}' (not in Leads): {noun(len(ids), 'action')} {', '.join(ids)}"
        )
    if sent.written:
        click.echo(
            f"Wrote {counted(len(sent.written), 'request')} into {out}; logged on the Requests sheet of "
            f"{path.name}."
        )
    else:
        click.echo(
            "No owner in Leads has open actions or actions due in the period: no request written."
        )


@app.command()
@_tracker
@click.argument(
    "returned", nargs=-1, required=True, metavar="RETURNED.xlsx...", type=click.Path(path_type=Path)
)
@click.option(
    "--apply",
    "do_apply",
    is_flag=True,
    help="Write the accepted values into the tracker (a backup is kept).",
)
@click.option(
    "--trust-unlogged",
    is_flag=True,
    help="Also take returns that carry no request id (requests made before they carried one), as they say.",
)
@click.option(
    "--set-recorded",
    is_flag=True,
    help="With --apply: set the Recorded RAG to the rule's rating where it would differ after the returns "
    "(logged on the Requests sheet).",
)
@_period
@_as_at
@_json
def collect(
    path: Path,
    returned: tuple[Path, ...],
    do_apply: bool,
    trust_unlogged: bool,
    set_recorded: bool,
    period: str | None,
    as_at: str | None,
    as_json: bool,
) -> None:
    """Preview what the owners' returns change (and what is refused, with its cell, and where the Recorded RAG will
    differ from the rule); --apply writes it, --set-recorded also sets those Recorded RAGs to the rule's rating."""
    if set_recorded and not do_apply:
        _fail(
            TrackerError(
                "--set-recorded sets the Recorded RAG as the returns are written: give it with --apply. "
                "Nothing was changed."
            )
        )
    try:
        done = jobs.collect_returns(
            path,
            list(returned),
            _as_at_option(as_at),
            do_apply,
            period,
            trust_unlogged=trust_unlogged,
            set_recorded=set_recorded,
        )
    except TrackerError as exc:
        _fail(exc)
    c = done.collected
    if as_json:
        click.echo(json.dumps(preview_dict(c, done.as_at, done.applied, set_recorded), indent=2))
        return
    for line in preview_lines(c):
        click.echo(line)
    if c.recorded:
        click.echo("Recorded RAG after this return (the officers' rating differs from the rule's):")
        for line in recorded_lines(c):
            click.echo(f"  {line}")
    if not c.changes:
        click.echo("Nothing to change: the tracker already holds every accepted value.")
    elif done.applied:
        click.echo(
            f"Applied {counted(len(c.updates), 'change')} and "
            f"{counted(len(c.proposals), 'proposed deadline')} to {path.name} "
            "(a backup is in the backups folder); dashboards refreshed."
        )
        if done.recorded_set:
            click.echo(recorded_set_sentence(done.recorded_set))
        elif c.settable:
            click.echo(
                f"Recorded RAG left as typed for {counted(len(c.settable), 'action')}: change it on Actions "
                "if the rule's rating is right."
            )
    else:
        click.echo(
            "Preview only: nothing was written. Run again with --apply to write it"
            + (
                f" (add --set-recorded to set the Recorded RAG of {counted(len(c.settable), 'action')} "
                "to the rule's rating)."
                if c.settable
                else "."
            )
        )


def main() -> None:
    """Entry point of the console script."""
    import os

    try:
        app(prog_name="ofsted-tracker")
    except TrackerError as exc:  # a safety net: every command catches its own
        _fail(exc)
    except MemoryError:
        click.echo(
            "ofsted-tracker: this computer ran out of memory on a plan this size. Nothing was left "
            "half-written (every file is written whole or not at all).",
            err=True,
        )
        sys.exit(UNEXPECTED)
    # a fault of the tool itself: a short message, the details only when asked for
    except Exception as exc:
        if os.environ.get("OFSTED_TRACKER_DEBUG") == "1":
            raise
        click.echo(
            f"ofsted-tracker: something unexpected went wrong ({type(exc).__name__}: {exc}). Nothing was left "
            "half-written (every file is written whole or not at all). Run again with "
            "OFSTED_TRACKER_DEBUG=1 to see the details, and send them to whoever supports the tool.",
            err=True,
        )
        sys.exit(UNEXPECTED)
