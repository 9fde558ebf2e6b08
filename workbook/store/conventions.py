"""A refresh after Settings' rating scheme or status words changed: what ``new --scheme`` makes, in place.

A tracker's Recorded RAG drop-down, its rating colours (Actions' Recorded RAG column, Slippage's two RAG columns),
the Dashboard's fourth-bucket row and the Dashboard chart are made for one scheme. When Settings names another,
the refresh brings each of them to what a tracker made by ``new --scheme`` has, and the Progress status drop-down to
the status words of Settings:

- the Recorded RAG drop-down (the list validation starting at its column's row 2) lists the scheme's letters, with
  the scheme's message; the Progress status drop-down lists the plan's words (a drop-down an officer pointed at
  cells, rather than a typed list, is left alone);
- each block of rating colours (conditional formats made only of "cell equals a rating letter" rules) has one rule
  per letter of the scheme, in the scheme's colours (``Bucket.fill`` and ``Bucket.font``);
- the Dashboard's row ``layout.BLUE_ROW`` is filled in the fourth bucket's pale colour (no fill in RAG);
- the Dashboard's rating chart has a series for the fourth bucket, read from that row, first (none in RAG).

Only these elements change; the rest of each part is kept, the cells of the sheets byte for byte, and nothing is
written when they already match (every refresh checks).
"""

from __future__ import annotations

import copy
import re
import zipfile

from lxml import etree

from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.model import Plan
from ofsted_tracker.workbook.plan.schema import find_sheets
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.store.package import (
    CHART_TYPE,
    DRAWING_TYPE,
    NS,
    STYLES_TYPE,
    SheetEnds,
    _linked,
    _relationships,
    _sheet_data_span,
    _xml,
    ends_of,
    parse_part,
    part_name,
    read_part,
    sheet_parts,
    sheet_source,
)

CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
LETTERS = frozenset(b.letter for s in schemes.SCHEMES for b in s.buckets)
_LETTER_FORMULA = re.compile(r'^"([A-Z])"$')


def _q(name: str, ns: str = NS) -> str:
    return f"{{{ns}}}{name}"


def _rgb(element: etree._Element | None) -> str:
    return (element.get("rgb") or "")[-6:].upper() if element is not None else ""


