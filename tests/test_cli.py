"""The command line: exit codes, JSON output, and clear messages (never a traceback) for bad workbooks."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_validate_demo_exits_1_with_located_findings(demo_master):
    result = run("validate", demo_master, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["counts"]["errors"] > 0
    assert all(f["where"].startswith(f["sheet"]) for f in data["findings"])
    assert any(
        f["where"].startswith("Actions!E") and f["action_id"] == "7.1" for f in data["findings"]
    )


def test_summary_json_gives_the_figures_with_their_lists(demo_master):
    result = run("summary", demo_master, "--as-of", "31/10/2016", "--period", "Q2", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_at"] == "2016-10-31"
    rec = data["recorded"]
    assert (
        rec["total"]["count"],
        rec["completed_by_deadline"]["count"],
        rec["ongoing_within_deadline"]["count"],
        rec["not_completed_by_deadline"]["count"],
    ) == (61, 37, 19, 5)
    p = data["period"]
    assert p["due"]["count"] == len(p["due"]["actions"])
    assert (
        p["due"]["count"]
        == p["completed_by_deadline"]["count"]
        + p["not_completed_by_deadline"]["count"]
        + p["not_yet_due"]["count"]
    )
    assert set(p["rescheduled"]["actions"]) == {"5.1", "5.5"}
    assert len(data["slippage"]) == 61 and len(data["revisions"]) == 10


def test_summary_table_for_people(demo_master):
    result = run("summary", demo_master)
    assert result.exit_code == 0
    assert "Overall progress as at 31/10/2016" in result.output and "Period Q2" in result.output


def test_as_of_overrides_settings_and_bad_dates_are_refused(demo_master):
    later = json.loads(run("summary", demo_master, "--as-of", "2017-02-01", "--json").output)
    assert later["as_at"] == "2017-02-01"
    bad = run("summary", demo_master, "--as-of", "31/04/2016")
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_unknown_period_is_reported(demo_master):
    result = run("validate", demo_master, "--period", "Q9")
    assert result.exit_code == 2
    assert "Q9" in result.output


def test_refresh_and_new(tmp_path, demo_master):
    target = tmp_path / "t.xlsx"
    shutil.copy2(demo_master, target)
    result = run("refresh", target, "--as-of", "30/11/2016")
    assert result.exit_code == 0 and "Refreshed t.xlsx as at 30/11/2016" in result.output
    assert run("new", tmp_path / "blank.xlsx").exit_code == 0
    again = run("new", tmp_path / "blank.xlsx")
    assert again.exit_code == 2 and "already exists" in again.output


def _edit(demo_master, tmp_path, change):
    target = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(demo_master)
    change(wb)
    wb.save(target)
    return target


def _delete_actions(wb):
    del wb["Actions"]


def _rename_header(wb):
    wb["Actions"]["E1"] = "Deadline (original)"


def _text_in_date(wb):
    wb["Actions"]["E2"] = "end of summer"


def _merge(wb):
    wb["Actions"].merge_cells("C3:D3")


def _formula(wb):
    wb["Actions"]["E2"] = "=DATE(2016,7,31)"
    wb["Actions"]["C2"] = "=1/0"


def _blank_rows(wb):
    ws = wb["Actions"]
    for r in range(ws.max_row + 1, ws.max_row + 5001):
        ws.cell(r, 5).number_format = "dd/mm/yyyy"
        ws.cell(r, 3).value = None
        ws.cell(r, 3).font = openpyxl.styles.Font(bold=True)


def _reorder_columns(wb):
    ws = wb["Actions"]
    ws.move_range("A1:A200", cols=20)  # the ids move to column U


@pytest.mark.parametrize(
    ("change", "code", "needle"),
    [
        (_delete_actions, 2, "no Actions sheet"),
        (_rename_header, 2, "'Original deadline'"),
        (_text_in_date, 1, "Actions!E2"),
        (_merge, 1, "Actions!C3:D3"),
        (
            _formula,
            1,
            "Actions!E2",
        ),  # a formula with no cached value reads as blank: the deadline is missing
        (_blank_rows, 1, "7.1"),
        (_reorder_columns, 1, "Actions!E"),
    ],
    ids=[
        "no-actions-sheet",
        "renamed-header",
        "text-in-date",
        "merged",
        "formulas",
        "5000-blank-rows",
        "id-column-moved",
    ],
)
def test_bad_workbooks_give_a_message_or_a_finding(demo_master, tmp_path, change, code, needle):
    result = run("validate", _edit(demo_master, tmp_path, change))
    assert result.exit_code == code, result.output
    assert needle in result.output.replace("\n", " ") or needle in result.output


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"Action ID,Action\n1.1,Do it\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "password-protected"),
    ],
    ids=["zero-bytes", "csv-renamed", "ole"],
)
def test_files_that_are_not_workbooks_exit_2(tmp_path, content, needle):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(content)
    result = run("validate", path)
    assert result.exit_code == 2
    assert needle in result.output


def test_missing_file_exits_2(tmp_path):
    result = run("summary", tmp_path / "nope.xlsx")
    assert result.exit_code == 2 and "no such file" in result.output


def test_validate_prints_a_screenful_and_says_where_the_rest_are(demo_master):
    from ofsted_tracker.cli import SHOWN_FINDINGS

    everything = json.loads(run("validate", demo_master, "--json").output)["findings"]
    assert len(everything) > SHOWN_FINDINGS  # the demo has more findings than a screen holds
    text = run("validate", demo_master).output
    assert everything[0]["where"] in text  # the first findings are printed with their cells
    printed_rows = sum(
        1 for line in text.splitlines() if line.startswith("│ ") and line.split("│")[1].strip()
    )
    assert (
        printed_rows <= SHOWN_FINDINGS + 1
    )  # the header row and one row per finding shown (long ones wrap)
    flat = " ".join(text.split())
    more = len(everything) - SHOWN_FINDINGS
    assert (
        f"and {more} more findings not shown" in flat
        and "Checks sheet" in flat
        and "--json" in flat
    )


IMPORT_PROBE = """
import sys
from ofsted_tracker.cli import main
sys.argv = ["ofsted-tracker", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("MODULES", " ".join(sorted({m.split(".")[0] for m in sys.modules} | set(sys.modules))), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        (
            ["validate", "--json"],
            {"pydantic", "typer", "rich", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"},
        ),
        (["validate"], {"pydantic", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"}),
        (
            ["summary", "--json"],
            {"pydantic", "rich", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"},
        ),
        (["refresh"], {"pydantic", "rich", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"}),
    ],
)
def test_each_command_imports_only_what_it_needs(demo_master, tmp_path, command, absent):
    import subprocess
    import sys

    target = tmp_path / "t.xlsx"
    shutil.copy2(demo_master, target)
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, command[0], str(target), *command[1:]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded = set(done.stderr.rsplit("MODULES", 1)[1].split())
    assert "ofsted_tracker.workbook.rules.summary" in loaded  # the probe saw the command run
    assert not (loaded & absent), f"{command[0]} imported {sorted(loaded & absent)}"


@pytest.mark.parametrize("command", ["validate", "summary", "refresh", "report"])
def test_an_unknown_period_is_refused_naming_the_periods_there_are(demo_tracker, tmp_path, command):
    before = demo_tracker.read_bytes()
    extra = ["-o", tmp_path / "r.docx"] if command == "report" else []
    result = run(command, demo_tracker, "--period", "Q5", *extra)
    assert result.exit_code == 2, result.output
    assert "'Q5'" in result.output and "Q1, Q2, Q3, Q4" in result.output
    assert demo_tracker.read_bytes() == before and not (tmp_path / "r.docx").exists()
    assert run(command, demo_tracker, "--period", " q3 ", *extra).exit_code in (
        0,
        1,
    )  # matched as Periods matches


def test_info_findings_are_counted_in_text_and_json(demo_master):
    data = json.loads(run("validate", demo_master, "--json").output)
    infos = sum(f["severity"] == "info" for f in data["findings"])
    assert infos > 0  # the demo's revisions have no Agreed on date
    assert data["counts"] == {
        "errors": data["counts"]["errors"],
        "warnings": data["counts"]["warnings"],
        "info": infos,
    }
    assert json.loads(run("summary", demo_master, "--json").output)["counts"]["info"] == infos
    assert f"warnings, {infos} info" in run("validate", demo_master).output.replace("\n", " ")
    assert f"warnings, {infos} info" in run("summary", demo_master).output


def test_report_into_a_folder_that_does_not_exist_is_refused(demo_master, tmp_path):
    result = run("report", demo_master, "-o", tmp_path / "no-such-folder" / "report.docx")
    assert result.exit_code == 2
    assert "no-such-folder" in result.output and "does not exist" in result.output
    assert not (tmp_path / "no-such-folder").exists()


def test_report_without_output_is_written_beside_the_tracker_as_the_ribbon_names_it(demo_tracker):
    from ofsted_tracker.workbook.store.paths import report_name

    result = run("report", demo_tracker)
    assert result.exit_code == 0, result.output
    written = demo_tracker.parent / "lewisham-tracker report.docx"
    assert written.name == report_name(demo_tracker.name)
    assert written.stat().st_size > 0
    assert f"Wrote {written}" in result.output


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["new"],
        ["demo"],
        ["validate"],
        ["summary"],
        ["refresh"],
        ["report"],
        ["snapshot"],
        ["serve"],
        ["payload"],
        ["addin"],
        ["addin", "build"],
        ["addin", "install"],
    ],
    ids=" ".join,
)
def test_help_names_values_in_words_without_type_placeholders(command):
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    for placeholder in ("{", "<bool>", "<path>", "<str>", "TEXT"):
        assert placeholder not in result.output, (placeholder, result.output)
    if command[:1] in (
        ["validate"],
        ["summary"],
        ["refresh"],
        ["report"],
        ["new"],
        ["snapshot"],
        ["payload"],
    ):
        assert f"{command[0]} [OPTIONS] TRACKER" in result.output


def test_version_is_the_installed_one():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert (
        result.exit_code == 0
        and result.output.strip() == f"ofsted-tracker {version('ofsted-tracker')}"
    )


# --- paths: never write a file the command reads; refuse what is not a file; any file name ------------------


def _report(tracker, output, *more):
    return run("report", tracker, "--as-of", "31/10/2016", "-o", output, *more)


def _same_name(folder):
    tracker = (
        folder / "plan.docx"
    )  # a workbook renamed .docx: -o plan.docx would write the report over it
    return tracker, tracker


def _hard_link(folder):
    tracker = folder / "plan.xlsx"
    return tracker, folder / "linked.docx"


def _symlink(folder):
    tracker = folder / "plan.docx"
    return tracker, folder / "shortcut.docx"


@pytest.mark.parametrize(
    "make", [_same_name, _hard_link, _symlink], ids=["same-name", "hard-link", "symlink"]
)
def test_the_report_is_never_written_over_the_tracker(demo_master, tmp_path, make):
    tracker, output = make(tmp_path)
    shutil.copyfile(demo_master, tracker)
    if output != tracker:
        (output.hardlink_to if make is _hard_link else output.symlink_to)(tracker)
    before = tracker.read_bytes()
    result = _report(tracker, output)
    assert result.exit_code == 2, result.output
    assert (
        "is the file this command reads" in result.output and "Nothing was changed" in result.output
    )
    assert tracker.read_bytes() == before


def test_the_report_is_never_written_over_its_template(demo_master, tmp_path):
    from ofsted_tracker.report_builder.build import DEFAULT_TEMPLATE

    template = tmp_path / "ours.docx"
    shutil.copyfile(DEFAULT_TEMPLATE, template)
    before = template.read_bytes()
    result = _report(demo_master, tmp_path / "." / "ours.docx", "--template", template)
    assert result.exit_code == 2 and "is the file this command reads" in result.output
    assert template.read_bytes() == before
    shipped = DEFAULT_TEMPLATE.read_bytes()
    assert (
        _report(demo_master, DEFAULT_TEMPLATE).exit_code == 2
    )  # nor over the template it uses by default
    assert DEFAULT_TEMPLATE.read_bytes() == shipped


def test_the_report_is_never_written_into_the_backups_folder(demo_tracker):
    run("refresh", demo_tracker)
    folder = demo_tracker.parent / "backups"
    kept = sorted(folder.iterdir())
    result = _report(demo_tracker, folder / "report.docx")
    assert result.exit_code == 2 and "backups folder" in result.output
    assert sorted(folder.iterdir()) == kept


def _cli_process(*args, cwd, timeout=60):
    """The real command in its own process (bytes arguments pass file names that are not UTF-8)."""
    done = subprocess.run(
        [sys.executable, "-m", "ofsted_tracker", *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
    )
    assert b"Traceback" not in done.stderr + done.stdout, done.stderr.decode(errors="replace")
    return done


@pytest.mark.parametrize("kind", ["pipe", "device"])
@pytest.mark.parametrize("role", ["tracker", "template"])
def test_input_that_is_not_a_regular_file_is_refused_at_once(demo_master, tmp_path, kind, role):
    """A pipe nobody writes to would block the first read for ever, and /dev/zero never ends: both are refused
    from their file type, before they are opened."""
    if kind == "pipe":
        odd = tmp_path / ("plan.xlsx" if role == "tracker" else "template.docx")
        os.mkfifo(odd)
    else:
        odd = Path("/dev/zero")
    tracker = odd if role == "tracker" else demo_master
    extra = ["--template", str(odd)] if role == "template" else []
    start = time.monotonic()
    done = _cli_process(
        "report",
        str(tracker),
        "--as-of",
        "31/10/2016",
        "-o",
        str(tmp_path / "r.docx"),
        *extra,
        cwd=tmp_path,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    assert f"is a {kind}, not a".encode() in done.stderr
    assert time.monotonic() - start < 20
    assert not (tmp_path / "r.docx").exists()


def test_file_names_that_are_not_utf8_are_read_written_and_printed(demo_master, tmp_path):
    """Names from another system's encoding (bytes that are not UTF-8) work in every command and in messages."""
    name = b"plan-\xff\xfe.xlsx"
    (tmp_path / os.fsdecode(name)).write_bytes(demo_master.read_bytes())
    assert _cli_process("validate", name, cwd=tmp_path).returncode == 1  # read: the demo's findings
    refreshed = _cli_process("refresh", name, cwd=tmp_path)
    assert refreshed.returncode == 0 and name in refreshed.stdout
    report = b"report-\xe9.docx"
    built = _cli_process("report", name, "-o", report, cwd=tmp_path)
    assert built.returncode == 0 and (tmp_path / os.fsdecode(report)).stat().st_size > 10_000
    (tmp_path / os.fsdecode(b"broken-\xff.xlsx")).write_bytes(b"not a workbook")
    refused = _cli_process("validate", b"broken-\xff.xlsx", cwd=tmp_path)
    assert (
        refused.returncode == 2
        and b"broken-" in refused.stderr
        and b"not an Excel workbook" in refused.stderr
    )


def _a_file(tmp_path):
    (tmp_path / "taken").write_text("a file")
    return tmp_path / "taken", "is a file, not a folder"


def _under_a_file(tmp_path):
    (tmp_path / "taken").write_text("a file")
    return tmp_path / "taken" / "out", "a part of the path is a file"


def _under_proc(tmp_path):
    return Path("/proc/ofsted-tracker-test/out"), "cannot be made"


@pytest.mark.parametrize("command", [["demo"], ["addin", "build"]], ids=["demo", "addin-build"])
@pytest.mark.parametrize(
    "place", [_a_file, _under_a_file, _under_proc], ids=["a-file", "under-a-file", "proc"]
)
def test_out_folders_that_cannot_be_made_get_a_message(tmp_path, command, place):
    out, needle = place(tmp_path)
    result = run(*command, "--out", out)
    assert result.exit_code == 2, result.output
    assert needle in result.output and str(out) in result.output
    if place is not _under_proc:
        assert (tmp_path / "taken").read_text() == "a file"


@pytest.mark.parametrize("place", [_under_a_file, _under_proc], ids=["under-a-file", "proc"])
def test_a_report_in_a_folder_that_cannot_be_made_gets_a_message(demo_master, tmp_path, place):
    out, needle = place(tmp_path)
    needle = (
        "does not exist" if place is _under_proc else needle
    )  # the report's folder is never made
    result = _report(demo_master, out / "report.docx")
    assert result.exit_code == 2, result.output
    assert needle in result.output


def test_a_fault_of_the_tool_is_one_line_and_exit_3_never_a_traceback(demo_master, tmp_path):
    """Whatever breaks inside (here python-docx refusing to save), the officer sees one line and exit code 3."""
    probe = (
        "import sys, docx.document\n"
        "def broken(self, path): raise RuntimeError('the writer broke')\n"
        "docx.document.Document.save = broken\n"
        "from ofsted_tracker.cli import main\n"
        "sys.argv = ['ofsted-tracker', *sys.argv[1:]]\n"
        "main()\n"
    )
    target = tmp_path / "t.xlsx"
    shutil.copy2(demo_master, target)
    done = subprocess.run(
        [sys.executable, "-c", probe, "report", str(target), "-o", str(tmp_path / "r.docx")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "RuntimeError: the writer broke" in done.stderr
    assert "OFSTED_TRACKER_DEBUG=1" in done.stderr and not (tmp_path / "r.docx").exists()
    shown = subprocess.run(
        [sys.executable, "-c", probe, "report", str(target), "-o", str(tmp_path / "r.docx")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OFSTED_TRACKER_DEBUG": "1"},
    )
    assert "Traceback" in shown.stderr  # the details, when asked for


def test_officers_text_that_looks_like_rich_markup_is_printed_as_typed(tmp_path):
    """An Action ID '[/]' (rich's closing tag) or '[bold]' reaches the summary's text as typed, never as markup."""
    from ofsted_tracker.workbook.demo import demo_rows
    from ofsted_tracker.workbook.jobs import new_tracker

    rows = demo_rows()
    rows["Actions"][0]["action_id"] = "[/]"
    rows["Actions"][1]["action_id"] = "[bold]x"
    target = new_tracker(tmp_path / "markup.xlsx", rows)
    result = run("summary", target, "--period", "Q2")
    assert result.exit_code == 0, result.output
    assert "[/]" in result.output or "[bold]x" in result.output


def test_payload_sends_the_used_rows_only(demo_master):
    result = run("payload", demo_master)
    assert result.exit_code == 0, result.output
    sheets = {s["name"]: s["values"] for s in json.loads(result.output)["sheets"]}
    # 61 actions and the header: not the blank Checks formulas written below the Table to row 1,000
    assert len(sheets["Actions"]) == 62
    assert any(v != "" for v in sheets["Actions"][-1])


def test_a_missing_file_is_named_as_typed_and_a_csv_is_not_an_excel_workbook(tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = run("validate", "../x/wrong.xlsx")
    assert result.exit_code == 2
    assert result.output.strip().endswith("../x/wrong.xlsx: no such file.")
    assert len(result.output.strip().splitlines()) == 1
    (tmp_path / "plan.xlsx").write_text("ID,Action\n1.1,Do it\n")
    result = run("validate", "../plan.xlsx")
    assert result.exit_code == 2
    assert "plan.xlsx is not an Excel workbook (.xlsx)." in result.output
    assert "zip" not in result.output


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_2():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"ofsted-tracker: port {port} on 127.0.0.1 is in use (Address already in use): stop the program "
        "using it, or give another with --port."
    )


def test_a_report_beside_a_locked_tracker_says_what_was_and_was_not_done(demo_tracker):
    """The report is written; the snapshot is not, and the message does not end 'Nothing was changed'."""
    (demo_tracker.parent / f"~${demo_tracker.name}").write_text("")
    before = demo_tracker.read_bytes()
    out = demo_tracker.parent / "r.docx"
    result = run("report", demo_tracker, "--period", "Q2", "--as-of", "31/10/2016", "-o", out)
    assert result.exit_code == 2 and out.exists() and demo_tracker.read_bytes() == before
    [said] = [line for line in result.output.splitlines() if "snapshot was not recorded" in line]
    assert said.startswith(
        "ofsted-tracker: The report was written, but its snapshot was not recorded: "
        f"{demo_tracker.name} is open in Excel"
    )
    assert said.endswith("The tracker was not changed.") and "Nothing was changed" not in said


def test_the_it_guides_demo_payload_size_is_measured(demo_master):
    """docs/it.md's figure for the demo before any snapshot is the payload command's, within 5 %."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "it.md").read_text(encoding="utf-8")
    [stated] = re.findall(r"the demo's 61 actions\s+make (\d+) KB before any snapshot", text)
    result = run("payload", demo_master)
    assert result.exit_code == 0, result.output
    measured = len(result.output.encode()) / 1024
    assert abs(measured - int(stated)) <= 0.05 * measured, (stated, measured)


def test_a_report_whose_snapshot_is_refused_for_its_dates_points_to_snapshot_force(demo_tracker):
    """report has no --force: the refusal names the snapshot command, which has, not 'give --force'."""
    out = demo_tracker.parent / "r.docx"
    result = run("report", demo_tracker, "--period", "Q2", "--as-of", "31/12/2030", "-o", out)
    assert result.exit_code == 2 and out.exists(), result.output
    [said] = [line for line in result.output.splitlines() if "snapshot was not recorded" in line]
    assert "give --force" not in said and said.count("The snapshot was not recorded") == 0
    assert said.endswith(
        f"or run 'ofsted-tracker snapshot {demo_tracker}' with the same --period and --as-of and "
        "--force to record it anyway."
    )
    forced = run("snapshot", demo_tracker, "--period", "Q2", "--as-of", "31/12/2030", "--force")
    assert forced.exit_code == 0, forced.output
