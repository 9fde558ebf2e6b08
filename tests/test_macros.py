"""The ribbon macros through xlwings' remote engine: real trackers in, Excel's actions out, applied back and read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import xlwings as xw  # noqa: E402  (after the harness has set the remote engine's licence)
from openpyxl import load_workbook
from xlwings.pro import _xlremote

from ofsted_tracker.addin import excel, macros
from ofsted_tracker.workbook import jobs
from ofsted_tracker.workbook.demo import demo_rows
from ofsted_tracker.workbook.jobs import new_tracker, open_summary
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules import layout
from tests.addin import harness
from tests.addin.harness import apply, grid_as_shown, open_book
from tests.report import office

TEXT_LIKE_FORMULAS = (
    '=HYPERLINK("http://example.com","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
)


def _cells(grid: list[list[object]]) -> list[list[object]]:
    """A grid as Excel keeps it: blank strings are empty cells; trailing empty cells and rows dropped."""
    rows = [[None if v == "" else v for v in row] for row in grid]
    rows = [
        row[: max((j + 1 for j, v in enumerate(row) if v is not None), default=0)] for row in rows
    ]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _run(path: Path, work, tmp_path: Path, **kwargs) -> tuple[str, list[dict], harness.Applied]:
    book = open_book(path, **kwargs.pop("payload", {}))
    try:
        message = work(book, **kwargs)
        actions = book.json()["actions"]
    finally:
        book.close()
    return message, actions, apply(actions, path, tmp_path / f"after-{path.name}")


def _with_rows(tmp_path: Path, name: str, change) -> Path:
    rows = demo_rows()
    change(rows)
    path = tmp_path / name
    new_tracker(path, rows)
    return path


def _ten_times(rows: dict) -> None:
    copies = []
    for k in range(1, 10):
        for row in rows["Actions"]:
            rec, _, number = str(row["action_id"]).partition(".")
            copies.append({**row, "action_id": f"{rec}.{k}{number}"})
    rows["Actions"] += copies


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plan with ten times the actions (610)."""
    return _with_rows(tmp_path_factory.mktemp("big"), "big-tracker.xlsx", _ten_times)


# --- validate -------------------------------------------------------------------------------------------------


def test_validate_writes_the_findings_the_command_line_finds(
    demo_master: Path, tmp_path: Path
) -> None:
    cli = open_summary(demo_master)
    message, actions, after = _run(demo_master, macros.validate, tmp_path)
    assert [a["func"] for a in actions] == [
        "sheetClearContents",
        "setValues",
        "setPrintArea",
        "alert",
    ]
    assert after.sheets_written == {"Checks"}
    assert _cells(grid_as_shown(after.path, "Checks")) == _cells(layout.checks_grid(cli))
    assert cli.errors and cli.warnings
    assert message.startswith(f"{cli.errors} errors, {cli.warnings} warnings — see Checks.")
    assert after.alerts == [[message, "Improvement Plan", "ok", "info", ""]]


def test_validate_marks_the_rows_in_actions_through_the_workbooks_own_formula(
    demo_master: Path, tmp_path: Path
) -> None:
    """LibreOffice recalculates the applied workbook: the Actions 'Checks' column shows the rows with findings."""
    _, _, after = _run(demo_master, macros.validate, tmp_path)
    flagged = {f.action_id for f in open_summary(demo_master).findings if f.action_id}
    outdir = tmp_path / "csv"
    office.convert([after.path], office.CSV_EACH_SHEET, outdir)
    import csv

    sheet = next(outdir.glob("*-Actions.csv"))
    rows = list(csv.reader(sheet.read_text(encoding="utf-8").splitlines()))
    column = rows[0].index(schema.CHECKS_COLUMN)
    marked = {row[0] for row in rows[1:] if row and row[column]}
    assert marked and marked <= flagged
    errors = {
        f.action_id
        for f in open_summary(demo_master).findings
        if f.severity == "error" and f.action_id
    }
    assert errors <= marked


# --- refresh --------------------------------------------------------------------------------------------------


