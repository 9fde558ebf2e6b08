"""Build the ribbon add-ins from text sources, on any OS: xlwings' Excel-authored template plus our customUI.

No VBA is written here. Each add-in is xlwings' ``quickstart_addin_ribbon.xlam`` (its VBA project copied byte
for byte) with four parts replaced: the customUI (the shared "Improvement Plan" tab with one button, from
``ribbon.xml``), the workbook part (its settings sheet switched on and named ``myaddin.conf``, which the
template's VBA reads), that sheet's values (the xlwings settings) and the document properties. The file is
named after the Python module the button runs, because the template's ``RibbonMyAddin.RunMain`` runs
``import <add-in name>; <add-in name>.main()``.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

from lxml import etree

from ofsted_tracker.addin import customui
from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.store.paths import output_folder
from ofsted_tracker.workbook.store.safe_write import atomic_write

TEMPLATE = "quickstart_addin_ribbon.xlam"
CONFIG_SHEET = (
    "myaddin.conf"  # the template's VBA reads settings from the sheet PROJECT_NAME & ".conf"
)
DISABLED_CONFIG_SHEET = "_" + CONFIG_SHEET
VBA_PART = "xl/vbaProject.bin"
CUSTOMUI_PART = "customUI/customUI.xml"
WORKBOOK_PART = "xl/workbook.xml"
SHEET_PART = "xl/worksheets/sheet1.xml"
STRINGS_PART = "xl/sharedStrings.xml"
CORE_PART = "docProps/core.xml"
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DC_NS = "http://purl.org/dc/elements/1.1/"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
ZIP_TIME = (
    2016,
    11,
    10,
    0,
    0,
    0,
)  # fixed entry times: the same sources always build the same bytes
# Never add the officer's folder to Python's path: a file there named like a module of ours would run instead.
BASE_SETTINGS = {"ADD_WORKBOOK_TO_PYTHONPATH": "False"}


def template_path() -> Path:
    """xlwings' ribbon add-in template inside the installed xlwings package (found without importing xlwings)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise TrackerError(
            "xlwings is not installed, and the add-ins are built from its template. "
            "Run: pip install xlwings"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / TEMPLATE
    if not path.is_file():
        raise TrackerError(
            f"the installed xlwings has no {TEMPLATE}; install xlwings 0.33 or later."
        )
    return path


def _safe_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _workbook_part(data: bytes) -> bytes:
    """The template's workbook part with its settings sheet switched on and the author's folder removed."""
    root = _safe_xml(data)
    sheets = [
        s for s in root.iter(f"{{{SPREADSHEET_NS}}}sheet") if s.get("name") == DISABLED_CONFIG_SHEET
    ]
    if len(sheets) != 1:
        raise TrackerError(
            f"the xlwings template has changed: no '{DISABLED_CONFIG_SHEET}' sheet in {TEMPLATE}."
        )
    sheets[0].set("name", CONFIG_SHEET)
    for alternate in root.findall(
        f"{{{MC_NS}}}AlternateContent"
    ):  # x15ac:absPath, a folder on the author's PC
        root.remove(alternate)
    return _xml(root)


def _settings_parts(sheet: bytes, settings: dict[str, str]) -> tuple[bytes, bytes]:
    """The settings sheet (keys in A, values in B, as xlwings reads them) and its shared strings."""
    strings: list[str] = []

    def index(text: str) -> str:
        if text not in strings:
            strings.append(text)
        return str(strings.index(text))

    root = _safe_xml(sheet)
    data = root.find(f"{{{SPREADSHEET_NS}}}sheetData")
    for row in list(data):
        data.remove(row)
    for r, (key, value) in enumerate(settings.items(), start=1):
        row = etree.SubElement(data, f"{{{SPREADSHEET_NS}}}row", r=str(r))
        for letter, text in (("A", key), ("B", value)):
            cell = etree.SubElement(row, f"{{{SPREADSHEET_NS}}}c", r=f"{letter}{r}", s="1", t="s")
            etree.SubElement(cell, f"{{{SPREADSHEET_NS}}}v").text = index(str(text))
    dimension = root.find(f"{{{SPREADSHEET_NS}}}dimension")
    if dimension is not None:
        dimension.set("ref", f"A1:B{max(len(settings), 1)}")
    sst = etree.Element(
        f"{{{SPREADSHEET_NS}}}sst",
        nsmap={None: SPREADSHEET_NS},
        count=str(2 * len(settings)),
        uniqueCount=str(len(strings)),
    )
    for text in strings:
        t = etree.SubElement(
            etree.SubElement(sst, f"{{{SPREADSHEET_NS}}}si"), f"{{{SPREADSHEET_NS}}}t"
        )
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return _xml(root), _xml(sst)


def _core_part(data: bytes, title: str) -> bytes:
    root = _safe_xml(data)
    for tag, text in (
        (f"{{{DC_NS}}}title", title),
        (f"{{{DC_NS}}}creator", "ofsted-tracker"),
        (f"{{{CP_NS}}}lastModifiedBy", "ofsted-tracker"),
    ):
        element = root.find(tag)
        if element is None:
            element = etree.SubElement(root, tag)
        element.text = text
    return _xml(root)


def _write(target: Path, template: zipfile.ZipFile, replaced: dict[str, bytes]) -> None:
    with (
        atomic_write(target, keep_backup=False) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in template.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            out.writestr(entry, replaced.get(info.filename, template.read(info)))


def build(
    out: Path, settings: dict[str, str] | None = None, ribbon: Path = customui.RIBBON_XML
) -> list[Path]:
    """Build one add-in per ribbon button into ``out``; ``settings`` are xlwings settings written into each.

    Settings use xlwings' names (``Interpreter_Win``, ``Interpreter_Mac``, ``PYTHONPATH``); without them the
    add-ins use the ``python`` on the PATH or the user's xlwings settings. Returns the add-ins written.
    """
    root = customui.check(customui.load(ribbon))
    values = {**BASE_SETTINGS, **{k: v for k, v in (settings or {}).items() if v}}
    out = output_folder(out)
    written = []
    with zipfile.ZipFile(template_path()) as template:
        names = set(template.namelist())
        missing = {
            VBA_PART,
            CUSTOMUI_PART,
            WORKBOOK_PART,
            SHEET_PART,
            STRINGS_PART,
            CORE_PART,
        } - names
        if missing:
            raise TrackerError(
                f"the xlwings template has changed: {TEMPLATE} has no {', '.join(sorted(missing))}."
            )
        workbook = _workbook_part(template.read(WORKBOOK_PART))
        sheet, strings = _settings_parts(template.read(SHEET_PART), values)
        for button in customui.buttons(root):
            target = out / button.addin_name
            _write(
                target,
                template,
                {
                    CUSTOMUI_PART: customui.for_button(root, button.id),
                    WORKBOOK_PART: workbook,
                    SHEET_PART: sheet,
                    STRINGS_PART: strings,
                    CORE_PART: _core_part(
                        template.read(CORE_PART), f"Improvement Plan: {button.label}"
                    ),
                },
            )
            written.append(target)
    return written
