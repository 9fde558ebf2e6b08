"""Hypothesis: any values typed into Actions cells go through validate, summary, refresh and the report with no
error other than a TrackerError, every finding located, and every text the refresh writes read back as written;
any sheet names and Settings rows give findings at their cells or a refusal naming the sheets or cells."""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from xml.sax.saxutils import quoteattr

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from ofsted_tracker.cli import EXIT_CODES, app, exit_code
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.jobs import open_summary, refresh
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.parse import EXCEL_ERRORS
from ofsted_tracker.workbook.plan.schema import OFFICER_SHEETS
from ofsted_tracker.workbook.store.package import clean_text
from tests.corpus.make_corpus import with_sheet

CORPUS = Path(__file__).parent / "corpus"
CELL = re.compile(r"[A-Z]{1,3}[0-9]+(:[A-Z]{1,3}[0-9]+)?")
SHEETS = {spec.name for spec in OFFICER_SHEETS}
SHEET_LEVEL = {"period-unknown"}  # about the whole Settings sheet or the --period given
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
runner = CliRunner()

# text as officers (and their copy-paste) produce it: control characters, emoji, right-to-left scripts,
# combining marks, things that look like formulas or dates, and very long strings
WEIRD = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x1b[31m",
        "\t",
        "\r\n",
        "\u200b",
        "\u202e",
        "\ufeff",
        "🚸",
        "👩🏽‍⚖️",
        "مرحبا",
        "שלום",
        "é",
        "e\u0301",
        '=HYPERLINK("http://x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1)",
        "-1+1",
        "#REF!",
        "#N/A",
        "_x0041_",
        "30th Sept 2016",
        "31/04/2016",
        "February 2017",
        "1.1",
        "SK/TB",
        "Complete",
        "G",
        "[bold]x[/bold]",
        "{{ plan }}",
        "{% for %}",
        "<t>",
        "&amp;",
        "]]>",
        "NaN",
        "\\",
        "'",
    ]
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(WEIRD, min_size=1, max_size=6).map("".join),
    st.builds(
        lambda s, n: (s * n)[:40000],
        st.sampled_from(["x", "🚸", "مر", "=A1"]),
        st.integers(1000, 40000),
    ),
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2099, 12, 31)),
    st.times(),
)
CELLS = st.dictionaries(
    st.tuples(st.integers(1, 8), st.integers(1, 12)), VALUES, min_size=1, max_size=8
)


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
    return {
        v
        for name in ("Checks", "Slippage", "Dashboard")
        for row in book.get_sheet_by_name(name).to_python()
        for v in row
        if isinstance(v, str) and v
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cells=CELLS)
def test_any_cell_values_are_validated_summarised_and_refreshed_without_a_traceback(cells):
    with tempfile.TemporaryDirectory() as folder:
        path = tracker_with(Path(folder), cells)
        for args in (
            ["validate", str(path), "--json"],
            ["validate", str(path)],
            ["summary", str(path), "--json"],
        ):
            result = runner.invoke(app, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                result.exception
            )
            assert result.exit_code in (0, 1, 2)
            assert "Traceback" not in result.output + result.stderr
        try:
            summary = open_summary(path)
        except TrackerError as exc:
            assert exit_code(exc) == 2 and exc.code in EXIT_CODES and str(exc)
            event("refused as unusable")
            return
        event(f"{'with' if summary.errors else 'without'} errors")
        assert_located(summary.findings)
        summary.as_dict()
        refreshed = refresh(path)
        assert refreshed.findings == summary.findings
        written = computed_texts(path)
        for (
            f
        ) in summary.findings:  # every message reaches the Checks sheet as the officer will read it
            assert clean_text(f.message) in written
            assert clean_text(f.where) in written


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cells=CELLS)
def test_any_cell_values_give_a_report_or_a_clear_refusal(cells):
    from ofsted_tracker.report_builder import build_report

    with tempfile.TemporaryDirectory() as folder:
        path = tracker_with(Path(folder), cells)
        try:
            summary = open_summary(path)
            written = build_report(summary, Path(folder) / "report.docx")
        except TrackerError as exc:
            assert exit_code(exc) == 2 and exc.code in EXIT_CODES and str(exc)
            return
        import docx

        text = "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
        assert summary.plan.settings.get("Council", "") in text


