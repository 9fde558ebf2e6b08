"""Long lists streamed: docxtpl renders each long list with marker items, the rendered blocks fill every item.

The report's long lists (``STREAMED``: the per-action tables and paragraph lists, the recommendations and what
each holds) would make a document of millions of elements at 100,000 actions. They are filled in three plain
steps, and docxtpl's public ``render`` stays the one way the template is filled:

1. **Marker items.** Each long list is given to docxtpl as a short list of marker items: for each *shape* its items
   take (which text fields are filled in, and the rating fields' values: a loop body may test them), two items
   whose text fields are unique marker strings (a blank one's marker tests as blank, ``_Blank``). The list
   keeps its real length for ``|length`` and ``{% if %}``. docxtpl renders this small document as it renders any
   other (``{%tr for %}``, ``{% cellbg %}``, ``{{ }}``), and the report's tidying (charts, cell properties in
   schema order, officers' braces) runs on it.
2. **Block templates.** In the rendered ``word/document.xml`` the two copies of each shape are found by their
   markers; the first copy, cut at an element boundary so that the second is the first with its markers swapped,
   is that shape's block. A block holds the literal XML, its fields (text or attribute) and the slots of lists
   nested in it (a recommendation's actions), found the same way inside the block.
3. **The stream.** ``word/document.xml`` is written into the zip through ``zipfile``'s ``open(name, "w")``: the
   text before each list, each item's block with its values XML-escaped as lxml writes them (line breaks and tabs
   as docxtpl writes them, ``resolve_listing``), and the text after. The whole body is never held as a tree.

Limits, each refused with a clear error before anything is written: a loop body over a long list that depends on
the loop itself (``loop.index``, ``loop.first``: its copies differ, so it cannot be cut into blocks), that does more
with an item's text than show it or test it with ``{% if %}`` (the rating fields ``SHAPING`` may be compared;
report_builder.template checks this in the template's text), or that shows nothing of its item.
"""

from __future__ import annotations

import bisect
import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ofsted_tracker.workbook.errors import TemplateError

# Lists filled item by item (paths through the context's dicts; a list on the way is gone through item by item).
STREAMED = frozenset(
    {
        "period.groups.rows",
        "period.completed_actions",
        "period.not_completed_actions",
        "period.not_yet_due_actions",
        "recorded_differs_actions",
        "undated_complete",
        "findings",
        "revisions",
        "red_actions",
        "red_actions_planned",
        "since_last.completed",
        "since_last.turned_red",
        "since_last.turned_red_deadline_passed",
        "since_last.deadline_moved_again",
        "sections.recommendations",
        "sections.recommendations.actions",
        "sections.recommendations.exceptions",
        "sections.recommendations.outcomes",
        "sections.recommendations.measures",
    }
)
# Fields whose values (a few: a rating's letter, fill and name) a loop body may compare: they shape the block.
SHAPING = frozenset({"rag", "fill", "rag_name", "severity"})

_MARK = re.compile("\ufdd7(\\d{7})\ufdd8")
# a run's or a paragraph's start tag (not <w:rPr> or <w:pPr>)
_RUN_OR_PARAGRAPH = re.compile(r"<w:([rp])[ >]")
_SPECIALS = re.compile("[\t\n\a\f]")
_DOCUMENT = "word/document.xml"


class MarkerList(list):
    """Marker items standing for a list: iterated they are the markers, measured they are the real list."""

    def __init__(self, items: list, length: int) -> None:
        super().__init__(items)
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __bool__(self) -> bool:
        return self.length > 0


@dataclass(eq=False)
class _Item:
    """A marker item: its list, its shape's index, its copy (0 or 1) and the marks of its fields."""

    list_key: tuple
    shape: int
    copy: int
    marks: dict[str, int] = field(default_factory=dict)  # field -> mark number


@dataclass
class _Mark:
    item: _Item
    name: str  # the field ("" for a list of strings)
    blank: bool = False  # a blank text field: every item of the shape has it blank (see _Blank)


class _Blank(str):
    """A blank text field's marker: shown, it is the mark; tested (``{% if %}``, ``or``) it is blank, as the real
    value is. Its shape fixes the field blank for every item, so the block holds '' there, and an item whose text
    fields are all blank (a row with only a rating) is still found in the output by its marks."""

    def __bool__(self) -> bool:
        return False


