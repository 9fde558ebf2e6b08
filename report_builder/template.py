"""The Word template through docxtpl: a locked-down Jinja environment, the placeholder check, the chart picture."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from workbook.errors import TemplateError
from report_builder.context import known_fields

# Attribute access in the template is allowed only on plain data (the context is dicts, lists, strings, numbers)
# and Jinja's own loop helpers; anything else (a picture object, a class, a function) is refused.
_PLAIN = (str, int, float, bool, dict, list, tuple, type(None))
_GLOBALS_KEPT = ("range", "namespace")
_DICT_ATTRIBUTES = frozenset(dir(dict))


def sandbox():
    """A Jinja environment for templates: sandboxed, immutable data, autoescaped, and strict about unknown names.

    Autoescaping turns ``&``, ``<`` and quotes in officers' text into XML entities; the sandbox stops a template
    from reaching Python internals (``''.__class__``) or calling methods of anything but plain data; a placeholder
    that names something the report does not provide raises instead of printing nothing.
    """
    from jinja2 import StrictUndefined
    from jinja2.runtime import LoopContext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2.utils import Namespace
    from markupsafe import Markup

    allowed = (*_PLAIN, Markup, LoopContext, Namespace)

    class ReportSandbox(ImmutableSandboxedEnvironment):
        """The sandbox, narrowed further: attributes only of plain data and loop helpers."""

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            return isinstance(obj, allowed) and super().is_safe_attribute(obj, attr, value)

        def getattr(self, obj: Any, attribute: str) -> Any:
            # A plain dict's key that is no dict attribute is what the sandbox would return, after first trying
            # (and failing) to read an attribute: skip that detour on the report's thousands of rows.
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    env = ReportSandbox(autoescape=True, undefined=StrictUndefined)
    env.globals = {name: env.globals[name] for name in _GLOBALS_KEPT if name in env.globals}
    return env


CHART = "rag_chart"
# What a picture prints, drawn to scale for report_builder.shape: it ends the run of text it is in, adds a run
# holding the drawing, and opens a new run of text.
PICTURE_SHAPE = '</w:t></w:r><w:r><w:drawing/></w:r><w:r><w:t xml:space="preserve">'


def load(source: IO[bytes], name: str):
    """Open a .docx template with docxtpl, or say clearly why it cannot be used."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(source)
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"The Word template {name} is not a Word document (.docx) that can be read: "
                            f"{exc}. "
                            "Save it from Word as 'Word Document (*.docx)'.") from exc
    return tpl


