"""Make the bad-input corpus: malformed trackers and files that are not trackers, with what the tool must say.

Run once from the repository root (``python tests/corpus/make_corpus.py [FILE...]``); it writes every file (or
only the files named) beside itself and ``manifest.json``, the expectation for each: the exit code of
``ofsted-tracker validate``, the findings (rule code and cell) or the message it must give, and whether
``refresh`` must succeed or refuse.
The files are committed, so the tests do not depend on this script's libraries producing the same bytes.

Most cases start from one small, clean tracker (``clean-tracker.xlsx``: no findings at all, as at
31/10/2016, period Q2) and change one thing, so each expectation is about that one thing. LibreOffice makes
the real .xls, the .ods and the formulas' saved results; msoffcrypto-tool makes the password-protected file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import openpyxl  # noqa: E402
from openpyxl.styles import Border, PatternFill, Side  # noqa: E402

from ofsted_tracker.workbook.demo import PERIODS, SETTINGS  # noqa: E402
from ofsted_tracker.workbook.jobs import new_tracker  # noqa: E402
from ofsted_tracker.workbook.store.writer import settings_rows  # noqa: E402

CLEAN = HERE / "clean-tracker.xlsx"
PASSWORD = "Ofsted2016"


def clean_rows() -> dict[str, list[dict[str, object]]]:
    """A small plan with nothing wrong in it as at 31/10/2016: two recommendations, six actions, one revision."""
    d = date
    actions = [
        (
            "1.1",
            "1",
            "Audit every open case file",
            "SK",
            d(2016, 6, 30),
            None,
            "Complete",
            d(2016, 6, 20),
            "G",
        ),
        (
            "1.2",
            "1",
            "Train team managers in supervision",
            "TB",
            d(2016, 12, 31),
            None,
            "On track",
            None,
            "A",
        ),
        (
            "1.3",
            "1",
            "Publish the practice standards",
            "SK/PK",
            d(2016, 9, 30),
            None,
            "Complete",
            d(2016, 9, 15),
            "G",
        ),
        (
            "2.1",
            "2",
            "Recruit permanent social workers",
            "PK",
            d(2017, 3, 31),
            None,
            "Not started",
            None,
            "A",
        ),
        (
            "2.2",
            "2",
            "Move to the new case system",
            "TB",
            d(2016, 6, 30),
            d(2016, 12, 31),
            "On track",
            None,
            "A",
        ),
        ("2.3", "2", "Reduce caseloads below 18", "SK", d(2017, 1, 31), None, "At risk", None, "R"),
    ]
    fields = (
        "action_id",
        "rec_id",
        "text",
        "owners",
        "original_deadline",
        "current_deadline",
        "status",
        "completed_on",
        "recorded_rag",
    )
    return {
        "Actions": [
            dict(zip(fields, a)) | {"commentary": "On plan.", "last_updated": d(2016, 10, 28)}
            for a in actions
        ],
        "Recommendations": [
            {
                "rec_id": "1",
                "section": "1",
                "section_title": "Practice",
                "text": "Improve the quality of case work",
            },
            {
                "rec_id": "2",
                "section": "2",
                "section_title": "Workforce",
                "text": "Build a stable workforce",
            },
        ],
        "Leads": [
            {
                "initials": "SK",
                "name": "Stephen Kitchman",
                "job_title": "Director of Children's Social Care",
            },
            {"initials": "TB", "name": "Tony Blake", "job_title": "Head of Service"},
            {"initials": "PK", "name": "Paul King", "job_title": "Head of Workforce"},
        ],
        "Revisions": [
            {
                "action_id": "2.2",
                "old_deadline": d(2016, 6, 30),
                "new_deadline": d(2016, 12, 31),
                "reason": "The new case system went live late",
                "agreed_by": "Improvement Board",
                "agreed_on": d(2016, 6, 15),
            }
        ],
        "Periods": [{"name": n, "start": s, "end": e} for n, s, e in PERIODS],
        "Settings": settings_rows(SETTINGS),
    }


@dataclass(frozen=True)
class Case:
    """One corpus file and what the tool must do with it."""

    file: str
    about: str
    validate_exit: int  # 0 fine, 1 validation errors, 2 unusable input
    findings: tuple[tuple[str, str], ...] = ()  # (rule code, where) that validate must report
    message: str = ""  # for exit 2: words the message must contain
    refresh: str = "ok"  # "ok" or "refused"
    refresh_message: str = ""  # words the refusal must contain


@dataclass
class Corpus:
    """The cases and the functions that make their files."""

    cases: list[Case] = field(default_factory=list)
    makers: dict[str, Callable[[Path], None]] = field(default_factory=dict)

    def add(self, case: Case, maker: Callable[[Path], None]) -> None:
        self.cases.append(case)
        self.makers[case.file] = maker


def edit(change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """A maker that opens the clean tracker in openpyxl, changes it, and saves it as the case's file."""

    def make(target: Path) -> None:
        wb = openpyxl.load_workbook(CLEAN)
        change(wb)
        wb.save(target)

    return make


