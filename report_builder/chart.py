"""The report's native Word charts: taken from the template, filled with the plan's figures.

The template carries two real Word charts, each a DrawingML chart part with its small embedded workbook: the RAG
chart (a stacked bar per section, then the whole plan) and the trend (a stacked column per report to date). Each is
known by the title in its drawing's properties, "RAG chart" or "Trend chart", which Word keeps when the chart is
restyled, resized, moved or copied. The policy team restyles them in Word as any chart (fonts, colours, gridlines,
legend, data labels, size). Once docxtpl has filled the template's text, :func:`fill_charts`:

- makes each chart's series the plan's rating scheme's buckets, in the scheme's order, then Not rated: Green,
  Amber, Red in RAG; Blue first in BRAG; Completed first in RAG + Completed and Days behind. A template series
  keeps all its styling, its colour included, for the bucket whose letter ends its name ("... (G)"); a bucket the
  template has no series for (Blue, Completed) gets a copy of the template's first series' styling in the
  scheme's colour; a template series the scheme has no bucket for is removed. The policy team's colour for a
  bucket therefore wins over the scheme's; the standard template's colours are the scheme's own.
- writes the figures into the series' cached names, categories and values (what Word and LibreOffice draw) and
  into the embedded workbook behind them (what Word's "Edit Data" opens); nothing else in the chart part changes.
- sets the drawing's alternative text to the figures in words, and lets the RAG chart grow by 0.85 cm for each bar
  beyond the template's own.

A chart the template's conditions left out (the trend in a first report) is dropped with its parts. A template
that still prints ``{{ rag_chart }}`` or ``{{ trend_chart }}`` gets a copy of the standard template's chart there.
Only lxml and zipfile touch the parts at run time: python-pptx made the standard template's charts once
(templates/source/make_template.py).
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass

from ofsted_tracker.report_builder.context import NOT_RATED, NOT_RATED_FILL
from ofsted_tracker.workbook.errors import TemplateError
from ofsted_tracker.workbook.plan.schemes import BRAG, RAG, Scheme

MARKER = "\ufdd0rag chart\ufdd1"  # what {{ rag_chart }} prints; officers' text cannot hold it (text.clean)
TREND_MARKER = "\ufdd0trend chart\ufdd1"  # what {{ trend_chart }} prints
RAG_TITLE, TREND_TITLE = "RAG chart", "Trend chart"  # the drawings' titles in the template
ROW_CM, EMU_PER_CM = 0.85, 360000  # the RAG chart's height for each bar
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_REL = f"{R_NS}/package"
CHART_REL = f"{R_NS}/chart"
FILLS = (
    "noFill",
    "solidFill",
    "gradFill",
    "blipFill",
    "pattFill",
    "grpFill",
)  # a shape's fill, one of these


def _c(tag: str) -> str:
    return f"{{{C_NS}}}{tag}"


@dataclass(frozen=True)
class ChartBar:
    """One bar of the chart: its label and the counts by RAG (keys as in the report context's ``counts``)."""

    label: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Series:
    """One series of a chart: its name in the legend (the bucket's label), its letter and its colour."""

    name: str
    letter: str
    fill: str


NOT_RATED_SERIES = Series("Not rated (NR)", NOT_RATED, NOT_RATED_FILL)
# Where a bar's counts keep each letter; Completed (C) is the rest of the total (the context counts it nowhere else)
COUNT_KEYS = {
    "B": "blue",
    "G": "completed",
    "A": "ongoing",
    "R": "not_completed",
    NOT_RATED: "not_rated",
}


def scheme_series(scheme: Scheme) -> tuple[Series, ...]:
    """The series for a rating scheme: its buckets in its order (the fourth first), then Not rated."""
    return (*(Series(b.label, b.letter, b.fill) for b in scheme.buckets), NOT_RATED_SERIES)


def bar_count(bar: ChartBar, letter: str) -> int:
    """How many actions of a bar have the letter."""
    if letter in COUNT_KEYS:
        return bar.counts.get(COUNT_KEYS[letter], 0)
    return bar.counts.get("total", 0) - sum(bar.counts.get(k, 0) for k in COUNT_KEYS.values())


def chart_bars(context: dict) -> list[ChartBar]:
    """The bars for a report context: one per section, then the whole plan (with Blue when rated BRAG)."""
    if context.get("brag"):
        return [ChartBar(row["heading"], row) for row in context["brag_counts"]]
    bars = [ChartBar(s["heading"], s["counts"]) for s in context["sections"]]
    bars.append(ChartBar("Whole plan", context["overall"]))
    return bars


def trend_bars(context: dict) -> list[ChartBar]:
    """The trend chart's columns: one per report to date (period and as-at date), oldest first."""
    return [ChartBar(f"{p['period']} ({p['as_at']})", p) for p in context["trend"]]


def chart_description(
    bars: list[ChartBar], name: str = "RAG chart", series: tuple[Series, ...] | None = None
) -> str:
    """The chart's figures in words: its alternative text for screen readers."""
    series = series or scheme_series(RAG)
    parts = [
        f"{bar.label}: " + ", ".join(f"{bar_count(bar, s.letter)} {s.letter}" for s in series)
        for bar in bars
    ]
    return f"{name}. " + "; ".join(parts) + "."


@dataclass(frozen=True)
class ChartPlace:
    """A chart of the report: the title its drawing has in the template, the marker its placeholder prints, its
    bars and series, and how its alternative text starts."""

    title: str
    marker: str
    bars: list[ChartBar]
    series: tuple[Series, ...]
    name: str
    grows: bool = (
        False  # taller by ROW_CM for each bar beyond the template's (the RAG chart's bars)
    )

    @property
    def description(self) -> str:
        return chart_description(self.bars, self.name, self.series)


def report_charts(context: dict, scheme: Scheme = RAG) -> list[ChartPlace]:
    """The report's charts: the RAG chart by section, and the trend when there are earlier reports to show.

    The trend's rows count Blue within Green (completed by the deadline, embedded or not), as the trend table
    does, so a BRAG plan's trend has the RAG series.
    """
    trend = RAG if scheme is BRAG else scheme
    return [
        ChartPlace(
            RAG_TITLE,
            MARKER,
            chart_bars(context),
            scheme_series(scheme),
            "BRAG chart" if scheme is BRAG else "RAG chart",
            grows=True,
        ),
        ChartPlace(
            TREND_TITLE, TREND_MARKER, trend_bars(context), scheme_series(trend), "Trend chart"
        ),
    ]


# ------------------------------------------------------------------------------------ the chart part's XML


def _put(parent, new, after: tuple[str, ...] = (), before: tuple[str, ...] = ()) -> None:
    """Put ``new`` in place of the parent's child of its tag, else before the first of ``before``, else after
    the last of ``after``, else last (the schema's order of children)."""
    old = parent.find(new.tag)
    if old is not None:
        parent.replace(old, new)
        return
    for tag in before:
        found = parent.find(_c(tag))
        if found is not None:
            found.addprevious(new)
            return
    for tag in reversed(after):
        found = parent.find(_c(tag))
        if found is not None:
            found.addnext(new)
            return
    parent.append(new)


def _cache(kind: str, values: list, format_code: str | None = None):
    """A ``c:strCache`` or ``c:numCache`` of the values."""
    from lxml import etree

    cache = etree.Element(_c(kind))
    if format_code is not None:
        etree.SubElement(cache, _c("formatCode")).text = format_code
    etree.SubElement(cache, _c("ptCount"), val=str(len(values)))
    for i, value in enumerate(values):
        etree.SubElement(etree.SubElement(cache, _c("pt"), idx=str(i)), _c("v")).text = str(value)
    return cache


def _ref(tag: str, ref: str, formula: str, cache):
    from lxml import etree

    outer = etree.Element(_c(tag))
    inner = etree.SubElement(outer, _c(ref))
    etree.SubElement(inner, _c("f")).text = formula
    inner.append(cache)
    return outer


def _letter(ser) -> str | None:
    """The letter a template series stands for: the one in brackets ending its cached name ("... (G)")."""
    name = ser.findtext(f"{_c('tx')}//{_c('v')}") or ""
    found = re.search(r"\(([A-Z]{1,2})\)\s*$", name)
    return found[1] if found else None


def _recolour(ser, fill: str) -> None:
    """A copied series in the scheme's colour: its fill made solid, its per-point and extension parts left out."""
    from lxml import etree

    for tag in ("dPt", "extLst"):
        for child in ser.findall(_c(tag)):
            ser.remove(child)
    sp = ser.find(_c("spPr"))
    if sp is None:
        sp = etree.Element(_c("spPr"))
        _put(ser, sp, after=("idx", "order", "tx"))
    solid = etree.Element(f"{{{A_NS}}}solidFill")
    etree.SubElement(solid, f"{{{A_NS}}}srgbClr", val=fill)
    fills = [child for child in sp if etree.QName(child).localname in FILLS]
    if fills:
        sp.replace(fills[0], solid)
        for extra in fills[1:]:
            sp.remove(extra)
    else:
        sp.insert(
            1
            if len(sp) and etree.QName(sp[0]).localname in ("xfrm", "custGeom", "prstGeom")
            else 0,
            solid,
        )


def _column(i: int) -> str:
    return chr(ord("A") + i)


def fill_chart_xml(space, bars: list[ChartBar], series: tuple[Series, ...]) -> str:
    """Give a chart part's ``c:chartSpace`` the series and figures (in place); return the sheet its formulas name.

    The series come from the template's series by letter (see the module's notes); each one's name, categories
    and values are written as cached values with formulas into the embedded sheet: categories in column A, each
    series in its own column from B, its name in row 1.
    """
    from lxml import etree

    area = space.find(f"{_c('chart')}/{_c('plotArea')}")
    plot = next(
        (p for p in (area if area is not None else ()) if p.find(_c("ser")) is not None), None
    )
    if plot is None:
        raise ValueError("it has no data series")
    old = plot.findall(_c("ser"))
    formula = old[0].findtext(f"{_c('tx')}/{_c('strRef')}/{_c('f')}") or "Sheet1!$B$1"
    sheet = formula.rpartition("!")[0] or "Sheet1"
    pattern = copy.deepcopy(old[0])
    at = plot.index(old[0])
    by_letter: dict[str | None, object] = {}
    for ser in old:
        by_letter.setdefault(_letter(ser), ser)
        plot.remove(ser)
    labels = [bar.label for bar in bars]
    last = len(bars) + 1
    for i, one in enumerate(series):
        ser = by_letter.pop(one.letter, None)
        if ser is None:
            ser = copy.deepcopy(pattern)
            _recolour(ser, one.fill)
        if ser.find(_c("idx")) is None:
            ser.insert(0, etree.Element(_c("idx")))
        if ser.find(_c("order")) is None:
            _put(ser, etree.Element(_c("order")), after=("idx",))
        for tag in ("idx", "order"):
            ser.find(_c(tag)).set("val", str(i))
        col = _column(i + 1)
        _put(
            ser,
            _ref("tx", "strRef", f"{sheet}!${col}$1", _cache("strCache", [one.name])),
            after=("idx", "order"),
        )
        _put(
            ser,
            _ref("cat", "strRef", f"{sheet}!$A$2:$A${last}", _cache("strCache", labels)),
            before=("val", "smooth", "shape", "extLst"),
        )
        code = ser.findtext(f"{_c('val')}/{_c('numRef')}/{_c('numCache')}/{_c('formatCode')}")
        values = [bar_count(bar, one.letter) for bar in bars]
        _put(
            ser,
            _ref(
                "val",
                "numRef",
                f"{sheet}!${col}$2:${col}${last}",
                _cache("numCache", values, code or "General"),
            ),
            before=("smooth", "shape", "extLst"),
        )
        plot.insert(at + i, ser)
    highest = max((sum(bar_count(bar, s.letter) for s in series) for bar in bars), default=0)
    _hide_crowded_labels(plot, bars, series, highest)
    axis = area.find(_c("valAx"))
    if axis is not None and highest <= 10:  # whole actions: no 0.5 steps on a small plan
        _put(
            axis,
            etree.Element(_c("majorUnit"), val="1"),
            before=("minorUnit", "dispUnits", "extLst"),
        )
    return sheet


SMALL_SEGMENT = 0.06  # of the tallest column: a segment lower than a data label's text


def crowded_labels(
    bars: list[ChartBar], series: tuple[Series, ...], highest: int
) -> set[tuple[int, int]]:
    """The (series, bar) points of a stacked column chart whose data label would overlap the one below it: a
    segment lower than a label (under ``SMALL_SEGMENT`` of the tallest column) stacked on another such segment
    whose label is shown. The lower label stays, so Q1's '2' Red shows and the '1' Not rated on it does not."""
    crowded: set[tuple[int, int]] = set()
    for j, bar in enumerate(bars):
        below_small = False  # the last shown label below is on a small segment
        for i, one in enumerate(series):
            value = bar_count(bar, one.letter)
            if not value:
                continue
            small = value < SMALL_SEGMENT * highest
            if small and below_small:
                crowded.add((i, j))
                below_small = False  # the next one stacks on a segment with no label
            else:
                below_small = small
    return crowded


def _hide_crowded_labels(
    plot, bars: list[ChartBar], series: tuple[Series, ...], highest: int
) -> None:
    """Delete the data labels of ``crowded_labels`` in a stacked column chart (a bar chart's labels sit side by
    side and have room): each such series gets its own data labels, a copy of the chart's, with those points
    deleted. Nothing changes in a chart without data labels."""
    from lxml import etree

    direction, grouping = plot.find(_c("barDir")), plot.find(_c("grouping"))
    if direction is None or direction.get("val") != "col":
        return
    if grouping is None or grouping.get("val") not in ("stacked", "percentStacked"):
        return
    shared = plot.find(_c("dLbls"))
    crowded = crowded_labels(bars, series, highest)
    for i, ser in enumerate(plot.findall(_c("ser"))):
        points = sorted(j for k, j in crowded if k == i)
        if not points:
            continue
        labels = ser.find(_c("dLbls"))
        if labels is None:
            if shared is None:
                continue
            labels = copy.deepcopy(shared)
            _put(ser, labels, before=("trendline", "errBars", "cat", "val", "shape", "extLst"))
        for old in labels.findall(
            _c("dLbl")
        ):  # the template's own label of a point kept, but of these
            if (
                old.find(_c("idx")) is not None
                and int(old.find(_c("idx")).get("val", -1)) in points
            ):
                labels.remove(old)
        for j in reversed(points):
            one = etree.Element(_c("dLbl"))
            etree.SubElement(one, _c("idx"), val=str(j))
            etree.SubElement(one, _c("delete"), val="1")
            labels.insert(0, one)


def _category_count(space) -> int:
    """How many categories the chart's first series has (the template's own bars, before filling)."""
    count = space.find(f".//{_c('ser')}/{_c('cat')}//{_c('ptCount')}")
    return int(count.get("val", 0)) if count is not None else 0


# ------------------------------------------------------------------------------------ the embedded workbook


def _cell(ref: str, value):
    from lxml import etree

    if isinstance(value, str):
        cell = etree.Element(f"{{{S_NS}}}c", r=ref, t="inlineStr")
        text = etree.SubElement(etree.SubElement(cell, f"{{{S_NS}}}is"), f"{{{S_NS}}}t")
        text.text = value
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    else:
        cell = etree.Element(f"{{{S_NS}}}c", r=ref)
        etree.SubElement(cell, f"{{{S_NS}}}v").text = str(value)
    return cell


def _target(base: str, target: str) -> str:
    """A relationship's target as a path in the package, from the folder of the part that relates it."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _rels(parts: dict[str, bytes], path: str) -> dict[str, str]:
    """A part's relationships: id to target path."""
    from lxml import etree

    folder, _, name = path.rpartition("/")
    rels = parts.get(f"{folder}/_rels/{name}.rels")
    if rels is None:
        return {}
    return {r.get("Id"): _target(path, r.get("Target", "")) for r in etree.fromstring(rels)}


def fill_workbook(
    blob: bytes, sheet: str, series: tuple[Series, ...], bars: list[ChartBar]
) -> bytes:
    """The chart's embedded workbook with the figures on the sheet its formulas name (its first sheet if none
    has the name): categories in column A, a series a column from B, names in row 1. Strings are written in the
    cells themselves; the workbook's other parts are kept, a table on the sheet is resized to the figures."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(blob)) as package:
        infos = package.infolist()
        parts = {info.filename: package.read(info) for info in infos}
    book = etree.fromstring(parts["xl/workbook.xml"])
    sheets = book.findall(f"{{{S_NS}}}sheets/{{{S_NS}}}sheet")
    wanted = sheet.strip("'").replace("''", "'")
    chosen = next((s for s in sheets if s.get("name") == wanted), sheets[0])
    path = _rels(parts, "xl/workbook.xml")[chosen.get(f"{{{R_NS}}}id")]
    ws = etree.fromstring(parts[path])
    data = ws.find(f"{{{S_NS}}}sheetData")
    data.clear()
    table: list[list] = [["", *(s.name for s in series)]]
    table += [[bar.label, *(bar_count(bar, s.letter) for s in series)] for bar in bars]
    last = f"{_column(len(series))}{len(table)}"
    tables = ws.findall(f"{{{S_NS}}}tableParts/{{{S_NS}}}tablePart")
    if tables:
        table[0][0] = " "  # a table's column needs a name
    for r, values in enumerate(table, start=1):
        row = etree.SubElement(data, f"{{{S_NS}}}row", r=str(r))
        for col, value in enumerate(values):
            if value != "":
                row.append(_cell(f"{_column(col)}{r}", value))
    dimension = ws.find(f"{{{S_NS}}}dimension")
    if dimension is not None:
        dimension.set("ref", f"A1:{last}")
    related = _rels(parts, path)
    for part in tables:
        name = related.get(part.get(f"{{{R_NS}}}id"))
        if name not in parts:
            continue
        t = etree.fromstring(parts[name])
        t.set("ref", f"A1:{last}")
        auto = t.find(f"{{{S_NS}}}autoFilter")
        if auto is not None:
            auto.set("ref", f"A1:{last}")
        columns = t.find(f"{{{S_NS}}}tableColumns")
        if columns is not None:
            columns.clear()
            columns.set("count", str(len(table[0])))
            for i, heading in enumerate(table[0], start=1):
                etree.SubElement(columns, f"{{{S_NS}}}tableColumn", id=str(i), name=heading)
        parts[name] = etree.tostring(t, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts[path] = etree.tostring(ws, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in infos:
            package.writestr(info.filename, parts[info.filename])
    return out.getvalue()


# ------------------------------------------------------------------------------------ in the document


def fill_charts(document, charts: list[ChartPlace]) -> int:
    """Fill the report's charts (see the module's notes) in the filled document; return how many drawings show
    one of them."""
    body = document.element.body
    main = document.part
    _place_markers(document, charts)
    drawn: dict[str, list] = {}
    for chart in body.iter(_c("chart")):
        drawing = (
            chart.getparent().getparent().getparent()
        )  # graphicData, graphic, then inline or anchor
        drawn.setdefault(chart.get(f"{{{R_NS}}}id"), []).append(drawing)
    for rid, rel in list(main.rels.items()):
        if rel.reltype == CHART_REL and rid not in drawn:
            del main.rels[rid]  # left out by the template's conditions: not saved
    by_title = {chart.title.casefold(): chart for chart in charts}
    filled = 0
    for rid, drawings in drawn.items():
        doc_pr = drawings[0].find(f"{{{WP_NS}}}docPr")
        named = "" if doc_pr is None else doc_pr.get("title") or doc_pr.get("name") or ""
        chart = by_title.get(named.casefold())
        if chart is None or rid not in main.rels:
            continue  # a chart of the policy team's own: left as it is
        _refill(main, rid, chart, drawings)
        filled += len(drawings)
    _unique_ids(body)
    return filled


def _refill(main, rid: str, chart: ChartPlace, drawings: list) -> None:
    """Replace the chart part (and its workbook) related as ``rid`` by a filled copy: same names, same
    relationship ids, so the drawings and the chart's other parts (Word's style and colours) stay related."""
    from docx.opc.part import Part, XmlPart
    from docx.oxml import parse_xml
    from lxml import etree

    old = main.rels[rid].target_part
    try:
        space = parse_xml(old.blob)
        bars_before = _category_count(space)
        sheet = fill_chart_xml(space, chart.bars, chart.series)
        new = XmlPart(old.partname, old.content_type, space, old.package)
        for rel in old.rels.values():
            target = rel.target_ref if rel.is_external else rel.target_part
            if rel.reltype == PACKAGE_REL and not rel.is_external:
                blob = fill_workbook(target.blob, sheet, chart.series, chart.bars)
                target = Part(target.partname, target.content_type, blob, old.package)
            new.load_rel(rel.reltype, target, rel.rId, rel.is_external)
    except (ValueError, KeyError, IndexError, zipfile.BadZipFile, etree.LxmlError) as exc:
        raise TemplateError(
            f"The {chart.title} in the Word template cannot be filled in ({exc}). Undo the last change "
            "to it in Word, or copy the chart from the standard template."
        ) from exc
    del main.rels[rid]
    main.load_rel(CHART_REL, new, rid)
    grow = round(ROW_CM * EMU_PER_CM) * (len(chart.bars) - bars_before) if chart.grows else 0
    for drawing in drawings:
        doc_pr = drawing.find(f"{{{WP_NS}}}docPr")
        doc_pr.set("descr", chart.description)
        doc_pr.set("title", chart.title)
        extent = drawing.find(f"{{{WP_NS}}}extent")
        if grow and extent is not None:
            extent.set("cy", str(max(int(extent.get("cy")) + grow, round(EMU_PER_CM))))


def _unique_ids(body) -> None:
    """Every drawing its own id (a chart the template repeats in a loop is drawn more than once)."""
    docs = list(body.iter(f"{{{WP_NS}}}docPr"))
    ids = [int(i) for i in (d.get("id") or "" for d in docs) if i.isdigit()]
    following, seen = max(ids, default=0) + 1, set()
    for d in docs:
        if d.get("id") in seen or not (d.get("id") or "").isdigit():
            d.set("id", str(following))
            following += 1
        seen.add(d.get("id"))


def add_chart_parts(package, xml: bytes, xlsx: bytes):
    """A new chart part in the package, from its XML, with its embedded workbook related from it and named by its
    ``c:externalData`` (as Word does); the caller relates the chart part from the document."""
    from docx.opc.part import Part, XmlPart
    from docx.oxml import parse_xml
    from lxml import etree

    workbook = Part(
        package.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx"),
        XLSX_TYPE,
        xlsx,
        package,
    )
    space = parse_xml(xml)
    part = XmlPart(package.next_partname("/word/charts/chart%d.xml"), CHART_TYPE, space, package)
    external = space.find(_c("externalData"))
    if external is None:
        external = etree.SubElement(space, _c("externalData"))
        etree.SubElement(external, _c("autoUpdate"), val="0")
    external.set(f"{{{R_NS}}}id", part.relate_to(workbook, PACKAGE_REL))
    return part


def _standard_drawings() -> dict[str, tuple]:
    """The standard template's charts by title: (drawing, chart part XML, workbook)."""
    from importlib.resources import files

    from docx import Document

    standard = Document(str(files("ofsted_tracker.templates").joinpath("committee_report.docx")))
    found = {}
    for chart in standard.element.body.iter(_c("chart")):
        drawing = chart.getparent().getparent().getparent()
        title = drawing.find(f"{{{WP_NS}}}docPr").get("title", "")
        part = standard.part.related_parts[chart.get(f"{{{R_NS}}}id")]
        workbook = next(r.target_part for r in part.rels.values() if r.reltype == PACKAGE_REL)
        found[title.casefold()] = (drawing, part.blob, workbook.blob)
    return found


