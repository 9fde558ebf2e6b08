"""Generate the starting Word template for the committee report (templates/committee_report.docx).

Run once, then hand the .docx to the policy team: from then on they edit it in Word (wording, styles, logo,
the fixed implications text) and this script is only a record of how the first version was made. It writes
real Word structures: Heading styles, a portrait cover report and a landscape appendix, table header rows that
repeat on every page, rows that do not split, RAG cells coloured by a docxtpl ``{% cellbg %}`` tag, page
numbers in the footer. Placeholders are docxtpl (Jinja) tags typed as visible text; the README lists them.

    python templates/source/make_template.py     # writes templates/committee_report.docx
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Arial"
BLACK = RGBColor(0, 0, 0)
HEADER_FILL = "D9D9D9"
GROUP_FILL = "F2F2F2"
LABEL_FILL = "F2F2F2"
PORTRAIT_TEXT_CM = 21.0 - 2 * 2.25
LANDSCAPE_TEXT_CM = 29.7 - 2 * 2.0
# The key to the rating letters, in the plan's scheme: "Key: G (green) completed by deadline; A (amber) ...". Every
# rating's letter, name and words come from the context's ``scheme`` (workbook.plan.schemes), never from here.
RAG_KEY = "{{ scheme.key }}"

# --------------------------------------------------------------------------------------------------- styles


def _fonts(style, size: float, bold: bool | None = None, italic: bool | None = None) -> None:
    """Arial at the size given, black, British English; theme fonts removed so the font really applies."""
    font = style.font
    font.name, font.size, font.color.rgb = FONT, Pt(size), BLACK
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:cs"), FONT)
    fonts.set(qn("w:eastAsia"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-GB")


def british_english(doc) -> None:
    """The document's own language is British English (the default run language and the theme's): Word's
    proofing and the PDF's /Lang follow it (python-docx's default template says en-US)."""
    lang = doc.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )
    if lang is not None:
        lang.set(qn("w:val"), "en-GB")
        lang.set(qn("w:eastAsia"), "en-GB")
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), "en-GB")


def setup_styles(doc) -> None:
    """Council house style: Arial, black headings, numbered paragraphs with a hanging indent, compact table text."""
    british_english(doc)
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, 11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (
        ("Heading 1", 13),
        ("Heading 2", 12),
        ("Heading 3", 11.5),
        ("Heading 4", 11),
    ):
        style = styles[name]
        _fonts(style, size, bold=True, italic=False)
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 9)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    _fonts(styles["Title"], 16, bold=True)
    _fonts(styles["List Bullet"], 11)
    styles["List Bullet"].paragraph_format.space_after = Pt(3)

    def custom(name: str, size: float, **kwargs):
        style = styles.add_style(name, 1)  # WD_STYLE_TYPE.PARAGRAPH
        style.base_style = normal
        style.quick_style = True
        _fonts(style, size, bold=kwargs.get("bold"), italic=kwargs.get("italic"))
        return style

    numbered = custom("Numbered Para", 11)
    numbered.paragraph_format.left_indent = Cm(1.27)
    numbered.paragraph_format.first_line_indent = Cm(-1.27)
    numbered.paragraph_format.tab_stops.add_tab_stop(Cm(1.27))
    numbered.paragraph_format.space_after = Pt(8)
    sub = custom("Numbered Sub", 11)
    sub.paragraph_format.left_indent = Cm(2.54)
    sub.paragraph_format.first_line_indent = Cm(-1.27)
    sub.paragraph_format.tab_stops.add_tab_stop(Cm(2.54))
    sub.paragraph_format.space_after = Pt(6)
    indented = custom("Body Indent", 11)
    indented.paragraph_format.left_indent = Cm(1.27)
    indented.paragraph_format.space_after = Pt(8)
    table_text = custom("Table Text", 9.5)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    table_heading = custom("Table Heading", 9.5, bold=True)
    table_heading.base_style = table_text
    key = custom("Key", 8.5, italic=True)
    key.paragraph_format.space_before = Pt(3)
    custom("Subtitle Line", 12, bold=True)
    caption = custom("Figure Caption", 9, italic=True)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    label = custom("Label", 11, bold=True)
    label.paragraph_format.space_before = Pt(6)
    label.paragraph_format.space_after = Pt(3)
    label.paragraph_format.keep_with_next = True
    footer = styles["Footer"]
    _fonts(footer, 8.5)
    footer.paragraph_format.tab_stops.clear_all()  # the footer paragraphs set their own right tab per orientation
    header = styles["Header"]
    _fonts(header, 8.5)


# --------------------------------------------------------------------------------------------------- paragraphs


def para(doc, text: str = "", style: str | None = None, *, bold: bool = False, align=None):
    """A paragraph with one run of text (placeholders are typed as they read)."""
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
    if align is not None:
        p.alignment = align
    return p


# Word's own list numbering (a numbering part definition, not typed numbers): the cover report's headings are
# 1., 2., ...; its paragraphs 1.1, 1.2 ... restart under each heading; sub-items i), ii) under a paragraph. The
# appendix's headings have their own list. Adding, removing or moving a paragraph in Word renumbers the rest.
COVER_LIST, APPENDIX_LIST = "cover", "appendix"
_LEVELS = {  # list -> levels: (format, text, left indent in twentieths of a point)
    COVER_LIST: (("decimal", "%1.", 720), ("decimal", "%1.%2", 720), ("lowerRoman", "%3)", 1440)),
    APPENDIX_LIST: (("decimal", "%1.", 567),),
}


def add_numbering(doc) -> dict[str, int]:
    """Define the report's two numbered lists in the document's numbering part (abstractNum and num), after the
    lists Word's default template already has; return each list's numId."""
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    used_nums = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    used_abstracts = [
        int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))
    ]
    ids = {}
    for offset, (list_name, levels) in enumerate(_LEVELS.items(), start=1):
        abstract_id = str(max(used_abstracts, default=0) + offset)
        ids[list_name] = list_id = max(used_nums, default=0) + offset
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), abstract_id)
        kind = OxmlElement("w:multiLevelType")
        kind.set(qn("w:val"), "multilevel" if len(levels) > 1 else "singleLevel")
        abstract.append(kind)
        for level, (fmt, text, indent) in enumerate(levels):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(level))
            for tag_name, value in (
                ("w:start", "1"),
                ("w:numFmt", fmt),
                ("w:lvlText", text),
                ("w:lvlJc", "left"),
            ):
                element = OxmlElement(tag_name)
                element.set(qn("w:val"), value)
                lvl.append(element)
            ppr = OxmlElement("w:pPr")
            tabs = OxmlElement("w:tabs")
            tab_stop = OxmlElement("w:tab")
            tab_stop.set(qn("w:val"), "num")
            tab_stop.set(qn("w:pos"), str(indent))
            tabs.append(tab_stop)
            ppr.append(tabs)
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(indent))
            ind.set(qn("w:hanging"), str(720 if indent > 720 else indent))
            ppr.append(ind)
            lvl.append(ppr)
            abstract.append(lvl)
        if first_num is not None:
            first_num.addprevious(abstract)  # the schema puts every abstractNum before the nums
        else:
            numbering.append(abstract)
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(list_id))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), abstract_id)
        num.append(ref)
        numbering.append(num)
    _LIST_IDS.update(ids)
    return ids


_LIST_IDS: dict[str, int] = {}  # filled by add_numbering for the document being made


def _number(ppr, list_name: str, level: int) -> None:
    """Put a paragraph (or a paragraph style's properties) on a level of one of the report's lists."""
    num_pr = ppr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = _LIST_IDS[list_name]


def number_styles(doc) -> None:
    """The numbered paragraph styles carry their list level, so a paragraph given the style in Word is numbered."""
    _number(doc.styles["Numbered Para"].element.get_or_add_pPr(), COVER_LIST, 1)
    _number(doc.styles["Numbered Sub"].element.get_or_add_pPr(), COVER_LIST, 2)


def heading(doc, text: str, level: int = 1, list_name: str = COVER_LIST):
    """A heading (Heading 1 or 2 style), numbered by Word on one of the report's lists."""
    p = para(doc, text, f"Heading {level}")
    _number(p._p.get_or_add_pPr(), list_name, 0)
    return p


def numbered(doc, text: str):
    """A numbered paragraph of the cover report (1.1, 1.2 ...: Word numbers it)."""
    return para(doc, text, "Numbered Para")


def bullet(doc, text: str, indent_cm: float = 1.9):
    """A bullet, indented under the numbered paragraphs, the text aligned after the bullet on every line."""
    p = para(doc, text, "List Bullet")
    p.paragraph_format.left_indent = Cm(indent_cm)
    p.paragraph_format.first_line_indent = Cm(-0.63)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(indent_cm))
    return p