class _Styles:
    """The workbook's styles part, with what a scheme's colours need added once (a dxf per rating, a fill and a
    cell style for the Dashboard row)."""

    def __init__(self, package: zipfile.ZipFile, label: str) -> None:
        found = [
            part_name("xl", r.get("Target") or "")
            for r in _relationships(package, label)
            if r.get("Type") == STYLES_TYPE and r.get("TargetMode") != "External"
        ]
        self.part = found[0] if found and found[0] in package.namelist() else None
        self.root = (
            parse_part(read_part(package, self.part, label), self.part, label)
            if self.part
            else None
        )
        self.changed = False

    def _list(self, name: str, before: tuple[str, ...]) -> etree._Element:
        """The ``<dxfs>`` or ``<fills>`` element, made (in its place) when missing."""
        found = self.root.find(_q(name))
        if found is None:
            found = etree.Element(_q(name), count="0")
            following = next(
                (self.root.find(_q(b)) for b in before if self.root.find(_q(b)) is not None), None
            )
            if following is None:
                self.root.append(found)
            else:
                following.addprevious(found)
        return found

    def _append(self, listed: etree._Element, item: etree._Element) -> int:
        listed.append(item)
        listed.set("count", str(len(listed)))
        self.changed = True
        return len(listed) - 1

    def dxf(self, bucket: schemes.Bucket) -> int:
        """The differential style a rating's conditional format uses: its fill and its bold font colour."""
        dxfs = self._list("dxfs", ("tableStyles", "colors", "extLst"))
        for i, dxf in enumerate(dxfs):
            fill = dxf.find(f"{_q('fill')}/{_q('patternFill')}")
            colours = (
                {_rgb(fill.find(_q(c))) for c in ("bgColor", "fgColor")}
                if fill is not None
                else set()
            )
            if (
                bucket.fill in colours
                and _rgb(dxf.find(f"{_q('font')}/{_q('color')}")) == bucket.font
            ):
                return i
        dxf = etree.fromstring(
            f'<dxf xmlns="{NS}"><font><b val="1"/><color rgb="00{bucket.font}"/></font><fill>'
            f'<patternFill patternType="solid"><fgColor rgb="00{bucket.fill}"/><bgColor rgb="00{bucket.fill}"/>'
            "</patternFill></fill></dxf>"
        )
        return self._append(dxfs, dxf)

    def colours(self, dxf_id: str | None) -> str:
        """The fill colour of a differential style ('' when there is none)."""
        dxfs = self.root.find(_q("dxfs"))
        if dxfs is None or not (dxf_id or "").isdigit() or int(dxf_id) >= len(dxfs):
            return ""
        fill = dxfs[int(dxf_id)].find(f"{_q('fill')}/{_q('patternFill')}")
        found = [_rgb(fill.find(_q(c))) for c in ("bgColor", "fgColor")] if fill is not None else []
        return next((c for c in found if c), "")

    def cell_style_filled(self, style: int, colour: str | None) -> int:
        """The cell style ``style`` with a solid fill of ``colour`` (None: no fill), an existing one when there is."""
        fills = self._list("fills", ("borders", "cellStyleXfs", "cellXfs"))
        if colour is None:
            fill_id = 0
        else:
            fill_id = next(
                (
                    i
                    for i, f in enumerate(fills)
                    if (p := f.find(_q("patternFill"))) is not None
                    and p.get("patternType") == "solid"
                    and _rgb(p.find(_q("fgColor"))) == colour
                ),
                None,
            )
            if fill_id is None:
                fill = etree.fromstring(
                    f'<fill xmlns="{NS}"><patternFill patternType="solid"><fgColor rgb="00{colour}"/>'
                    "</patternFill></fill>"
                )
                fill_id = self._append(fills, fill)
        xfs = self.root.find(_q("cellXfs"))
        if xfs is None or style >= len(xfs):
            return style
        if (xfs[style].get("fillId") or "0") == str(fill_id):
            return style
        wanted = copy.deepcopy(xfs[style])
        wanted.set("fillId", str(fill_id))
        wanted.set("applyFill", "1" if fill_id else "0")
        shape = etree.tostring(wanted)
        for i, xf in enumerate(xfs):
            if etree.tostring(xf) == shape:
                return i
        return self._append(xfs, wanted)


class _Sheet:
    """A worksheet part with its ``<sheetData>`` set aside (``package.SheetEnds``): the rest parsed, the cells left
    in the package, streamed again when the part is written."""

    def __init__(self, ends: SheetEnds | bytes, part: str, label: str) -> None:
        self.part, self.label, self.changed = part, label, False
        if not isinstance(ends, SheetEnds):  # no cells
            self.root = None
            return
        self.ends, self.edited = ends, None
        self.root = parse_part(
            ends.head + f"<{ends.prefix}sheetData/>".encode() + ends.tail, part, label
        )

    @property
    def cells(self) -> bytes:
        """The ``<sheetData>`` element, read whole on first use (the Dashboard's, a fill of which may change)."""
        if self.edited is None:
            self.edited = b"".join(self.ends.cells())
        return self.edited

    @cells.setter
    def cells(self, data: bytes) -> None:
        self.edited = data

    def bytes(self) -> SheetEnds:
        text = _xml(self.root)
        found = _sheet_data_span(text)
        assert found is not None  # the placeholder put in above
        _, start, end = found
        if self.edited is not None:
            return ends_of(text[:start] + self.edited + text[end:])
        return self.ends.around(text[:start], text[end:])