@functools.lru_cache(maxsize=64)
def _streamed_fields(streamed: frozenset[str], path: str) -> frozenset[str]:
    """The fields of an item of ``path`` that are long lists streamed in their turn (``path.name`` in streamed)."""
    prefix = path + "."
    return frozenset(p[len(prefix) :] for p in streamed if p.startswith(prefix))


def _shape(item: Any, path: str) -> tuple:
    """What makes an item's block differ from another's: which text fields are filled, the shaping fields'
    values, the other values (numbers, flags); of a nested long list whether it has items."""
    if isinstance(item, str):
        return (bool(item),)
    key, nested = [], _streamed_fields(STREAMED, path)
    for name, value in item.items():
        if name in nested:
            key.append((name, "list", bool(value)))
        elif isinstance(value, str):
            key.append((name, value if name in SHAPING else bool(value)))
        else:
            key.append((name, repr(value)))
    return tuple(key)


class Markers:
    """The marker context, and the marks docxtpl's output holds, each back to its list, item and field."""

    def __init__(self) -> None:
        self.marks: list[_Mark] = []
        self.instances: dict[tuple, list] = {}  # list key -> the real list (top-level instances)
        self.shapes: dict[str, dict[tuple, int]] = {}  # path -> shape -> index

    def _mark(self, item: _Item, name: str, blank: bool = False) -> str:
        number = len(self.marks)
        self.marks.append(_Mark(item, name, blank))
        item.marks[name] = number
        text = f"\ufdd7{number:07d}\ufdd8"
        return _Blank(text) if blank else text

    def _collect(self, items: list, path: str) -> None:
        """Every shape of a streamed list, over all its instances, and those of the lists nested in it."""
        index = self.shapes.setdefault(path, {})
        for item in items:
            index.setdefault(_shape(item, path), len(index))
            if isinstance(item, dict):
                nested = _streamed_fields(STREAMED, path)
                for name, value in item.items():
                    if name in nested and value:
                        self._collect(value, f"{path}.{name}")

    def _example(self, items: list, path: str) -> dict[tuple, Any]:
        found: dict[tuple, Any] = {}
        for item in items:
            found.setdefault(_shape(item, path), item)
        return found

    def _marker_item(self, real: Any, path: str, list_key: tuple, shape: int, copy: int) -> Any:
        item = _Item(list_key, shape, copy)
        if isinstance(real, str):
            return self._mark(item, "", blank=not real)
        out = {}
        for name, value in real.items():
            nested = f"{path}.{name}"
            if nested in STREAMED:
                out[name] = self._nested(nested) if value else value
            elif isinstance(value, str) and name not in SHAPING:
                out[name] = self._mark(item, name, blank=not value)
            else:
                out[name] = value
        return out

    def _nested(self, path: str) -> MarkerList:
        """The marker list standing for a nested list in every marker item: every shape it takes, twice."""
        if path not in self._nested_lists:
            examples = self._examples[path]
            items = []
            for shape, index in self.shapes[path].items():
                for copy in (0, 1):
                    items.append(self._marker_item(examples[shape], path, (path,), index, copy))
            self._nested_lists[path] = items
        items = self._nested_lists[path]
        return MarkerList(items, len(items))

    def context(self, context: dict) -> dict:
        """The context with each long list replaced by its marker list."""
        self._nested_lists: dict[str, list] = {}
        self._examples: dict[str, dict[tuple, Any]] = {}
        tops: list[tuple[str, list]] = []

        def find(value: Any, path: str) -> None:
            if isinstance(value, dict):
                for name, inner in value.items():
                    child = f"{path}.{name}" if path else name
                    if child in STREAMED:
                        tops.append((child, inner))
                    else:
                        find(inner, child)
            elif isinstance(value, list):
                for inner in value:
                    find(inner, path)

        find(context, "")
        for path, items in tops:
            self._collect(items, path)

        def examples(items: list, path: str) -> None:
            found = self._examples.setdefault(path, {})
            for item in items:
                found.setdefault(_shape(item, path), item)
                if isinstance(item, dict):
                    nested = _streamed_fields(STREAMED, path)
                    for name, value in item.items():
                        if name in nested and value:
                            examples(value, f"{path}.{name}")

        for path, items in tops:
            examples(items, path)

        def replace(value: Any, path: str) -> Any:
            if isinstance(value, dict):
                out = {}
                for name, inner in value.items():
                    child = f"{path}.{name}" if path else name
                    out[name] = top(inner, child) if child in STREAMED else replace(inner, child)
                return out
            if isinstance(value, list) and not isinstance(value, MarkerList):
                return [replace(inner, path) for inner in value]
            return value

        def top(items: list, path: str) -> list:
            if not items:
                return items
            key = (path, len(self.instances))
            self.instances[key] = items
            own = self._example(items, path)
            index = self.shapes[path]
            markers = [
                self._marker_item(own[shape], path, key, index[shape], copy)
                for shape in sorted(own, key=index.__getitem__)  # in the order the blocks are cut
                for copy in (0, 1)
            ]
            return MarkerList(markers, len(items))

        return replace(context, "")