def bullet_loop(
    doc, loop: str, text: str, indent_cm: float = 1.9, empty: str = "None recorded."
) -> None:
    """One bullet repeated for every item of a list (``loop`` is 'b in r.outcomes'), or ``empty`` when it is empty."""
    items = loop.partition(" in ")[2]
    tag(doc, f"{{%p for {loop} %}}")
    bullet(doc, text, indent_cm)
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p if not {items} %}}")
    if indent_cm >= 1.9:
        bullet(doc, empty, indent_cm)
    else:
        para(doc, empty)
    tag(doc, "{%p endif %}")


def untab_bullets(doc) -> None:
    """Drop the bullet list's fixed tab (0.63 cm) so the text follows the paragraph's own hanging indent."""
    numbering = doc.part.numbering_part.element
    num_id = doc.styles["List Bullet"].element.pPr.numPr.numId.val
    abstract_ids = {
        num.find(qn("w:abstractNumId")).get(qn("w:val"))
        for num in numbering.findall(qn("w:num"))
        if num.get(qn("w:numId")) == str(num_id)
    }
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) in abstract_ids:
            for tabs in list(abstract.iter(qn("w:tabs"))):
                tabs.getparent().remove(tabs)


def tag(doc, text: str):
    """A paragraph holding only a docxtpl block tag ({%p ... %}); docxtpl removes it when rendering."""
    return para(doc, text)


def field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) with the text shown until Word or LibreOffice updates it."""

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")


# --------------------------------------------------------------------------------------------------- tables


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _row_flags(row, header: bool = False) -> None:
    """Rows never split across pages; header rows repeat at the top of every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _write(
    cell,
    text: str,
    style: str = "Table Text",
    *,
    bold: bool = False,
    center: bool = False,
    keep_with_next: bool = False,
) -> None:
    p = cell.paragraphs[0]
    p.style = style
    if text:
        run = p.add_run(text)
        run.bold = bold or None
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if keep_with_next:
        p.paragraph_format.keep_with_next = True


class Table:
    """A fixed-layout table built row by row: header rows, data rows, docxtpl tag rows and merged group rows."""

    def __init__(self, doc, widths_cm: list[float]) -> None:
        self.widths = [Cm(w) for w in widths_cm]
        self.table = doc.add_table(rows=0, cols=len(widths_cm))
        self.table.style = doc.styles["Table Grid"]
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False
        tblpr = (
            self.table._tbl.tblPr
        )  # autofit False above wrote <w:tblLayout w:type="fixed"/> in its place
        margins = OxmlElement("w:tblCellMar")
        for side, width in (
            ("top", 40),
            ("left", 85),
            ("bottom", 40),
            ("right", 85),
        ):  # schema order
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:w"), str(width))
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        look = tblpr.find(qn("w:tblLook"))  # the schema puts cell margins before tblLook
        if look is not None:
            look.addprevious(margins)
        else:
            tblpr.append(margins)
        for column, width in zip(self.table.columns, self.widths):
            column.width = width

    def _row(self):
        row = self.table.add_row()
        for cell, width in zip(row.cells, self.widths):
            cell.width = width
        return row

    def header(self, *texts: str, center: tuple[int, ...] = ()) -> None:
        row = self._row()
        _row_flags(row, header=True)
        for i, (cell, text) in enumerate(zip(row.cells, texts)):
            _write(cell, text, "Table Heading", center=i in center)
            _shade(cell, HEADER_FILL)

    def row(
        self,
        *texts: str,
        rag: int | None = None,
        center: tuple[int, ...] = (),
        labels: tuple[int, ...] = (),
    ):
        """A data row; column ``rag`` holds a RAG letter coloured by ``{% cellbg %}``; ``labels`` are shaded, bold."""
        row = self._row()
        _row_flags(row)
        for i, (cell, text) in enumerate(zip(row.cells, texts)):
            _write(
                cell,
                text,
                "Table Heading" if i in labels else "Table Text",
                bold=(i == rag),
                center=(i == rag or i in center),
            )
            if i in labels:
                _shade(cell, LABEL_FILL)
        return row

    def tag(self, text: str) -> None:
        """A row holding only a docxtpl row tag ({%tr for ... %}); docxtpl replaces the whole row."""
        row = self._row()
        _row_flags(row)
        _write(row.cells[0], text)

    def group(self, text: str) -> None:
        """A row merged across the table: a section title inside a long table, kept with the row below."""
        row = self._row()
        _row_flags(row)
        merged = row.cells[0].merge(row.cells[-1])
        _write(merged, text, "Table Heading", keep_with_next=True)
        _shade(merged, GROUP_FILL)

    def keep_together(self) -> None:
        """Keep a short table on one page: every row but the last is kept with the next."""
        for row in self.table.rows[:-1]:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True

    def merge_last(self, start: int) -> None:
        """Merge the last row's cells from ``start`` to the end (a wide value beside a label)."""
        cells = self.table.rows[-1].cells
        cells[start].merge(cells[-1])


def after_table(doc) -> None:
    """A small gap after a table (Word needs a paragraph between consecutive tables anyway)."""
    p = para(doc)
    p.paragraph_format.space_after = Pt(2)


# --------------------------------------------------------------------------------------------------- page