def _drop_downs(sheet: _Sheet, plan: Plan) -> None:
    """The Recorded RAG and Progress status drop-downs of the Actions sheet, as ``new`` makes them."""
    letters = plan.columns.get(schema.ACTIONS.name, {})
    wanted = {
        f"{letters[f]}2": formula
        for f, formula in (
            ("recorded_rag", '"' + ",".join(plan.scheme.letters) + '"'),
            ("status", '"' + ",".join(plan.words.drop_down()) + '"'),
        )
        if f in letters
    }
    rag_cell = f"{letters['recorded_rag']}2" if "recorded_rag" in letters else None
    own_words = any(plan.settings.get(key) not in (None, "") for key in schemes.WORD_KEYS.values())
    for rule in sheet.root.iter(_q("dataValidation")):
        first = (rule.get("sqref") or "").split()[0:1]
        cell = first[0].split(":")[0] if first else ""
        formula = rule.find(_q("formula1"))
        if cell not in wanted or rule.get("type") != "list" or formula is None:
            continue
        typed = formula.text or ""
        if not typed.startswith('"'):
            continue  # a list an officer pointed at cells: theirs
        listed = [w.strip() for w in typed.strip('"').split(",")]
        if cell == rag_cell:
            prompt = rule.get("prompt") or ""
            another = any(f"({s.name}:" in prompt for s in schemes.SCHEMES if s is not plan.scheme)
            if sorted(listed) == sorted(plan.scheme.letters) and not another:
                continue  # the scheme's letters already, and no other scheme's message
            if prompt != plan.scheme.prompt:
                rule.set("prompt", plan.scheme.prompt)
                sheet.changed = True
        elif not own_words and all(plan.words.meaning_of(w) for w in listed):
            continue  # the default words, and every word offered is accepted: kept as it is
        if typed != wanted[cell]:
            formula.text = wanted[cell]
            sheet.changed = True


def _rating_colours(sheet: _Sheet, scheme: schemes.Scheme, styles: _Styles) -> None:
    """Each block of rating-letter conditional formats: one rule per letter of the scheme, in its colours."""
    rules = list(sheet.root.iter(_q("cfRule")))
    top = max((int(r.get("priority") or 0) for r in rules), default=0)
    for block in sheet.root.iter(_q("conditionalFormatting")):
        found = list(block.iter(_q("cfRule")))
        letters = []
        for rule in found:
            formulas = rule.findall(_q("formula"))
            match = _LETTER_FORMULA.match(formulas[0].text or "") if len(formulas) == 1 else None
            if rule.get("type") != "cellIs" or rule.get("operator") != "equal" or not match:
                break
            letters.append(match[1])
        else:
            if not found or not set(letters) <= LETTERS:
                continue
            shown = {(letter, styles.colours(r.get("dxfId"))) for letter, r in zip(letters, found)}
            if shown == {(b.letter, b.fill) for b in scheme.buckets}:
                continue  # each letter of the scheme in its colour already
            wanted = [(b.letter, styles.dxf(b)) for b in scheme.buckets]
            priorities = [r.get("priority") for r in found]
            for rule in found:
                block.remove(rule)
            for i, (letter, dxf) in enumerate(wanted):
                rule = copy.deepcopy(found[0])
                if i < len(priorities):
                    rule.set("priority", priorities[i] or str(top + 1))
                else:
                    top += 1
                    rule.set("priority", str(top))
                rule.set("dxfId", str(dxf))
                rule.set("stopIfTrue", "1")
                rule.find(_q("formula")).text = f'"{letter}"'
                block.append(rule)
            sheet.changed = True


def _dashboard_row(sheet: _Sheet, scheme: schemes.Scheme, styles: _Styles) -> None:
    """The fill of the Dashboard's fourth-bucket row (its first cell)."""
    ref = f"A{layout.BLUE_ROW}".encode()
    cell = re.search(
        rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br=\"" + ref + rb"\"[^>]*?/?>", sheet.cells
    )
    if cell is None:
        return
    tag = cell[0]
    style = re.search(rb'\bs="(\d+)"', tag)
    current = int(style[1]) if style else 0
    wanted = styles.cell_style_filled(current, scheme.extra.light if scheme.extra else None)
    if wanted == current:
        return
    new = (
        tag[: style.start()] + f's="{wanted}"'.encode() + tag[style.end() :]
        if style
        else tag.replace(b' r="' + ref + b'"', b' r="' + ref + f'" s="{wanted}"'.encode(), 1)
    )
    sheet.cells = sheet.cells[: cell.start()] + new + sheet.cells[cell.end() :]
    sheet.changed = True


