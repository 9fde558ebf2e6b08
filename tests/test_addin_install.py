"""Installing the add-ins: where Excel loads them on Windows and macOS, the settings a click needs, no Excel here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ofsted_tracker.addin import build as builder
from ofsted_tracker.addin.install import ExcelSetup, excel_setup, install

ADDINS = sorted(
    f"ofsted_tracker.addin.ribbon_{name}.xlam"
    for name in ("check", "finding", "refresh", "requests", "collect", "report")
)


def _settings(addin: Path) -> dict[str, str]:
    """The add-in's myaddin.conf sheet as xlwings' VBA reads it (column A keys, column B values)."""
    ns = {"m": builder.SPREADSHEET_NS}
    with zipfile.ZipFile(addin) as package:
        strings = [
            t.text
            for t in etree.fromstring(package.read(builder.STRINGS_PART)).iterfind(".//m:t", ns)
        ]
        sheet = etree.fromstring(package.read(builder.SHEET_PART))
    rows = [
        [strings[int(v.text)] for v in row.iterfind(".//m:v", ns)]
        for row in sheet.iterfind(".//m:row", ns)
    ]
    return dict(rows)


def test_excel_setup_finds_the_start_up_folders(tmp_path: Path) -> None:
    windows = excel_setup(
        "win32", environ={"APPDATA": str(tmp_path / "Roaming")}, excel_present=True
    )
    assert windows == ExcelSetup(
        "Windows", tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    )
    mac = excel_setup("darwin", home=tmp_path, excel_present=True)
    assert (
        mac.startup
        == tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel"
    )
    assert mac.applescripts == tmp_path / "Library/Application Scripts/com.microsoft.Excel"
    assert excel_setup("win32", environ={"APPDATA": str(tmp_path)}, excel_present=False) is None
    assert excel_setup("darwin", home=tmp_path, excel_present=False) is None
    assert excel_setup("linux", home=tmp_path) is None


def test_on_windows_the_addins_go_to_xlstart_with_this_python(tmp_path: Path) -> None:
    setup = excel_setup("win32", environ={"APPDATA": str(tmp_path)}, excel_present=True)
    python = r"C:\Users\officer\ofsted\.venv\Scripts\python.exe"
    message = install(setup, python=python, project=Path(r"C:\Users\officer\ofsted"))
    assert sorted(p.name for p in setup.startup.iterdir()) == ADDINS
    for addin in setup.startup.iterdir():
        assert _settings(addin) == {
            "ADD_WORKBOOK_TO_PYTHONPATH": "False",
            "Interpreter_Win": python,
            "PYTHONPATH": r"C:\Users\officer\ofsted",
        }
    assert message.startswith(
        f"Installed the Improvement Plan tab for Excel on Windows: 6 add-ins in {setup.startup}."
    )
    assert "Quit Excel completely and start it again" in message


def test_on_macos_the_addins_go_to_the_startup_folder_with_xlwings_applescript(
    tmp_path: Path,
) -> None:
    setup = excel_setup("darwin", home=tmp_path, excel_present=True)
    message = install(
        setup,
        python="/Users/officer/ofsted/.venv/bin/python",
        project=Path("/Users/officer/ofsted"),
    )
    assert sorted(p.name for p in setup.startup.iterdir()) == ADDINS
    assert (
        _settings(setup.startup / ADDINS[0])["Interpreter_Mac"]
        == "/Users/officer/ofsted/.venv/bin/python"
    )
    (script,) = setup.applescripts.iterdir()
    assert script.name.startswith("xlwings-") and script.suffix == ".applescript"
    assert f"Copied {script.name}" in message


def test_reinstalling_replaces_ours_removes_old_buttons_and_keeps_other_files(
    tmp_path: Path,
) -> None:
    setup = ExcelSetup("Windows", tmp_path / "XLSTART")
    setup.startup.mkdir()
    (setup.startup / "PERSONAL.XLSB").write_bytes(b"the officer's own macros")
    (setup.startup / "ofsted_tracker.addin.ribbon_retired.xlam").write_bytes(
        b"a button since removed"
    )
    (setup.startup / "addin.ribbon_check.xlam").write_bytes(b"named before the one import package")
    install(setup, python="python", project=tmp_path)
    first = {p.name: p.read_bytes() for p in setup.startup.iterdir()}
    install(setup, python="python", project=tmp_path)
    assert {p.name: p.read_bytes() for p in setup.startup.iterdir()} == first
    assert sorted(first) == sorted(ADDINS + ["PERSONAL.XLSB"])
    assert first["PERSONAL.XLSB"] == b"the officer's own macros"


def test_without_excel_it_says_so_changes_nothing_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ofsted_tracker.addin import install as install_module
    from ofsted_tracker.workbook.errors import TrackerError

    monkeypatch.setattr(
        install_module, "excel_setup", lambda: None
    )  # as on this Linux machine, on any OS
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path))
    with pytest.raises(TrackerError, match=r"^Excel is not installed here \("):
        install()
    from ofsted_tracker.cli import app

    result = CliRunner().invoke(app, ["addin", "install"])
    assert result.exit_code == 2
    assert (
        "Excel is not installed here" in result.output
        and "ofsted-tracker validate" in result.output
    )
    assert list(tmp_path.iterdir()) == []