def zip_edit(
    change: Callable[[dict[str, bytes]], dict[str, bytes]], source: Path = CLEAN
) -> Callable[[Path], None]:
    """A maker that rewrites the clean tracker's package part by part."""

    def make(target: Path) -> None:
        with zipfile.ZipFile(source) as package:
            parts = {info.filename: package.read(info) for info in package.infolist()}
        parts = change(parts)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, data)

    return make


def soffice(source: Path, target: Path, filter_name: str) -> None:
    """Convert with LibreOffice headless (a private profile, so parallel runs do not clash)."""
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "profile"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                filter_name,
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        made = [p for p in Path(folder).iterdir() if p.is_file()]
        shutil.copyfile(made[0], target)


def sheet_part(parts: dict[str, bytes], n: int) -> str:
    """The part of the n-th sheet as new_tracker lays them out (1 Dashboard, 2 Actions, 3 Checks, ... 9 Settings)."""
    return f"xl/worksheets/sheet{n}.xml"


def set_cells(ws, values: dict[str, object]) -> None:
    for ref, value in values.items():
        ws[ref] = value


def build() -> Corpus:
    """Every case of the corpus."""
    c = Corpus()
    A = "Actions"

    # --- files that are not usable trackers: exit 2, a message, refresh refused -------------------------------
    c.add(
        Case(
            "zero-bytes.xlsx",
            "an empty file (0 bytes), as a failed copy leaves",
            2,
            message="empty (0 bytes)",
            refresh="refused",
            refresh_message="empty",
        ),
        lambda p: p.write_bytes(b""),
    )
    c.add(
        Case(
            "legacy.xls",
            "a real Excel 97-2003 workbook, saved by LibreOffice",
            2,
            message="Excel 97-2003 workbook (.xls)",
            refresh="refused",
            refresh_message="Excel 97-2003",
        ),
        lambda p: soffice(CLEAN, p, "xls:MS Excel 97"),
    )
    c.add(
        Case(
            "legacy-renamed.xlsx",
            "an .xls workbook renamed .xlsx",
            2,
            message="Excel 97-2003 workbook (.xls)",
            refresh="refused",
        ),
        lambda p: shutil.copyfile(HERE / "legacy.xls", p),
    )
    c.add(
        Case(
            "password-protected.xlsx",
            "the clean tracker encrypted with a password (msoffcrypto-tool)",
            2,
            message="protected with a password",
            refresh="refused",
            refresh_message="password",
        ),
        encrypt,
    )
    c.add(
        Case("csv-renamed.xlsx", "a CSV export renamed .xlsx", 2, message="CSV", refresh="refused"),
        lambda p: p.write_text(
            "Action ID,Recommendation,Action\n1.1,1,Audit every open case file\n", encoding="utf-8"
        ),
    )
    c.add(
        Case(
            "word-renamed.xlsx",
            "a Word document renamed .xlsx",
            2,
            message="Word document",
            refresh="refused",
        ),
        word_document,
    )
    c.add(
        Case(
            "opendocument-renamed.xlsx",
            "a LibreOffice .ods spreadsheet renamed .xlsx",
            2,
            message="OpenDocument",
            refresh="refused",
        ),
        lambda p: soffice(CLEAN, p, "ods"),
    )
    c.add(
        Case(
            "zip-bomb.xlsx",
            "the clean tracker with a part that unpacks 1000:1 to 200 MB",
            2,
            message="zip bomb",
            refresh="refused",
            refresh_message="zip bomb",
        ),
        zip_bomb,
    )
    c.add(
        Case(
            "damaged-part.xlsx",
            "a sheet part whose compressed bytes were damaged (bad checksum)",
            2,
            message="damaged",
            refresh="refused",
            refresh_message="damaged",
        ),
        damaged_part,
    )
    c.add(
        Case(
            "path-traversal.xlsx",
            "a package with a part named ../../outside.txt",
            2,
            message="points outside",
            refresh="refused",
            refresh_message="points outside",
        ),
        zip_edit(lambda parts: parts | {"../../outside.txt": b"written outside the folder?"}),
    )
    c.add(
        Case(
            "doctype-entities.xlsx",
            "the Actions sheet's XML declares a DTD with nested entities (billion laughs)",
            2,
            message="DTD",
            refresh="refused",
            refresh_message="DTD",
        ),
        zip_edit(doctype),
    )
    c.add(
        Case(
            "not-well-formed.xlsx",
            "the Settings sheet's XML is cut off half way",
            2,
            message="Settings",
            refresh="refused",
            refresh_message="Settings",
        ),
        zip_edit(lambda parts: parts | {sheet_part(parts, 9): parts[sheet_part(parts, 9)][:700]}),
    )
    c.add(
        Case(
            "far-away-cell.xlsx",
            "a value typed in XFD1048576 of Actions (the sheet would span 17 billion cells)",
            2,
            message="Actions!XFD1048576",
            refresh="refused",
            refresh_message="XFD1048576",
        ),
        edit(lambda wb: set_cells(wb[A], {"XFD1048576": "x"})),
    )
    c.add(
        Case(
            "missing-actions-sheet.xlsx",
            "the Actions sheet deleted",
            2,
            message="no Actions sheet",
            refresh="refused",
            refresh_message="no Actions sheet",
        ),
        edit(lambda wb: wb.remove(wb[A])),
    )
    c.add(
        Case(
            "renamed-sheet.xlsx",
            "the Leads sheet renamed 'Key leads'",
            2,
            message="no Leads sheet",
            refresh="refused",
        ),
        edit(lambda wb: setattr(wb["Leads"], "title", "Key leads")),
    )
    c.add(
        Case(
            "missing-header.xlsx",
            "the Progress status column deleted from Actions",
            2,
            message="no column 'Progress status'",
            refresh="refused",
        ),
        edit(lambda wb: (drop_tables(wb[A]), wb[A].delete_cols(7))),
    )
    c.add(
        Case(
            "renamed-header.xlsx",
            "the Owner(s) header retyped as 'Owner'",
            2,
            message="Actions!A1",
            refresh="refused",
            refresh_message="'Owner(s)'",
        ),
        edit(lambda wb: (drop_tables(wb[A]), set_cells(wb[A], {"D1": "Owner"}))),
    )
    c.add(
        Case(
            "no-header-row.xlsx",
            "the Actions sheet emptied (no header row at all)",
            2,
            message="no header row with 'Action ID'",
            refresh="refused",
        ),
        edit(empty_actions),
    )
    c.add(
        Case(
            "no-as-at-date.xlsx",
            "the As at date in Settings left blank",
            2,
            message="As at date",
            refresh="refused",
            refresh_message="As at date",
        ),
        edit(lambda wb: set_cells(wb["Settings"], {"B11": None})),
    )

    # --- trackers that read, with findings at their cells ---------------------------------------------------
    c.add(Case("clean-tracker.xlsx", "the clean tracker itself: no findings", 0), lambda p: None)
    c.add(
        Case(
            "sheet-names-case.xlsx",
            "sheet names retyped in another case with spaces ('  actions ')",
            0,
        ),
        edit(lambda wb: setattr(wb[A], "title", " actions ")),
    )
    c.add(
        Case(
            "header-below-title.xlsx",
            "two title rows typed above the Actions header, and a bad date below",
            1,
            findings=(("date", "Actions!E6"),),
        ),
        edit(header_below_title),
    )
    c.add(
        Case(
            "extra-columns.xlsx",
            "two officers' columns inserted before Original deadline; a bad date in it",
            1,
            findings=(("date", "Actions!G3"),),
        ),
        edit(extra_columns),
    )
    c.add(
        Case(
            "columns-reordered.xlsx",
            "Actions columns in another order; an unknown owner in the moved column",
            1,
            findings=(("owner-unknown", "Actions!K4"),),
        ),
        edit(reorder_columns),
    )
    c.add(
        Case(
            "text-in-date.xlsx",
            "'TBC' and 'Date?' typed in deadline cells",
            1,
            findings=(("date", "Actions!E3"), ("date", "Actions!F6")),
        ),
        edit(lambda wb: set_cells(wb[A], {"E3": "TBC", "F6": "Date?"})),
    )
    c.add(
        Case(
            "numbers-as-text.xlsx",
            "an Action ID stored as a number (3.10 shown as 3.1) and a date serial typed as text",
            1,
            findings=(("id-number", "Actions!A4"), ("date", "Actions!K5")),
        ),
        edit(lambda wb: set_cells(wb[A], {"A4": 1.3, "K5": "42643"})),
    )
    c.add(
        Case(
            "excel-serial-dates.xlsx",
            "deadlines stored as plain numbers (Excel serials) in General format",
            0,
            findings=(("date", "Actions!E2"), ("date", "Actions!E3")),
        ),
        edit(serial_dates),
    )
    c.add(
        Case(
            "dates-typed-as-text.xlsx",
            "dates typed as '30th Sept 2016' and '31 Dec 16'",
            0,
            findings=(("date", "Actions!E4"), ("date", "Actions!E3")),
        ),
        edit(lambda wb: set_cells(wb[A], {"E4": "30th Sept 2016", "E3": "31 Dec 16"})),
    )
    c.add(
        Case(
            "impossible-date.xlsx",
            "'31st April 2016' typed as a deadline",
            1,
            findings=(("date", "Actions!E2"),),
        ),
        edit(lambda wb: set_cells(wb[A], {"E2": "31st April 2016"})),
    )
    c.add(
        Case(
            "month-only-date.xlsx",
            "'February 2017' typed as a deadline",
            0,
            findings=(("date", "Actions!E5"),),
        ),
        edit(lambda wb: set_cells(wb[A], {"E5": "February 2017"})),
    )
    c.add(
        Case(
            "merged-cells.xlsx",
            "Recommendation cells of two actions merged",
            1,
            findings=(("merged", "Actions!B2:B3"), ("rec-blank", "Actions!B3")),
        ),
        edit(lambda wb: wb[A].merge_cells("B2:B3")),
    )
    c.add(
        Case(
            "formulas.xlsx",
            "deadlines computed by formulas (=E2+92), saved by LibreOffice with their results",
            1,
            findings=(("revision-missing", "Actions!F3"),),
        ),
        formulas,
    )
    c.add(
        Case(
            "error-values.xlsx",
            "#REF!, #N/A and #DIV/0! error values in Actions cells",
            1,
            findings=(
                ("excel-error", "Actions!F3"),
                ("excel-error", "Actions!I4"),
                ("excel-error", "Actions!D5"),
            ),
        ),
        edit(lambda wb: set_cells(wb[A], {"F3": "#REF!", "I4": "#N/A", "D5": "#DIV/0!"})),
    )
    c.add(
        Case("hidden-rows.xlsx", "two Actions rows hidden (they still count)", 0), edit(hide_rows)
    )
    c.add(
        Case(
            "blank-formatted-rows.xlsx",
            "5,000 blank rows below the Actions table, with fills, borders and date formats",
            0,
        ),
        edit(blank_formatted_rows),
    )
    c.add(
        Case("blank-rows-between.xlsx", "empty rows left between actions", 0),
        edit(blank_rows_between),
    )
    c.add(
        Case(
            "duplicate-ids.xlsx",
            "Action ID 1.2 used twice",
            1,
            findings=(("id-duplicate", "Actions!A4"),),
        ),
        edit(lambda wb: set_cells(wb[A], {"A4": "1.2"})),
    )
    c.add(
        Case(
            "malformed-ids.xlsx",
            "Action IDs '1-4' and a blank one",
            1,
            findings=(("id-blank", "Actions!A5"),),  # any other text is an id (issue 20)
        ),
        edit(lambda wb: set_cells(wb[A], {"A4": "1-4", "A5": None})),
    )
    c.add(
        Case(
            "longest-cell.xlsx",
            "a 32,767-character commentary and a 32,767-character owner",
            1,
            findings=(("owner-unknown", "Actions!D3"),),
        ),
        edit(lambda wb: set_cells(wb[A], {"J2": "x" * 32767, "D3": "Z" * 32767})),
    )
    c.add(
        Case(
            "odd-values.xlsx",
            "TRUE in a text column, a time in a date column, a status typed 'done', "
            "an unknown RAG 'Green-ish'",
            1,
            findings=(("date", "Actions!K3"), ("choice", "Actions!I5")),
        ),
        edit(
            lambda wb: set_cells(
                wb[A],
                {
                    "J2": True,
                    "K3": datetime(1899, 12, 30, 10, 30).time(),
                    "G4": "done",
                    "I5": "Green-ish",
                },
            )
        ),
    )
    c.add(
        Case(
            "unknown-period.xlsx",
            "Reporting period 'Q9' in Settings, not on the Periods sheet",
            1,
            findings=(("period-unknown", "Settings!B12"),),
        ),
        edit(lambda wb: set_cells(wb["Settings"], {"B12": "Q9"})),
    )
    c.add(
        Case(
            "revision-mismatch.xlsx",
            "a revision whose old deadline does not match the action",
            1,
            findings=(("revision-old-mismatch", "Revisions!B2"),),
        ),
        edit(lambda wb: set_cells(wb["Revisions"], {"B2": datetime(2016, 5, 31)})),
    )

    # --- the computed sheets damaged: validate reads the plan; refresh refuses or mends ----------------------
    c.add(
        Case(
            "checks-sheet-missing.xlsx",
            "the computed Checks sheet deleted",
            0,
            refresh="refused",
            refresh_message="no Checks sheet",
        ),
        edit(lambda wb: wb.remove(wb["Checks"])),
    )
    c.add(
        Case(
            "dashboard-not-well-formed.xlsx",
            "the computed Dashboard sheet's XML cut off",
            0,
            refresh="refused",
            refresh_message="not well-formed",
        ),
        zip_edit(lambda parts: parts | {sheet_part(parts, 1): parts[sheet_part(parts, 1)][:500]}),
    )
    c.add(
        Case(
            "calc-chain.xlsx",
            "an Excel calculation chain naming formula cells on Actions and Dashboard",
            0,
        ),
        zip_edit(calc_chain),
    )

    # --- which sheet, which cell, which setting (issue 9) -------------------------------------------------------
    c.add(
        Case(
            "duplicate-sheet-hidden.xlsx",
            "a hidden copy of Actions named 'Actions ' (trailing space), every "
            "action marked Complete in it",
            2,
            message="'Actions' and 'Actions '",
            refresh="refused",
            refresh_message="'Actions '",
        ),
        edit(hidden_actions_copy),
    )
    c.add(
        Case(
            "duplicate-sheet-visible.xlsx",
            "a second Leads sheet named ' LEADS' beside the real one",
            2,
            message="'Leads' and ' LEADS'",
            refresh="refused",
            refresh_message="' LEADS'",
        ),
        edit(lambda wb: setattr(wb.copy_worksheet(wb["Leads"]), "title", " LEADS")),
    )
    c.add(
        Case(
            "duplicate-sheet-case.xlsx",
            "two sheets 'Checks' and 'CHECKS', differing only in case (Excel "
            "refuses this, other programs may not)",
            2,
            message="'Checks' and 'CHECKS'",
            refresh="refused",
            refresh_message="'CHECKS'",
        ),
        zip_edit(case_copy_of_checks),
    )
    c.add(
        Case(
            "settings-keys-retyped.xlsx",
            "Settings keys typed 'As At Date' and '  REPORTING   period '",
            0,
        ),
        edit(
            lambda wb: set_cells(
                wb["Settings"], {"A11": "As At Date", "A12": "  REPORTING   period "}
            )
        ),
    )
    for name, typed, shown in (
        ("as-at-tbc.xlsx", "TBC", "'TBC'"),
        ("as-at-true.xlsx", True, "'TRUE'"),
        ("as-at-misspelt.xlsx", "31st Octobre 2016", "'31st Octobre 2016'"),
    ):
        c.add(
            Case(
                name,
                f"the As at date in Settings filled in as {shown}",
                2,
                message=f"Settings!B11: the As at date {shown} cannot be read as a date",
                refresh="refused",
                refresh_message="Settings!B11",
            ),
            edit(lambda wb, typed=typed: set_cells(wb["Settings"], {"B11": typed})),
        )
    c.add(
        Case(
            "as-at-twice.xlsx",
            "'As at date' typed twice in Settings with different dates",
            2,
            message="Settings!A11 and Settings!A13 both set 'As at date'",
            refresh="refused",
            refresh_message="Settings!A13",
        ),
        edit(
            lambda wb: set_cells(
                wb["Settings"], {"A13": "as at date", "B13": datetime(2016, 9, 30)}
            )
        ),
    )
    c.add(
        Case(
            "setting-twice.xlsx",
            "'Council' typed twice in Settings with different names",
            1,
            findings=(("setting-duplicate", "Settings!A2"), ("setting-duplicate", "Settings!A13")),
        ),
        edit(lambda wb: set_cells(wb["Settings"], {"A13": "Council ", "B13": "Greenwich"})),
    )
    c.add(
        Case(
            "duplicate-lead-initials.xlsx",
            "lead initials SK used for two people",
            1,
            findings=(("lead-duplicate", "Leads!A5"),),
        ),
        edit(
            lambda wb: set_cells(
                wb["Leads"], {"A5": "SK", "B5": "Sarah Keane", "C5": "Head of Quality"}
            )
        ),
    )
    c.add(
        Case(
            "duplicate-recommendations.xlsx",
            "recommendation 2 listed twice",
            1,
            findings=(("rec-duplicate", "Recommendations!A4"),),
        ),
        edit(lambda wb: set_cells(wb["Recommendations"], {"A4": "2", "D4": "Another text for 2"})),
    )
    c.add(
        Case(
            "duplicate-periods.xlsx",
            "period 'Q2' listed twice (as 'q2 ') with other dates",
            1,
            findings=(("period-duplicate", "Periods!A6"),),
        ),
        edit(
            lambda wb: set_cells(
                wb["Periods"],
                {"A6": "q2 ", "B6": datetime(2016, 8, 1), "C6": datetime(2016, 10, 31)},
            )
        ),
    )
    c.add(
        Case(
            "date-1904.xlsx",
            "the clean tracker saved on the 1904 calendar (workbookPr date1904), with one "
            "deadline typed as a plain day number on that calendar",
            0,
            findings=(("date", "Actions!E2"),),
        ),
        calendar_1904,
    )
    c.add(
        Case(
            "strict-open-xml.xlsx",
            "the clean tracker saved as a Strict Open XML Spreadsheet",
            2,
            message="Strict Open XML",
            refresh="refused",
            refresh_message="Excel Workbook (*.xlsx)",
        ),
        zip_edit(strict),
    )
    c.add(
        Case(
            "officer-columns-right.xlsx",
            "140 actions, with officers' own columns (M, and XFD at the far right) "
            "filled on every row",
            0,
        ),
        officer_columns,
    )
    c.add(
        Case(
            "row-beyond-excel.xlsx",
            "a value in Actions!E99999999, past Excel's last row",
            2,
            message="Actions!E99999999",
            refresh="refused",
            refresh_message="E99999999",
        ),
        zip_edit(raw_cell(2, "E3", '<c r="E99999999"><v>1</v></c>')),
    )
    for name, about, cell, xml in (
        (
            "date-far-negative.xlsx",
            "-1e12 in a date-formatted deadline cell",
            "E3",
            '<c r="E3" s="13"><v>-1e12</v></c>',
        ),
        (
            "date-minus-infinity.xlsx",
            "-1e400 (minus infinity) in a date-formatted deadline cell",
            "E3",
            '<c r="E3" s="13"><v>-1e400</v></c>',
        ),
        (
            "date-nan.xlsx",
            "NaN in a date-formatted deadline cell",
            "E3",
            '<c r="E3" s="13"><v>NaN</v></c>',
        ),
        (
            "duration-huge.xlsx",
            "1e12 in a cell formatted as a duration ([h]:mm)",
            "K3",
            '<c r="K3" s="{duration}"><v>1e12</v></c>',
        ),
    ):
        c.add(
            Case(
                name,
                about + " (python-calamine's date conversion panics or misreads it)",
                1,
                findings=(("date", f"Actions!{cell}"),),
            ),
            zip_edit(raw_cell(2, cell, xml)),
        )
    for name, about, cell, xml in (
        (
            "bad-true-false-cell.xlsx",
            "a true/false cell holding 2",
            "G4",
            '<c r="G4" t="b"><v>2</v></c>',
        ),
        (
            "missing-shared-string.xlsx",
            "a cell pointing at shared string 99999, which does not exist",
            "C3",
            '<c r="C3" t="s"><v>99999</v></c>',
        ),
        (
            "unknown-cell-type.xlsx",
            'a cell of a type no program writes (t="zz")',
            "D5",
            '<c r="D5" t="zz"><v>5</v></c>',
        ),
    ):
        c.add(
            Case(
                name,
                about + " (python-calamine refuses the whole sheet)",
                2,
                message=f"Actions!{cell}: the cell",
                refresh="refused",
                refresh_message=f"Actions!{cell}",
            ),
            zip_edit(raw_cell(2, cell, xml)),
        )
    c.add(
        Case(
            "as-at-far-negative.xlsx",
            "-1e12 in the date-formatted As at date cell",
            2,
            message="Settings!B11: the As at date '-1000000000000' cannot be read",
            refresh="refused",
            refresh_message="Settings!B11",
        ),
        zip_edit(raw_cell(9, "B11", '<c r="B11" s="15"><v>-1e12</v></c>')),
    )

    # --- History rewritten without a word (issue 19): the clean tracker with its Q2 snapshot, then one edit ------
    c.add(
        Case(
            "history-rag-retyped.xlsx",
            "the Q2 snapshot's 'RAG by the rule' of its first row retyped on History",
            1,
            findings=(("history-edited", "History!C5"),),
        ),
        with_snapshot(
            lambda wb: set_cells(
                wb["History"], {"D5": "R" if wb["History"]["D5"].value != "R" else "G"}
            )
        ),
    )
    c.add(
        Case(
            "history-row-blanked.xlsx",
            "a row of the Q2 snapshot blanked on History (the rows below keep their places)",
            1,
            findings=(("history-edited", "History!C6"),),
        ),
        with_snapshot(lambda wb: [setattr(cell, "value", None) for cell in wb["History"][5]]),
    )
    c.add(
        Case(
            "history-hidden-copy.xlsx",
            "a hidden copy of History named 'history ' beside the real one",
            2,
            message="'History' and 'history '",
            refresh="refused",
            refresh_message="'history '",
        ),
        with_snapshot(hidden_history_copy),
    )
    return c