# --- the block templates ---------------------------------------------------------------------------------------


@dataclass
class _Field:
    name: str
    attribute: bool
    run: str  # docxtpl's run and paragraph properties where the field is (for tabs and paragraph breaks)
    paragraph: str


@dataclass
class _Slot:
    """A long list's place: the list (an instance, or the field of the item around), each shape's block."""

    path: str
    key: tuple | None  # the top-level instance, or None: the field ``name`` of the item around
    name: str
    blocks: dict[int, list]


_EMPTY_ELEMENT = re.compile(r"<([A-Za-z][\w:.-]*)((?:\s[^<>]*)?)></\1>")


def _as_lxml_writes(xml: str) -> str:
    """Each element left empty (by a blank field, or by a value's line breaks and tabs) written as lxml writes an
    empty element, ``<w:t xml:space="preserve"/>``: docxtpl's output holds no other ``<x></x>``."""
    return _EMPTY_ELEMENT.sub(r"<\1\2/>", xml)


def _joined(parts: list) -> list:
    """Adjacent literal texts joined, as lxml writes them (``_as_lxml_writes``)."""
    out: list = []
    for part in parts:
        if type(part) is str and out and type(out[-1]) is str:
            out[-1] += part
        else:
            out.append(part)
    return [_as_lxml_writes(p) if type(p) is str else p for p in out]


