"""The RAG charts: native Word charts (a DrawingML chart part with its embedded workbook), written by python-pptx.

python-pptx writes the ``c:chartSpace`` XML (its ``ChartXmlWriter``) and the workbook behind it (XlsxWriter);
its chart object model sets the series colours, labels and axes. The chart goes where the template prints
``{{ rag_chart }}`` (stacked bars by section) and the trend where it prints ``{{ trend_chart }}`` (a stacked
column per report to date): each placeholder prints a marker, and after docxtpl has filled the template each
marker's text is replaced by an inline drawing of its chart (:func:`place_charts`). The policy team can restyle a
chart and edit its figures in Word, and it prints sharp at any size.
"""

from __future__ import annotations

from dataclasses import dataclass

from ofsted_tracker.report_builder.context import NOT_RATED_FILL
from ofsted_tracker.workbook.plan.schema import BLUE_FILL, RAG_FILLS

MARKER = "\ufdd0rag chart\ufdd1"  # what {{ rag_chart }} prints; officers' text cannot hold it (text.clean)
TREND_MARKER = "\ufdd0trend chart\ufdd1"  # what {{ trend_chart }} prints
TREND_HEIGHT_CM = 8.0
WIDTH_CM, ROW_CM, FRAME_CM = 24.0, 0.85, 2.6
EMU_PER_CM = 360000
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
# (name in the legend, count key, fill): the report's own RAG fills
SERIES = (
    ("Completed by deadline (G)", "completed", RAG_FILLS["G"]),
    ("Ongoing within deadline (A)", "ongoing", RAG_FILLS["A"]),
    ("Not completed by deadline (R)", "not_completed", RAG_FILLS["R"]),
    ("Not rated (NR)", "not_rated", NOT_RATED_FILL),
)
BLUE_SERIES = ("Complete and embedded (B)", "blue", BLUE_FILL)  # first, when the plan is rated BRAG
LETTERS = {"blue": "B", "completed": "G", "ongoing": "A", "not_completed": "R", "not_rated": "NR"}
_INLINE = (
    '<wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{wp}" xmlns:a="{a}" xmlns:c="{c}" xmlns:r="{r}">'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
    '<wp:docPr id="{id}" name="Chart {id}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="{c}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline>'
)


@dataclass(frozen=True)
class ChartBar:
    """One bar of the chart: its label and the counts by RAG (keys as in the report context's ``counts``)."""

    label: str
    counts: dict[str, int]


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


def chart_series(bars: list[ChartBar]) -> tuple[tuple[str, str, str], ...]:
    """The series the bars have: Blue first when they count it (BRAG), then Green, Amber, Red, Not rated."""
    return (BLUE_SERIES, *SERIES) if bars and "blue" in bars[0].counts else SERIES


def chart_description(bars: list[ChartBar], name: str = "RAG chart") -> str:
    """The chart's figures in words: its alternative text for screen readers."""
    parts = [
        f"{bar.label}: "
        + ", ".join(f"{bar.counts.get(key, 0)} {LETTERS[key]}" for _, key, _ in chart_series(bars))
        for bar in bars
    ]
    if chart_series(bars) != SERIES:
        name = name.replace("RAG chart", "BRAG chart")
    return f"{name}. " + "; ".join(parts) + "."


@dataclass(frozen=True)
class ChartPlace:
    """A chart to put where the template printed ``marker``: its bars, kind, title and height."""

    marker: str
    bars: list[ChartBar]
    title: str
    columns: bool = False  # stacked columns (the trend) instead of stacked bars
    height_cm: float | None = None

    @property
    def height(self) -> int:
        return round((self.height_cm or FRAME_CM + ROW_CM * len(self.bars)) * EMU_PER_CM)


def report_charts(context: dict) -> list[ChartPlace]:
    """The report's charts: the RAG chart by section, and the trend when there are earlier reports to show."""
    return [
        ChartPlace(MARKER, chart_bars(context), "RAG chart"),
        ChartPlace(
            TREND_MARKER,
            trend_bars(context),
            "Trend chart",
            columns=True,
            height_cm=TREND_HEIGHT_CM,
        ),
    ]


