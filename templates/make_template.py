"""Generate the starting Word template for the committee report (templates/committee_report.docx).

Run once, then hand the .docx to the policy team: from then on they edit it in Word (wording, styles, logo,
the fixed implications text) and this script is only a record of how the first version was made. It writes
real Word structures: Heading styles, a portrait cover report and a landscape appendix, table header rows that
repeat on every page, rows that do not split, RAG cells coloured by a docxtpl ``{% cellbg %}`` tag, page
numbers in the footer. Placeholders are docxtpl (Jinja) tags typed as visible text; the README lists them.

    python templates/make_template.py            # writes templates/committee_report.docx
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
RAG_KEY = ("Key: G (green) completed by deadline; A (amber) ongoing within deadline; R (red) not completed by "
           "deadline, or unlikely to be; NR (grey) not rated: no valid target date.")

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


def setup_styles(doc) -> None:
    """Council house style: Arial, black headings, numbered paragraphs with a hanging indent, compact table text."""
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, 11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Heading 1", 13), ("Heading 2", 12), ("Heading 3", 11.5), ("Heading 4", 11)):
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


def numbered(doc, number: str, text: str):
    """A numbered paragraph of the cover report: '3.4<tab>text'."""
    return para(doc, f"{number}\t{text}", "Numbered Para")


def bullet(doc, text: str, indent_cm: float = 1.9):
    """A bullet, indented under the numbered paragraphs, the text aligned after the bullet on every line."""
    p = para(doc, text, "List Bullet")
    p.paragraph_format.left_indent = Cm(indent_cm)
    p.paragraph_format.first_line_indent = Cm(-0.63)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(indent_cm))
    return p


def bullet_loop(doc, loop: str, text: str, indent_cm: float = 1.9, empty: str = "None recorded.") -> None:
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
    abstract_ids = {num.find(qn("w:abstractNumId")).get(qn("w:val"))
                    for num in numbering.findall(qn("w:num")) if num.get(qn("w:numId")) == str(num_id)}
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


def _write(cell, text: str, style: str = "Table Text", *, bold: bool = False, center: bool = False,
           keep_with_next: bool = False) -> None:
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
        tblpr = self.table._tbl.tblPr  # autofit False above wrote <w:tblLayout w:type="fixed"/> in its place
        margins = OxmlElement("w:tblCellMar")
        for side, width in (("top", 40), ("left", 85), ("bottom", 40), ("right", 85)):  # schema order
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

    def row(self, *texts: str, rag: int | None = None, center: tuple[int, ...] = (), labels: tuple[int, ...] = ()):
        """A data row; column ``rag`` holds a RAG letter coloured by ``{% cellbg %}``; ``labels`` are shaded, bold."""
        row = self._row()
        _row_flags(row)
        for i, (cell, text) in enumerate(zip(row.cells, texts)):
            _write(cell, text, "Table Heading" if i in labels else "Table Text",
                   bold=(i == rag), center=(i == rag or i in center))
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
    section.page_width, section.page_height = (long_side, short_side) if landscape else (short_side, long_side)
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
    footer.add_run("{{ title }}: {{ committee }}, {{ meeting_date }}\tPage ")
    field(footer, "PAGE", "1")
    footer.add_run(" of ")
    field(footer, "NUMPAGES", "1")


# --------------------------------------------------------------------------------------------------- content


def cover(doc) -> None:
    """The cover table and the numbered cover report, sections 1 to 8."""
    t = Table(doc, [3.4, 5.6, 2.4, 5.1])
    for label, value in (("Committee", "{{ committee }}"), ("Title", "{{ title }}"), ("Wards", "{{ wards }}"),
                         ("Contributors", "{{ contributors }}")):
        t.row(label, value, "", "", labels=(0,))
        t.merge_last(1)
    t.row("Class", "{{ report_class }}", "Date", "{{ meeting_date }}", labels=(0, 2))
    after_table(doc)

    para(doc, "1. Introduction", "Heading 1")
    numbered(doc, "1.1", "This report sets out progress made to date in implementing the improvement plan which was "
                         "developed following the statutory inspection of children's social care in {{ council }} "
                         "by Ofsted.")
    numbered(doc, "1.2", "A progress monitoring update for {{ period.title }} ({{ period.months }}), with figures as "
                         "at {{ as_at }}, is attached to this report as an Appendix.")

    para(doc, "2. Recommendations", "Heading 1")
    numbered(doc, "2.1", "The {{ committee }} is recommended to:")
    para(doc, "i)\tNote and comment on the contents of this report; and", "Numbered Sub")
    para(doc, "ii)\t{% if revisions_count %}Note the extension of {{ revisions_count }} target completion "
              "{% if revisions_count == 1 %}date{% else %}dates{% endif %} as set out in section 4 of this report."
              "{% else %}Note that no target completion dates were extended in this reporting period.{% endif %}",
         "Numbered Sub")

    para(doc, "3. Policy context", "Heading 1")
    numbered(doc, "3.1", "The purpose of an Ofsted inspection is to assure children and young people, parents, the "
                         "public, local authorities and government of the quality and standard of the service "
                         "provided. This inspection was conducted under s136 Education and Inspections Act 2006.")
    numbered(doc, "3.2", "The actions described in this report are consistent with the Council's corporate priorities "
                         "as set out in the Borough's Sustainable Community Strategy 2008-2020. In particular, the "
                         "proposals relate to the Council's priorities regarding young people's Achievement and "
                         "Involvement, Protection of Children and Community Leadership and Empowerment. The actions "
                         "are also in line with the Children and Young People's Plan 2015-18 and the four outcomes of "
                         "building resilience, staying safe, being healthy and active and raising achievement and "
                         "attainment.")
    numbered(doc, "3.3", "Progress monitoring for the {{ plan_title }} is subdivided into {{ periods_count }} "
                         "reporting periods as follows: {{ periods_text }}.")
    numbered(doc, "3.4", "The appended report contains detailed information on progress against the "
                         "{{ period.due }} actions due for completion during this reporting period, that is with a "
                         "target completion date from {{ period.start }} to {{ period.end }}. Each action is judged "
                         "against that target date, as follows:")
    bullet(doc, "Actions completed by the target completion date are rated 'green' (G)")
    bullet(doc, "Actions not completed by the target completion date are rated 'red' (R), including those whose "
                "target date has since been extended")
    tag(doc, "{%p if period.not_yet_due %}")
    bullet(doc, "Actions whose target completion date is still to come are rated 'amber' (A)")
    tag(doc, "{%p endif %}")
    numbered(doc, "3.5", "The table below provides a snapshot of progress for {{ period.title }} "
                         "({{ period.months }}) as at {{ as_at }}.").paragraph_format.keep_with_next = True
    t = Table(doc, [12.0, 3.0])
    t.header("Criteria", "Number", center=(1,))
    t.row("Total number of actions due for completion this period", "{{ period.due }}", center=(1,))
    t.row("Actions completed by deadline", "{{ period.completed }}", center=(1,))
    t.row("Actions not completed by deadline", "{{ period.not_completed }}", center=(1,))
    t.tag("{%tr if period.not_yet_due %}")
    t.row("Actions not yet due (target date still to come)", "{{ period.not_yet_due }}", center=(1,))
    t.tag("{%tr endif %}")
    t.keep_together()
    after_table(doc)
    numbered(doc, "3.6", "Actions completed by deadline during this reporting period "
                         "({{ period.completed }} of {{ period.due }}):")
    bullet_loop(doc, "a in period.completed_actions", "{{ a.text }} ({{ a.ref }})", empty="None.")
    numbered(doc, "3.7", "Actions not completed by deadline during this reporting period "
                         "({{ period.not_completed }} of {{ period.due }}):")
    bullet_loop(doc, "a in period.not_completed_actions", "{{ a.text }} ({{ a.ref }}: {{ a.note }})", empty="None.")
    tag(doc, "{%p if period.not_yet_due_actions %}")
    para(doc, "Actions due later in this reporting period ({{ period.not_yet_due }} of {{ period.due }}):",
         "Body Indent")
    tag(doc, "{%p for a in period.not_yet_due_actions %}")
    bullet(doc, "{{ a.text }} ({{ a.ref }}: {{ a.note }})")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    numbered(doc, "3.8", "For completeness, the table below summarises progress against all {{ overall.total }} "
                         "actions in the improvement plan as at {{ as_at }}. This additional information is provided "
                         "to give an overall view with regard to direction of travel. The classification for this "
                         "dashboard includes: actions ongoing within deadline (rated 'amber') and actions that are "
                         "not completed by deadline or are unlikely to be completed by deadline (rated 'red')."
             ).paragraph_format.keep_with_next = True
    t = Table(doc, [12.0, 3.0])
    t.header("Criteria", "Number", center=(1,))
    t.row("Total number of actions in the improvement plan", "{{ overall.total }}", center=(1,))
    t.row("Actions completed by deadline", "{{ overall.completed }}", center=(1,))
    t.row("Actions ongoing within deadline", "{{ overall.ongoing }}", center=(1,))
    t.row("Actions that are not completed by deadline or are unlikely to be completed by deadline",
          "{{ overall.not_completed }}", center=(1,))
    t.tag("{%tr if overall.not_rated %}")
    t.row("Actions that cannot be rated because they have no valid target date", "{{ overall.not_rated }}",
          center=(1,))
    t.tag("{%tr endif %}")
    t.keep_together()
    after_table(doc)
    tag(doc, "{%p if recorded_differs %}")
    para(doc, "The ratings in this report are worked out from each action's target date and progress status as at "
              "{{ as_at }}. For {{ recorded_differs }} actions this differs from the rating recorded by the action "
              "owner: {{ recorded_differs_text }}.", "Body Indent")
    tag(doc, "{%p endif %}")
    numbered(doc, "3.9", "It should be noted that in developing this plan, officers have been keen to expedite work "
                         "on areas for improvement. However, in some instances and for differing reasons, the "
                         "anticipated completion target dates have not been met. For these actions, some of which "
                         "are rated 'red' and others 'amber', the quarterly report makes recommendations for the "
                         "completion deadline to be extended and the reasons for the delay.")
    numbered(doc, "3.10", "The above-mentioned revisions are proposed with the agreement of the relevant action "
                          "owner and on the understanding that the revised completion target date will be met by the "
                          "time of the next agreed reporting period. The revisions to completion deadlines are set "
                          "out in section 4 of this report.")

    para(doc, "4. Deadline revisions", "Heading 1")
    numbered(doc, "4.1", "The {{ committee }} is invited to note the {{ revisions_count }} deadline revisions for "
                         "improvement plan actions set out below.{% if revisions_agreed_by %} These revisions were "
                         "agreed by {{ revisions_agreed_by }}.{% endif %}")
    tag(doc, "{%p if revisions %}")
    t = Table(doc, [1.2, 6.1, 2.0, 2.0, 5.2])
    t.header("Ref", "Action", "Old deadline", "New deadline", "Reason for deadline revision", center=(2, 3))
    t.tag("{%tr for r in revisions %}")
    t.row("{{ r.ref }}", "{{ r.action }}", "{{ r.old }}", "{{ r.new }}", "{{ r.reason }}", center=(2, 3))
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p endif %}")

    para(doc, "5. Legal implications", "Heading 1")
    numbered(doc, "5.1", "This inspection was conducted under s136 Education and Inspections Act 2006. Following the "
                         "inspection a report must be provided to the Local Authority and published, containing any "
                         "recommendations. The Local Authority, in its turn, must address those recommendations by "
                         "way of an action plan, again ensuring that this is published, for ongoing audit by Ofsted.")
    para(doc, "6. Financial implications", "Heading 1")
    numbered(doc, "6.1", "There are no direct revenue implications arising for this report. The improvement plans "
                         "may identify that extra expenditure is required in the future. In the first instance this "
                         "will be managed through the current Children and Young People's budget. There are no "
                         "capital implications from this report.")
    para(doc, "7. Crime and disorder implications", "Heading 1")
    numbered(doc, "7.1", "Section 17 of the Crime and Disorder Act 1998 places a duty on partners to do all they can "
                         "to reasonably prevent crime and disorder in their area. The level of crime and its impact "
                         "is influenced by the decisions and activities taken in the day-to-day of local bodies and "
                         "organisations. The Local Authority as a responsible Authority has a key statutory role in "
                         "contributing to reducing crime and improving the quality of life in their area.")
    para(doc, "8. Equalities implications", "Heading 1")
    numbered(doc, "8.1", "The development, implementation and monitoring of the Ofsted improvement plan sits within "
                         "the ambit of the Council's Comprehensive Equalities Scheme (CES) 2016-20. Specifically, the "
                         "Ofsted improvement plan accords with the following CES objectives:")
    for text in ("tackling victimisation, discrimination and harassment",
                 "closing the gap in outcomes between citizens",
                 "improving access to services", "increasing participation and engagement"):
        bullet(doc, text)


def appendix(doc) -> None:
    """The monitoring report: dashboards, chart, the period's actions, key leads, every recommendation."""
    w = LANDSCAPE_TEXT_CM
    para(doc, "Appendix: {{ plan_title }} monitoring report", "Heading 1")
    para(doc, "Monitoring Report: {{ period.title }} ({{ period.months }}), figures as at {{ as_at }}",
         "Subtitle Line")
    para(doc, "1. Introduction", "Heading 2")
    para(doc, "This report brings together performance monitoring information for the {{ plan_title }}. The "
              "information contained in this report is made up of the following:")
    for text in ("Progress dashboard for all actions to date", "Progress summary for actions due in the current period",
                 "Key leads and those responsible for actions",
                 "Progress summary for all actions in the improvement plan"):
        bullet(doc, text, 1.0)
    para(doc, RAG_KEY, "Key")

    para(doc, "2. Progress dashboard for all actions to date", "Heading 2")
    para(doc, "The table below provides an overview of all actions completed, in progress or slipped as at "
              "{{ as_at }}.")
    t = Table(doc, [w / 5] * 5)
    t.header("Total number of actions in the improvement plan", "Actions completed by deadline (G)",
             "Actions ongoing within deadline (A)", "Actions not completed by deadline (R)", "Not rated (NR)",
             center=(0, 1, 2, 3, 4))
    t.row("{{ overall.total }}", "{{ overall.completed }}", "{{ overall.ongoing }}", "{{ overall.not_completed }}",
          "{{ overall.not_rated }}", center=(0, 1, 2, 3, 4))
    after_table(doc)
    chart = para(doc, "{{ rag_chart }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    chart.paragraph_format.keep_with_next = True
    para(doc, "Figure 1: RAG rating of the plan's actions by section and for the whole plan, as at {{ as_at }}.",
         "Figure Caption")
    para(doc, "By section:", "Label")
    t = Table(doc, [w - 5 * 2.6] + [2.6] * 5)
    t.header("Section", "Total", "G", "A", "R", "NR", center=(1, 2, 3, 4, 5))
    t.tag("{%tr for s in sections %}")
    t.row("{{ s.heading }}", "{{ s.counts.total }}", "{{ s.counts.completed }}", "{{ s.counts.ongoing }}",
          "{{ s.counts.not_completed }}", "{{ s.counts.not_rated }}", center=(1, 2, 3, 4, 5))
    t.tag("{%tr endfor %}")
    t.row("Whole plan", "{{ overall.total }}", "{{ overall.completed }}", "{{ overall.ongoing }}",
          "{{ overall.not_completed }}", "{{ overall.not_rated }}", center=(1, 2, 3, 4, 5), labels=(0,))
    after_table(doc)
    brag_and_red_actions(doc)

    para(doc, "3. Progress summary for actions due in {{ period.title }} ({{ period.months }})", "Heading 2")
    para(doc, "An action is due in this period when its original target completion date falls between "
              "{{ period.start }} and {{ period.end }}. Each is judged against that original date, so an action "
              "whose deadline has since been extended is shown as not completed by deadline, with its new date.")
    t = Table(doc, [w / 3] * 3)
    t.header("Number of actions due for completion this period", "Actions completed by deadline (G)",
             "Actions not completed by deadline (R)", center=(0, 1, 2))
    t.row("{{ period.due }}", "{{ period.completed }}", "{{ period.not_completed }}", center=(0, 1, 2))
    after_table(doc)
    tag(doc, "{%p if period.not_yet_due %}")
    para(doc, "A further {{ period.not_yet_due }} of the {{ period.due }} actions are not yet due: their target date "
              "is still to come (rated A below).")
    tag(doc, "{%p endif %}")
    t = Table(doc, [1.3, 7.2, 3.9, 1.2, 9.4, w - 23.0])
    t.header("Ref", "Action", "Action owner", "RAG", "Progress summary", "Target completion deadline", center=(3,))
    t.tag("{%tr for g in period.groups %}")
    t.group("{{ g.heading }}")
    t.tag("{%tr for a in g.rows %}")
    t.row("{{ a.ref }}", "{{ a.text }}", "{{ a.owner }}", "{% cellbg a.fill %}{{ a.rag }}", "{{ a.progress }}",
          "{{ a.deadline }}", rag=3)
    t.tag("{%tr endfor %}")
    t.tag("{%tr endfor %}")
    para(doc, RAG_KEY, "Key")
    tag(doc, "{%p if not period.groups %}")
    para(doc, "No actions were due for completion in this period.")
    tag(doc, "{%p endif %}")

    para(doc, "4. Key leads and those responsible for actions", "Heading 2")
    t = Table(doc, [13.7, 9.0, 3.0])
    t.header("Job title", "Current post-holder", "Initials")
    t.tag("{%tr for l in leads %}")
    t.row("{{ l.job_title }}", "{{ l.name }}", "{{ l.initials }}")
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p if unknown_owners %}")
    para(doc, "Owners named on the Actions sheet who are not in this table are shown in this report as typed: "
              "{{ unknown_owners }}.")
    tag(doc, "{%p endif %}")

    para(doc, "5. Progress summary for all actions in the improvement plan", "Heading 2")
    tag(doc, "{%p for s in sections %}")
    para(doc, "{{ s.heading }}", "Heading 3")
    tag(doc, "{%p for r in s.recommendations %}")
    para(doc, "{{ r.heading }}", "Heading 4")
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
    t = Table(doc, [1.3, 13.4, 3.2, w - 19.4, 1.5])
    t.header("Ref", "Action", "Completion deadline", "By whom", "RAG", center=(4,))
    t.tag("{%tr for a in r.actions %}")
    t.row("{{ a.ref }}", "{{ a.text }}", "{{ a.deadline }}", "{{ a.owner }}", "{% cellbg a.fill %}{{ a.rag }}", rag=4)
    t.tag("{%tr endfor %}")
    after_table(doc)
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
    tag(doc, "{%p if not r.progress and not r.exceptions %}")
    para(doc, "All actions of this recommendation are completed by deadline.")
    tag(doc, "{%p endif %}")
    para(doc, "e) Impact: data and commentary", "Label")
    para(doc, "{{ r.impact or 'None recorded.' }}")
    para(doc, "f) Recommendations for further action", "Label")
    para(doc, "{{ r.further_action or 'None recorded.' }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def brag_and_red_actions(doc) -> None:
    """The counts with Blue (only when the plan is rated BRAG) and the Red actions with their corrective action
    and forecast date (one sentence when there are none, never an empty table)."""
    w = LANDSCAPE_TEXT_CM
    tag(doc, "{%p if brag %}")
    para(doc, "Blue, Red, Amber, Green (BRAG)", "Heading 3")
    para(doc, "This plan is rated Blue, Red, Amber, Green. An action is rated Blue (B) when it is complete by its "
              "deadline and the evidence of its impact is recorded, that is, the change is embedded; a complete "
              "action without that evidence is rated Green (G). With Blue counted:")
    t = Table(doc, [w - 6 * 2.4] + [2.4] * 6)
    t.header("Section", "Total", "B", "G", "A", "R", "NR", center=(1, 2, 3, 4, 5, 6))
    t.tag("{%tr for c in brag_counts %}")
    t.row("{{ c.heading }}", "{{ c.total }}", "{{ c.blue }}", "{{ c.completed }}", "{{ c.ongoing }}",
          "{{ c.not_completed }}", "{{ c.not_rated }}", center=(1, 2, 3, 4, 5, 6))
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p endif %}")
    para(doc, "Red actions: corrective action and forecast", "Heading 3")
    tag(doc, "{%p if red_actions %}")
    para(doc, "Each action rated Red (R), with what is being done to bring it back on track and when it is now "
              "expected to be complete.").paragraph_format.keep_with_next = True
    t = Table(doc, [1.3, 7.6, 3.8, 2.6, w - 17.8, 2.5])
    t.header("Ref", "Action (rated Red)", "Action owner", "Deadline", "Corrective action", "Forecast date",
             center=(5,))
    t.tag("{%tr for e in red_actions %}")
    t.row("{{ e.ref }}", "{{ e.text }}", "{{ e.owner }}", "{{ e.deadline }}", "{{ e.corrective_action }}",
          "{{ e.forecast }}", center=(5,))
    t.tag("{%tr endfor %}")
    after_table(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not red_actions %}")
    para(doc, "No action is rated Red.")
    tag(doc, "{%p endif %}")


def make_template(path: Path) -> Path:
    """Write the starting template to ``path``."""
    doc = Document()
    setup_styles(doc)
    untab_bullets(doc)
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
    props.title = "Committee report template: Ofsted improvement plan update"
    props.author = ""
    props.last_modified_by = ""
    props.comments = ("Template for ofsted-tracker: the placeholders in double braces are filled in from the tracker "
                      "workbook; see 'The Word report' in the README.")  # properties are rendered too: no braces here
    props.language = "en-GB"
    props.revision = 1
    doc.save(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "committee_report.docx"
    print(f"Wrote {make_template(target)}")