def with_snapshot(change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """The clean tracker with its Q2 snapshot taken (in a scratch folder, so no backups land here), then changed."""

    def make(target: Path) -> None:
        from ofsted_tracker.workbook.jobs import snapshot

        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / target.name
            shutil.copyfile(CLEAN, copy)
            snapshot(copy, date(2016, 10, 31), "Q2")
            wb = openpyxl.load_workbook(copy)
            change(wb)
            wb.save(target)

    return make


def hidden_history_copy(wb) -> None:
    """A hidden copy of History named 'history ', its rows all rated Green."""
    copy = wb.copy_worksheet(wb["History"])
    copy.title = "history "
    copy.sheet_state = "hidden"
    for row in copy.iter_rows(min_row=5):
        row[3].value = "G"


def hidden_actions_copy(wb) -> None:
    """A hidden copy of Actions after the real one, named 'Actions ', in which every action is Complete."""
    copy = wb.copy_worksheet(wb["Actions"])
    copy.title = "Actions "
    copy.sheet_state = "hidden"
    for row in range(2, copy.max_row + 1):
        copy.cell(row, 7).value = "Complete"
        copy.cell(row, 8).value = datetime(2016, 6, 1)


REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def with_part(
    parts: dict[str, bytes], name: str, data: bytes, rel_id: str, rel_type: str, content_type: str
) -> dict[str, bytes]:
    """The package with a new part of the workbook: the part, its relationship and its content type."""
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="{rel_id}" Type="{REL_TYPES}/{rel_type}" '
        f'Target="{name.removeprefix("xl/")}"/></Relationships>'.encode(),
    )
    types = parts["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode()
    )
    return parts | {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types, name: data}