def chart_parts(bars: list[ChartBar], columns: bool = False) -> tuple[bytes, bytes]:
    """The chart part's XML (``c:chartSpace``, series in the RAG colours) and its embedded workbook (.xlsx)."""
    from lxml import etree
    from pptx.chart.chart import Chart
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.oxml import parse_xml
    from pptx.util import Pt

    data = CategoryChartData(number_format="0")
    data.categories = [bar.label for bar in bars]
    series = chart_series(bars)
    for name, key, _ in series:
        data.add_series(name, [bar.counts.get(key, 0) for bar in bars])
    kind = XL_CHART_TYPE.COLUMN_STACKED if columns else XL_CHART_TYPE.BAR_STACKED
    space = parse_xml(ChartXmlWriter(kind, data).xml.encode("utf-8"))
    chart = Chart(space, None)
    chart.font.size, chart.font.name = Pt(8), "Arial"
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = (
        "0;;;",
        False,
    )  # a segment of 0 shows no label
    labels.font.bold = True
    for drawn, (_, _, fill) in zip(plot.series, series):
        drawn.format.fill.solid()
        drawn.format.fill.fore_color.rgb = RGBColor.from_string(fill)
        drawn.format.line.color.rgb = RGBColor(0, 0, 0)
        drawn.format.line.width = Pt(0.5)
    if not columns:
        chart.category_axis.reverse_order = (
            True  # the first section at the top, as in the table below it
        )
        chart.category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # and the scale still below the bars
    chart.value_axis.has_major_gridlines = True
    if max((sum(bar.counts.get(key, 0) for _, key, _ in SERIES) for bar in bars), default=0) <= 10:
        chart.value_axis.major_unit = 1  # whole actions: no 0.5 steps on a small plan
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = "Number of actions"
    return etree.tostring(
        space, xml_declaration=True, encoding="UTF-8", standalone=True
    ), data.xlsx_blob


def place_charts(document, charts: list[ChartPlace]) -> int:
    """Replace each chart marker in the filled document's body by its chart; return how many were placed."""
    return sum(_place(document, chart) for chart in charts)


def _place(document, chart: ChartPlace) -> int:
    """Replace each of one chart's markers in the filled document's body by the chart.

    Each place gets its own chart part (related from the document part) and embedded workbook (related from the
    chart part, as Word does), an inline drawing sized to the bars, and alternative text with the figures.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.part import Part, XmlPart
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsmap, qn
    from lxml import etree

    body = document.element.body
    marker = chart.marker
    # a plain walk over the text elements: XPath's contains() fails outright on very large documents (lxml's
    # "XPathEvalError: unknown error" on a 100,000-action report)
    texts = [t for t in body.iter(qn("w:t")) if t.text and marker in t.text]
    if not texts:
        return 0
    xml, xlsx = chart_parts(chart.bars, chart.columns)
    description = chart_description(chart.bars, chart.title)
    package, main = document.part.package, document.part
    ids = [int(i) for i in (e.get("id") or "" for e in body.iter(qn("wp:docPr"))) if i.isdigit()]
    next_id = max(ids, default=0) + 1
    height = chart.height
    for text in texts:
        workbook = Part(
            package.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx"),
            XLSX_TYPE,
            xlsx,
            package,
        )
        space = etree.fromstring(xml)
        chart_part = XmlPart(
            package.next_partname("/word/charts/chart%d.xml"), CHART_TYPE, space, package
        )
        external = etree.SubElement(
            space, qn("c:externalData"), {qn("r:id"): chart_part.relate_to(workbook, RT.PACKAGE)}
        )
        etree.SubElement(external, qn("c:autoUpdate"), val="0")
        inline = parse_xml(
            _INLINE.format(
                wp=nsmap["wp"],
                a=nsmap["a"],
                c=CHART_URI,
                r=nsmap["r"],
                cx=round(WIDTH_CM * EMU_PER_CM),
                cy=height,
                id=next_id,
                rid=main.relate_to(chart_part, RT.CHART),
            )
        )
        inline.find(qn("wp:docPr")).set("descr", description)
        inline.find(qn("wp:docPr")).set("title", chart.title)
        next_id += 1
        before, _, after = (text.text or "").partition(marker)
        run = text.getparent()
        text.text = before
        drawing_run = etree.SubElement(run.getparent(), qn("w:r"))
        run.addnext(drawing_run)
        etree.SubElement(drawing_run, qn("w:drawing")).append(inline)
        if after:
            tail = etree.SubElement(run.getparent(), qn("w:r"))
            drawing_run.addnext(tail)
            etree.SubElement(
                tail, qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}
            ).text = after
    return len(texts)
