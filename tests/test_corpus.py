"""The bad-input corpus (tests/corpus, made by make_corpus.py): the right message or finding, never a traceback.

Each file goes through ``ofsted-tracker validate`` and through ``workbook.jobs.refresh`` on a copy, and
must give the exit code, findings (rule and cell) or message its manifest entry names.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app, exit_code
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.jobs import open_summary, refresh
from ofsted_tracker.workbook.plan.schema import OFFICER_SHEETS
from ofsted_tracker.workbook.rules.summary import Summary
from ofsted_tracker.workbook.store.package import MAX_CELL_TEXT, sheet_parts

CORPUS = Path(__file__).parent / "corpus"
CASES = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CELL = re.compile(r"[A-Z]{1,3}[0-9]+(:[A-Z]{1,3}[0-9]+)?")
# the officers' sheets, and the tool's two log sheets (a History typed over is a finding at its cell)
OFFICER_SHEET_NAMES = {spec.name for spec in OFFICER_SHEETS} | {"History", "Requests"}
# findings about a whole sheet rather than one cell (the period named in Settings or on the command line)
SHEET_LEVEL = {"period-unknown"}
runner = CliRunner()


def _ids(case: dict) -> str:
    return case["file"]


def test_the_corpus_has_at_least_30_files_each_with_an_expectation():
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xls", ".xlsm")}
    listed = {case["file"] for case in CASES}
    assert len(files) >= 30
    assert files == listed
    for case in CASES:
        assert case["about"] and case["validate_exit"] in (0, 1, 2)
        assert case["message"] if case["validate_exit"] == 2 else not case["message"]
        assert case["refresh"] in ("ok", "refused")


def assert_located(findings: list[dict]) -> None:
    """Every finding names an officers' sheet (or a log sheet) and, unless it is about the whole sheet, a cell on it."""
    for f in findings:
        assert f["sheet"] in OFFICER_SHEET_NAMES, f
        assert CELL.fullmatch(f["cell"]) or f["code"] in SHEET_LEVEL, f
        assert f["where"] == (f"{f['sheet']}!{f['cell']}" if f["cell"] else f["sheet"])
        assert f["message"].strip() and f["severity"] in ("error", "warning", "info")


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_validate_gives_the_documented_exit_code_and_findings(case):
    result = runner.invoke(app, ["validate", str(CORPUS / case["file"]), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == case["validate_exit"], result.output + result.stderr
    if case["validate_exit"] == 2:
        assert result.stdout == ""
        assert result.stderr.startswith("ofsted-tracker: ")
        assert case["message"] in result.stderr
        return
    data = json.loads(result.stdout)
    findings = data["findings"]
    assert_located(findings)
    where = {(f["code"], f["where"]) for f in findings}
    for code, place in case["findings"]:
        assert (code, place) in where, sorted(where)
    assert (result.exit_code == 1) == any(f["severity"] == "error" for f in findings)
    if not case["findings"]:
        assert findings == []  # the clean tracker with one harmless change: nothing to report


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_refresh_on_a_copy_succeeds_or_refuses_cleanly(case, tmp_path):
    copy = tmp_path / case["file"]
    shutil.copyfile(CORPUS / case["file"], copy)
    before = copy.read_bytes()
    if case["refresh"] == "refused":
        with pytest.raises(TrackerError) as refused:
            refresh(copy)
        assert exit_code(refused.value) == 2 and refused.value.code == case.get(
            "refresh_code", "unusable-input"
        )
        assert case["refresh_message"] in str(refused.value)
        assert copy.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            case["file"]
        ]  # no temporary file, no backup
        return
    summary = refresh(copy)
    assert isinstance(summary, Summary)
    assert_located([f.as_dict() for f in summary.findings])
    again = open_summary(copy)  # the refreshed workbook reads back to the same findings
    assert again.findings == summary.findings
    with zipfile.ZipFile(copy) as package:
        assert package.testzip() is None


def _checks_texts(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Checks").to_python()
    return [str(v) for row in rows for v in row if isinstance(v, str)]


def test_a_message_quoting_a_32767_character_cell_is_cut_to_excels_limit(tmp_path):
    copy = tmp_path / "longest-cell.xlsx"
    shutil.copyfile(CORPUS / copy.name, copy)
    summary = refresh(copy)
    long_message = next(f.message for f in summary.findings if f.code == "owner-unknown")
    assert len(long_message) > MAX_CELL_TEXT
    texts = _checks_texts(copy)
    written = next(t for t in texts if t.startswith("owner 'ZZZ"))
    assert len(written) == MAX_CELL_TEXT and long_message.startswith(written)


def test_the_calculation_chain_keeps_only_cells_outside_the_computed_sheets(tmp_path):
    copy = tmp_path / "calc-chain.xlsx"
    shutil.copyfile(CORPUS / copy.name, copy)
    refresh(copy)
    with zipfile.ZipFile(copy) as package:
        chain = package.read("xl/calcChain.xml").decode()
    entries = re.findall(r'<c r="([A-Z]+\d+)" i="(\d+)"/>', chain)
    assert entries == [
        (f"L{r}", "2") for r in range(2, 8)
    ]  # Actions (sheetId 2) kept, each with its sheet named


def test_hidden_rows_and_blank_rows_are_read_like_any_other(tmp_path):
    for name in (
        "hidden-rows.xlsx",
        "blank-rows-between.xlsx",
        "blank-formatted-rows.xlsx",
        "clean-tracker.xlsx",
    ):
        summary = open_summary(CORPUS / name)
        assert len(summary.overall.total) == 6, name
        assert [a.action_id for a in summary.plan.actions] == [
            "1.1",
            "1.2",
            "1.3",
            "2.1",
            "2.2",
            "2.3",
        ], name


def test_columns_found_by_header_wherever_they_are():
    moved = open_summary(CORPUS / "columns-reordered.xlsx")
    clean = open_summary(CORPUS / "clean-tracker.xlsx")
    assert [a.owners for a in moved.plan.actions][:2] == [a.owners for a in clean.plan.actions][:2]
    assert moved.plan.columns["Actions"]["owners"] == "K"


def test_formulas_are_read_by_their_saved_results():
    summary = open_summary(CORPUS / "formulas.xlsx")
    action = next(a for a in summary.plan.actions if a.action_id == "1.2")
    assert (
        action.current_deadline is not None and action.current_deadline.isoformat() == "2017-04-02"
    )


@pytest.mark.parametrize(
    "name",
    [
        "far-away-cell.xlsx",
        "zip-bomb.xlsx",
        "doctype-entities.xlsx",
        "not-well-formed.xlsx",
        "password-protected.xlsx",
        "legacy.xls",
    ],
)
def test_the_real_command_exits_2_without_a_traceback(name, tmp_path):
    """A separate process, so a crash inside a library (not only a Python exception) would show here."""
    case = next(c for c in CASES if c["file"] == name)
    done = subprocess.run(
        [sys.executable, "-m", "ofsted_tracker", "validate", str(CORPUS / name)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert case["message"] in done.stderr


def test_the_refreshed_computed_sheets_are_the_tools_own_parts(tmp_path):
    """After refresh the three computed sheets still map to parts of the package (none lost or renamed)."""
    copy = tmp_path / "clean-tracker.xlsx"
    shutil.copyfile(CORPUS / copy.name, copy)
    refresh(copy)
    with zipfile.ZipFile(copy) as package:
        parts = sheet_parts(package)
        assert {"Dashboard", "Slippage", "Checks"} <= set(parts)
        assert all(
            parts[name] in package.namelist() for name in ("Dashboard", "Slippage", "Checks")
        )


# --- which sheet, which cell, which setting (issue 9) ------------------------------------------------------------

PANICS = [
    "date-far-negative.xlsx",
    "date-minus-infinity.xlsx",
    "duration-huge.xlsx",
    "as-at-far-negative.xlsx",
    "row-beyond-excel.xlsx",
    "date-nan.xlsx",
]


@pytest.mark.parametrize("name", PANICS)
def test_numbers_python_calamine_cannot_convert_never_crash_the_real_command(name, tmp_path):
    """A separate process: a Rust panic or an out-of-memory abort in python-calamine would show here."""
    case = next(c for c in CASES if c["file"] == name)
    done = subprocess.run(
        [sys.executable, "-m", "ofsted_tracker", "validate", str(CORPUS / name), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == case["validate_exit"], done.stderr[-2000:]
    for crash in ("Traceback", "panicked", "stack backtrace", "memory allocation"):
        assert crash not in done.stderr + done.stdout
    if case["validate_exit"] == 2:
        assert case["message"] in done.stderr
    else:
        where = {(f["code"], f["where"]) for f in json.loads(done.stdout)["findings"]}
        assert set(map(tuple, case["findings"])) <= where


def test_a_number_misread_as_a_date_is_reported_not_counted():
    """NaN in a date cell was read as 30/12/1899; now it is the error at its cell and the action is not rated."""
    summary = open_summary(CORPUS / "date-nan.xlsx")
    action = next(a for a in summary.plan.actions if a.action_id == "1.2")
    assert action.original_deadline is None
    assert "1.2" in summary.overall.not_rated


def test_a_hidden_copy_of_actions_is_refused_never_read_instead(tmp_path):
    with pytest.raises(TrackerError) as refused:
        open_summary(CORPUS / "duplicate-sheet-hidden.xlsx")
    assert "'Actions' and 'Actions '" in str(refused.value) and "hidden" in str(refused.value)


def test_an_unreadable_as_at_date_is_a_finding_at_its_cell_when_a_date_is_given():
    for name, shown in (
        ("as-at-tbc.xlsx", "'TBC'"),
        ("as-at-true.xlsx", "'TRUE'"),
        ("as-at-misspelt.xlsx", "'31st Octobre 2016'"),
    ):
        findings = open_summary(CORPUS / name, as_at=date(2016, 10, 31)).findings
        found = [f for f in findings if f.where == "Settings!B11"]
        assert [f.code for f in found] == ["date"] and shown in found[0].message, name


def test_a_setting_typed_twice_is_a_finding_at_both_cells_and_neither_value_wins():
    summary = open_summary(CORPUS / "as-at-twice.xlsx", as_at=date(2016, 10, 31))
    assert {f.where for f in summary.findings if f.code == "setting-duplicate"} == {
        "Settings!A11",
        "Settings!A13",
    }
    assert summary.plan.settings["As at date"] is None
    council = open_summary(CORPUS / "setting-twice.xlsx").plan.settings["Council"]
    assert council is None  # Lewisham or Greenwich: the tool does not pick one


def test_settings_keys_are_matched_as_headers_are():
    retyped = open_summary(CORPUS / "settings-keys-retyped.xlsx")
    clean = open_summary(CORPUS / "clean-tracker.xlsx")
    assert retyped.as_at == clean.as_at == date(2016, 10, 31)
    assert retyped.period is not None and retyped.period.period.name == "Q2"


def test_a_1904_workbook_is_read_on_its_own_calendar():
    with zipfile.ZipFile(CORPUS / "date-1904.xlsx") as package:
        assert b'date1904="1"' in package.read("xl/workbook.xml")
    on_1904 = open_summary(CORPUS / "date-1904.xlsx").plan
    clean = open_summary(CORPUS / "clean-tracker.xlsx").plan
    assert [
        (a.original_deadline, a.current_deadline, a.completed_on, a.last_updated)
        for a in on_1904.actions
    ] == [
        (a.original_deadline, a.current_deadline, a.completed_on, a.last_updated)
        for a in clean.actions
    ]
    assert on_1904.settings["As at date"] == clean.settings["As at date"]
    assert [(p.start, p.end) for p in on_1904.periods] == [(p.start, p.end) for p in clean.periods]


def test_officers_columns_right_of_the_table_are_their_own_data(tmp_path):
    summary = open_summary(CORPUS / "officer-columns-right.xlsx")
    assert len(summary.plan.actions) == 140 and summary.findings == ()
    copy = tmp_path / "officer-columns-right.xlsx"
    shutil.copyfile(CORPUS / copy.name, copy)
    refresh(copy)
    import openpyxl

    ws = openpyxl.load_workbook(copy, read_only=True)["Actions"]
    assert [
        row[0]
        for row in ws.iter_rows(
            min_row=140, max_row=141, min_col=16384, max_col=16384, values_only=True
        )
    ] == ["B-0140", "B-0141"]  # kept as typed


def test_a_stray_value_far_below_the_table_is_still_refused_without_reading_it():
    with pytest.raises(TrackerError) as refused:
        open_summary(CORPUS / "far-away-cell.xlsx")
    assert "Actions!XFD1048576" in str(refused.value)
