"""Long template loops written by string joins: the table rows of a large plan without Jinja's work per row.

A loop whose body only prints its item's fields (``{%tr for a in r.actions %}`` over a row of ``{{ a.ref }}``,
``{{ a.text }}``, ``{% cellbg a.fill %}``...) is replaced, in the parsed template, by a filter that writes every
row as the body's fixed XML with the item's values put in: the same text Jinja would print, with the same sandbox
rules for reading a field, the values of all rows escaped in one pass and each row one string format. Loops with
anything else in them (an ``if``, another loop, a value from outside the item) stay Jinja loops. Every other
printed value goes through a filter too, so a line break or tab in officers' text becomes Word's own
``<w:br/>`` or ``<w:tab/>`` in the run it is in (docxtpl's separate pass over the whole document is not needed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

from jinja2 import nodes
from markupsafe import Markup

# Filters the compiled body calls (registered by ``install``); the writers for the report being built are found
# in the render's context under WRITERS. Templates may not use these names (report_builder.shape refuses them).
TEXT, ATTRIBUTE, ROWS, WRITERS = "_docx_text", "_docx_attr", "_docx_rows", "_docx_writers"
_DICT_ATTRIBUTES = frozenset(dir(dict))
# Characters that cannot stay as they are in Word's XML text: breaks, tabs, and those XML forbids.
_SPECIAL = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_IN_ATTRIBUTE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SEPARATOR = "\x00"  # between the values of a column while it is escaped at once; cleaned text never holds it
_SPECIAL_BUT_SEPARATOR = re.compile("[\x01-\x1f\ud800-\udfff\ufffe\uffff]")
_STRINGS, _DICTS = {str}, {dict}
_REMEMBERED = 100_000  # distinct values remembered per report, to bound memory
_IN_RUN = {
    "\n": '</w:t><w:br/><w:t xml:space="preserve">',
    "\t": '</w:t><w:tab/><w:t xml:space="preserve">',
    "\x0c": '</w:t><w:br w:type="page"/><w:t xml:space="preserve">',  # docxtpl's page break
    "\x07": '</w:t><w:br/><w:t xml:space="preserve">',  # docxtpl's new paragraph, kept in the same paragraph
}


@dataclass(frozen=True)
class LoopSpec:
    """A compiled loop: the body's fixed XML between the values, and each value's field path and place."""

    pieces: tuple[str, ...]  # one more than fields
    fields: tuple[tuple[tuple[str, ...], bool], ...]  # (attribute path from the item, inside an XML attribute?)


def compile_loops(tree: nodes.Template, attribute: frozenset[int]) -> list[LoopSpec]:
    """Replace the tree's simple loops by the rows filter, filter every other printed value; return the loops.

    ``attribute`` holds the id() of printed values that sit inside an XML attribute (from ``shape.analyse``).
    The tree is changed in place (give it its environment again before compiling it).
    """
    specs: list[LoopSpec] = []
    _rewrite(tree.body, attribute, specs)
    return specs


def _rewrite(body: list[nodes.Node], attribute: frozenset[int], specs: list[LoopSpec]) -> None:
    for index, node in enumerate(body):
        if isinstance(node, nodes.For):
            spec = _simple(node, attribute)
            if spec is not None:
                line = node.lineno
                rows = nodes.Filter(node.iter, ROWS, [nodes.Const(len(specs), lineno=line)], [], None, None,
                                    lineno=line)
                specs.append(spec)
                body[index] = nodes.Output([rows], lineno=line)
                continue
        for block in _blocks(node):
            _rewrite(block, attribute, specs)
        if isinstance(node, nodes.Output):
            node.nodes = [child if isinstance(child, nodes.TemplateData) else
                          nodes.Filter(child, ATTRIBUTE if id(child) in attribute else TEXT, [], [], None, None,
                                       lineno=child.lineno)
                          for child in node.nodes]


def _blocks(node: nodes.Node) -> Iterable[list[nodes.Node]]:
    if isinstance(node, nodes.For):
        yield node.body
        yield node.else_
    elif isinstance(node, nodes.If):
        yield node.body
        for branch in node.elif_:
            yield branch.body
        yield node.else_
    elif isinstance(node, nodes.With):
        yield node.body


def _simple(loop: nodes.For, attribute: frozenset[int]) -> LoopSpec | None:
    """The loop's spec when its body only prints fields of its item, else None."""
    if not isinstance(loop.target, nodes.Name) or loop.else_ or loop.test is not None or loop.recursive:
        return None
    item = loop.target.name
    pieces, fields, current = [], [], []
    for node in loop.body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                current.append(child.data)
                continue
            path = _path(child, item)
            if path is None:
                return None
            pieces.append("".join(current))
            current = []
            fields.append((path, id(child) in attribute))
    pieces.append("".join(current))
    return LoopSpec(tuple(pieces), tuple(fields))


