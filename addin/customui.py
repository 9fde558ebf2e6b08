"""The ribbon's customUI XML: read it safely, check it against the Custom UI rules, split it into one part per button.

The rules checked are those of Microsoft's Custom UI markup (MS-CUSTOMUI) that a mistake here could break:
the document is well-formed in the customUI namespace; ids are XML names of 1 to 1024 characters and unique;
a qualified id (``idQ``) uses a declared prefix other than the customUI namespace itself; labels, screentips
and supertips are 1 to 1024 characters, keytips 1 to 3; every button has a label, a tooltip, a built-in icon,
an ``onAction`` bound to a macro the add-in's VBA has, and names (``tag``) a Python module with ``main()``.
"""

from __future__ import annotations

import importlib.util
import re
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ofsted_tracker.workbook.errors import TrackerError

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
RIBBON_XML = Path(__file__).with_name("ribbon.xml")
ONACTION = "RibbonMyAddin.RunMain"  # the one ribbon callback of xlwings' ribbon add-in template
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_LIMITS = {
    "label": 1024,
    "screentip": 1024,
    "supertip": 1024,
    "keytip": 3,
    "tag": 1024,
    "imageMso": 1024,
}
_BUTTON_NEEDS = ("label", "screentip", "supertip", "imageMso", "onAction", "tag")


def _q(tag: str) -> str:
    return f"{{{CUSTOMUI_NS}}}{tag}"


@dataclass(frozen=True)
class Button:
    """One ribbon button as the customUI describes it."""

    id: str
    label: str
    module: str  # the Python module its add-in runs (its ``tag``); the add-in is named ``<module>.xlam``
    image: str
    screentip: str
    supertip: str
    group: str
    keytip: str = ""

    @property
    def addin_name(self) -> str:
        return f"{self.module}.xlam"


def parse(data: bytes) -> etree._Element:
    """Parse customUI XML without resolving entities or fetching anything; a malformed file raises TrackerError."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_blank_text=True
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TrackerError(f"the ribbon XML is not well-formed: {exc}") from exc


def load(path: Path = RIBBON_XML) -> etree._Element:
    """The ribbon's customUI document from its text source."""
    return parse(Path(path).read_bytes())


def problems(root: etree._Element, macros: frozenset[str] = frozenset({ONACTION})) -> list[str]:
    """Every rule the customUI breaks, each a sentence naming the element; empty when it is usable."""
    found: list[str] = []
    if root.tag != _q("customUI"):
        return [f"the root element is {root.tag}, not customUI in {CUSTOMUI_NS}"]
    seen: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if etree.QName(element).namespace != CUSTOMUI_NS:
            found.append(f"<{element.tag}> is not in the customUI namespace")
        ident = element.get("id") or element.get("idQ") or element.get("idMso") or ""
        where = f"<{name} {ident or '(no id)'}>"
        if element.get("id") is not None and not (
            _NAME.match(element.get("id")) and len(element.get("id")) <= 1024
        ):
            found.append(f"{where}: id must be an XML name of 1 to 1024 characters")
        if element.get("idQ") is not None:
            prefix, _, local = element.get("idQ").partition(":")
            namespace = element.nsmap.get(prefix)
            if not local or not _NAME.match(local) or namespace is None:
                found.append(f"{where}: idQ must be prefix:name with a declared prefix")
            elif namespace == CUSTOMUI_NS:
                found.append(
                    f"{where}: idQ's prefix is the customUI namespace, which names built-in controls"
                )
        if element.get("id") or element.get("idQ"):
            key = element.get("id") or element.get("idQ")
            if key in seen:
                found.append(f"{where}: the id is used twice")
            seen[key] = name
        for attribute, limit in _LIMITS.items():
            value = element.get(attribute)
            if value is not None and not 1 <= len(value) <= limit:
                found.append(f"{where}: {attribute} must have 1 to {limit} characters")
        if (
            name in ("tab", "group")
            and (element.get("id") or element.get("idQ"))
            and not element.get("label")
        ):
            found.append(f"{where}: a custom {name} needs a label")
        if name == "button":
            for attribute in _BUTTON_NEEDS:
                if not element.get(attribute):
                    found.append(f"{where}: a button needs {attribute}")
            action = element.get("onAction")
            if action and action not in macros:
                found.append(
                    f"{where}: onAction {action} is not a macro of the add-in ({', '.join(sorted(macros))})"
                )
            module = element.get("tag") or ""
            if module and not _MODULE.match(module):
                found.append(f"{where}: tag {module} is not a dotted Python module name")
            elif module and importlib.util.find_spec(module) is None:
                found.append(f"{where}: tag {module} names no Python module")
    return found


def check(root: etree._Element) -> etree._Element:
    """The customUI itself when it breaks no rule; TrackerError listing every problem otherwise."""
    found = problems(root)
    if found:
        raise TrackerError("the ribbon XML is not usable: " + "; ".join(found))
    return root


def buttons(root: etree._Element) -> tuple[Button, ...]:
    """The buttons in ribbon order, with their group's label."""
    result = []
    for element in root.iter(_q("button")):
        group = element.getparent()
        result.append(
            Button(
                id=element.get("id", ""),
                label=element.get("label", ""),
                module=element.get("tag", ""),
                image=element.get("imageMso", ""),
                screentip=element.get("screentip", ""),
                supertip=element.get("supertip", ""),
                group=group.get("label", ""),
                keytip=element.get("keytip", ""),
            )
        )
    return tuple(result)


def for_button(root: etree._Element, button_id: str) -> bytes:
    """The customUI of one button's add-in: the shared tab and the button's group, holding that button alone."""
    copy = deepcopy(root)
    keep = next(b for b in copy.iter(_q("button")) if b.get("id") == button_id)
    for button in list(copy.iter(_q("button"))):
        if button is not keep:
            button.getparent().remove(button)
    for group in list(copy.iter(_q("group"))):
        if len(group) == 0:
            group.getparent().remove(group)
    return etree.tostring(
        copy, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True
    )
