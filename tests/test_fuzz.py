"""Hypothesis: any values typed into Actions cells go through validate, summary, refresh and the report with no
error other than a TrackerError, every finding located, and every text the refresh writes read back as written."""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, event, given, settings, strategies as st
from click.testing import CliRunner

from ofsted_tracker.cli import app
from workbook.errors import TrackerError
from workbook.package import clean_text
from workbook.schema import OFFICER_SHEETS
from workbook.tracker import open_summary, refresh

CORPUS = Path(__file__).parent / "corpus"
CELL = re.compile(r"[A-Z]{1,3}[0-9]+(:[A-Z]{1,3}[0-9]+)?")
SHEETS = {spec.name for spec in OFFICER_SHEETS}
SHEET_LEVEL = {"period-unknown"}  # about the whole Settings sheet or the --period given
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
runner = CliRunner()

# text as officers (and their copy-paste) produce it: control characters, emoji, right-to-left scripts,
# combining marks, things that look like formulas or dates, and very long strings
WEIRD = st.sampled_from([
    "\x00", "\x07", "\x1b[31m", "\t", "\r\n", "\u200b", "\u202e", "\ufeff", "🚸", "👩🏽‍⚖️", "مرحبا", "שלום",
    "é", "e\u0301",
    "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "#REF!", "#N/A", "_x0041_", "30th Sept 2016",
    "31/04/2016", "February 2017", "1.1", "SK/TB", "Complete", "G", "[bold]x[/bold]", "{{ plan }}", "{% for %}", "<t>",
    "&amp;", "]]>", "NaN", "\\", "'",
])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(WEIRD, min_size=1, max_size=6).map("".join),
    st.builds(lambda s, n: (s * n)[:40000], st.sampled_from(["x", "🚸", "مر", "=A1"]), st.integers(1000, 40000)),
)
VALUES = st.one_of(
    st.none(), st.booleans(), TEXT,
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2099, 12, 31)),
    st.times(),
)
CELLS = st.dictionaries(st.tuples(st.integers(1, 8), st.integers(1, 12)), VALUES, min_size=1, max_size=8)


def excel_escaped(text: str) -> str:
    """Control characters as Excel stores them in a cell's XML (``_x0007_``), which openpyxl cannot write raw."""
    return ILLEGAL.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def tracker_with(folder: Path, cells: dict[tuple[int, int], object]) -> Path:
    """The corpus' clean tracker with the given values typed into its Actions sheet."""
    path = folder / "fuzzed.xlsx"
    wb = openpyxl.load_workbook(CORPUS / "clean-tracker.xlsx")
    ws = wb["Actions"]
    for (row, column), value in cells.items():
        cell = ws.cell(row, column)
        cell.value = excel_escaped(value) if isinstance(value, str) else value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text (as with a leading apostrophe), never a formula
    wb.save(path)
    return path


def assert_located(findings) -> None:
    for f in findings:
        assert f.sheet in SHEETS, f
        assert CELL.fullmatch(f.cell) or f.code in SHEET_LEVEL, f
        assert f.message.strip(), f


def computed_texts(path: Path) -> set[str]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {v for name in ("Checks", "Slippage", "Dashboard")
            for row in book.get_sheet_by_name(name).to_python() for v in row if isinstance(v, str) and v}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cells=CELLS)
def test_any_cell_values_are_validated_summarised_and_refreshed_without_a_traceback(cells):
    with tempfile.TemporaryDirectory() as folder:
        path = tracker_with(Path(folder), cells)
        for args in (["validate", str(path), "--json"], ["validate", str(path)], ["summary", str(path), "--json"]):
            result = runner.invoke(app, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
            assert result.exit_code in (0, 1, 2)
            assert "Traceback" not in result.output + result.stderr
        try:
            summary = open_summary(path)
        except TrackerError as exc:
            assert exc.exit_code == 2 and str(exc)
            event("refused as unusable")
            return
        event(f"{'with' if summary.errors else 'without'} errors")
        assert_located(summary.findings)
        summary.as_dict()
        refreshed = refresh(path)
        assert refreshed.findings == summary.findings
        written = computed_texts(path)
        for f in summary.findings:  # every message reaches the Checks sheet as the officer will read it
            assert clean_text(f.message) in written
            assert clean_text(f.where) in written


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cells=CELLS)
def test_any_cell_values_give_a_report_or_a_clear_refusal(cells):
    from report_builder import build_report

    with tempfile.TemporaryDirectory() as folder:
        path = tracker_with(Path(folder), cells)
        try:
            summary = open_summary(path)
            written = build_report(summary, Path(folder) / "report.docx")
        except TrackerError as exc:
            assert exc.exit_code == 2 and str(exc)
            return
        import docx

        text = "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
        assert summary.plan.settings.get("Council", "") in text


def test_the_examples_reach_the_reader_as_typed(tmp_path):
    """The strategy's writing path is sound: text with control characters is stored as Excel would, read back raw."""
    path = tracker_with(tmp_path, {(2, 10): "bell\x07 and emoji 🚸", (3, 10): "=1+1", (4, 11): time(10, 30)})
    plan = open_summary(path).plan
    assert plan.actions[0].commentary == "bell\x07 and emoji 🚸"
    assert plan.actions[1].commentary == "=1+1"