def test_the_examples_reach_the_reader_as_typed(tmp_path):
    """The strategy's writing path is sound: text with control characters is stored as Excel would, read back raw."""
    path = tracker_with(
        tmp_path, {(2, 10): "bell\x07 and emoji 🚸", (3, 10): "=1+1", (4, 11): time(10, 30)}
    )
    plan = open_summary(path).plan
    assert plan.actions[0].commentary == "bell\x07 and emoji 🚸"
    assert plan.actions[1].commentary == "=1+1"


# --- sheet names and Settings (issue 9) ---------------------------------------------------------------------------

TOOL_SHEETS = tuple(spec.name for spec in OFFICER_SHEETS) + schema.COMPUTED_SHEETS
KEYS = {
    schema.same_name(key): key for key, _ in schema.SETTING_ROWS
}  # a key as matched -> the key it means
CLEAN_SHEETS = (
    "Dashboard",
    "Actions",
    "Checks",
    "Slippage",
    "Recommendations",
    "Leads",
    "Revisions",
    "Periods",
    "Settings",
)
# names as Excel allows them (up to 31 characters, none of []:*?/\), never a tool sheet's name however spaced
OTHER_NAME = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="[]:*?/\\"),
    min_size=1,
    max_size=31,
).filter(lambda n: schema.same_name(n) not in {schema.same_name(t) for t in TOOL_SHEETS})


@st.composite
def respelt(draw, name: str) -> str:
    """The name as an officer might retype it: other capitals, spaces before, after or doubled inside."""
    letters = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in name)
    return (
        draw(st.sampled_from(["", " ", "  ", "\u00a0"]))
        + letters
        + draw(st.sampled_from(["", " ", "   "]))
    )


def renamed_tracker(folder: Path, names: dict[str, str], copies: list[tuple[str, str]]) -> Path:
    """The clean tracker with sheets renamed (old -> new) and sheets copied under new names, at the package level.

    A copy is a new part with the copied sheet's bytes, as Excel's Move or Copy makes; every other one is hidden.
    """
    with zipfile.ZipFile(CORPUS / "clean-tracker.xlsx") as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    workbook = parts["xl/workbook.xml"]
    for old, new in names.items():
        workbook = workbook.replace(f'name="{old}"'.encode(), f"name={quoteattr(new)}".encode())
    parts["xl/workbook.xml"] = workbook
    for k, (copied, new) in enumerate(copies, start=1):
        parts = with_sheet(
            parts,
            new,
            f"xl/worksheets/sheet{CLEAN_SHEETS.index(copied) + 1}.xml",
            f"rIdFuzz{k}",
            100 + k,
            "hidden" if k % 2 else "visible",
        )
    path = folder / "renamed.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