def with_sheet(
    parts: dict[str, bytes],
    name: str,
    copied: str,
    rel_id: str,
    sheet_id: int,
    state: str = "visible",
) -> dict[str, bytes]:
    """The package with one more sheet called ``name``: a new part holding the bytes of the part ``copied``."""
    from xml.sax.saxutils import quoteattr

    entry = (
        f'<sheet xmlns:r="{REL_TYPES}" name={quoteattr(name)} sheetId="{sheet_id}" state="{state}" '
        f'r:id="{rel_id}"/></sheets>'
    )
    parts = parts | {
        "xl/workbook.xml": parts["xl/workbook.xml"].replace(b"</sheets>", entry.encode())
    }
    return with_part(
        parts,
        f"xl/worksheets/sheet{sheet_id}.xml",
        parts[copied],
        rel_id,
        "worksheet",
        WORKSHEET_TYPE,
    )


def case_copy_of_checks(parts: dict[str, bytes]) -> dict[str, bytes]:
    """A second sheet 'CHECKS' holding a copy of the Checks sheet (written at the package level)."""
    return with_sheet(parts, "CHECKS", sheet_part(parts, 3), "rIdCopy", 99)


def calendar_1904(target: Path) -> None:
    """The clean tracker on the 1904 calendar: openpyxl stores every date cell as a 1904 day number."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.load_workbook(CLEAN)
    wb.epoch = CALENDAR_MAC_1904
    ws = wb["Actions"]
    ws["E2"] = (date(2016, 6, 30) - date(1904, 1, 1)).days  # 41087: 30/06/2016 on the 1904 calendar
    ws["E2"].number_format = "General"
    wb.save(target)


STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
}


def strict(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The namespaces of ISO 29500 Strict, as Excel's 'Strict Open XML Spreadsheet' writes them."""
    out = {}
    for name, data in parts.items():
        for old, new in STRICT.items():
            data = data.replace(old, new)
        out[name] = data
    return out