def _path(expr: nodes.Node, item: str) -> tuple[str, ...] | None:
    """``a.counts.total`` as ('counts', 'total') when it reads from the loop's item, else None."""
    attrs: list[str] = []
    while isinstance(expr, nodes.Getattr):
        attrs.append(expr.attr)
        expr = expr.node
    if isinstance(expr, nodes.Name) and expr.name == item:
        return tuple(reversed(attrs))
    return None


class Writers:
    """The functions a compiled body calls while it renders: values as XML text, and the compiled loops.

    Made afresh for each report: they remember the values already converted (dates, owners and RAG letters
    repeat on many rows) for that report only.
    """

    def __init__(self, environment, specs: list[LoopSpec]) -> None:
        self._getattr = environment.getattr
        self._texts: dict[str, str] = {}
        self._attributes: dict[str, str] = {}
        self.loops = [self._loop(spec) for spec in specs]

    def _text(self, value: Any) -> str:
        if type(value) is not str:
            if hasattr(value, "__html__"):  # already markup: the chart picture, text a filter escaped
                return _in_run(value.__html__())
            value = str(value)  # as Jinja's escape() does; an undefined value raises here, naming itself
        done = self._texts.get(value)
        if done is None:
            done = _in_run(_escape(value))
            if len(self._texts) < _REMEMBERED:
                self._texts[value] = done
        return done

    def _attribute(self, value: Any) -> str:
        if type(value) is not str:
            if hasattr(value, "__html__"):
                return _FORBIDDEN_IN_ATTRIBUTE.sub("", value.__html__())
            value = str(value)
        done = self._attributes.get(value)
        if done is None:
            done = _FORBIDDEN_IN_ATTRIBUTE.sub("", _escape(value))
            if len(self._attributes) < _REMEMBERED:
                self._attributes[value] = done
        return done

    def _column(self, values: list[Any], inside: bool) -> list[str]:
        """One field of every row, converted at once: joined, escaped and split (per value when that cannot be)."""
        if set(map(type, values)) == _STRINGS:
            joined = _SEPARATOR.join(values)
            if joined.count(_SEPARATOR) == len(values) - 1:  # no value holds the separator (cleaned text cannot)
                escaped = _escape(joined)
                if _SPECIAL_BUT_SEPARATOR.search(escaped):
                    escaped = _SPECIAL_BUT_SEPARATOR.sub(_in_attribute if inside else _in_text, escaped)
                return escaped.split(_SEPARATOR)
        convert = self._attribute if inside else self._text
        return [convert(value) for value in values]

    def _field(self, item: Any, path: tuple[str, ...]) -> Any:
        for attr in path:
            if type(item) is dict and attr not in _DICT_ATTRIBUTES and attr in item:
                item = item[attr]  # what the sandbox's getattr gives for a plain dict's key, without its detour
            else:
                item = self._getattr(item, attr)
        return item

    def _loop(self, spec: LoopSpec) -> Callable[[Any], Markup]:
        template = "%s".join(piece.replace("%", "%%") for piece in spec.pieces)
        inside = tuple(attribute for _, attribute in spec.fields)
        attributes = [j for j, attribute in enumerate(inside) if attribute]
        paths = tuple(path for path, _ in spec.fields)
        width = len(paths)
        flat = all(len(path) == 1 for path in paths)
        keys = tuple(path[0] for path in paths) if flat else ()
        getter = itemgetter(*keys) if keys and not _DICT_ATTRIBUTES.intersection(keys) else None
        field_of, column = self._field, self._column
        converters = tuple(self._attribute if attribute else self._text for attribute in inside)

        def records(items: list[Any]) -> list[Any] | None:
            """Each item's values (a tuple, or the value itself when there is one field), when every item is a
            plain dict holding every field or the loop prints the items themselves; else None."""
            if paths == ((),):  # {{ b }}: the items themselves
                return items
            if getter is not None and set(map(type, items)) == _DICTS:
                try:
                    return list(map(getter, items))
                except KeyError:
                    pass
            return None

        def rows(items: Any) -> Markup:
            items = list(items)
            if not width:
                return Markup(spec.pieces[0] * len(items))
            if not items:
                return Markup("")
            values = records(items)
            if values is None:  # the sandbox's way, field by field in order: a missing one fails as Jinja's would
                return Markup("".join([template % tuple(convert(field_of(item, path))
                                                        for path, convert in zip(paths, converters))
                                       for item in items]))
            every = values if width == 1 else list(chain.from_iterable(values))
            if set(map(type, every)) == _STRINGS:  # the usual case: all text, converted in one pass
                joined = _SEPARATOR.join(every)
                if joined.count(_SEPARATOR) == len(every) - 1 and not any(
                        _SPECIAL_BUT_SEPARATOR.search(_SEPARATOR.join(every[j::width])) for j in attributes):
                    escaped = _escape(joined)
                    if _SPECIAL_BUT_SEPARATOR.search(escaped):  # only in text: breaks and tabs become elements
                        escaped = _SPECIAL_BUT_SEPARATOR.sub(_in_text, escaped)
                    return Markup((template * len(items)) % tuple(escaped.split(_SEPARATOR)))
            columns = [values] if width == 1 else [list(c) for c in zip(*values)]
            converted = [column(c, attribute) for c, attribute in zip(columns, inside)]
            return Markup("".join([template % row for row in zip(*converted)]))

        return rows