def test_refresh_writes_the_three_computed_sheets_as_the_command_line_would(
    demo_master: Path, tmp_path: Path
) -> None:
    cli = open_summary(demo_master)
    message, actions, after = _run(demo_master, macros.refresh, tmp_path)
    assert after.sheets_written == set(schema.COMPUTED_SHEETS)
    for name, grid in layout.computed_grids(cli).items():
        assert _cells(grid_as_shown(after.path, name)) == _cells(grid), name
    wb = load_workbook(after.path)
    first, last = layout.OVERALL_ROWS
    counts = [[wb["Dashboard"].cell(r, c).value for c in (2, 3)] for r in range(first, last + 1)]
    assert counts == [
        [len(cli.overall.completed), len(cli.recorded.completed)],
        [len(cli.overall.ongoing), len(cli.recorded.ongoing)],
        [len(cli.overall.not_completed), len(cli.recorded.not_completed)],
    ]
    assert all(isinstance(v, int) for row in counts for v in row), (
        "the chart needs numbers, not text"
    )
    assert "as at 31/10/2016, period Q2: 61 actions" in message
    again = open_summary(after.path)
    assert (again.errors, again.warnings) == (cli.errors, cli.warnings)


def test_the_as_at_date_can_be_given(demo_master: Path, tmp_path: Path) -> None:
    message, _, after = _run(demo_master, macros.refresh, tmp_path, as_at=date(2017, 3, 31))
    assert "as at 31/03/2017" in message
    assert grid_as_shown(after.path, "Dashboard")[1][0].startswith("As at 31/03/2017")


def test_text_that_looks_like_a_formula_stays_text(demo_master: Path, tmp_path: Path) -> None:
    def plant(
        wb,
    ) -> None:  # officers' text cells holding formula-like text (Excel sends it as text)
        for row, text in enumerate(TEXT_LIKE_FORMULAS, start=2):
            cell = wb["Actions"].cell(row, 3)
            cell.value = text
            cell.data_type = "s"

    path = _edit(demo_master, tmp_path / "formulas.xlsx", plant)
    _, actions, after = _run(path, macros.refresh, tmp_path)
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert all(v.startswith("'") for v in written if isinstance(v, str) and v)
    slippage = load_workbook(after.path)["Slippage"]
    shown = {
        slippage.cell(r, 2).value: slippage.cell(r, 2).data_type
        for r in range(5, 5 + len(TEXT_LIKE_FORMULAS))
    }
    assert shown == {text: "s" for text in TEXT_LIKE_FORMULAS}


def test_the_harness_would_catch_a_bare_formula(demo_master: Path, tmp_path: Path) -> None:
    """The check above can fail: written without the apostrophe, Excel (and the harness) makes a formula."""
    book = open_book(demo_master)
    book.sheets["Slippage"].range("B5").value = TEXT_LIKE_FORMULAS[0]
    after = apply(book.json()["actions"], demo_master, tmp_path / "bare.xlsx")
    book.close()
    assert load_workbook(after.path)["Slippage"]["B5"].data_type == "f"


# --- what the macros may touch, and how much ------------------------------------------------------------------

ALL = [macros.validate, macros.refresh, macros.build_report, macros.go_to_finding]


@pytest.mark.parametrize("work", ALL, ids=lambda m: m.__name__)
def test_officers_cells_are_never_written(work, demo_master: Path, tmp_path: Path) -> None:
    _, actions, after = _run(demo_master, work, tmp_path)
    sheets = load_workbook(demo_master).sheetnames
    writes = [a for a in actions if a["func"] not in ("alert", "activateSheet", "rangeSelect")]
    assert {sheets[a["sheet_position"]] for a in writes} <= set(schema.COMPUTED_SHEETS)
    for spec in schema.OFFICER_SHEETS:
        assert grid_as_shown(after.path, spec.name) == grid_as_shown(demo_master, spec.name), (
            spec.name
        )


