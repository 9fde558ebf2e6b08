"""The Word template through docxtpl: a locked-down Jinja environment and the placeholder check before rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbook.errors import TemplateError
from report_builder.context import known_fields

# Attribute access in the template is allowed only on plain data (the context is dicts, lists, strings, numbers)
# and Jinja's own loop helpers; anything else (a picture object, a class, a function) is refused.
_PLAIN = (str, int, float, bool, dict, list, tuple, type(None))
_GLOBALS_KEPT = ("range", "namespace")


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

    env = ReportSandbox(autoescape=True, undefined=StrictUndefined)
    env.globals = {name: env.globals[name] for name in _GLOBALS_KEPT if name in env.globals}
    return env


def load(template: Path):
    """Open the .docx template with docxtpl, or say clearly why it cannot be used."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    if not template.is_file():
        raise TemplateError(f"The Word template {template} was not found. Give --template a .docx file, or leave it "
                            "out to use the standard template.")
    try:
        tpl = DocxTemplate(str(template))
        tpl.init_docx()
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"The Word template {template.name} is not a Word document (.docx) that can be read: "
                            f"{exc}. "
                            "Save it from Word as 'Word Document (*.docx)'.") from exc
    return tpl


def _parts(tpl) -> Iterator[tuple[str, str]]:
    """(where, patched XML with one paragraph per line) for the body, headers and footers of the template."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    yield "the body", tpl.patch_xml(tpl.xml_to_string(tpl.docx._element.body))
    for rel in tpl.docx.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            where = "a header" if rel.reltype == RT.HEADER else "a footer"
            yield where, tpl.patch_xml(tpl.get_part_xml(rel.target_part))


def _line_text(xml: str, lineno: int) -> str:
    """The visible text of the paragraph on a line of the patched XML (for messages)."""
    lines = xml.splitlines()
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    text = re.sub(r"<[^>]+>", "", line).strip()
    return text if len(text) <= 160 else text[:157] + "..."


def check_placeholders(tpl, env, provided: set[str]) -> set[str]:
    """Refuse a template whose placeholders name something the report does not provide, before rendering.

    Top-level names come from docxtpl's ``get_undeclared_template_variables``; field names after a dot
    (``{{ a.ownr }}``) are checked against the documented fields. The message names the placeholder and quotes
    the paragraph it is in. Jinja syntax errors (an unclosed ``{% if %}``) are reported the same way.
    Returns the top-level names the template uses.
    """
    from jinja2 import TemplateSyntaxError, nodes

    try:
        used = set(tpl.get_undeclared_template_variables(jinja_env=env))
        undeclared = used - provided - set(env.globals)
    except TemplateSyntaxError as exc:
        raise _syntax_error(tpl, env, exc) from exc
    fields = known_fields()
    for where, xml in _parts(tpl):
        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        try:
            tree = env.parse(xml)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"The Word template has a broken tag in {where}: {_sentence(exc)}, in the paragraph "
                                f"'{_line_text(xml, exc.lineno)}'. Check that every {{% if %}} and {{% for %}} "
                                "is closed and that tags are typed with straight braces.") from exc
        for node in tree.find_all(nodes.Name):
            if node.ctx == "load" and node.name in undeclared:
                raise TemplateError(
                    f"The Word template uses the placeholder '{node.name}', which the report does not provide "
                    f"(in {where}, paragraph '{_line_text(xml, node.lineno)}'). Correct the spelling; the "
                    "placeholders are listed under 'The Word report' in the README.")
        for node in tree.find_all(nodes.Getattr):
            if node.attr not in fields and not hasattr(str, node.attr):
                raise TemplateError(
                    f"The Word template uses the field '{node.attr}', which the report does not provide "
                    f"(in {where}, paragraph '{_line_text(xml, node.lineno)}'). Correct the spelling; the "
                    "fields are listed under 'The Word report' in the README.")
    if undeclared:  # found by docxtpl but not located above (should not happen): still refuse, naming them
        names = ", ".join(sorted(undeclared))
        raise TemplateError(f"The Word template uses placeholders the report does not provide: {names}.")
    return used


def _syntax_error(tpl, env, exc) -> TemplateError:
    for where, xml in _parts(tpl):
        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        try:
            env.parse(xml)
        except Exception as located:  # noqa: BLE001 - we only want its line for the message
            line = getattr(located, "lineno", 0) or 0
            return TemplateError(f"The Word template has a broken tag in {where}: {_sentence(exc)}, in the paragraph "
                                 f"'{_line_text(xml, line)}'. Check that every {{% if %}} and {{% for %}} is closed.")
    return TemplateError(f"The Word template has a broken tag: {_sentence(exc)}.")


def render(tpl, context: dict[str, Any], env) -> None:
    """Fill the template in place; every Jinja or sandbox failure becomes a TemplateError naming the cause."""
    from jinja2 import TemplateError as JinjaError
    from jinja2.exceptions import SecurityError, UndefinedError

    try:
        tpl.render(context, jinja_env=env, autoescape=True)
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


def _sentence(exc: Exception) -> str:
    """An exception's message without its closing full stop, to sit inside our own sentence."""
    return str(getattr(exc, "message", None) or exc).strip().rstrip(".")