@dataclass(frozen=True)
class Part:
    """A part of the template holding placeholders, as docxtpl's Jinja source (one paragraph a line)."""

    where: str  # "the body", "a header", "a footer": for messages
    patched: str  # docxtpl's source: the XML with its tags made Jinja's

    @property
    def source(self) -> str:
        """The source with each paragraph on a line of its own, as docxtpl renders it (messages quote the line)."""
        return re.sub(r"<w:p([ >])", r"\n<w:p\1", self.patched)

    @staticmethod
    def all(tpl, body_xml: str) -> list[Part]:
        """The body (from its XML as docxtpl reads it), then the headers and footers."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        parts = [Part("the body", tpl.patch_xml(body_xml))]
        for rel in tpl.docx.part.rels.values():
            if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
                where = "a header" if rel.reltype == RT.HEADER else "a footer"
                parts.append(Part(where, tpl.patch_xml(tpl.get_part_xml(rel.target_part))))
        return parts


def _line_text(xml: str, lineno: int) -> str:
    """The visible text of the paragraph on a line of the patched XML (for messages)."""
    lines = xml.splitlines()
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    text = re.sub(r"<[^>]+>", "", line).strip()
    return text if len(text) <= 160 else text[:157] + "..."


def parse_parts(parts: list[Part], env) -> list:
    """Each part parsed by Jinja; a syntax error (an unclosed ``{% if %}``) names the part and quotes the paragraph."""
    from jinja2 import TemplateSyntaxError

    trees = []
    for part in parts:
        source = part.source
        try:
            trees.append(env.parse(source))
        except TemplateSyntaxError as exc:
            raise TemplateError(f"The Word template has a broken tag in {part.where}: {_sentence(exc)}, in the "
                                f"paragraph '{_line_text(source, exc.lineno)}'. Check that every {{% if %}} "
                                "and {% for %} is closed and that tags are typed with straight braces.") from exc
    return trees


def check_placeholders(parts: list[Part], trees: list, env, provided: set[str] | frozenset[str]) -> set[str]:
    """Refuse a template whose placeholders name something the report does not provide, before rendering.

    ``trees`` are the parts parsed (:func:`parse_parts`). Top-level names are Jinja's undeclared variables;
    field names after a dot (``{{ a.ownr }}``) are checked against the documented fields. The message names the
    placeholder and quotes the paragraph it is in. Returns the top-level names the template uses.
    """
    from jinja2 import meta, nodes

    sources = [part.source for part in parts]
    used: set[str] = set()
    for tree in trees:
        used |= meta.find_undeclared_variables(tree)
    undeclared = used - set(provided) - set(env.globals)
    fields = known_fields()
    for part, source, tree in zip(parts, sources, trees):
        for node in tree.find_all(nodes.Name):
            if node.ctx == "load" and node.name in undeclared:
                raise TemplateError(
                    f"The Word template uses the placeholder '{node.name}', which the report does not provide "
                    f"(in {part.where}, paragraph '{_line_text(source, node.lineno)}'). Correct the spelling; "
                    "the placeholders are listed under 'The Word report' in the README.")
        for node in tree.find_all(nodes.Getattr):
            if node.attr not in fields and not hasattr(str, node.attr):
                raise TemplateError(
                    f"The Word template uses the field '{node.attr}', which the report does not provide "
                    f"(in {part.where}, paragraph '{_line_text(source, node.lineno)}'). Correct the spelling; "
                    "the fields are listed under 'The Word report' in the README.")
    if undeclared:  # found but not located above (should not happen): still refuse, naming them
        names = ", ".join(sorted(undeclared))
        raise TemplateError(f"The Word template uses placeholders the report does not provide: {names}.")
    return used


@contextmanager
def template_errors() -> Iterator[None]:
    """Turn every Jinja or sandbox failure while filling in into a TemplateError naming the cause."""
    from jinja2 import TemplateError as JinjaError
    from jinja2.exceptions import SecurityError, UndefinedError

    try:
        yield
    except SecurityError as exc:
        raise TemplateError(f"The Word template tries something a report template may not do: {_sentence(exc)}. "
                            "Use only the "
                            "placeholders listed under 'The Word report' in the README.") from exc
    except UndefinedError as exc:
        found = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", str(exc))
        name = next((g for g in found.groups() if g), str(exc)) if found else str(exc)
        raise TemplateError(f"The Word template uses '{name}', which the report does not provide ({exc}). Correct "
                            "the placeholder; they are listed under 'The Word report' in the README.") from exc
    except JinjaError as exc:
        where = " ".join(t for t in getattr(exc, "docx_context", []) if t.strip())[:200]
        raise TemplateError(f"The Word template could not be filled in: {_sentence(exc)}"
                            + (f", near '{where}'" if where else "")
                            + ".") from exc


def render(tpl, context: dict[str, Any], env) -> None:
    """Fill the template in place the classic docxtpl way (the body parsed back into a tree)."""
    with template_errors():
        tpl.render(context, jinja_env=env, autoescape=True)


@dataclass(frozen=True)
class Picture:
    """A picture for a placeholder printed alone in its paragraph: a PNG, its printed size, its alternative text."""

    png: bytes
    width: int  # EMU, as python-docx's Cm() gives
    height: int
    description: str
    title: str

    def bind(self, tpl) -> _PlacedPicture:
        """The value to give the template: it adds the picture to the part being rendered when printed."""
        return _PlacedPicture(tpl, self)


class _PlacedPicture:
    """What ``{{ rag_chart }}`` prints: Word's inline drawing, in a run of its own. Templates cannot read into it
    (the sandbox allows attributes of plain data only)."""

    def __init__(self, tpl, picture: Picture) -> None:
        self._tpl, self._picture = tpl, picture

    def __html__(self) -> str:
        from docx.oxml.ns import qn
        from lxml import etree

        picture = self._picture
        part = self._tpl.current_rendering_part or self._tpl.docx.part
        inline = part.new_pic_inline(io.BytesIO(picture.png), picture.width, picture.height)
        doc_pr = inline.find(qn("wp:docPr"))
        doc_pr.set("descr", picture.description)
        doc_pr.set("title", picture.title)
        drawing = etree.tostring(inline, encoding="unicode")
        return f'</w:t></w:r><w:r><w:drawing>{drawing}</w:drawing></w:r><w:r><w:t xml:space="preserve">'

    __str__ = __html__


def _sentence(exc: Exception) -> str:
    """An exception's message without its closing full stop, to sit inside our own sentence."""
    return str(getattr(exc, "message", None) or exc).strip().rstrip(".")
