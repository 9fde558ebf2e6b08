"""The shape of a template's body: a proof, made once per template, that filling it in gives well-formed XML.

docxtpl turns the Word template into Jinja source that prints XML as text. Whether the result is well-formed
depends only on where the template's tags sit, not on the data, provided that (1) every printed value is
escaped text, (2) the XML with every block (a loop's body, each branch of an if) taken once is well-formed, and
(3) each block leaves the open elements as it found them (``</w:t></w:r><w:r><w:t>`` is fine, a block that
opens a paragraph and ends inside it is not): then a block repeated any number of times, or left out, keeps the
XML well-formed. :func:`analyse` checks exactly that, on a *skeleton* of the body in which each value is ``x``
and each block appears once. It also says which values sit inside an attribute (a cell colour), where a line
break must stay a character, not become ``<w:br/>``.

A template the proof does not cover (a ``|safe`` value, a macro, a block inside a tag) is still filled in, the
slower way, with the whole result parsed; see ``report_builder.template``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from jinja2 import nodes

# Filters that can print markup that is not escaped text.
MARKUP_FILTERS = frozenset({"safe", "tojson", "urlize"})
# Names the fast path gives the template's values and loops (see report_builder.loops); a template may not use them.
RESERVED_PREFIX = "_docx"
_TOKEN = re.compile(r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<(/?)([^\s/>]+)[^>]*>", re.DOTALL)
_ATTRIBUTE = re.compile(r"""\s[^\s=]+\s*=\s*("[^"]*"|'[^']*')""")


@dataclass(frozen=True)
class Shape:
    """What :func:`analyse` found: whether the body is proven well-formed for any data, and if not, why."""

    proven: bool
    reason: str = ""
    attribute: frozenset[int] = field(default_factory=frozenset)  # id() of printed values inside an attribute


class _Unproven(Exception):
    """The template uses something the proof does not cover."""


@dataclass
class _Skeleton:
    parts: list[str] = field(default_factory=list)
    size: int = 0
    blocks: list[tuple[int, int]] = field(default_factory=list)
    values: list[tuple[int, nodes.Expr]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)


