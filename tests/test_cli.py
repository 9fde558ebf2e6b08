"""The command line: exit codes, JSON output, and clear messages (never a traceback) for bad workbooks."""

import json
import shutil
from datetime import date, datetime

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
    assert any(f["where"].startswith("Actions!E") and f["action_id"] == "7.1" for f in data["findings"])


def test_summary_json_gives_the_figures_with_their_lists(demo_master):
    result = run("summary", demo_master, "--as-of", "31/10/2016", "--period", "Q2", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_at"] == "2016-10-31"
    rec = data["recorded"]
    assert (rec["total"]["count"], rec["completed_by_deadline"]["count"], rec["ongoing_within_deadline"]["count"],
            rec["not_completed_by_deadline"]["count"]) == (61, 37, 19, 5)
    p = data["period"]
    assert p["due"]["count"] == len(p["due"]["actions"])
    assert p["due"]["count"] == p["completed_by_deadline"]["count"] + p["not_completed_by_deadline"]["count"] \
        + p["not_yet_due"]["count"]
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
        (_delete_actions, 2, "no 'Actions' sheet"),
        (_rename_header, 2, "'Original deadline'"),
        (_text_in_date, 1, "Actions!E2"),
        (_merge, 1, "Actions!C3:D3"),
        (_formula, 1, "Actions!E2"),  # a formula with no cached value reads as blank: the deadline is missing
        (_blank_rows, 1, "7.1"),
        (_reorder_columns, 1, "Actions!E"),
    ],
    ids=["no-actions-sheet", "renamed-header", "text-in-date", "merged", "formulas", "5000-blank-rows", "id-column-moved"],
)
def test_bad_workbooks_give_a_message_or_a_finding(demo_master, tmp_path, change, code, needle):
    result = run("validate", _edit(demo_master, tmp_path, change))
    assert result.exit_code == code, result.output
    assert needle in result.output.replace("\n", " ") or needle in result.output


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"Action ID,Action\n1.1,Do it\n", "not an Excel workbook"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "password-protected")],
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
    printed_rows = sum(1 for line in text.splitlines() if line.startswith("│ ") and line.split("│")[1].strip())
    assert printed_rows <= SHOWN_FINDINGS + 1  # the header row and one row per finding shown (long ones wrap)
    flat = " ".join(text.split())
    more = len(everything) - SHOWN_FINDINGS
    assert f"and {more} more findings not shown" in flat and "Checks sheet" in flat and "--json" in flat


IMPORT_PROBE = """
import sys
from ofsted_tracker.cli import main
sys.argv = ["ofsted-tracker", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("MODULES", " ".join(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize(("command", "absent"), [
    (["validate", "--json"], {"pydantic", "typer", "rich", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"}),
    (["validate"], {"pydantic", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"}),
    (["summary", "--json"], {"pydantic", "rich", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"}),
    (["refresh"], {"pydantic", "rich", "docx", "docxtpl", "pandas", "matplotlib", "openpyxl"}),
])
def test_each_command_imports_only_what_it_needs(demo_master, tmp_path, command, absent):
    import subprocess
    import sys

    target = tmp_path / "t.xlsx"
    shutil.copy2(demo_master, target)
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, command[0], str(target), *command[1:]],
                          capture_output=True, text=True, timeout=120)
    loaded = set(done.stderr.rsplit("MODULES", 1)[1].split())
    assert "workbook" in loaded  # the probe saw the command run
    assert not (loaded & absent), f"{command[0]} imported {sorted(loaded & absent)}"


@pytest.mark.parametrize("command", ["validate", "summary", "refresh", "report"])
def test_an_unknown_period_is_refused_naming_the_periods_there_are(demo_tracker, tmp_path, command):
    before = demo_tracker.read_bytes()
    extra = ["-o", tmp_path / "r.docx"] if command == "report" else []
    result = run(command, demo_tracker, "--period", "Q5", *extra)
    assert result.exit_code == 2, result.output
    assert "'Q5'" in result.output and "Q1, Q2, Q3, Q4" in result.output
    assert demo_tracker.read_bytes() == before and not (tmp_path / "r.docx").exists()
    assert run(command, demo_tracker, "--period", " q3 ", *extra).exit_code in (0, 1)  # matched as Periods matches


def test_info_findings_are_counted_in_text_and_json(demo_master):
    data = json.loads(run("validate", demo_master, "--json").output)
    infos = sum(f["severity"] == "info" for f in data["findings"])
    assert infos > 0  # the demo's revisions have no Agreed on date
    assert data["counts"] == {"errors": data["counts"]["errors"], "warnings": data["counts"]["warnings"], "info": infos}
    assert json.loads(run("summary", demo_master, "--json").output)["counts"]["info"] == infos
    assert f"warnings, {infos} info" in run("validate", demo_master).output.replace("\n", " ")
    assert f"warnings, {infos} info" in run("summary", demo_master).output


def test_report_into_a_folder_that_does_not_exist_is_refused(demo_master, tmp_path):
    result = run("report", demo_master, "-o", tmp_path / "no-such-folder" / "report.docx")
    assert result.exit_code == 2
    assert "no-such-folder" in result.output and "does not exist" in result.output
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize("command", [[], ["new"], ["demo"], ["validate"], ["summary"], ["refresh"], ["report"],
                                     ["snapshot"], ["serve"], ["payload"],
                                     ["addin"], ["addin", "build"], ["addin", "install"]], ids=" ".join)
def test_help_names_values_in_words_without_type_placeholders(command):
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    for placeholder in ("{", "<bool>", "<path>", "<str>", "TEXT"):
        assert placeholder not in result.output, (placeholder, result.output)
    if command[:1] in (["validate"], ["summary"], ["refresh"], ["report"], ["new"], ["snapshot"], ["payload"]):
        assert f"{command[0]} [OPTIONS] TRACKER" in result.output


def test_version_is_the_installed_one():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"ofsted-tracker {version('ofsted-tracker')}"