def merge_section_break(doc) -> None:
    """Carry the section break on the cover report's last paragraph instead of an empty paragraph of its own,
    which would spill onto a blank page whenever the cover report fills its last page."""
    body = doc.element.body
    holder = body.findall(qn("w:p"))[-1]
    sect_pr = holder.pPr.find(qn("w:sectPr"))
    previous = holder.getprevious()
    previous.get_or_add_pPr().append(sect_pr)
    body.remove(holder)


def page_setup(section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long_side, short_side = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (
        (long_side, short_side) if landscape else (short_side, long_side)
    )
    margin = Cm(2.0 if landscape else 2.25)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)


def header_footer(section, text_width_cm: float) -> None:
    """Council name in the header; report title and meeting date left, 'Page N of M' right in the footer."""
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.style = "Header"
    header.text = "{{ council }} Council"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.style = "Footer"
    footer.paragraph_format.tab_stops.clear_all()
    footer.paragraph_format.tab_stops.add_tab_stop(Cm(text_width_cm - 0.02), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(
        "{{ title }}{% if committee %}: {{ committee }}{% endif %}, {{ meeting_date }}\tPage "
    )
    field(footer, "PAGE", "1")
    footer.add_run(" of ")
    field(footer, "NUMPAGES", "1")


# --------------------------------------------------------------------------------------------------- charts
# The two native charts the report fills (report_builder.chart): real Word charts, each a chart part with its
# embedded workbook, written once here by python-pptx (its ChartXmlWriter and XlsxWriter) with sample figures in
# the RAG scheme's series and colours. The report keeps their styling and writes the plan's figures; they are known
# by their drawings' titles, "RAG chart" and "Trend chart".

CHART_WIDTH_CM, CHART_ROW_CM, CHART_FRAME_CM, TREND_HEIGHT_CM = 24.0, 0.85, 2.6, 8.0
SAMPLE_BARS = (  # the sample figures the policy team sees in Word: G, A, R, NR
    ("A. First section", (16, 9, 7, 0)),
    ("B. Second section", (3, 1, 0, 0)),
    ("C. Third section", (18, 0, 6, 1)),
    ("Whole plan", (37, 10, 13, 1)),
)
SAMPLE_TREND = (
    ("Last report (30/06/16)", (29, 29, 2, 1)),
    ("This report (30/09/16)", (37, 10, 13, 1)),
)
_INLINE = (
    '<wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{wp}" xmlns:a="{a}" xmlns:c="{c}" xmlns:r="{r}">'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
    '<wp:docPr id="{id}" name="{title}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="{c}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline>'
)


def chart_parts(bars, columns: bool = False) -> tuple[bytes, bytes]:
    """A chart part's XML (``c:chartSpace``, series in the RAG colours) and its embedded workbook (.xlsx)."""
    from lxml import etree
    from pptx.chart.chart import Chart
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.oxml import parse_xml
    from pptx.util import Pt as PptPt

    from ofsted_tracker.report_builder.chart import scheme_series
    from ofsted_tracker.workbook.plan.schemes import RAG

    series = scheme_series(RAG)
    data = CategoryChartData(number_format="0")
    data.categories = [label for label, _ in bars]
    for i, one in enumerate(series):
        data.add_series(one.name, [counts[i] for _, counts in bars])
    kind = XL_CHART_TYPE.COLUMN_STACKED if columns else XL_CHART_TYPE.BAR_STACKED
    space = parse_xml(ChartXmlWriter(kind, data).xml.encode("utf-8"))
    chart = Chart(space, None)
    chart.font.size, chart.font.name = PptPt(8), FONT
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = "0;;;", False  # a 0 shows no label
    labels.font.bold = True
    for drawn, one in zip(plot.series, series):
        drawn.format.fill.solid()
        drawn.format.fill.fore_color.rgb = RGBColor.from_string(one.fill)
        drawn.format.line.color.rgb = RGBColor(0, 0, 0)
        drawn.format.line.width = PptPt(0.5)
    if not columns:
        chart.category_axis.reverse_order = True  # the first section at the top, as in the table
        chart.category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # and the scale still below the bars
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = "Number of actions"
    xml = etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)
    return xml, data.xlsx_blob