def analyse(tree: nodes.Template, trusted: dict[str, str]) -> Shape:
    """Prove that the parsed body ``tree`` fills in to well-formed XML for any data, or say why not.

    ``trusted`` maps a name printed alone (``{{ rag_chart }}``) to the markup it prints, drawn to scale (the
    picture's runs); such a value may print markup, and is checked in place.
    """
    skeleton = _Skeleton()
    try:
        _walk(tree.body, skeleton, trusted)
    except _Unproven as exc:
        return Shape(False, str(exc))
    text = "".join(skeleton.parts)
    try:
        from lxml import etree

        etree.fromstring(text.encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - any parser complaint means: not proven
        return Shape(False, f"the body with each block once is not well-formed XML ({exc})")
    places = _Places(text)
    for start, end in skeleton.blocks:
        first, last = places.at(start), places.at(end)
        if first.split_entity or last.split_entity:
            return Shape(False, "a block starts or ends inside a character reference")
        if first.tag is None and last.tag is None:
            if first.stack != last.stack:
                return Shape(False, "a block opens or closes elements it does not close or reopen "
                                    f"(from {'/'.join(first.stack)} to {'/'.join(last.stack)})")
        elif not (first.tag is not None and first.tag == last.tag and first.attribute == last.attribute
                  and first.attribute is not None):
            return Shape(False, "a block starts or ends inside an XML tag")
    inside: set[int] = set()
    for start, value in skeleton.values:
        place = places.at(start)
        if place.split_entity:
            return Shape(False, "a value is printed inside a character reference")
        if place.tag is not None:
            if place.attribute is None:
                return Shape(False, "a value is printed inside an XML tag but not in an attribute")
            inside.add(id(value))
    return Shape(True, attribute=frozenset(inside))


def _walk(body: list[nodes.Node], skeleton: _Skeleton, trusted: dict[str, str]) -> None:
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    skeleton.add(child.data)
                elif isinstance(child, nodes.Name) and child.name in trusted:
                    skeleton.add(trusted[child.name])
                else:
                    _check(child, trusted)
                    skeleton.values.append((skeleton.size, child))
                    skeleton.add("x")
        elif isinstance(node, nodes.For):
            if node.recursive:
                raise _Unproven("a recursive loop")
            _check(node.iter, trusted)
            _check(node.target, trusted)
            if node.test is not None:
                _check(node.test, trusted)
            _block(node.body, skeleton, trusted)
            if node.else_:
                _block(node.else_, skeleton, trusted)
        elif isinstance(node, nodes.If):
            _check(node.test, trusted)
            _block(node.body, skeleton, trusted)
            for branch in node.elif_:
                _check(branch.test, trusted)
                _block(branch.body, skeleton, trusted)
            if node.else_:
                _block(node.else_, skeleton, trusted)
        elif isinstance(node, nodes.Assign):
            _check(node.target, trusted)
            _check(node.node, trusted)
        elif isinstance(node, nodes.With):
            for expr in (*node.targets, *node.values):
                _check(expr, trusted)
            _walk(node.body, skeleton, trusted)
        else:
            raise _Unproven(f"a {type(node).__name__} tag")


def _block(body: list[nodes.Node], skeleton: _Skeleton, trusted: dict[str, str]) -> None:
    start = skeleton.size
    _walk(body, skeleton, trusted)
    skeleton.blocks.append((start, skeleton.size))


def _check(expr: nodes.Node, trusted: dict[str, str]) -> None:
    """An expression is covered when it cannot print markup: no ``|safe`` and friends, no trusted name."""
    for node in (expr, *expr.find_all(nodes.Node)):
        if isinstance(node, nodes.Filter) and (node.name in MARKUP_FILTERS or node.name.startswith(RESERVED_PREFIX)):
            raise _Unproven(f"the |{node.name} filter")
        if isinstance(node, (nodes.MarkSafe, nodes.MarkSafeIfAutoescape)):
            raise _Unproven("markup marked safe")
        if isinstance(node, nodes.Name) and (node.name in trusted or node.name.startswith(RESERVED_PREFIX)):
            raise _Unproven(f"'{node.name}' used other than printed alone")


@dataclass(frozen=True)
class _Place:
    stack: tuple[str, ...]  # the open elements, outermost first (outside a tag)
    tag: int | None  # the index of the tag the position is inside, if it is
    attribute: int | None  # the start of the attribute value it is inside, if it is
    split_entity: bool  # the text before it has an unfinished '&...;'


class _Places:
    """Positions in the skeleton: inside which tag and attribute, or under which open elements."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.stacks: list[tuple[str, ...]] = []
        self.elements: list[bool] = []  # an element's tag (not a comment, processing instruction or CDATA)
        stack: list[str] = []
        for match in _TOKEN.finditer(text):
            closing, name = match.group(1), match.group(2)
            if name is not None:
                if closing:
                    stack.pop()
                elif not match.group(0).endswith("/>"):
                    stack.append(name)
            self.starts.append(match.start())
            self.ends.append(match.end())
            self.stacks.append(tuple(stack))
            self.elements.append(name is not None)

    def at(self, position: int) -> _Place:
        """Where ``position`` falls."""
        index = bisect.bisect_left(self.starts, position) - 1  # the last token starting before the position
        if index >= 0 and position < self.ends[index]:
            start = self.starts[index]
            tag = self.text[start:self.ends[index]]
            offset = position - start
            for attribute in _ATTRIBUTE.finditer(tag if self.elements[index] else ""):
                if attribute.start(1) < offset < attribute.end(1):
                    before = tag[attribute.start(1) + 1:offset]
                    return _Place((), index, attribute.start(1), _unfinished(before))
            return _Place((), index, None, False)
        before = self.text[self.ends[index] if index >= 0 else 0:position]
        return _Place(self.stacks[index] if index >= 0 else (), None, None, _unfinished(before))


def _unfinished(text: str) -> bool:
    amp = text.rfind("&")
    return amp >= 0 and ";" not in text[amp:]