def _place_markers(document, charts: list[ChartPlace]) -> None:
    """Where a template printed ``{{ rag_chart }}`` or ``{{ trend_chart }}``: a copy of the standard template's
    chart (its own chart part and workbook), filled afterwards like the template's own."""
    from docx.oxml.ns import qn
    from lxml import etree

    body = document.element.body
    # a plain walk over the text elements: XPath's contains() fails outright on very large documents (lxml's
    # "XPathEvalError: unknown error" on a 100,000-action report)
    texts = [t for t in body.iter(qn("w:t")) if t.text and "\ufdd0" in t.text]
    if not texts:
        return
    standard = _standard_drawings()
    package, main = document.part.package, document.part
    for chart in charts:
        for text in [t for t in texts if chart.marker in (t.text or "")]:
            drawing, xml, xlsx = standard[chart.title.casefold()]
            part = add_chart_parts(package, xml, xlsx)
            drawing = copy.deepcopy(drawing)
            drawing.find(f".//{_c('chart')}").set(f"{{{R_NS}}}id", main.relate_to(part, CHART_REL))
            before, _, after = text.text.partition(chart.marker)
            run = text.getparent()
            text.text = before
            drawing_run = etree.Element(qn("w:r"))
            run.addnext(drawing_run)
            etree.SubElement(drawing_run, qn("w:drawing")).append(drawing)
            if after:
                tail = etree.Element(qn("w:r"))
                drawing_run.addnext(tail)
                rest = etree.SubElement(
                    tail, qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}
                )
                rest.text = after
                texts.append(rest)  # it may hold the other chart's marker