def _rating_chart(data: bytes, scheme: schemes.Scheme, part: str, label: str) -> bytes | None:
    """The Dashboard's rating chart with a first series for the scheme's fourth bucket (none in RAG)."""
    root = parse_part(data, part, label)
    bars = root.find(f".//{_q('barChart', CHART_NS)}")
    if bars is None:
        return None
    series = bars.findall(_q("ser", CHART_NS))
    row = f"${layout.BLUE_ROW}"

    def value(ser: etree._Element) -> str:
        found = ser.find(f"{_q('val', CHART_NS)}//{_q('f', CHART_NS)}")
        return found.text or "" if found is not None else ""

    if not any(value(s).endswith(f":$C${layout.CHART_ROWS[0]}") for s in series):
        return (
            None  # not the tool's rating chart (it reads the Green row): an officer's, left alone
        )

    extra = next((s for s in series if value(s).endswith(f":$C{row}")), None)
    changed = False
    if scheme.extra is None and extra is not None:
        bars.remove(extra)
        changed = True
    elif scheme.extra is not None:
        if extra is None and series:
            extra = copy.deepcopy(series[0])
            sheet = value(series[0]).partition("!")[0]
            for cache in list(extra.iter(_q("strCache", CHART_NS), _q("numCache", CHART_NS))):
                cache.getparent().remove(cache)
            label_ref = extra.find(f"{_q('tx', CHART_NS)}//{_q('f', CHART_NS)}")
            if label_ref is not None:
                label_ref.text = f"{sheet}!$A{row}"
            extra.find(
                f"{_q('val', CHART_NS)}//{_q('f', CHART_NS)}"
            ).text = f"{sheet}!$B{row}:$C{row}"
            series[0].addprevious(extra)
            changed = True
        colour = (
            extra.find(
                f"{_q('spPr', CHART_NS)}/{_q('solidFill', DRAWING_NS)}/{_q('srgbClr', DRAWING_NS)}"
            )
            if extra is not None
            else None
        )
        if colour is not None and colour.get("val") != scheme.extra.fill:
            colour.set("val", scheme.extra.fill)
            changed = True
    if not changed:
        return None
    for i, ser in enumerate(bars.findall(_q("ser", CHART_NS))):
        for name in ("idx", "order"):
            found = ser.find(_q(name, CHART_NS))
            if found is not None:
                found.set("val", str(i))
    return _xml(root)


def convention_parts(
    package: zipfile.ZipFile, plan: Plan, label: str, current: dict[str, bytes | SheetEnds]
) -> dict[str, bytes | SheetEnds]:
    """The parts that bring the tracker's drop-downs, rating colours, Dashboard row and chart to the plan's rating
    scheme and status words (``current``: parts already changed in this write, read instead of the package's)."""
    spelt = sheet_parts(package, label)
    wanted = (schema.ACTIONS.name, schema.SLIPPAGE, schema.DASHBOARD)
    found = find_sheets(spelt, [n for n in wanted], label)
    names = set(package.namelist())
    styles = _Styles(package, label)
    if styles.root is None:
        return {}
    out: dict[str, bytes | SheetEnds] = {}
    for name in wanted:
        part = spelt.get(found.get(name, ""), "")
        if part not in names:
            continue
        sheet = _Sheet(sheet_source(package, part, label, current.get(part)), part, label)
        if sheet.root is None:
            continue
        if name == schema.ACTIONS.name:
            _drop_downs(sheet, plan)
        if name != schema.DASHBOARD:
            _rating_colours(sheet, plan.scheme, styles)
        else:
            _dashboard_row(sheet, plan.scheme, styles)
            for drawing in _linked(package, part, DRAWING_TYPE, names, label):
                for chart in (
                    _linked(package, drawing, CHART_TYPE, names, label) if drawing in names else ()
                ):
                    if chart in names:
                        new = _rating_chart(
                            read_part(package, chart, label), plan.scheme, chart, label
                        )
                        if new is not None:
                            out[chart] = new
        if sheet.changed:
            out[part] = sheet.bytes()
    if styles.changed:
        out[styles.part] = _xml(styles.root)
    return out