def install(environment) -> None:
    """Give the environment the filters a compiled body calls."""
    from jinja2 import pass_context

    @pass_context
    def text(context, value: Any) -> Markup:
        """A printed value in a run of text: escaped; breaks and tabs as Word's elements; forbidden characters out."""
        return Markup(context[WRITERS]._text(value))

    @pass_context
    def attribute(context, value: Any) -> Markup:
        """A printed value inside an XML attribute: escaped, forbidden characters out (breaks stay characters)."""
        return Markup(context[WRITERS]._attribute(value))

    @pass_context
    def rows(context, items: Any, number: int) -> Markup:
        """Every row of a compiled loop."""
        return context[WRITERS].loops[number](items)

    environment.filters.update({TEXT: text, ATTRIBUTE: attribute, ROWS: rows})


def _escape(text: str) -> str:
    """Text escaped for XML exactly as Jinja's autoescape (markupsafe) does it."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;"))


def _in_text(match: re.Match) -> str:
    return _IN_RUN.get(match.group(0), "")


def _in_attribute(match: re.Match) -> str:
    return match.group(0) if match.group(0) in "\t\n\r" else ""


def _in_run(escaped: str) -> str:
    """Escaped text with its breaks and tabs as Word's elements and characters XML forbids left out."""
    return _SPECIAL.sub(_in_text, escaped) if _SPECIAL.search(escaped) else escaped