def officer_columns(target: Path) -> None:
    """140 actions on time (the clean tracker's six and more like 1.1), with officers' columns M and XFD filled.

    140 rows by 16,384 columns is 2.3 million cells: more than the reader lets python-calamine build, so only
    the columns the tool reads (to L, the Checks column) may be given to it.
    """
    rows = clean_rows()
    model = rows["Actions"][0]
    rows["Actions"] += [
        model | {"action_id": f"1.{n}", "text": f"Extra audit {n}"} for n in range(4, 138)
    ]
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain.xlsx"
        new_tracker(plain, rows)
        wb = openpyxl.load_workbook(plain)
        ws = wb["Actions"]
        ws["M1"], ws["XFD1"] = "Team notes", "Board reference"
        for r in range(2, ws.max_row + 1):
            ws.cell(r, 13).value = f"Checked by the team on row {r}"
            ws.cell(r, 16384).value = f"B-{r:04d}"
        wb.save(target)


def raw_cell(n: int, ref: str, xml: str) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    """A change putting one cell's XML in place of ``ref`` on sheet ``n`` (``{duration}``: a [h]:mm style)."""
    import re

    def change(parts: dict[str, bytes]) -> dict[str, bytes]:
        name = sheet_part(parts, n)
        sheet = parts[name].decode()
        styles = parts["xl/styles.xml"].decode()
        if "{duration}" in xml:
            styles, style = with_duration_style(styles)
            cell = xml.replace("{duration}", str(style))
        else:
            cell = xml
        changed = re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', lambda _: cell, sheet, count=1)
        assert changed != sheet, ref
        return parts | {name: changed.encode(), "xl/styles.xml": styles.encode()}

    return change