@st.composite
def sheet_names(draw) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Some sheets respelt or renamed to something else, and copies named like a tool sheet or not."""
    names = {}
    for sheet in draw(st.lists(st.sampled_from(CLEAN_SHEETS), unique=True, max_size=4)):
        names[sheet] = draw(st.one_of(respelt(sheet), OTHER_NAME))
    copies = []
    for copied in draw(st.lists(st.sampled_from(CLEAN_SHEETS), max_size=2)):
        copies.append(
            (copied, draw(st.one_of(respelt(draw(st.sampled_from(TOOL_SHEETS))), OTHER_NAME)))
        )
    final = [names.get(s, s) for s in CLEAN_SHEETS] + [new for _, new in copies]
    assume(
        len(set(final)) == len(final)
    )  # names identical byte for byte: a package no program writes
    return names, copies


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spelling=sheet_names())
def test_any_sheet_names_are_read_or_refused_naming_the_sheets_never_guessed(spelling):
    names, copies = spelling
    with tempfile.TemporaryDirectory() as folder:
        path = renamed_tracker(Path(folder), names, copies)
        final = [names.get(s, s) for s in CLEAN_SHEETS] + [new for _, new in copies]
        source = {names.get(s, s): s for s in CLEAN_SHEETS} | {
            new: copied for copied, new in copies
        }
        matching = {
            t: [n for n in final if schema.same_name(n) == schema.same_name(t)] for t in TOOL_SHEETS
        }
        twice = [t for t, found in matching.items() if len(found) > 1]
        missing = [s.name for s in OFFICER_SHEETS if not matching[s.name]]
        own_rows = all(source[found[0]] == t for t, found in matching.items() if found)
        result = runner.invoke(app, ["validate", str(path), "--json"])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output + result.stderr
        if twice:
            event("two sheets with one name")
            assert result.exit_code == 2
            assert any(
                " and ".join(repr(n) for n in matching[t]) in result.stderr for t in twice
            ), result.stderr
        elif missing:
            event("an officers' sheet missing")
            assert (
                result.exit_code == 2
                and "is not an improvement plan tracker: it has no " in result.stderr
            )
            assert all(name in result.stderr.split("(sheets:")[0] for name in missing), (
                result.stderr
            )
        elif own_rows:
            event("every sheet found once")
            assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == [], (
                result.output
            )
        else:  # a copy of one sheet now carries another's name: its rows are read, and judged, as that sheet's
            event("a sheet holding another's rows")
            assert result.exit_code in (0, 1, 2)
            if result.exit_code == 2:
                assert any(found and found[0] in result.stderr for found in matching.values()), (
                    result.stderr
                )
        try:
            refresh(path)
        except TrackerError as exc:
            assert exit_code(exc) == 2 and exc.code in EXIT_CODES and str(exc)
            assert (
                twice
                or missing
                or not own_rows
                or any(not matching[c] for c in schema.COMPUTED_SHEETS)
            ), str(exc)
        else:
            assert not twice and not missing


SETTING_KEY = st.one_of(
    st.sampled_from([key for key, _ in schema.SETTING_ROWS]).flatmap(respelt),
    TEXT,
    st.integers(-5, 5),
    st.booleans(),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
)
SETTING_ROWS = st.lists(st.tuples(SETTING_KEY, VALUES), min_size=1, max_size=5)


def tracker_with_settings(folder: Path, rows: list[tuple[object, object]], as_at: object) -> Path:
    """The corpus' clean tracker with its As at date replaced and rows added below its Settings."""
    path = folder / "settings.xlsx"
    wb = openpyxl.load_workbook(CORPUS / "clean-tracker.xlsx")
    ws = wb["Settings"]
    for r, (key, value) in enumerate([("As at date", as_at)] + rows, start=0):
        row = 11 if r == 0 else ws.max_row + 1
        for column, typed in ((1, key), (2, value)):
            cell = ws.cell(row, column)
            cell.value = excel_escaped(typed) if isinstance(typed, str) else typed
            if isinstance(typed, str):
                cell.data_type = "s"
    wb.save(path)
    return path


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rows=SETTING_ROWS, as_at=st.one_of(st.just(datetime(2016, 10, 31)), VALUES))
def test_any_settings_give_findings_at_their_cells_or_a_located_refusal(rows, as_at):
    with tempfile.TemporaryDirectory() as folder:
        path = tracker_with_settings(Path(folder), rows, as_at)
        for args in (["validate", str(path), "--json"], ["summary", str(path), "--json"]):
            result = runner.invoke(app, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                result.exception
            )
            assert "Traceback" not in result.output + result.stderr
            assert result.exit_code in (0, 1, 2)
            if result.exit_code == 2:
                event("refused")
                assert "Settings" in result.stderr or "--period" in result.stderr, result.stderr
        summary = open_summary(path, as_at=date(2016, 10, 31), period="Q2")
        assert_located(summary.findings)
        keys: dict[str, list[int]] = {}
        for row, (key, _) in enumerate([("As at date", None)] + rows, start=0):
            if isinstance(key, str) and schema.same_name(key) and key.strip() not in EXCEL_ERRORS:
                meant = KEYS.get(schema.same_name(key), schema.same_name(key))
                keys.setdefault(meant, []).append(11 if row == 0 else 12 + row)
        flagged = {f.where for f in summary.findings if f.code == "setting-duplicate"}
        for meant, at in keys.items():
            if len(at) > 1:
                event("a key typed twice")
                assert {f"Settings!A{r}" for r in at} <= flagged, (meant, at, flagged)
