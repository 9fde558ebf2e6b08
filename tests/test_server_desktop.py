"""The desktop add-in's Build report with workbooks on OneDrive and SharePoint (named by a URL), from issue 11."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from ofsted_tracker.addin import macros


def _book(fullname: str, name: str = "plan.xlsx"):
    return SimpleNamespace(fullname=fullname, name=name)


def test_a_onedrive_workbook_synced_here_gets_its_report_beside_the_local_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Plans").mkdir()
    (tmp_path / "Plans" / "plan-synced.xlsx").write_bytes(b"x")
    monkeypatch.setenv("OneDriveConsumer", str(tmp_path))
    folder, note = macros.report_folder(
        _book("https://d.docs.live.net/abc123/Plans/plan-synced.xlsx")
    )
    assert (folder, note) == (tmp_path / "Plans", "")


def test_a_sharepoint_workbook_not_synced_here_gets_its_report_in_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    folder, note = macros.report_folder(
        _book("https://council.sharepoint.com/sites/cyp/Shared%20Documents/plan.xlsx")
    )
    assert folder == tmp_path / "Documents" / "Improvement Plan reports" and folder.is_dir()
    assert "not synced to this computer" in note and "Documents folder" in note


def test_when_xlwings_cannot_map_the_url_itself_the_report_still_has_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Book:  # desktop xlwings raises from fullname when the OneDrive folder is not found
        name = "plan.xlsx"

        @property
        def fullname(self):
            raise RuntimeError("Couldn't find your local OneDrive file, see: xlwings.org/error")

    monkeypatch.setenv("HOME", str(tmp_path))
    folder, note = macros.report_folder(Book())
    assert folder == tmp_path / "Documents" / "Improvement Plan reports" and note


def test_a_local_file_and_a_browser_book_are_unchanged(tmp_path: Path) -> None:
    assert macros.report_folder(_book(str(tmp_path / "plan.xlsx"))) == (tmp_path, "")
    assert macros.report_folder(_book("plan.xlsx")) == (
        None,
        "",
    )  # xlwings Server, a browser: no folder


def test_build_report_says_where_the_report_went(
    tmp_path: Path, demo_master: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.addin.harness import open_book

    monkeypatch.setattr(macros, "report_folder", lambda book: (tmp_path, " (note)"))
    book = open_book(demo_master)
    try:
        message = macros.build_report(book, builder=lambda s, target: target)
    finally:
        book.close()
    assert message.startswith(
        f"Report written: {tmp_path / 'lewisham-tracker report.docx'} (note)\n\nRecorded the Q2"
    )


def test_xlwings_vba_reads_the_officers_workbook_settings_sheet_before_the_addins() -> None:
    """Why the README says the myaddin.conf hole cannot be closed in the desktop add-in: xlwings' VBA (copied
    unchanged into our add-ins) looks up every setting, Interpreter_Win and PYTHONPATH included, first in a
    ``myaddin.conf`` sheet of the *active* workbook, then in the add-in's own. If xlwings changes this order,
    this test fails and the README's statement must change with it."""
    import json
    import subprocess
    import sys

    from ofsted_tracker.addin import build

    result = subprocess.run(
        [sys.executable, "-m", "oletools.olevba", "-j", str(build.template_path())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = next(item for item in json.loads(result.stdout) if item.get("type") == "OpenXML")
    code = "\n".join(m["code"] for m in report["macros"])
    body = code[code.index("Function GetConfig(configKey As String") :]
    body = body[: body.index("End Function")]
    officer = body.index('SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf")')
    addin = body.index('SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")')
    assert officer < addin and "Exit Function" in body[officer:addin]