def with_duration_style(styles: str) -> tuple[str, int]:
    """The styles part with a cell format '[h]:mm' added, and its index."""
    import re

    styles = (
        re.sub(
            r'<numFmts count="(\d+)">',
            lambda m: (
                f'<numFmts count="{int(m[1]) + 1}"><numFmt numFmtId="190" formatCode="[h]:mm"/>'
            ),
            styles,
            count=1,
        )
        if "<numFmts" in styles
        else styles.replace(
            "<fonts",
            '<numFmts count="1"><numFmt numFmtId="190" formatCode="[h]:mm"/></numFmts><fonts',
            1,
        )
    )
    count = int(re.search(r'<cellXfs count="(\d+)"', styles)[1])
    styles = re.sub(
        r'<cellXfs count="\d+">(.*?)</cellXfs>',
        lambda m: (
            f'<cellXfs count="{count + 1}">{m[1]}'
            '<xf numFmtId="190" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs>'
        ),
        styles,
        count=1,
        flags=re.DOTALL,
    )
    return styles, count


def encrypt(target: Path) -> None:
    """The clean tracker behind a password, as Excel's File > Info > Protect Workbook > Encrypt does."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with CLEAN.open("rb") as plain, target.open("wb") as out:
        OOXMLFile(plain).encrypt(PASSWORD, out)


def word_document(target: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Ofsted improvement plan: see the attached tracker.")
    document.save(str(target))


def zip_bomb(target: Path) -> None:
    """The clean tracker plus one part of 200 MB of zeros (about 200 KB compressed)."""
    shutil.copyfile(CLEAN, target)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        with package.open("xl/embeddings/oleObject1.bin", "w", force_zip64=True) as part:
            block = bytes(2**20)
            for _ in range(200):
                part.write(block)


def damaged_part(target: Path) -> None:
    """Flip bytes in the middle of the Settings sheet's compressed data."""
    shutil.copyfile(CLEAN, target)
    with zipfile.ZipFile(target) as package:
        info = package.getinfo("xl/worksheets/sheet9.xml")
    data = bytearray(target.read_bytes())
    with target.open(
        "rb"
    ) as handle:  # the local header: 30 bytes, the name, the extra field, then the data
        handle.seek(info.header_offset + 26)
        name_length, extra_length = (
            int.from_bytes(handle.read(2), "little"),
            int.from_bytes(handle.read(2), "little"),
        )
    start = info.header_offset + 30 + name_length + extra_length
    for i in range(start + info.compress_size // 2, start + info.compress_size // 2 + 8):
        data[i] ^= 0xFF
    target.write_bytes(bytes(data))


def doctype(parts: dict[str, bytes]) -> dict[str, bytes]:
    name = sheet_part(parts, 2)
    xml = parts[name]
    body = xml[xml.index(b"<worksheet") :]
    dtd = (
        b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        b'<!ENTITY f SYSTEM "file:///etc/passwd">]>\n'
    )
    body = body.replace(b"<t>On plan.</t>", b"<t>&e;&f;</t>", 1)
    return parts | {name: dtd + body}


def drop_tables(ws) -> None:
    """Remove the sheet's Excel Tables (openpyxl does not move them when rows or columns move)."""
    for table in list(ws.tables):
        del ws.tables[table]


def empty_actions(wb) -> None:
    ws = wb["Actions"]
    drop_tables(ws)
    ws.delete_rows(1, ws.max_row)


def header_below_title(wb) -> None:
    ws = wb["Actions"]
    drop_tables(ws)
    ws.insert_rows(1, 2)
    ws["A1"] = "Ofsted improvement plan: actions"
    ws["E6"] = "31/02/2017"  # row 4 of the table (action 1.3), moved down two rows


def extra_columns(wb) -> None:
    ws = wb["Actions"]
    drop_tables(ws)
    ws.insert_cols(5, 2)  # Original deadline moves from E to G
    ws["E1"], ws["F1"] = "Director", "Board notes"
    ws["E2"], ws["F2"] = "Director of Children's Social Care", "Seen at the October board"
    ws["G3"] = "end of term"


def reorder_columns(wb) -> None:
    """Owner(s) moved from D to the end (K), everything after it shifted left: columns in another order."""
    ws = wb["Actions"]
    drop_tables(ws)
    rows = [
        [cell.value for cell in row]
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=11)
    ]
    for r, values in enumerate(rows, start=1):
        moved = values[:3] + values[4:] + [values[3]]
        for c, value in enumerate(moved, start=1):
            ws.cell(r, c).value = value
    ws["K4"] = "ZZ"  # action 1.3's owner, now in column K


