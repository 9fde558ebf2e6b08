"""The report document: the template prepared once, its body filled in as text, the .docx package written.

Preparing a template (reading it, checking its placeholders, proving its shape, compiling its body) depends only
on the file, so it is done once per template content and remembered: the ribbon's second click skips it. Filling
in renders the compiled body to the XML of ``word/document.xml`` directly; the headers, footers and properties
are filled by docxtpl as before; the package is written with that XML in place of the template's body, so a
large plan's document is never parsed into a tree and serialised again.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.errors import TemplateError
from report_builder.template import (
    PICTURE_SHAPE, Part, Picture, check_placeholders, load, parse_parts, sandbox, template_errors,
)

if TYPE_CHECKING:
    from jinja2 import Template

    from report_builder.loops import LoopSpec

# zlib level for the package: 6 (zip's default) takes twice as long as 3 on a large plan's 30 MB of XML, for a
# file a quarter smaller.
COMPRESSION = 3
_REMEMBER = 8  # prepared templates kept (the standard one, and a few the policy team is trying out)
_prepared: dict[tuple[str, frozenset[str]], "Prepared"] = {}
_environment = None


@dataclass(frozen=True)
class Prepared:
    """A template ready to fill: its bytes, the names it uses, and (when its shape is proven) its compiled body."""

    data: bytes
    used: frozenset[str]
    body: Template | None  # the compiled body, or None: fill it the classic docxtpl way (see why_classic)
    loops: tuple[LoopSpec, ...]  # the body's loops written by string joins
    head: str  # word/document.xml up to the body's start tag, which it includes
    tail: str  # what follows the body's end tag
    member: str  # the main part's name in the package: word/document.xml
    why_classic: str  # why the body is filled the classic way, when it is


def environment():
    """The one sandboxed Jinja environment prepared templates are compiled in."""
    global _environment
    if _environment is None:
        from report_builder.loops import install

        _environment = sandbox()
        install(_environment)
    return _environment


def prepare(template: Path, provided: frozenset[str], trusted: str) -> Prepared:
    """Read and check the template (see ``template.check_placeholders``), prove its body's shape, compile it.

    Remembered by the file's content, so an edited template is prepared again. ``trusted`` is the name of the
    picture placeholder, which may print markup.
    """
    if not template.is_file():
        raise TemplateError(f"The Word template {template} was not found. Give --template a .docx file, or leave it "
                            "out to use the standard template.")
    data = template.read_bytes()
    key = (hashlib.sha256(data).hexdigest(), provided)
    found = _prepared.get(key)
    if found is not None:
        return found
    prepared = _prepare(template.name, data, provided, trusted)
    if len(_prepared) >= _REMEMBER:
        _prepared.pop(next(iter(_prepared)))
    _prepared[key] = prepared
    return prepared


def _prepare(name: str, data: bytes, provided: frozenset[str], trusted: str) -> Prepared:
    from jinja2 import nodes

    from report_builder.loops import compile_loops
    from report_builder.shape import analyse

    env = environment()
    tpl = load(io.BytesIO(data), name)
    raw = tpl.get_xml()
    parts = Part.all(tpl, raw)
    parts[0] = Part(parts[0].where, _shd_in_order(parts[0].patched))
    trees = parse_parts(parts, env)
    used = check_placeholders(parts, trees, env, provided)
    head, tail, member = _shell(tpl)
    why = _classic_reason(raw, head, tpl)
    compiled, specs = None, ()
    if not why:
        tree = trees[0]
        _as_rendered(tree, nodes)
        shape = analyse(tree, {trusted: PICTURE_SHAPE})
        if shape.proven:
            specs = tuple(compile_loops(tree, shape.attribute))
            tree.set_environment(env)
            compiled = env.from_string(tree)
        else:
            why = shape.reason
    return Prepared(data, frozenset(used), compiled, specs, head, tail, member, why)


# What the fast way uses of docxtpl besides its tag syntax: filling headers, footers, footnotes and properties.
_DOCXTPL_PARTS = ("patch_xml", "render_init", "build_headers_footers_xml", "map_headers_footers_xml",
                  "render_properties", "render_footnotes", "HEADER_URI", "FOOTER_URI")


def _classic_reason(raw: str, head: str, tpl=None) -> str:
    """Why a template's body must be filled the classic way, or '' when the fast way can do it exactly."""
    if not head:
        return "the document's body element is not where it is expected"
    if tpl is not None and not all(hasattr(tpl, name) for name in _DOCXTPL_PARTS):
        return "this version of docxtpl lacks what the fast way uses"
    if re.search(r"\{[{%]tc ", raw):
        return "a {%tc %} column loop (docxtpl adjusts the table's grid afterwards)"
    if re.search(r"<w:t(?:\s[^>]*)?>[^<]*[\t\n\x07\x0c]", raw):
        return "text holding tab or line-break characters (docxtpl turns them into Word's elements afterwards)"
    return ""


