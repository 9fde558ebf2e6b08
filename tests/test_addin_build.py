"""The ribbon add-ins built on Linux from text sources, confirmed by two independent readers: olevba and LibreOffice."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from ofsted_tracker.addin import build as builder
from ofsted_tracker.addin import customui, macros, updates
from ofsted_tracker.workbook.errors import TrackerError
from tests.report import office

RIBBON = customui.RIBBON_XML.read_text(encoding="utf-8")
EXPECTED = {  # button label -> (Python module its add-in runs, the macro that module calls)
    "Validate": ("ofsted_tracker.addin.ribbon_check", macros.validate),
    "Go to finding": ("ofsted_tracker.addin.ribbon_finding", macros.go_to_finding),
    "Refresh dashboards": ("ofsted_tracker.addin.ribbon_refresh", macros.refresh),
    "Request updates": ("ofsted_tracker.addin.ribbon_requests", updates.request_updates),
    "Collect updates": ("ofsted_tracker.addin.ribbon_collect", updates.collect_updates),
    "Build report": ("ofsted_tracker.addin.ribbon_report", macros.build_report),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return builder.build(
        tmp_path_factory.mktemp("dist"),
        {
            "Interpreter_Win": r"C:\Users\officer\ofsted\.venv\Scripts\python.exe",
            "PYTHONPATH": r"C:\Users\officer\ofsted",
        },
    )


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def test_one_addin_per_button_named_after_its_module(built: list[Path]) -> None:
    buttons = customui.buttons(customui.load())
    assert [b.label for b in buttons] == list(EXPECTED)
    assert [p.name for p in built] == [f"{EXPECTED[b.label][0]}.xlam" for b in buttons]


def test_the_vba_is_xlwings_own_byte_for_byte(built: list[Path]) -> None:
    template = _part(builder.template_path(), builder.VBA_PART)
    assert all(_part(p, builder.VBA_PART) == template for p in built)


def test_olevba_finds_the_macro_the_ribbon_calls_and_it_imports_the_addins_module(
    built: list[Path],
) -> None:
    for path in built:
        result = subprocess.run(
            [sys.executable, "-m", "oletools.olevba", "-j", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        report = next(item for item in json.loads(result.stdout) if item.get("type") == "OpenXML")
        modules = {m["vba_filename"]: m["code"] for m in report["macros"]}
        code = modules["RibbonMyAddin.bas"]
        assert re.search(r"Sub RunMain\(control As IRibbonControl\)", code)
        assert (
            'mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))'
            in code
        )
        assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in code
        assert "Public Function RunPython(PythonCommand As String)" in modules["xlwings.bas"]
        module = path.name[
            : path.name.rindex(".")
        ]  # what Left(Name, InStrRev(Name, ".") - 1) gives
        label = next(
            b.label for b in customui.buttons(customui.parse(_part(path, builder.CUSTOMUI_PART)))
        )
        expected_module, macro = EXPECTED[label]
        assert module == expected_module
        entry = importlib.import_module(module)
        assert getattr(entry, macro.__name__) is macro and callable(entry.main)


def test_libreoffice_opens_the_addins_and_reads_their_settings(
    built: list[Path], tmp_path: Path
) -> None:
    office.convert(built, "xlsx", tmp_path, infilter="Calc MS Excel 2007 VBA XML")
    for path in built:
        wb = load_workbook(tmp_path / (path.stem + ".xlsx"))
        assert wb.sheetnames == [builder.CONFIG_SHEET]
        settings = {row[0]: row[1] for row in wb.active.iter_rows(values_only=True)}
        assert settings == {
            "ADD_WORKBOOK_TO_PYTHONPATH": "False",
            "Interpreter_Win": r"C:\Users\officer\ofsted\.venv\Scripts\python.exe",
            "PYTHONPATH": r"C:\Users\officer\ofsted",
        }


def test_each_addin_adds_its_button_to_the_one_shared_tab(built: list[Path]) -> None:
    tabs, labels = set(), []
    for path in built:
        root = customui.parse(_part(path, builder.CUSTOMUI_PART))
        assert customui.problems(root) == []
        (tab,) = root.iter(f"{{{customui.CUSTOMUI_NS}}}tab")
        tabs.add((tab.get("idQ"), root.nsmap[tab.get("idQ").split(":")[0]], tab.get("label")))
        (button,) = customui.buttons(root)
        labels.append(button.label)
    assert tabs == {("ot:ImprovementPlan", "urn:ofsted-tracker:ribbon", "Improvement Plan")}
    assert labels == list(EXPECTED)


def test_the_addin_is_an_addin_with_its_settings_sheet_switched_on(built: list[Path]) -> None:
    path = built[0]
    types = _part(path, "[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    workbook = _part(path, builder.WORKBOOK_PART).decode()
    assert 'name="myaddin.conf"' in workbook and "_myaddin.conf" not in workbook
    assert "absPath" not in workbook  # the template author's folder is not carried along
    rels = _part(path, "_rels/.rels").decode()
    assert 'Target="customUI/customUI.xml"' in rels


def test_every_button_has_a_tooltip_and_a_built_in_icon() -> None:
    for button in customui.buttons(customui.load()):
        assert button.screentip and len(button.supertip) > 40 and button.image and button.keytip


def test_the_build_is_reproducible(built: list[Path], tmp_path: Path) -> None:
    again = builder.build(
        tmp_path,
        {
            "Interpreter_Win": r"C:\Users\officer\ofsted\.venv\Scripts\python.exe",
            "PYTHONPATH": r"C:\Users\officer\ofsted",
        },
    )
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in built]


def test_the_command_builds_the_addins(tmp_path: Path) -> None:
    from ofsted_tracker.cli import app

    result = CliRunner().invoke(app, ["addin", "build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.xlam")) == sorted(
        f"{m}.xlam" for m, _ in EXPECTED.values()
    )


# --- the customUI rules can fail -------------------------------------------------------------------------------

BROKEN = [
    ('id="GoToFinding"', 'id="Validate"', "the id is used twice"),
    (
        'onAction="RibbonMyAddin.RunMain"\n                  screentip="Refresh the dashboards"',
        'onAction="RibbonMyAddin.Refresh"\n                  screentip="Refresh the dashboards"',
        "onAction RibbonMyAddin.Refresh is not a macro of the add-in",
    ),
    (
        'tag="ofsted_tracker.addin.ribbon_report"',
        'tag="ofsted_tracker.addin.ribbon_missing"',
        "tag ofsted_tracker.addin.ribbon_missing names no Python module",
    ),
    ('screentip="Validate the plan"', "", "a button needs screentip"),
    ('imageMso="ExportWord"', "", "a button needs imageMso"),
    (
        'idQ="ot:ImprovementPlan"',
        'idQ="xx:ImprovementPlan"',
        "idQ must be prefix:name with a declared prefix",
    ),
    ('keytip="V"', 'keytip="VALID"', "keytip must have 1 to 3 characters"),
    ('label="Dashboards"', "", "a custom group needs a label"),
]


@pytest.mark.parametrize("old, new, problem", BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_ribbon_is_refused_with_the_reason(
    old: str, new: str, problem: str, tmp_path: Path
) -> None:
    assert old in RIBBON
    source = tmp_path / "ribbon.xml"
    source.write_text(RIBBON.replace(old, new, 1), encoding="utf-8")
    assert any(problem in p for p in customui.problems(customui.load(source)))
    with pytest.raises(TrackerError, match=re.escape(problem)):
        builder.build(tmp_path / "dist", ribbon=source)
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_malformed_ribbon_xml_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "ribbon.xml"
    source.write_text(RIBBON.replace("</group>", "", 1), encoding="utf-8")
    with pytest.raises(TrackerError, match="not well-formed"):
        builder.build(tmp_path, ribbon=source)


def test_the_ribbon_source_reads_no_entities(tmp_path: Path) -> None:
    source = tmp_path / "ribbon.xml"
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    source.write_text(
        f'<!DOCTYPE customUI [<!ENTITY x SYSTEM "file://{secret}">]>'
        + RIBBON.split("?>", 1)[1].replace('label="Validate"', 'label="&x;"'),
        encoding="utf-8",
    )
    with pytest.raises(TrackerError, match="external entity") as refused:
        customui.load(source)
    assert "do not read" not in str(refused.value)