def chart_paragraph(doc, title: str, bars, columns: bool = False, height_cm: float | None = None):
    """A centred paragraph holding a native chart (its own chart part and workbook) titled ``title``."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsmap

    from ofsted_tracker.report_builder.chart import C_NS, add_chart_parts

    xml, xlsx = chart_parts(bars, columns)
    main = doc.part
    part = add_chart_parts(main.package, xml, xlsx)
    ids = [int(i) for i in doc.element.body.xpath(".//wp:docPr/@id") if i.isdigit()]
    height = height_cm or CHART_FRAME_CM + CHART_ROW_CM * len(bars)
    inline = parse_xml(
        _INLINE.format(
            wp=nsmap["wp"],
            a=nsmap["a"],
            c=C_NS,
            r=nsmap["r"],
            cx=round(CHART_WIDTH_CM * 360000),
            cy=round(height * 360000),
            id=max(ids, default=0) + 1,
            title=title,
            rid=main.relate_to(part, RT.CHART),
        )
    )
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("title", title)
    doc_pr.set("descr", f"{title}: the plan's figures are written in when the report is built.")
    p = para(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = p.add_run()
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    run._r.append(drawing)
    return p


# --------------------------------------------------------------------------------------------------- content


def cover(doc) -> None:
    """The cover table and the cover report, its headings and paragraphs numbered by Word."""
    t = Table(doc, [3.4, 5.6, 2.4, 5.1])
    for label, value in (
        ("Committee", "{{ committee }}"),
        ("Title", "{{ title }}"),
        ("Wards", "{{ wards }}"),
        ("Contributors", "{{ contributors }}"),
    ):
        t.row(label, value, "", "", labels=(0,))
        t.merge_last(1)
    t.row("Class", "{{ report_class }}", "Date", "{{ meeting_date }}", labels=(0, 2))
    after_table(doc)

    heading(doc, "Introduction")
    numbered(
        doc,
        "This report sets out the progress {% if council %}{{ council }} Council{% else %}the council{% endif %} "
        "has made to date in implementing the improvement plan{% if plan_origin %} which was developed "
        "following {{ plan_origin }}{% endif %}.",
    )
    numbered(
        doc,
        "A progress monitoring update for {{ period.title }} ({{ period.months }}), with figures as at "
        "{{ as_at }}, is attached to this report as an Appendix.",
    )
    data_quality(doc)

    heading(doc, "Recommendations")
    numbered(doc, "The {{ committee or 'committee' }} is recommended to:")
    para(doc, "Note and comment on the contents of this report; and", "Numbered Sub")
    para(
        doc,
        "{% if revisions_count %}Note the extension of {{ revisions_count|counted('target completion date') }} "
        "as set out under 'Deadline revisions' below.{% else %}Note that no target completion dates were "
        "extended in this reporting period.{% endif %}",
        "Numbered Sub",
    )

    heading(doc, "Policy context")
    tag(doc, "{%p if ilacs %}")
    numbered(
        doc,
        "The purpose of an Ofsted inspection is to assure children and young people, parents, the public, "
        "local authorities and government of the quality and standard of the service provided. This "
        "inspection was conducted under s136 Education and Inspections Act 2006.",
    )
    tag(doc, "{%p endif %}")
    numbered(doc, "{{ policy_context }}")
    numbered(
        doc,
        "Progress monitoring for the {{ plan_title }} is subdivided into {% if periods_count == 'one' %}"
        "a single reporting period: {% else %}{{ periods_count }} reporting periods as follows: {% endif %}"
        "{{ periods_text }}.",
    )
    tag(doc, "{%p if period.due %}")
    numbered(
        doc,
        "The appended report contains detailed information on progress against the "
        "{{ period.due|counted('action') }} due for completion during this reporting period, that is with "
        "a target completion date from {{ period.start }} to {{ period.end }}. Each action is judged "
        "against that target date, as follows:",
    )
    bullet(
        doc,
        "Actions completed by the target completion date are rated '{{ period.completed_rating.colour }}' "
        "({{ period.completed_rating.letter }})",
    )
    bullet(
        doc,
        "Actions not completed by the target completion date are rated "
        "'{{ period.not_completed_rating.colour }}' ({{ period.not_completed_rating.letter }}), including "
        "those whose target date has since been extended",
    )
    tag(doc, "{%p if period.not_yet_due %}")
    bullet(
        doc,
        "Actions whose target completion date is still to come are {{ period.not_yet_due_rated }}",
    )
    tag(doc, "{%p endif %}")
    numbered(
        doc,
        "The table below provides a snapshot of progress for {{ period.title }} ({{ period.months }}) "
        "as at {{ as_at }}.",
    ).paragraph_format.keep_with_next = True
    t = Table(doc, [12.0, 3.0])
    t.header("Criteria", "Number", center=(1,))
    t.row("Total number of actions due for completion this period", "{{ period.due }}", center=(1,))
    t.row("Actions completed by deadline", "{{ period.completed }}", center=(1,))
    t.row("Actions not completed by deadline", "{{ period.not_completed }}", center=(1,))
    t.tag("{%tr if period.not_yet_due %}")
    t.row(
        "Actions not yet due (target date still to come)", "{{ period.not_yet_due }}", center=(1,)
    )
    t.tag("{%tr endif %}")
    t.keep_together()
    after_table(doc)
    tag(doc, "{%p if period.completed_actions %}")
    numbered(
        doc,
        "Actions completed by deadline during this reporting period ({{ period.completed|words }} of "
        "{{ period.due|words }}):",
    )
    tag(doc, "{%p for a in period.completed_actions %}")
    bullet(doc, "{{ a.text }} ({{ a.ref }})")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if period.not_completed_actions %}")
    numbered(
        doc,
        "Actions not completed by deadline during this reporting period ({{ period.not_completed|words }} "
        "of {{ period.due|words }}):",
    )
    tag(doc, "{%p for a in period.not_completed_actions %}")
    bullet(doc, "{{ a.text }} ({{ a.ref }}: {{ a.note }})")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if period.not_yet_due_actions %}")
    numbered(
        doc,
        "Actions due later in this reporting period ({{ period.not_yet_due|words }} of "
        "{{ period.due|words }}):",
    )
    tag(doc, "{%p for a in period.not_yet_due_actions %}")
    bullet(doc, "{{ a.text }} ({{ a.ref }}: {{ a.note }})")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    numbered(
        doc,
        "No action of the plan had a target completion date in {{ period.title }} ({{ period.months }}), "
        "so none was due for completion in this reporting period.",
    )
    tag(doc, "{%p endif %}")
    numbered(
        doc,
        "For completeness, the table below summarises progress against {% if overall.total == 1 %}the one "
        "action{% else %}all {{ overall.total|words }} actions{% endif %} in the improvement plan as at {{ as_at }}. This additional information is provided to "
        "give an overall view with regard to direction of travel. The classification for this dashboard "
        "includes: {{ scheme.amber.described }} (rated '{{ scheme.amber.colour }}') and "
        "{{ scheme.red.described }} (rated '{{ scheme.red.colour }}').",
    ).paragraph_format.keep_with_next = True
    t = Table(doc, [12.0, 3.0])
    t.header("Criteria", "Number", center=(1,))
    t.row("Total number of actions in the improvement plan", "{{ overall.total }}", center=(1,))
    t.tag("{%tr if scheme.extra %}")
    t.row("{{ scheme.extra.row }}", "{{ overall.extra }}", center=(1,))
    t.tag("{%tr endif %}")
    t.row("{{ scheme.green.row }}", "{{ overall.completed }}", center=(1,))
    t.row("{{ scheme.amber.row }}", "{{ overall.ongoing }}", center=(1,))
    t.row("{{ scheme.red.row }}", "{{ overall.not_completed }}", center=(1,))
    t.tag("{%tr if overall.not_rated %}")
    t.row(
        "Actions that cannot be rated because they have no valid target date",
        "{{ overall.not_rated }}",
        center=(1,),
    )
    t.tag("{%tr endif %}")
    t.keep_together()
    after_table(doc)
    tag(doc, "{%p if recorded_differs %}")
    para(
        doc,
        "The ratings in this report are worked out from each action's target date and progress status as at "
        "{{ as_at }}. For {{ recorded_differs|counted('action') }} this differs from the rating recorded by "
        "officers:",
        "Body Indent",
    )
    tag(doc, "{%p for a in recorded_differs_actions %}")
    bullet(doc, "{{ a.text }} ({{ a.ref }}): {{ a.note }}.")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if undated_complete %}")
    para(
        doc,
        "Counted as {{ scheme.done }}, although the deadline typed is not a date, so whether it was met "
        "cannot be judged:",
        "Body Indent",
    )
    tag(doc, "{%p for a in undated_complete %}")
    bullet(doc, "{{ a.text }} ({{ a.ref }}: deadline typed as '{{ a.note }}')")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if revisions %}")
    numbered(
        doc,
        "It should be noted that in developing this plan, officers have been keen to expedite work on "
        "areas for improvement. However, in some instances and for differing reasons, the anticipated "
        "completion target dates have not been met. For these actions the quarterly report makes "
        "recommendations for the completion deadline to be extended and gives the reasons for the delay.",
    )
    numbered(
        doc,
        "The revisions are proposed with the agreement of the relevant action owner and on the "
        "understanding that the revised completion target date will be met by the time of the next agreed "
        "reporting period. They are set out under 'Deadline revisions' below.",
    )
    tag(doc, "{%p endif %}")

    direction_of_travel(doc)

    heading(doc, "Deadline revisions")
    tag(doc, "{%p if revisions %}")
    numbered(
        doc,
        "The {{ committee or 'committee' }} is invited to note the {{ revisions_count|counted('deadline revision') }} for "
        "improvement plan actions set out below.{% if revisions_agreed_by %} {% if revisions_count == 1 %}"
        "This revision was{% else %}These revisions were{% endif %} agreed by {{ revisions_agreed_by }}."
        "{% endif %}",
    ).paragraph_format.keep_with_next = True
    t = Table(doc, [1.2, 6.1, 2.0, 2.0, 5.2])
    t.header(
        "Ref",
        "Action",
        "Old deadline",
        "New deadline",
        "Reason for deadline revision",
        center=(2, 3),
    )
    t.tag("{%tr for r in revisions %}")
    t.row(
        "{{ r.ref }}",
        "{{ r.action }}",
        "{{ r.old }}",
        "{{ r.new }}",
        "{{ r.reason }}",
        center=(2, 3),
    )
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p else %}")
    numbered(doc, "No target completion dates were extended in this reporting period.")
    tag(doc, "{%p endif %}")

    heading(doc, "Legal implications")
    tag(doc, "{%p if ilacs %}")
    numbered(
        doc,
        "This inspection was conducted under s136 Education and Inspections Act 2006. Following the "
        "inspection a report must be provided to the Local Authority and published, containing any "
        "recommendations. The Local Authority, in its turn, must address those recommendations by way of "
        "an action plan, again ensuring that this is published, for ongoing audit by Ofsted.",
    )
    tag(doc, "{%p else %}")
    numbered(doc, "There are no legal implications arising directly from this report.")
    tag(doc, "{%p endif %}")
    heading(doc, "Financial implications")
    numbered(
        doc,
        "There are no direct revenue implications arising for this report. The improvement plan may "
        "identify that extra expenditure is required in the future. In the first instance this will be "
        "managed through the current {% if ilacs %}children's services{% else %}service{% endif %} budget. "
        "There are no capital implications from "
        "this report.",
    )
    heading(doc, "Crime and disorder implications")
    tag(doc, "{%p if ilacs %}")
    numbered(
        doc,
        "Section 17 of the Crime and Disorder Act 1998 places a duty on partners to do all they can to "
        "reasonably prevent crime and disorder in their area. The level of crime and its impact is "
        "influenced by the decisions and activities taken in the day-to-day of local bodies and "
        "organisations. The Local Authority as a responsible Authority has a key statutory role in "
        "contributing to reducing crime and improving the quality of life in their area.",
    )
    tag(doc, "{%p else %}")
    numbered(doc, "There are no crime and disorder implications arising directly from this report.")
    tag(doc, "{%p endif %}")
    heading(doc, "Equalities implications")
    numbered(doc, "{{ equalities_context }}")


def data_quality(doc) -> None:
    """When validation found errors: one plain paragraph saying how many the figures rest on (the annex lists them)."""
    tag(doc, "{%p if data_errors %}")
    numbered(
        doc,
        "The figures in this report rest on a tracker workbook with {{ data_errors|counted('error') }} "
        "not yet put right{% if data_warnings %} (and {{ data_warnings|counted('warning') }} to check)"
        "{% endif %}: values officers typed that could not be used as they stand, such as a deadline that "
        "is not a date. Officers have the cell-by-cell list on the tracker's Checks sheet.",
    )
    tag(doc, "{%p endif %}")


def direction_of_travel(doc) -> None:
    """The cover report's 'Direction of travel': the trend and what changed since the last report, by name."""
    heading(doc, "Direction of travel")
    numbered(doc, "{{ history_text }}{% if history_note %} {{ history_note }}{% endif %}")
    tag(doc, "{%p if has_history %}")
    numbered(
        doc,
        "The table below gives the plan's ratings at each report to date; the last row is this report.",
    ).paragraph_format.keep_with_next = True
    trend_table(doc, [2.6, 2.0, 1.6, 1.6, 1.6, 1.6, 1.6, 3.9])
    numbered(doc, "Since the last report ({{ since_last.period }}, as at {{ since_last.as_at }}):")
    since_last_bullets(doc)
    tag(doc, "{%p endif %}")