class _ReadCounter:
    """Counts block reads of cell values on the remote engine (each is one Excel read on the desktop)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sheets: list[str] = []
        original = _xlremote.Range.raw_value

        def counted(rng):
            self.sheets.append(rng.sheet.name)
            return original.fget(rng)

        monkeypatch.setattr(_xlremote.Range, "raw_value", property(counted, original.fset))


# the bound stated in each macro's docstring: (block reads, actions) on the remote engine
BOUNDS = {"validate": (6, 4), "refresh": (7, 10), "build_report": (0, 1), "go_to_finding": (0, 3)}


@pytest.mark.parametrize("work", ALL, ids=lambda m: m.__name__)
def test_excel_operations_do_not_grow_with_the_plan(
    work, demo_master: Path, big_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = []
    for path in (demo_master, big_plan):
        reads = _ReadCounter(monkeypatch)
        _, actions, _ = _run(path, work, tmp_path)
        counts.append((len(reads.sheets), len(actions)))
    assert counts[0] == counts[1] == BOUNDS[work.__name__]
    assert len(open_summary(big_plan).plan.actions) == 10 * len(
        open_summary(demo_master).plan.actions
    )


# --- bad trackers: a message, never a traceback, nothing written ----------------------------------------------


def _edit(source: Path, target: Path, change) -> Path:
    wb = load_workbook(source)
    change(wb)
    wb.save(target)
    return target


def _only_a_message(actions: list[dict], after: harness.Applied) -> str:
    assert [a["func"] for a in actions] == ["alert"]
    assert after.alerts[0][3] == "critical"
    return after.alerts[0][0]


def test_a_workbook_with_no_actions_sheet_is_refused(demo_master: Path, tmp_path: Path) -> None:
    path = _edit(demo_master, tmp_path / "budget.xlsx", lambda wb: wb.remove(wb["Actions"]))
    message, actions, after = _run(path, macros.validate, tmp_path)
    assert _only_a_message(actions, after) == message
    assert "'budget.xlsx' is not an improvement plan tracker: it has no Actions sheet" in message


def test_a_renamed_header_is_named_with_its_cell(demo_master: Path, tmp_path: Path) -> None:
    path = _edit(
        demo_master,
        tmp_path / "renamed.xlsx",
        lambda wb: setattr(wb["Actions"]["E1"], "value", "Deadline"),
    )
    message, actions, after = _run(path, macros.refresh, tmp_path)
    assert _only_a_message(actions, after) == message
    assert message.startswith("Actions!A1: the header row has no column 'Original deadline'")


def test_text_in_date_cells_is_reported_on_the_checks_sheet(
    demo_master: Path, tmp_path: Path
) -> None:
    def spoil(wb) -> None:
        wb["Actions"]["E3"].value = "end of summer"
        wb["Actions"]["H2"].value = "soon"

    path = _edit(demo_master, tmp_path / "text-dates.xlsx", spoil)
    message, actions, after = _run(path, macros.validate, tmp_path)
    checks = grid_as_shown(after.path, "Checks")
    found = [(row[0], row[1], row[3]) for row in checks[layout.TABLE_HEADER_ROW :]]
    assert any(
        f[:2] == ("error", "Actions!E3") and "'end of summer' is not a date" in f[2] for f in found
    )
    assert any(f[:2] == ("error", "Actions!H2") and "'soon' is not a date" in f[2] for f in found)
    assert message.startswith(f"{open_summary(path).errors} errors")


def test_no_as_at_date_asks_for_one(demo_master: Path, tmp_path: Path) -> None:
    def clear(wb) -> None:
        ws = wb["Settings"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "As at date":
                row[1].value = None

    path = _edit(demo_master, tmp_path / "no-date.xlsx", clear)
    message, actions, after = _run(path, macros.validate, tmp_path)
    assert _only_a_message(actions, after).startswith(
        "No as-at date: fill in 'As at date' on the Settings sheet"
    )


CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", ["duplicate-sheet-hidden.xlsx", "duplicate-sheet-visible.xlsx"])
def test_two_sheets_with_one_name_are_refused_as_on_the_command_line(
    name: str, tmp_path: Path
) -> None:
    """The same rule as the file reader (schema.find_sheets): neither copy is read, both are named."""
    path = tmp_path / name
    path.write_bytes((CORPUS / name).read_bytes())
    message, actions, after = _run(path, macros.validate, tmp_path)
    with pytest.raises(Exception) as from_file:
        open_summary(path)
    assert _only_a_message(actions, after) == message
    names = message.split(" sheets named ", 1)[1].split(", which", 1)[0]
    assert names in str(from_file.value) and " and " in names


def test_an_as_at_date_that_is_not_a_date_is_named_with_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "as-at-tbc.xlsx"
    path.write_bytes((CORPUS / path.name).read_bytes())
    message, actions, after = _run(path, macros.validate, tmp_path)
    assert _only_a_message(actions, after).startswith(
        "Settings!B11: the As at date 'TBC' cannot be read as a date"
    )


def test_an_unexpected_failure_is_a_message_not_a_traceback(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "summarise", broken)
    message, actions, after = _run(demo_master, macros.refresh, tmp_path)
    assert _only_a_message(actions, after) == message
    assert "(RuntimeError: disk on fire)" in message and "Nothing you typed was changed" in message


# --- called from the add-in -----------------------------------------------------------------------------------


def _addin_payload(name: str = "ofsted_tracker.addin.ribbon_check.xlam") -> dict:
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [
            {
                "name": "myaddin.conf",
                "values": [["ADD_WORKBOOK_TO_PYTHONPATH", "False"]],
                "pictures": [],
                "tables": [],
            }
        ],
    }


def test_from_the_addin_the_active_workbook_is_used(demo_master: Path, tmp_path: Path) -> None:
    addin_book = xw.Book(json=_addin_payload())
    tracker = open_book(demo_master)  # opened last: the active workbook
    try:
        message = macros.validate(addin_book)
        assert addin_book.json()["actions"] == []
        assert [a["func"] for a in tracker.json()["actions"]] == [
            "sheetClearContents",
            "setValues",
            "setPrintArea",
            "alert",
        ]
        assert message.endswith("Rows with errors are shaded in Actions.")
    finally:
        tracker.close()
        addin_book.close()


def test_from_the_addin_with_no_workbook_open_it_says_so() -> None:
    addin_book = xw.Book(json=_addin_payload())
    try:
        message = macros.refresh(addin_book)
        assert (
            message
            == "No workbook is open. Open your improvement plan tracker, then click the button again."
        )
        assert [a["func"] for a in addin_book.json()["actions"]] == ["alert"]
    finally:
        addin_book.close()


@pytest.mark.parametrize(
    "module, first_action",
    [
        ("ribbon_check", "sheetClearContents"),
        ("ribbon_refresh", "sheetClearContents"),
        ("ribbon_report", "alert"),
        ("ribbon_finding", "activateSheet"),
    ],
)
def test_each_ribbon_entry_point_runs_its_macro_on_the_caller(
    module: str, first_action: str, demo_master: Path
) -> None:
    import importlib

    book = open_book(demo_master)
    book.set_mock_caller()
    try:
        importlib.import_module(f"addin.{module}").main()
        assert book.json()["actions"][0]["func"] == first_action
    finally:
        del xw.Book._mock_caller
        book.close()


# --- build report -----------------------------------------------------------------------------------------------


def test_in_a_browser_the_report_is_left_to_the_command_line(
    demo_master: Path, tmp_path: Path
) -> None:
    message, actions, after = _run(demo_master, macros.build_report, tmp_path)
    assert [a["func"] for a in actions] == ["alert"]
    assert (
        "build the report from the command line" in message and "ofsted-tracker report" in message
    )


def test_on_a_desktop_the_report_goes_next_to_the_workbook(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def spoil(wb) -> None:  # a Settings value must never steer where the report goes
        for row in wb["Settings"].iter_rows(min_row=2):
            if row[0].value == "Report title":
                row[1].value = "../../outside/evil"

    path = _edit(demo_master, tmp_path / "Plan (v2)*.xlsx", spoil)
    monkeypatch.setattr(excel, "local_folder", lambda book: tmp_path)
    built = []

    def builder(summary, target: Path) -> Path:
        built.append((summary, target))
        target.write_bytes(b"docx")
        return target

    message, actions, _ = _run(path, macros.build_report, tmp_path, builder=builder)
    assert [a["func"] for a in actions][-1] == "alert"
    ((summary, target),) = built
    assert target == tmp_path / "Plan (v2) report.docx"
    assert message.startswith(
        f"Report written: {target}\n\nRecorded the Q2 snapshot as at 31/10/2016"
    )
    assert summary.as_at == date(2016, 10, 31) and summary.period.period.name == "Q2"


def test_build_report_records_the_snapshot_the_command_line_records(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from ofsted_tracker.cli import app
    from ofsted_tracker.workbook.rules.history import HISTORY

    monkeypatch.setattr(excel, "local_folder", lambda book: tmp_path)
    no_report = lambda summary, target: target  # noqa: E731  (the report itself is tested elsewhere)
    message, actions, after = _run(demo_master, macros.build_report, tmp_path, builder=no_report)
    cli = tmp_path / "cli.xlsx"
    cli.write_bytes(demo_master.read_bytes())
    result = CliRunner().invoke(app, ["report", str(cli), "-o", str(tmp_path / "cli.docx")])
    assert result.exit_code == 0, result.output
    ours, theirs = open_summary(after.path), open_summary(cli)
    assert ours.history == theirs.history and len(ours.history) == 1
    assert HISTORY in after.sheets_written and set(schema.COMPUTED_SHEETS) <= after.sheets_written
    for name, grid in layout.computed_grids(
        theirs
    ).items():  # the dashboards show the trend with it
        assert _cells(grid_as_shown(after.path, name)) == _cells(grid), name
    again, _, twice = _run(after.path, macros.build_report, tmp_path, builder=no_report)
    assert (
        "it replaces the one as at 31/10/2016" in again
        and open_summary(twice.path).history == ours.history
    )


def test_build_report_without_a_period_says_no_snapshot_was_recorded(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_period(wb) -> None:
        for row in wb["Settings"].iter_rows(min_row=2):
            if row[0].value == "Reporting period":
                row[1].value = None

    path = _edit(demo_master, tmp_path / "no-period.xlsx", no_period)
    monkeypatch.setattr(excel, "local_folder", lambda book: tmp_path)
    message, actions, _ = _run(
        path, macros.build_report, tmp_path, builder=lambda summary, target: target
    )
    assert [a["func"] for a in actions] == ["alert"]
    assert "its snapshot was not recorded" in message and "'Reporting period'" in message
    assert "--period" not in message  # the command line's way to try again is not Excel's


@pytest.mark.parametrize(
    "name, expected",
    [
        ("lewisham-tracker.xlsx", "lewisham-tracker report.docx"),
        ("..\\..\\Windows\\evil.xlsm", "evil report.docx"),
        ("../../etc/passwd", "passwd report.docx"),
        ("..xlsx", "tracker report.docx"),
        ("plan: <Q2>?.xlsx", "plan- -Q2 report.docx"),
    ],
)
def test_the_report_name_comes_from_the_workbook_name_alone(name: str, expected: str) -> None:
    assert macros.report_name(name) == expected


def test_the_real_report_builder_writes_a_word_file(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "local_folder", lambda book: tmp_path)
    message, _, _ = _run(demo_master, macros.build_report, tmp_path)
    report = tmp_path / "lewisham-tracker report.docx"
    assert message.startswith(f"Report written: {report}\n\n")
    from docx import Document

    assert "Lewisham" in "\n".join(p.text for p in Document(str(report)).paragraphs)


def test_the_local_folder_is_known_only_for_a_file_on_this_computer(tmp_path: Path) -> None:
    book = lambda fullname: SimpleNamespace(fullname=fullname)  # noqa: E731
    assert excel.local_folder(book(str(tmp_path / "plan.xlsx"))) == tmp_path
    assert excel.local_folder(book("https://council.sharepoint.com/sites/cyp/plan.xlsx")) is None
    assert excel.local_folder(book("plan.xlsx")) is None
    assert excel.local_folder(book(str(tmp_path / "gone" / "plan.xlsx"))) is None


# --- go to finding ---------------------------------------------------------------------------------------------


def test_go_to_finding_jumps_to_the_selected_findings_cell(
    demo_master: Path, tmp_path: Path
) -> None:
    checks = grid_as_shown(demo_master, "Checks")
    row = next(
        i for i, r in enumerate(checks, 1) if i > layout.TABLE_HEADER_ROW and "!" in str(r[1])
    )
    sheet, cell = checks[row - 1][1].split("!")
    message, actions, after = _run(
        demo_master,
        macros.go_to_finding,
        tmp_path,
        payload={"active": "Checks", "selection": f"D{row}"},
    )
    assert message == "" and after.alerts == []
    assert (after.active, after.selected) == (sheet, f"{sheet}!{cell}")


def test_go_to_finding_elsewhere_opens_the_checks_sheet(demo_master: Path, tmp_path: Path) -> None:
    message, _, after = _run(
        demo_master,
        macros.go_to_finding,
        tmp_path,
        payload={"active": "Actions", "selection": "C7"},
    )
    assert (after.active, after.selected) == ("Checks", f"Checks!A{layout.TABLE_HEADER_ROW + 1}")
    assert "Select a finding's row" in message


def test_with_no_active_workbook_object_desktop_excel_gets_a_message() -> None:
    """Desktop Excel with only add-ins open has no active workbook: reading it fails there, the macro says so."""
    shown = []

    class Books:
        @property
        def active(self):
            raise AttributeError("'NoneType' object has no attribute 'Name'")

    app = SimpleNamespace(books=Books(), alert=lambda text, **kw: shown.append((text, kw["mode"])))
    message = macros.validate(
        SimpleNamespace(name="ofsted_tracker.addin.ribbon_check.xlam", app=app)
    )
    assert shown == [(message, "critical")]
    assert message.startswith("No workbook is open.")


def test_text_is_marked_as_text_and_kept_within_excels_cell_limit() -> None:
    assert excel.as_entered("=1+1") == "'=1+1"
    assert (
        excel.as_entered(3) == 3 and excel.as_entered("") == "" and excel.as_entered(None) is None
    )
    assert len(excel.as_entered("x" * 40000)) == 1 + excel.MAX_CELL_TEXT


def test_macros_run_with_the_cycle_collector_paused_and_restore_it(demo_master: Path) -> None:
    """As the command line does: a macro's body runs with gc paused; afterwards it is on again."""
    import gc

    seen = []

    @macros.macro
    def probe(book):
        seen.append(gc.isenabled())
        return ""

    book = open_book(demo_master)
    try:
        assert gc.isenabled()
        probe(book)
        assert seen == [False] and gc.isenabled()
    finally:
        book.close()