class Blocks:
    """docxtpl's output cut into literal text, fields and slots (see the module's docstring)."""

    def __init__(self, xml: str, markers: Markers) -> None:
        self.xml, self.markers = xml, markers
        self.positions = [(m.start(), int(m.group(1))) for m in _MARK.finditer(xml)]
        self.starts = [p for p, _ in self.positions]
        # where each run ("r") and each paragraph ("p") begins, in order (for bisecting)
        self.tag_starts: dict[str, list[int]] = {"r": [], "p": []}
        for tag in _RUN_OR_PARAGRAPH.finditer(xml):
            self.tag_starts[tag.group(1)].append(tag.start())
        self.of_item: dict[int, list[tuple[int, int]]] = {}  # id(item) -> [(mark index, position)]
        for index, (position, number) in enumerate(self.positions):
            self.of_item.setdefault(id(markers.marks[number].item), []).append((index, position))
        # each item's mark positions, in order (of_item's, for bisecting)
        self.item_starts = {key: [p for _, p in marks] for key, marks in self.of_item.items()}
        self.parts = self._segment(0, len(xml), None, 0)[0]

    def _item(self, index: int) -> _Item:
        return self.markers.marks[self.positions[index][1]].item

    def _segment(self, lo: int, hi: int, own: _Item | None, index: int) -> tuple[list, int]:
        """The parts of ``xml[lo:hi]`` (``own``: the item whose block it is), from mark ``index`` on."""
        parts: list = []
        pos, blank = lo, False
        while index < len(self.positions) and self.positions[index][0] < hi:
            start, number = self.positions[index]
            mark = self.markers.marks[number]
            if mark.item is own:
                parts.append(self.xml[pos:start])
                if mark.blank:
                    blank = True  # '' for every item of this shape: left out of the literal text
                else:
                    parts.append(self._field(mark.name, start))
                pos = start + 9
                index += 1
                continue
            if own is not None and mark.item.list_key == own.list_key:
                raise self._error(own.list_key[0])
            slot, begin, end, index = self._slot(index, pos, hi)
            parts.append(self.xml[pos:begin])
            parts.append(slot)
            pos = end
        parts.append(self.xml[pos:hi])
        if blank:
            parts = _joined(parts)
        return [p for p in parts if p != ""], index

    def _field(self, name: str, at: int) -> _Field:
        xml = self.xml
        attribute = xml.rfind("<", 0, at) > xml.rfind(">", 0, at)
        run_at = self._last_start("r", at)
        run_end = xml.find("</w:r>", at)
        run = re.search(r"<w:rPr>.*?</w:rPr>", xml[run_at:run_end]) if run_at >= 0 else None
        para_at = self._last_start("p", at)
        para = re.search(r"<w:pPr>.*?</w:pPr>", xml[para_at:at]) if para_at >= 0 else None
        return _Field(name, attribute, run.group(0) if run else "", para.group(0) if para else "")

    def _last_start(self, tag: str, at: int) -> int:
        """Where the last run (``r``) or paragraph (``p``) before ``at`` begins; -1 when none does. (Searching the
        text backwards each time made the cut quadratic: one second of a 2,000-action report.)"""
        starts = self.tag_starts[tag]
        index = bisect.bisect_left(starts, at)
        return starts[index - 1] if index else -1

    def _error(self, path: str) -> TemplateError:
        return TemplateError(
            f"The Word template's loop over '{path}' cannot be filled in row by row: each item must look the "
            "same but for its own values (a loop body may not use loop.index, loop.first or loop.last, nor "
            "compare an item's text other than its rating). Check the template's tags for that list."
        )

    def _swap(self, text: str, first: _Item, second: _Item) -> str:
        """The first copy's block with its marks made the second copy's."""
        to = {f"{n:07d}": f"{second.marks[name]:07d}" for name, n in first.marks.items() if n >= 0}
        return _MARK.sub(
            lambda m: f"\ufdd7{to.get(m.group(1), m.group(1))}\ufdd8",
            text,
        )

    def _slot(self, index: int, pos: int, hi: int) -> tuple[_Slot, int, int, int]:
        """The region of the list whose first marker item starts at mark ``index``: its blocks, where it begins
        and ends, and the next mark after it."""
        first = self._item(index)
        key = first.list_key
        path = key[0]
        copies = {}
        for m in self.markers.marks:
            if m.item.list_key == key:
                copies[(m.item.shape, m.item.copy)] = m.item
        order = [s for s in range(len(self.markers.shapes[path])) if (s, 0) in copies]
        xml = self.xml
        first_at = self.positions[index][0]
        candidates = [m.start() for m in re.finditer("<(?!/)", xml[pos : first_at + 1])]
        for candidate in reversed(candidates):
            begin = pos + candidate
            chain = self._chain(begin, hi, order, copies)
            if chain is not None:
                blocks, end = chain
                after = index
                while after < len(self.positions) and self.positions[after][0] < end:
                    after += 1
                slot_blocks = {}
                for shape, (lo, hi) in blocks.items():
                    item = copies[(shape, 0)]
                    start_mark = bisect.bisect_left(self.starts, lo)
                    slot_blocks[shape], _ = self._segment(lo, hi, item, start_mark)
                nested = key[1] if len(key) > 1 else None
                name = path.rsplit(".", 1)[-1]
                return (
                    _Slot(path, key if nested is not None else None, name, slot_blocks),
                    begin,
                    end,
                    after,
                )
        raise self._error(path)

    def _chain(
        self, begin: int, hi: int, order: list[int], copies: dict
    ) -> tuple[dict, int] | None:
        """Each shape's block from ``begin``: two copies back to back, the second the first with its marks
        swapped; None when the copies do not fit from there."""
        xml, blocks, at = self.xml, {}, begin
        for shape in order:
            a, b = copies[(shape, 0)], copies[(shape, 1)]
            a_marks, a_starts = self.of_item.get(id(a), ()), self.item_starts.get(id(a), [])
            first, past = bisect.bisect_left(a_starts, at), bisect.bisect_left(a_starts, hi)
            if first == past:
                return None  # none of the first copy's marks lies between at and hi
            a_index, a_at = a_marks[first]
            name = self.markers.marks[self.positions[a_index][1]].name
            b_number = b.marks[name]
            b_marks, b_starts = self.of_item.get(id(b), ()), self.item_starts.get(id(b), [])
            b_at = next(
                (
                    p
                    for i, p in b_marks[bisect.bisect_right(b_starts, a_at) :]
                    if p >= hi or self.positions[i][1] == b_number
                ),
                -1,
            )
            b_at = b_at if b_at < hi else -1
            length = b_at - a_at
            # the first copy's last mark before the second copy's first
            last_a = (
                a_starts[bisect.bisect_left(a_starts, b_at, first, past) - 1]
                if b_at > a_at
                else a_at
            )
            if a_at < at or length <= 0 or last_a + 9 > at + length:
                return None
            block = xml[at : at + length]
            if xml[at + length : at + 2 * length] != self._swap(block, a, b):
                return None
            blocks[shape] = (at, at + length)
            at += 2 * length
        return blocks, at