def trend_table(doc, widths: list[float]) -> None:
    """The trend: one row per report (period), its RAG counts and how many actions had a status meaning complete
    (Settings' words); a note under it when some rows were rated in another scheme."""
    t = Table(doc, widths)
    t.header(
        "Period",
        "As at",
        "Total",
        "{{ scheme.trend_green }}",
        "{{ scheme.amber.letter }}",
        "{{ scheme.red.letter }}",
        "NR",
        "{{ scheme.trend_last }}",
        center=(1, 2, 3, 4, 5, 6, 7),
    )
    t.tag("{%tr for p in trend %}")
    t.row(
        "{{ p.period }}",
        "{{ p.as_at }}",
        "{{ p.total }}",
        "{{ p.completed }}",
        "{{ p.ongoing }}",
        "{{ p.not_completed }}",
        "{{ p.not_rated }}",
        "{% if scheme.completed_apart %}{% if p.other_scheme %}–{% else %}{{ p.extra }}{% endif %}"
        "{% else %}{{ p.complete }}{% endif %}",
        center=(1, 2, 3, 4, 5, 6, 7),
    )
    t.tag("{%tr endfor %}")
    t.keep_together()
    after_table(doc)
    tag(doc, "{%p if trend_note %}")
    para(doc, "{{ trend_note }}")
    tag(doc, "{%p endif %}")


SINCE_LAST = (  # (list, label, bullet text)
    ("completed", "Completed", "{{ c.text }} ({{ c.ref }})"),
    (
        "turned_red",
        "Turned {{ scheme.red.name }} after a change to {% if since_last.turned_red|length == 1 %}its{% else %}their{% endif %} "
        "status, deadline or completion date",
        "{{ c.text }} ({{ c.ref }})",
    ),
    (
        "turned_red_deadline_passed",
        "Turned {{ scheme.red.name }} because {% if since_last.turned_red_deadline_passed|length == 1 %}its deadline{% else %}"
        "their deadlines{% endif %} passed",
        "{{ c.text }} ({{ c.ref }})",
    ),
    (
        "deadline_moved_again",
        "Deadline moved since the last report",
        "{{ c.text }} ({{ c.ref }}: {{ c.note }})",
    ),
)


def since_last_bullets(doc) -> None:
    """Each list of 'Since the last report' that has actions, counted and named; one sentence when none has."""
    for key, label, text in SINCE_LAST:
        tag(doc, f"{{%p if since_last.{key} %}}")
        para(
            doc, f"{label} ({{{{ since_last.{key}|length|words }}}}):", "Body Indent"
        ).paragraph_format.keep_with_next = True
        tag(doc, f"{{%p for c in since_last.{key} %}}")
        bullet(doc, text)
        tag(doc, "{%p endfor %}")
        tag(doc, "{%p endif %}")
    tag(doc, "{%p if not (" + " or ".join(f"since_last.{key}" for key, _, _ in SINCE_LAST) + ") %}")
    para(
        doc,
        "No action was completed, turned {{ scheme.red.name }} or had its deadline moved since the last "
        "report.",
        "Body Indent",
    )
    tag(doc, "{%p endif %}")