def serial_dates(wb) -> None:
    ws = wb["Actions"]
    for ref, serial in (("E2", 42551), ("E3", 42735)):  # 30/06/2016 and 31/12/2016
        ws[ref] = serial
        ws[ref].number_format = "General"


def hide_rows(wb) -> None:
    ws = wb["Actions"]
    for r in (3, 4):
        ws.row_dimensions[r].hidden = True


def blank_formatted_rows(wb) -> None:
    ws = wb["Actions"]
    fill = PatternFill("solid", fgColor="FFF2CC")
    border = Border(bottom=Side(style="thin", color="BFBFBF"))
    for r in range(ws.max_row + 1, ws.max_row + 5001):
        for col in range(1, 12):
            cell = ws.cell(r, col)
            cell.fill, cell.border = fill, border
            if col in (5, 6, 8, 11):
                cell.number_format = "dd/mm/yyyy"


def blank_rows_between(wb) -> None:
    ws = wb["Actions"]
    drop_tables(ws)
    ws.insert_rows(4, 3)


def formulas(target: Path) -> None:
    """Current deadline of 1.2 computed as =E3+92 (a different date, so a revision is missing); results saved."""
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "formulas.xlsx"
        wb = openpyxl.load_workbook(CLEAN)
        ws = wb["Actions"]
        ws["F3"] = "=E3+92"
        ws["F3"].number_format = "dd/mm/yyyy"
        ws["K2"] = "=E2"
        ws["K2"].number_format = "dd/mm/yyyy"
        wb.save(plain)
        soffice(plain, target, "xlsx:Calc MS Excel 2007 XML")


