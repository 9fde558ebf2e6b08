"""report --strict refuses a plan with errors, a plain report warns; report --pdf writes a tagged PDF (PDF/UA).

The PDF's tags are read back with pikepdf: a structure tree, the document's language and title, the PDF/UA
identification in its XMP metadata, headings as H1/H2, tables with header cells (TH), and each chart a Figure
with its alternative text. LibreOffice runs through report_builder.pdf (its own profile, a time limit), one
conversion at a time like every other test conversion (tests/report/office.py).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app
from tests.report import office

runner = CliRunner()


@pytest.fixture(scope="module")
def tracker(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo tracker with the demo's invented Q1 snapshot, so the report has both charts."""
    from ofsted_tracker.workbook.demo import record_illustrative_snapshot

    path = tmp_path_factory.mktemp("pdf") / demo_master.name
    shutil.copy2(demo_master, path)
    record_illustrative_snapshot(path)
    return path


@pytest.fixture(scope="module")
def pdf(tracker: Path) -> Path:
    office.require("soffice")
    with office._one_at_a_time():
        done = runner.invoke(
            app, ["report", str(tracker), "-o", str(tracker.parent / "report.docx"), "--pdf"]
        )
    assert done.exit_code == 0, done.output
    written = tracker.parent / "report.pdf"
    assert f"Wrote {written}" in done.stdout
    return written


def _elements(pdf_file) -> list:
    from ofsted_tracker.report_builder.pdf import _elements as elements

    return elements(pdf_file.Root.StructTreeRoot)


def test_the_pdf_is_tagged_with_its_language_title_and_pdf_ua_identification(pdf):
    import pikepdf

    with pikepdf.open(pdf) as document:
        assert "/StructTreeRoot" in document.Root
        assert document.Root.MarkInfo.Marked is True
        assert str(document.Root.Lang) == "en-GB"
        assert (
            str(document.docinfo.Title)
            == "Ofsted Improvement Plan Update: Quarter Two (May to July 2016)"
        )
        assert (
            document.Root.ViewerPreferences.DisplayDocTitle is True
        )  # the title shown, not the file name
        assert document.open_metadata().get("pdfuaid:part") == "1"


def test_headings_tables_and_charts_are_tagged(pdf):
    import pikepdf

    with pikepdf.open(pdf) as document:
        elements = _elements(document)
        tags = Counter(str(e.get("/S")) for e in elements)
        assert (
            tags["/H1"] >= 9 and tags["/H2"] >= 6
        )  # the cover report's and the appendix's headings
        assert (
            tags["/Table"] >= 10 and tags["/TH"] >= tags["/Table"]
        )  # every table's header row is marked
        figures = [e for e in elements if e.get("/S") == "/Figure"]
        alts = [str(f.get("/Alt", "")) for f in figures]
        assert len(figures) == 2
        assert alts[0].startswith(
            "RAG chart. A. Early help and safeguarding: 16 G, 9 A, 7 R, 0 NR;"
        )
        assert (
            alts[1]
            == "Trend chart. Q1 (invented) (31/07/16): 29 G, 29 A, 2 R, 1 NR; Q2 (31/10/16): 37 G, 10 A, 13 R, 1 NR."
        )


def test_rag_is_given_as_letters_as_well_as_colour(pdf):
    words = office.text(pdf).split()
    assert words.count("G") >= 37 and words.count("R") >= 13 and "NR" in words


def test_no_libreoffice_is_a_clear_message_and_the_docx_is_still_written(
    tracker, tmp_path, monkeypatch
):
    monkeypatch.setenv("OFSTED_TRACKER_SOFFICE", "no-such-office-program")
    done = runner.invoke(
        app, ["report", str(tracker), "-o", str(tmp_path / "report.docx"), "--pdf"]
    )
    assert done.exit_code == 2
    assert "LibreOffice is needed for --pdf" in done.stderr and "Traceback" not in done.output
    assert (tmp_path / "report.docx").is_file() and not (tmp_path / "report.pdf").exists()


def test_a_stuck_libreoffice_is_stopped_with_a_message(tmp_path, monkeypatch):
    from ofsted_tracker.report_builder.pdf import write_pdf
    from ofsted_tracker.workbook.errors import TrackerError

    stuck = tmp_path / "soffice"
    stuck.write_text("#!/bin/sh\nsleep 30\n")
    stuck.chmod(0o755)
    monkeypatch.setenv("OFSTED_TRACKER_SOFFICE", str(stuck))
    (tmp_path / "r.docx").write_bytes(b"not needed")
    with pytest.raises(TrackerError, match="gave no PDF within 1 s"):
        write_pdf(tmp_path / "r.docx", timeout=1)
    assert not (tmp_path / "r.pdf").exists()


def test_a_report_of_a_plan_with_errors_warns_with_the_count(tracker, tmp_path):
    done = runner.invoke(app, ["report", str(tracker), "-o", str(tmp_path / "report.docx")])
    assert done.exit_code == 0, done.output
    assert "warning: lewisham-tracker.xlsx has 12 errors" in done.stderr
    assert (tmp_path / "report.docx").is_file()


def test_strict_refuses_a_plan_with_errors_and_writes_nothing(tracker, tmp_path):
    done = runner.invoke(
        app, ["report", str(tracker), "-o", str(tmp_path / "report.docx"), "--strict"]
    )
    assert done.exit_code == 2
    assert (
        "has 12 errors" in done.stderr
        and "--strict refuses" in done.stderr
        and "Nothing was written" in done.stderr
    )
    assert list(tmp_path.iterdir()) == []


def test_strict_builds_a_plan_without_errors(tmp_path):
    from datetime import date

    from ofsted_tracker.workbook.jobs import new_tracker
    from ofsted_tracker.workbook.store.writer import settings_rows

    path = tmp_path / "clean.xlsx"
    new_tracker(
        path,
        {
            "Actions": [
                {
                    "action_id": "1.1",
                    "rec_id": "1",
                    "text": "Do it",
                    "owners": "SK",
                    "original_deadline": date(2016, 6, 30),
                    "current_deadline": date(2016, 6, 30),
                    "status": "Complete",
                    "completed_on": date(2016, 6, 1),
                    "recorded_rag": "G",
                }
            ],
            "Recommendations": [
                {
                    "rec_id": "1",
                    "text": "Recommendation one",
                    "section": "A",
                    "section_title": "Help",
                }
            ],
            "Leads": [{"initials": "SK", "name": "Stephen Kitchman", "job_title": "Director"}],
            "Periods": [{"name": "Q2", "start": date(2016, 5, 1), "end": date(2016, 7, 31)}],
            "Settings": settings_rows(
                {
                    "Council": "Anytown",
                    "As at date": date(2016, 10, 31),
                    "Reporting period": "Q2",
                    "Meeting date": date(2016, 11, 10),
                }
            ),
        },
    )
    done = runner.invoke(
        app, ["report", str(path), "-o", str(tmp_path / "report.docx"), "--strict"]
    )
    assert done.exit_code == 0, done.output
    assert "warning" not in done.stderr