# --- a change of rating scheme in Settings (issue 20 item 2) -------------------------------------------------------


def _scheme(name: str):
    def change(wb) -> None:
        settings = wb["Settings"]
        for row in settings.iter_rows(min_row=2):
            if row[0].value == "Rating scheme":
                row[1].value = name
                return
        settings.append(["Rating scheme", name])

    return change


def test_refresh_after_a_scheme_change_says_how_to_have_the_drop_downs_rewritten(
    demo_master: Path, tmp_path: Path
) -> None:
    message, _, _ = _run(demo_master, macros.refresh, tmp_path)
    assert "rating scheme is now" not in message  # the demo's Dashboard is in its own scheme
    path = _edit(demo_master, tmp_path / "completed.xlsx", _scheme("RAG + Completed"))
    message, _, after = _run(path, macros.refresh, tmp_path)
    assert message.splitlines()[-1] == (
        "The rating scheme is now RAG + Completed: to bring the Recorded RAG drop-down, the rating colours and "
        'the Dashboard chart to it, save and close this workbook, then run: ofsted-tracker refresh "completed.xlsx"'
    )
    # the Dashboard is in the new scheme now: the next refresh says nothing more
    again, _, _ = _run(after.path, macros.refresh, tmp_path)
    assert "rating scheme is now" not in again