def calc_chain(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Add xl/calcChain.xml as Excel writes it: Actions' Checks column (sheetId 2) and two Dashboard cells (1)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    entries = (
        '<c r="L2" i="2"/>'
        + "".join(f'<c r="L{r}"/>' for r in range(3, 8))
        + '<c r="B5" i="1"/><c r="C5"/>'
    )
    chain = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{ns}">{entries}</calcChain>'
    return with_part(
        parts,
        "xl/calcChain.xml",
        chain.encode(),
        "rIdChain",
        "calcChain",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
    )


def main(only: list[str]) -> None:
    """Write the clean tracker, every case's file (or only the named ones) and the manifest."""
    corpus = build()
    if not only:
        for old in HERE.iterdir():
            if old.suffix in (".xlsx", ".xls", ".xlsm") or old.name == "manifest.json":
                old.unlink()
        new_tracker(CLEAN, clean_rows())
    for case in corpus.cases:
        if case.file != CLEAN.name and (not only or case.file in only):
            corpus.makers[case.file](HERE / case.file)
    manifest = [asdict(case) for case in corpus.cases]
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {len(only) or len(manifest)} files and manifest.json ({len(manifest)} cases) in "
        f"{HERE.relative_to(HERE.parents[1])}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])  # file names: remake only those (the manifest is always written in full)