def appendix(doc) -> None:
    """The monitoring report: dashboards, chart, direction of travel, the period's actions, leads, recommendations."""
    w = LANDSCAPE_TEXT_CM
    para(doc, "Appendix: {{ plan_title }} monitoring report", "Heading 1")
    para(
        doc,
        "Monitoring Report: {{ period.title }} ({{ period.months }}), figures as at {{ as_at }}",
        "Subtitle Line",
    )
    heading(doc, "Introduction", 2, APPENDIX_LIST)
    para(
        doc,
        "This report brings together performance monitoring information for the {{ plan_title }}. The "
        "information contained in this report is made up of the following:",
    )
    for text in (
        "Progress dashboard for all actions to date",
        "{{ scheme.red.name }} actions: corrective action and forecast",
        "Direction of travel since the last report",
        "Progress summary for actions due in the current period",
        "Key leads and those responsible for actions",
        "Progress summary for all actions in the improvement plan",
    ):
        bullet(doc, text, 1.0)
    tag(doc, "{%p if data_errors %}")
    bullet(doc, "Annex: checks of the tracker workbook", 1.0)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if officers_annex and data_errors %}")
    bullet(doc, "Officers' annex: errors in the tracker workbook, cell by cell", 1.0)
    tag(doc, "{%p endif %}")
    para(doc, RAG_KEY, "Key")
    tag(doc, "{%p if uncommented_count %}")
    para(
        doc,
        "{% if unfinished_count == 1 %}The one action not yet complete has{% else %}Of the "
        "{{ unfinished_count|words }} {{ scheme.unfinished }}, {{ uncommented_count|words }} "
        "{% if uncommented_count == 1 %}has{% else %}have{% endif %}{% endif %} no progress commentary this "
        "period: "
        "{{ uncommented_actions }}.",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Progress dashboard for all actions to date", 2, APPENDIX_LIST)
    para(
        doc,
        "The table below provides an overview of all actions completed, in progress or slipped as at "
        "{{ as_at }}.",
    )
    # two versions of each table: with the scheme's fourth bucket (Blue, Completed) as its first rating, or without
    tag(doc, "{%p if scheme.extra %}")
    dashboard_tables(doc, ("extra", "green", "amber", "red"))
    tag(doc, "{%p else %}")
    dashboard_tables(doc, ("green", "amber", "red"))
    tag(doc, "{%p endif %}")
    # the chart after both tables: the tables fill the dashboard's page, the chart and its caption go together
    chart = chart_paragraph(doc, "RAG chart", SAMPLE_BARS)
    chart.paragraph_format.keep_with_next = True
    para(
        doc,
        "Figure 1: {{ scheme.name }} rating of the plan's actions by section and for the whole plan, as at "
        "{{ as_at }}.",
        "Figure Caption",
    )
    brag_and_red_actions(doc)
    listed_apart(doc)

    heading(doc, "Direction of travel since the last report", 2, APPENDIX_LIST)
    para(doc, "{{ history_text }}{% if history_note %} {{ history_note }}{% endif %}")
    tag(doc, "{%p if has_history %}")
    trend_table(doc, [5.0, 3.0] + [2.7] * 5 + [w - 8.0 - 5 * 2.7])
    para(
        doc,
        "Changes since the last report ({{ since_last.period }}, as at {{ since_last.as_at }}):",
        "Label",
    )
    since_last_bullets(doc)
    # the chart after the lists: they fill the page the trend table starts, the chart and caption go together
    chart = chart_paragraph(
        doc, "Trend chart", SAMPLE_TREND, columns=True, height_cm=TREND_HEIGHT_CM
    )
    chart.paragraph_format.keep_with_next = True
    para(
        doc,
        "Figure 2: {{ scheme.name }} rating of the plan's actions at each report to date.",
        "Figure Caption",
    )
    tag(doc, "{%p endif %}")

    heading(
        doc,
        "Progress summary for actions due in {{ period.title }} ({{ period.months }})",
        2,
        APPENDIX_LIST,
    )
    tag(doc, "{%p if period.groups %}")
    para(
        doc,
        "An action is due in this period when its original target completion date falls between "
        "{{ period.start }} and {{ period.end }}. Each is judged against that original date, so an action "
        "whose deadline has since been extended is shown as not completed by deadline, with its new date.",
    )
    t = Table(doc, [w / 3] * 3)
    t.header(
        "Number of actions due for completion this period",
        "Actions completed by deadline ({{ period.completed_rating.letter }})",
        "Actions not completed by deadline ({{ period.not_completed_rating.letter }})",
        center=(0, 1, 2),
    )
    t.row(
        "{{ period.due }}", "{{ period.completed }}", "{{ period.not_completed }}", center=(0, 1, 2)
    )
    after_table(doc)
    tag(doc, "{%p if period.not_yet_due %}")
    para(
        doc,
        "A further {{ period.not_yet_due|words }} of the {{ period.due|words }} actions "
        "{% if period.not_yet_due == 1 %}is{% else %}are{% endif %} not yet due: the target date is still to "
        "come (rated {{ period.not_yet_due_letters }} below).",
    )
    tag(doc, "{%p endif %}")
    t = Table(doc, [1.3, 7.2, 3.9, 1.5, 9.1, w - 23.0])  # the rating column fits "Rating"
    t.header(
        "Ref",
        "Action",
        "Action owner",
        "{{ scheme.column }}",
        "Progress summary",
        "Target completion deadline",
        center=(3,),
    )
    t.tag("{%tr for g in period.groups %}")
    t.group("{{ g.heading }}")
    t.tag("{%tr for a in g.rows %}")
    t.row(
        "{{ a.ref }}",
        "{{ a.text }}",
        "{{ a.owner }}",
        "{% cellbg a.fill %}{{ a.rag }}",
        "{{ a.progress }}",
        "{{ a.deadline }}",
        rag=3,
    )
    t.tag("{%tr endfor %}")
    t.tag("{%tr endfor %}")
    para(doc, RAG_KEY, "Key")
    tag(doc, "{%p else %}")
    para(
        doc,
        "No action of the plan had a target completion date between {{ period.start }} and {{ period.end }}.",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Key leads and those responsible for actions", 2, APPENDIX_LIST)
    t = Table(doc, [13.7, 9.0, 3.0])
    t.header("Job title", "Current post-holder", "Initials")
    t.tag("{%tr for l in leads %}")
    t.row("{{ l.job_title }}", "{{ l.name }}", "{{ l.initials }}")
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p if unknown_owners %}")
    para(
        doc,
        "Owners named on the Actions sheet who are not in this table are shown in this report as typed: "
        "{{ unknown_owners }}.",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Progress summary for all actions in the improvement plan", 2, APPENDIX_LIST)
    tag(doc, "{%p for s in sections %}")
    para(doc, "{{ s.heading }}", "Heading 3")
    tag(doc, "{%p for r in s.recommendations %}")
    tag(doc, "{%p if r.heading %}")
    para(doc, "{{ r.heading }}", "Heading 4")
    tag(doc, "{%p endif %}")
    para(doc, "{{ r.text }}", bold=True).paragraph_format.keep_with_next = True
    t = Table(doc, [4.0, w - 4.0])
    t.row("Lead:", "{{ r.lead }}", labels=(0,))
    t.row("Linked plan:", "{{ r.linked_plan }}", labels=(0,))
    t.row("Key partners:", "{{ r.partners }}", labels=(0,))
    t.keep_together()
    after_table(doc)
    para(doc, "a) Expected outcome (what will be different?)", "Label")
    bullet_loop(doc, "b in r.outcomes", "{{ b }}", 1.0)
    para(doc, "b) Success measures (how will we know?)", "Label")
    bullet_loop(doc, "b in r.measures", "{{ b }}", 1.0)
    para(doc, "c) Actions", "Label")
    # with a success measure column only when some action of the plan has one (Actions "What does success look like?")
    tag(doc, "{%p if success_measures %}")
    actions_table(doc, with_measure=True)
    tag(doc, "{%p else %}")
    actions_table(doc, with_measure=False)
    tag(doc, "{%p endif %}")
    para(doc, "Monitoring and impact", "Label")
    para(doc, "d) Action plan progress", "Label")
    tag(doc, "{%p if r.progress %}")
    para(doc, "{{ r.progress }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for e in r.exceptions %}")
    p = para(doc, "Action {{ e.ref }} ({{ e.rag_name }}): {{ e.text }}", bold=True)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_after = Pt(2)
    para(doc, "{{ e.commentary }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if r.uncommented %}")
    para(doc, "{{ r.uncommented }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not r.progress and not r.exceptions and not r.uncommented %}")
    para(doc, "All actions of this recommendation are {{ scheme.done }}.")
    tag(doc, "{%p endif %}")
    # e) and f) only when recorded (a blank is no filler "None recorded."), lettered on from d)
    tag(doc, "{%p if r.impact %}")
    para(doc, "e) Impact: data and commentary", "Label")
    para(doc, "{{ r.impact }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if r.further_action %}")
    para(
        doc, "{% if r.impact %}f{% else %}e{% endif %}) Recommendations for further action", "Label"
    )
    para(doc, "{{ r.further_action }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    annex(doc)


def actions_table(doc, with_measure: bool) -> None:
    """A recommendation's actions: ref, text, (what success looks like,) deadline, the progress status as the
    officer wrote it, owners and the rating cell (so ofsted-tracker import reads the report's appendix back whole)."""
    w = LANDSCAPE_TEXT_CM
    measure = ("What does success look like?",) if with_measure else ()
    widths = (
        [1.3, 8.4, 5.0, 2.8, 2.4, w - 21.4, 1.5]
        if with_measure
        else [1.3, 11.0, 2.8, 2.4, w - 19.0, 1.5]
    )
    rag = len(widths) - 1
    t = Table(doc, widths)
    t.header(
        "Ref",
        "Action",
        *measure,
        "Completion deadline",
        "Progress status",
        "By whom",
        "{{ scheme.column }}",
        center=(rag,),
    )
    t.tag("{%tr for a in r.actions %}")
    t.row(
        "{{ a.ref }}",
        "{{ a.text }}",
        *(("{{ a.success_measure }}",) if with_measure else ()),
        "{{ a.deadline }}",
        "{{ a.status }}",
        "{{ a.owner }}",
        "{% cellbg a.fill %}{{ a.rag }}",
        rag=rag,
    )
    t.tag("{%tr endfor %}")
    after_table(doc)


COUNT_KEYS = {"extra": "extra", "green": "completed", "amber": "ongoing", "red": "not_completed"}


def dashboard_tables(doc, buckets: tuple[str, ...]) -> None:
    """The appendix's dashboard: the whole plan by rating, then by section; one column per rating of the scheme,
    headed in its words (``scheme.green.heading``: "Actions completed by deadline (G)")."""
    w = LANDSCAPE_TEXT_CM
    n = len(buckets) + 2
    t = Table(doc, [w / n] * n)
    t.header(
        "Total number of actions in the improvement plan",
        *(f"{{{{ scheme.{b}.heading }}}}" for b in buckets),
        "Not rated (NR)",
        center=tuple(range(n)),
    )
    t.row(
        "{{ overall.total }}",
        *(f"{{{{ overall.{COUNT_KEYS[b]} }}}}" for b in buckets),
        "{{ overall.not_rated }}",
        center=tuple(range(n)),
    )
    after_table(doc)
    para(doc, "By section:", "Label")
    t = Table(doc, [w - n * 2.6] + [2.6] * n)
    centred = tuple(range(1, n + 1))
    t.header(
        "Section",
        "Total",
        *(f"{{{{ scheme.{b}.letter }}}}" for b in buckets),
        "NR",
        center=centred,
    )
    t.tag("{%tr for s in sections %}")
    t.row(
        "{{ s.heading }}",
        "{{ s.counts.total }}",
        *(f"{{{{ s.counts.{COUNT_KEYS[b]} }}}}" for b in buckets),
        "{{ s.counts.not_rated }}",
        center=centred,
    )
    t.tag("{%tr endfor %}")
    t.row(
        "Whole plan",
        "{{ overall.total }}",
        *(f"{{{{ overall.{COUNT_KEYS[b]} }}}}" for b in buckets),
        "{{ overall.not_rated }}",
        center=centred,
        labels=(0,),
    )
    after_table(doc)


def annex(doc) -> None:
    """When validation found errors: the Annex, a plain paragraph for members (how many checks failed, where
    officers find the list), then, only when asked for (report --officers-annex), the officers' annex listing every
    error with its cell in the workbook (the warnings are left to the workbook's Checks sheet)."""
    w = LANDSCAPE_TEXT_CM
    tag(doc, "{%p if data_errors %}")
    heading(doc, "Annex: checks of the tracker workbook", 2, APPENDIX_LIST)
    para(
        doc,
        "When the figures were computed, as at {{ as_at }}, {{ data_errors|counted('check') }} of the tracker "
        "workbook failed: values officers typed that could not be used as they stand, such as a deadline that "
        "is not a date. Each such action is counted in the way its check explains, until officers put the value "
        "right. Officers have the cell-by-cell list on the tracker's Checks sheet"
        "{% if data_warnings %}, with {{ data_warnings|counted('warning') }} to look at{% endif %}.",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if officers_annex and data_errors %}")
    para(
        doc, "Officers' annex: errors in the tracker workbook", "Heading 1"
    ).paragraph_format.page_break_before = True
    para(
        doc,
        "Each error with its cell in the workbook. Officers put each right in the cell named, then rebuild the "
        "report.",
    )
    t = Table(doc, [2.0, 3.2, 1.6, w - 6.8])
    t.header("Severity", "Cell", "Action", "What is wrong and how to put it right")
    t.tag("{%tr for f in findings %}")
    t.row("{{ f.severity }}", "{{ f.cell }}", "{{ f.action }}", "{{ f.message }}")
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p endif %}")


def brag_and_red_actions(doc) -> None:
    """The counts with Blue (only when the plan is rated BRAG) and the Red actions with their corrective action
    and forecast date (one sentence when there are none, never an empty table)."""
    w = LANDSCAPE_TEXT_CM
    # the scheme in words when it has a fourth bucket (the dashboard's tables above count it in its own column)
    tag(doc, "{%p if scheme.brag %}")
    para(doc, "Blue, Red, Amber, Green (BRAG)", "Heading 3")
    para(
        doc,
        "This plan is rated Blue, Red, Amber, Green. An action is rated {{ scheme.extra.name }} "
        "({{ scheme.extra.letter }}) when it is complete by its deadline and the evidence of its impact is "
        "recorded, that is, the change is embedded; a complete action without that evidence is rated "
        "{{ scheme.green.name }} ({{ scheme.green.letter }}).",
    )
    tag(doc, "{%p elif scheme.completed_apart %}")
    para(doc, "The rating scheme: {{ scheme.name }}", "Heading 3")
    para(
        doc,
        "This plan uses the {{ scheme.name }} rating scheme. Every action whose progress status means it is "
        "complete is rated {{ scheme.extra.name }} ({{ scheme.extra.letter }}), whatever its deadline. The "
        "others are rated {{ scheme.green.name }} ({{ scheme.green.letter }}): {{ scheme.green.meaning }}; "
        "{{ scheme.amber.name }} ({{ scheme.amber.letter }}): {{ scheme.amber.meaning }}; or "
        "{{ scheme.red.name }} ({{ scheme.red.letter }}): {{ scheme.red.meaning }}."
        "{% if scheme.days_behind %} The tolerance is {{ scheme.tolerance }} past the deadline in force."
        "{% endif %}",
    )
    tag(doc, "{%p endif %}")
    para(doc, "{{ scheme.red.name }} actions: corrective action and forecast", "Heading 3")
    tag(doc, "{%p if red_actions_planned %}")
    para(
        doc,
        "The {% if red_actions_planned|length == 1 %}action{% else %}actions{% endif %} rated "
        "{{ scheme.red.name }} ({{ scheme.red.letter }}) with a "
        "corrective action or a forecast date recorded: what is being done to bring "
        "{% if red_actions_planned|length == 1 %}it{% else %}each{% endif %} back on track and when it is now "
        "expected to be complete.",
    ).paragraph_format.keep_with_next = True
    t = Table(doc, [1.3, 7.6, 3.8, 2.6, w - 17.8, 2.5])
    t.header(
        "Ref",
        "Action (rated {{ scheme.red.name }})",
        "Action owner",
        "Deadline",
        "Corrective action",
        "Forecast date",
        center=(5,),
    )
    t.tag("{%tr for e in red_actions_planned %}")
    t.row(
        "{{ e.ref }}",
        "{{ e.text }}",
        "{{ e.owner }}",
        "{{ e.deadline }}",
        "{{ e.corrective_action }}",
        "{{ e.forecast }}",
        center=(5,),
    )
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if red_actions_unplanned %}")
    para(doc, "No corrective action or forecast date recorded for: {{ red_actions_unplanned }}.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not red_actions %}")
    para(doc, "No action is rated {{ scheme.red.name }}.")
    tag(doc, "{%p endif %}")


def _listed(doc, key: str, title: str, intro: str, widths, header, cells, **row) -> None:
    """One list of actions apart from the counts, under its heading, only when it has actions."""
    tag(doc, f"{{%p if {key} %}}")
    para(doc, title, "Heading 3")
    para(doc, intro).paragraph_format.keep_with_next = True
    t = Table(doc, widths)
    t.header(*header, center=row.get("center", ()) or ((row["rag"],) if "rag" in row else ()))
    t.tag(f"{{%tr for e in {key} %}}")
    t.row(*cells, **row)
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p endif %}")