def _shell(tpl) -> tuple[str, str, str]:
    """The main part's XML around the body: (up to and with the body's start tag, after it), and the part's name."""
    from lxml import etree

    part = tpl.docx.part
    xml = etree.tostring(part.element, encoding="UTF-8", standalone=True).decode("utf-8")
    start = xml.find("<w:body")
    end = xml.rfind("</w:body>")
    if start < 0 or end < 0:
        return "", "", part.partname.membername
    open_end = xml.index(">", start) + 1
    return xml[:open_end], xml[end + len("</w:body>"):], part.partname.membername


# docxtpl's {% cellbg %} writes the cell's shading first in its properties; Word expects it after the width and
# merge settings (and may offer to "repair" the file), so the template's source is put in schema order once.
_SHADING_FIRST = re.compile(
    r'(<w:tcPr>)(<w:shd w:val="clear" w:color="auto" w:fill="\{\{.*?\}\}"/>)'
    r'((?:<w:(?:cnfStyle|tcW|gridSpan|hMerge|vMerge)\b(?:[^>"]|"[^"]*")*/>|<w:tcBorders>.*?</w:tcBorders>)+)',
    re.DOTALL)


def _shd_in_order(source: str) -> str:
    return _SHADING_FIRST.sub(r"\1\3\2", source)


def _as_rendered(tree, nodes) -> None:
    """The body's fixed text as the result should hold it, done in the template once rather than in the result.

    docxtpl puts each paragraph on a line of its own (for its messages) and takes the line breaks out again
    afterwards; and it turns ``{_{`` into ``{{`` (its way to type a brace pair in the template's text) in the
    whole rendered document, officers' text included. Here both apply to the template's own text only.
    """
    for data in tree.find_all(nodes.TemplateData):
        text = data.data.replace("\n<w:p", "<w:p")
        if "{_" in text or "_}" in text:
            text = text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        data.data = text


@dataclass
class Filled:
    """A filled-in report not yet written: the template's package (headers, footers, properties, pictures done)
    and the body's XML (None when docxtpl filled the body in place, the classic way)."""

    tpl: Any
    head: str
    body: str | None
    tail: str
    member: str

    def save(self, path: Path) -> None:
        """Write the .docx package to ``path``."""
        if self.body is None:
            self.tpl.save(str(path))
            return
        for child in list(self.tpl.docx.element.body):  # the template's own body is replaced: do not copy it
            self.tpl.docx.element.body.remove(child)
        package = io.BytesIO()
        self.tpl.docx.save(package)
        body = self.body.encode("utf-8")
        skip = body.index(b">") + 1  # the rendered body's start tag repeats the namespaces: the head has its own
        with zipfile.ZipFile(package) as source, \
                zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as out:
            for info in source.infolist():
                if info.filename != self.member:
                    out.writestr(info.filename, source.read(info))
                    continue
                with out.open(info.filename, "w") as document:
                    document.write(self.head.encode("utf-8"))
                    document.write(memoryview(body)[skip:])
                    document.write(self.tail.encode("utf-8"))


def fill(prepared: Prepared, values: dict[str, Any], picture: Picture | None = None) -> Filled:
    """Fill the prepared template with the report's values and, when it shows it, the chart ``picture``."""
    from report_builder.loops import WRITERS, Writers
    from report_builder.template import CHART, render

    env = environment()
    tpl = load(io.BytesIO(prepared.data), "template")
    values = dict(values)
    if picture is not None:
        values[CHART] = picture.bind(tpl)
    if prepared.body is None:
        render(tpl, values, sandbox())  # an environment without the fast path's filters
        return Filled(tpl, "", None, "", prepared.member)
    tpl.render_init()
    tpl.current_rendering_part = tpl.docx.part
    with template_errors():
        body = prepared.body.render({**values, WRITERS: Writers(env, list(prepared.loops))})
        if not body.startswith("<w:body"):
            raise TemplateError("The Word template's body could not be filled in: it does not start as a body.")
        body = _finish(body)
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for key, xml in tpl.build_headers_footers_xml(values, uri, env):
                tpl.map_headers_footers_xml(key, xml)
        tpl.render_properties(values, env)
        tpl.render_footnotes(values, env)
    tpl.is_rendered = True
    return Filled(tpl, prepared.head, body, prepared.tail, prepared.member)


_DRAWING_ID = re.compile(r'(<wp:docPr\b[^>]*?\sid=")\d+(")')


def _finish(body: str) -> str:
    """Number the drawings afresh when there are several, as docxtpl does (a picture printed twice, or a logo in
    a repeated paragraph, would otherwise have one id twice)."""
    first = body.find("<wp:docPr")
    if first >= 0 and body.find("<wp:docPr", first + 1) >= 0:
        numbers = iter(range(1001, 1 << 31))
        body = _DRAWING_ID.sub(lambda m: f"{m.group(1)}{next(numbers)}{m.group(2)}", body)
    return body