# --- filling ---------------------------------------------------------------------------------------------------

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\t": "&#9;",
        "\r": "&#13;",
    }
)


def _value(item: Any, spec: _Field) -> str:
    """A field's value as docxtpl and lxml write it: officers' text as typed, braces included (streamed items are
    not guarded, text.BRACE_GUARD: their values never pass through docxtpl's brace escapes)."""
    value = str(item if spec.name == "" else item[spec.name])
    if spec.attribute:
        return value.translate(_ATTRIBUTE_ESCAPES)
    value = value.translate(_TEXT_ESCAPES)
    if _SPECIALS.search(value) is None:
        return value
    run, para = spec.run, spec.paragraph
    value = value.replace(
        "\t", f'</w:t></w:r><w:r>{run}<w:tab/></w:r><w:r>{run}<w:t xml:space="preserve">'
    )
    value = value.replace(
        "\a", f'</w:t></w:r></w:p><w:p>{para}<w:r>{run}<w:t xml:space="preserve">'
    )
    value = value.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    value = value.replace(
        "\f",
        '</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        f'<w:p>{para}<w:r>{run}<w:t xml:space="preserve">',
    )
    return _as_lxml_writes(value)


def _fill(parts: list, item: Any, markers: Markers, write: Callable[[str], None]) -> None:
    for part in parts:
        if type(part) is str:
            write(part)
        elif type(part) is _Field:
            write(_value(item, part))
        else:
            items = markers.instances[part.key] if part.key is not None else item[part.name]
            shapes = markers.shapes[part.path]
            for inner in items:
                _fill(part.blocks[shapes[_shape(inner, part.path)]], inner, markers, write)


def write_document(
    package: zipfile.ZipFile, blocks: Blocks, info: zipfile.ZipInfo, most: int
) -> None:
    """Stream ``word/document.xml`` into ``package``: the blocks filled item by item, a megabyte at a time."""
    buffer: list[str] = []
    size = total = 0
    with package.open(info, "w") as out:

        def write(text: str) -> None:
            nonlocal size, total
            buffer.append(text)
            size += len(text)
            total += len(text)
            if total > most:
                raise TemplateError(
                    f"The Word template could not be filled in: the filled document would hold over {most:,} "
                    "characters; a report template may not make anything that large. Nothing was written."
                )
            if size > 1 << 20:
                out.write("".join(buffer).encode("utf-8"))
                buffer.clear()
                size = 0

        _fill(blocks.parts, None, blocks.markers, write)
        out.write("".join(buffer).encode("utf-8"))


def stream_package(small: bytes, markers: Markers, target, most: int) -> None:
    """Write the package ``small`` (the marker document, saved) to ``target`` with its document streamed, at most
    ``most`` characters (template.output_limit)."""
    import io

    with zipfile.ZipFile(io.BytesIO(small)) as source, zipfile.ZipFile(target, "w") as package:
        for info in source.infolist():
            if info.filename == _DOCUMENT:
                blocks = Blocks(source.read(info).decode("utf-8"), markers)
                streamed = zipfile.ZipInfo(info.filename, info.date_time)
                streamed.compress_type = info.compress_type
                streamed.external_attr = info.external_attr
                write_document(package, blocks, streamed, most)
            else:
                package.writestr(info, source.read(info))


def marks_left(xml: str) -> Iterator[str]:
    """Marker strings left in a text (none once filled)."""
    return (m.group(0) for m in _MARK.finditer(xml))