def _one(key: str, single: str, plural: str) -> str:
    """A word chosen by how many actions the list holds."""
    return f"{{% if {key}|length == 1 %}}{single}{{% else %}}{plural}{{% endif %}}"


def listed_apart(doc) -> None:
    """The actions listed apart from the counts, each list only when it has actions: withdrawn (with their
    commentary), ongoing (no end date), completed late and rescheduled with approval."""
    w = LANDSCAPE_TEXT_CM
    gone, ongoing = "withdrawn_actions", "ongoing_actions"
    _listed(
        doc,
        gone,
        "Withdrawn actions",
        f"{_one(gone, 'This action was', 'These actions were')} withdrawn, superseded or merged: "
        f"{_one(gone, 'it is', 'they are')} in none of the counts above.",
        [1.3, 10.0, 3.2, w - 14.5],
        ("Ref", "Action", "Status", "Commentary"),
        ("{{ e.ref }}", "{{ e.text }}", "{{ e.status }}", "{{ e.commentary }}"),
    )
    _listed(
        doc,
        ongoing,
        "Ongoing actions (no end date)",
        f"{_one(ongoing, 'This action is', 'These actions are')} continuous: rated by "
        f"{_one(ongoing, 'its', 'their')} status alone and counted above in {_one(ongoing, 'its', 'their')} "
        "rating, never due in a period.",
        [1.3, w - 1.3 - 3.2 - 3.2 - 1.5, 3.2, 3.2, 1.5],
        ("Ref", "Action", "Deadline", "Status", "{{ scheme.column }}"),
        (
            "{{ e.ref }}",
            "{{ e.text }}",
            "{{ e.deadline }}",
            "{{ e.status }}",
            "{% cellbg e.fill %}{{ e.rag }}",
        ),
        rag=4,
    )
    _listed(
        doc,
        "completed_late_actions",
        "Completed late",
        "Counted {{ scheme.extra.name }} above, but completed after the deadline in force:",
        [1.3, w - 1.3 - 3.6 - 3.2, 3.6, 3.2],
        ("Ref", "Action", "Deadline", "Completed on"),
        ("{{ e.ref }}", "{{ e.text }}", "{{ e.deadline }}", "{{ e.completed_on }}"),
        center=(3,),
    )
    _listed(
        doc,
        "rescheduled_actions",
        "Rescheduled with approval",
        "Not complete, and rated against a deadline an approved revision moved:",
        [1.3, w - 1.3 - 3.6, 3.6],
        ("Ref", "Action", "Deadline"),
        ("{{ e.ref }}", "{{ e.text }}", "{{ e.deadline }}"),
    )


def make_template(path: Path) -> Path:
    """Write the starting template to ``path``."""
    doc = Document()
    setup_styles(doc)
    untab_bullets(doc)
    add_numbering(doc)
    number_styles(doc)
    first = doc.sections[0]
    page_setup(first, landscape=False)
    header_footer(first, PORTRAIT_TEXT_CM)
    cover(doc)
    second = doc.add_section(WD_SECTION.NEW_PAGE)
    merge_section_break(doc)
    page_setup(second, landscape=True)
    header_footer(second, LANDSCAPE_TEXT_CM)
    appendix(doc)
    props = doc.core_properties
    props.title = "Committee report template: improvement plan update"
    props.author = ""
    props.last_modified_by = ""
    props.comments = (
        "Template for ofsted-tracker: the placeholders in double braces are filled in from the tracker "
        "workbook; see 'The Word report' in the README."
    )  # properties are rendered too: no braces here
    props.language = "en-GB"
    props.revision = 1
    doc.save(path)
    return path


if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parent.parent / "committee_report.docx"
    )
    print(f"Wrote {make_template(target)}")
