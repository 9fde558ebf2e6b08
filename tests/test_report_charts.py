"""The report's native charts come from the template: its styling kept, the plan's figures and scheme written in,
and neither python-pptx nor XlsxWriter on the report's run-time path."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.build import DEFAULT_TEMPLATE
from ofsted_tracker.report_builder.chart import NOT_RATED_SERIES
from ofsted_tracker.workbook.plan.schemes import SCHEMES
from ofsted_tracker.workbook.rules.summary import summarise
from tests.builders import act, plan_of
from tests.report.plans import AS_AT, PERIODS

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def charts(doc) -> dict[str, object]:
    """The report's chart parts by their drawing's title ("RAG chart", "Trend chart")."""
    found = {}
    for shape in doc.inline_shapes:
        inline = shape._inline
        rid = inline.xpath(".//c:chart/@r:id")[0]
        found[inline.find(qn("wp:docPr")).get("title")] = doc.part.related_parts[rid]
    return found


def workbook_rows(chart_part) -> list[list]:
    workbook = next(
        r.target_part for r in chart_part.rels.values() if r.reltype.endswith("/package")
    )
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.blob)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def scheme_plan(name: str):
    """Five actions under two recommendations, rated in the named scheme: on time, late, open, overdue, open."""
    plan = plan_of(
        act("1.1", date(2016, 6, 30), "Complete", completed_on=date(2016, 6, 1)),
        act("1.2", date(2016, 6, 30), "Complete", completed_on=date(2016, 7, 15)),
        act("1.3", date(2016, 12, 31), "On track"),
        act("2.1", date(2016, 7, 31), "On track"),
        act("2.2", date(2016, 12, 31), "At risk"),
        periods=PERIODS,
    )
    return summarise(replace(plan, settings={"Rating scheme": name}), AS_AT, "Q2")


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
def test_the_chart_has_the_schemes_series_names_colours_and_figures(scheme, tmp_path):
    summary = scheme_plan(scheme.name)
    assert summary.plan.scheme is scheme
    doc = Document(str(build_report(summary, tmp_path / "report.docx")))
    part = charts(doc)["RAG chart"]
    space = etree.fromstring(part.blob)
    names = space.xpath("//c:ser/c:tx//c:v/text()", namespaces=NS)
    assert names == [b.label for b in scheme.buckets] + [NOT_RATED_SERIES.name]
    fills = space.xpath("//c:ser/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS)
    assert fills == [b.fill for b in scheme.buckets] + [NOT_RATED_SERIES.fill]
    assert space.xpath("//c:ser/c:idx/@val", namespaces=NS) == [str(i) for i in range(len(names))]
    # every action is in exactly one series of the whole plan's bar
    whole = [
        float(ser.xpath("c:val//c:pt[last()]/c:v/text()", namespaces=NS)[0])
        for ser in space.xpath("//c:ser", namespaces=NS)
    ]
    ratings = list(summary.ratings.values())
    assert whole == [ratings.count(b.letter) for b in scheme.buckets] + [ratings.count(None)]
    assert sum(whole) == 5
    table = workbook_rows(part)  # the embedded workbook opens and holds the same figures
    assert table[0][1:] == names
    assert [row[0] for row in table[1:]] == space.xpath(
        "//c:ser[1]/c:cat//c:v/text()", namespaces=NS
    )
    assert table[-1] == ["Whole plan", *whole]
    descr = doc.inline_shapes[0]._inline.find(qn("wp:docPr")).get("descr")
    letters = ", ".join(f"{n:g} {b.letter}" for n, b in zip(whole, scheme.buckets))
    assert f"Whole plan: {letters}, 0 NR." in descr


def _edit_part(docx: Path, name: str, edit, added: dict[str, bytes] | None = None) -> None:
    """Rewrite one part of a .docx in place with ``edit(root)`` and add ``added`` parts, as Word would after the
    policy team's change."""
    with zipfile.ZipFile(docx) as package:
        items = [(info, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in items:
            if info.filename == name:
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            package.writestr(info, data)
        for extra, data in (added or {}).items():
            package.writestr(extra, data)


def _rag_chart_name(docx: Path) -> str:
    doc = Document(str(docx))
    return charts(doc)["RAG chart"].partname.lstrip("/")


def restyle(root) -> None:
    """The policy team's restyle: a dark green for G, blue-grey outlines on the first series, a shaded plot
    area, 10 pt text and a gap of 150 between the bars."""
    first = root.xpath("//c:ser", namespaces=NS)[0]
    first.xpath("c:spPr/a:solidFill/a:srgbClr", namespaces=NS)[0].set("val", "2E7D32")
    first.xpath("c:spPr/a:ln/a:solidFill/a:srgbClr", namespaces=NS)[0].set("val", "445566")
    area = root.xpath("//c:plotArea", namespaces=NS)[0]
    shading = etree.fromstring(
        f'<c:spPr xmlns:c="{NS["c"]}" xmlns:a="{NS["a"]}"><a:solidFill><a:srgbClr val="F0F0F0"/>'
        "</a:solidFill></c:spPr>"
    )
    area.append(shading)  # after the axes: the plot area's own shape properties
    root.xpath("/c:chartSpace/c:txPr//a:defRPr", namespaces=NS)[0].set("sz", "1000")
    root.xpath("//c:gapWidth", namespaces=NS)[0].set("val", "150")


@pytest.mark.parametrize("scheme", ["RAG", "BRAG"])
def test_the_policy_teams_chart_style_is_kept_in_the_report(scheme, tmp_path):
    template = tmp_path / "restyled.docx"
    shutil.copyfile(DEFAULT_TEMPLATE, template)
    _edit_part(template, _rag_chart_name(template), restyle)
    summary = scheme_plan(scheme)
    doc = Document(str(build_report(summary, tmp_path / "report.docx", template=template)))
    space = etree.fromstring(charts(doc)["RAG chart"].blob)
    assert space.xpath("/c:chartSpace/c:txPr//a:defRPr/@sz", namespaces=NS) == ["1000"]
    assert space.xpath("//c:gapWidth/@val", namespaces=NS) == ["150"]
    assert space.xpath("//c:plotArea/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS) == [
        "F0F0F0"
    ]
    green = space.xpath("//c:ser[c:tx//c:v[contains(., '(G)')]]", namespaces=NS)[0]
    assert green.xpath("c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS) == ["2E7D32"]
    assert green.xpath("c:spPr/a:ln/a:solidFill/a:srgbClr/@val", namespaces=NS) == ["445566"]
    lines = space.xpath("//c:ser/c:spPr/a:ln/a:solidFill/a:srgbClr/@val", namespaces=NS)
    if scheme == "BRAG":  # Blue, a copy of the first series' style in the scheme's colour
        blue = space.xpath("//c:ser", namespaces=NS)[0]
        assert blue.xpath("c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS) == ["00B0F0"]
        assert lines == ["445566", "445566", "000000", "000000", "000000"]
    else:
        assert lines == ["445566", "000000", "000000", "000000"]
    assert space.xpath("//c:ser/c:tx//c:v/text()", namespaces=NS) == [
        b.label for b in summary.plan.scheme.buckets
    ] + [NOT_RATED_SERIES.name]


def test_a_first_report_drops_the_trend_chart_with_its_parts(tmp_path):
    report = build_report(scheme_plan("RAG"), tmp_path / "report.docx")
    with zipfile.ZipFile(report) as package:
        names = package.namelist()
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert [n for n in names if n.startswith("word/charts/chart")] == ["word/charts/chart1.xml"]
    assert len([n for n in names if n.startswith("word/embeddings/")]) == 1
    assert rels.count("/relationships/chart") == 1
    assert list(charts(Document(str(report)))) == ["RAG chart"]


def test_the_rag_chart_grows_with_the_sections_and_a_small_plan_counts_in_whole_actions(tmp_path):
    doc = Document(str(build_report(scheme_plan("RAG"), tmp_path / "report.docx")))
    template = Document(str(DEFAULT_TEMPLATE))
    before = [s for s in template.inline_shapes if "RAG" in s._inline.docPr.get("title")][0]
    drawn = doc.inline_shapes[0]
    space = etree.fromstring(charts(doc)["RAG chart"].blob)
    bars = len(space.xpath("//c:ser[1]/c:cat//c:pt", namespaces=NS))
    assert drawn.width == before.width
    assert drawn.height == before.height + round(0.85 * 360000) * (bars - 4)  # 4 in the template
    assert space.xpath("//c:valAx/c:majorUnit/@val", namespaces=NS) == ["1"]


def test_building_a_report_imports_neither_python_pptx_nor_xlsxwriter(demo_tracker, tmp_path):
    code = (
        "import sys\n"
        "from ofsted_tracker.cli import main\n"
        "sys.argv = ['ofsted-tracker', 'report', sys.argv[1], '-o', sys.argv[2]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pptx', 'xlsxwriter', 'docx'}))\n"
    )
    out = tmp_path / "report.docx"
    result = subprocess.run(
        [sys.executable, "-c", code, str(demo_tracker), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), result.stderr
    assert (
        result.stdout.strip().splitlines()[-1] == "['docx']"
    )  # the report was built, by python-docx


def test_a_chart_with_no_series_left_is_a_template_error(tmp_path):
    from ofsted_tracker.workbook.errors import TemplateError

    template = tmp_path / "no-series.docx"
    shutil.copyfile(DEFAULT_TEMPLATE, template)

    def no_series(root):
        for ser in root.xpath("//c:ser", namespaces=NS):
            ser.getparent().remove(ser)

    _edit_part(template, _rag_chart_name(template), no_series)
    with pytest.raises(TemplateError, match="RAG chart in the Word template .* no data series"):
        build_report(scheme_plan("RAG"), tmp_path / "report.docx", template=template)
    assert not (tmp_path / "report.docx").exists()


def test_the_charts_other_parts_stay_related(tmp_path):
    """Word adds a colour-style part to a chart it restyles: the filled chart keeps it, under the same id."""
    template = tmp_path / "word-styled.docx"
    shutil.copyfile(DEFAULT_TEMPLATE, template)
    chart = _rag_chart_name(template)
    folder, _, name = chart.rpartition("/")
    colours = "http://schemas.microsoft.com/office/2011/relationships/chartColorStyle"
    with zipfile.ZipFile(template) as package:
        rels = etree.fromstring(package.read(f"{folder}/_rels/{name}.rels"))
        types = etree.fromstring(package.read("[Content_Types].xml"))
    etree.SubElement(
        rels, f"{{{rels.nsmap[None]}}}Relationship", Id="rId9", Type=colours, Target="colors9.xml"
    )
    etree.SubElement(
        types,
        f"{{{types.nsmap[None]}}}Override",
        PartName=f"/{folder}/colors9.xml",
        ContentType="application/vnd.ms-office.chartcolorstyle+xml",
    )
    style = b'<cs:colorStyle xmlns:cs="http://schemas.microsoft.com/office/drawing/2012/chartStyle" meth="cycle" id="10"/>'
    _edit_part(
        template,
        "[Content_Types].xml",
        lambda root: root.extend(types[len(root) :]),
        {
            f"{folder}/colors9.xml": style,
        },
    )
    _edit_part(template, f"{folder}/_rels/{name}.rels", lambda root: root.extend(rels[len(root) :]))
    doc = Document(
        str(build_report(scheme_plan("BRAG"), tmp_path / "report.docx", template=template))
    )
    part = charts(doc)["RAG chart"]
    assert part.rels["rId9"].reltype == colours
    assert part.rels["rId9"].target_part.blob == style
    assert len(etree.fromstring(part.blob).xpath("//c:ser", namespaces=NS)) == 5


def test_a_workbook_word_made_with_a_table_gets_the_figures_and_the_table_fits_them():
    from openpyxl.worksheet.table import Table

    from ofsted_tracker.report_builder.chart import ChartBar, fill_workbook, scheme_series
    from ofsted_tracker.workbook.plan.schemes import DAYS_BEHIND

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in ([" ", "Series 1", "Series 2"], ["Category 1", 4.3, 2.4], ["Category 2", 2.5, 4.4]):
        sheet.append(row)
    sheet.add_table(Table(displayName="Table1", ref="A1:C3"))
    made = io.BytesIO()
    book.save(made)
    bars = [
        ChartBar("A. Early help", {"total": 6, "completed": 2, "ongoing": 1, "not_completed": 1}),
        ChartBar("Whole plan", {"total": 9, "completed": 3, "ongoing": 1, "not_completed": 2}),
    ]
    series = scheme_series(DAYS_BEHIND)
    filled = openpyxl.load_workbook(
        io.BytesIO(fill_workbook(made.getvalue(), "Sheet1", series, bars))
    )
    sheet = filled["Sheet1"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [" ", *(s.name for s in series)],
        ["A. Early help", 2, 2, 1, 1, 0],  # Completed: the rest of the total
        ["Whole plan", 3, 3, 1, 2, 0],
    ]
    table = sheet.tables["Table1"]
    assert table.ref == "A1:F3"
    assert [c.name for c in table.tableColumns] == [" ", *(s.name for s in series)]


@pytest.mark.integration  # reads the packaged template
def test_the_standard_template_carries_both_charts_in_the_rag_series():
    from ofsted_tracker.report_builder.chart import scheme_series
    from ofsted_tracker.workbook.plan.schemes import RAG

    doc = Document(str(DEFAULT_TEMPLATE))
    found = charts(doc)
    assert list(found) == ["RAG chart", "Trend chart"]
    for part in found.values():
        space = etree.fromstring(part.blob)
        assert space.xpath("//c:ser/c:tx//c:v/text()", namespaces=NS) == [
            s.name for s in scheme_series(RAG)
        ]
        assert space.xpath("c:externalData/@r:id", namespaces=NS)[0] in part.rels
    assert "rag_chart" not in "\n".join(p.text for p in doc.paragraphs)


def test_a_small_segment_on_a_small_segment_loses_its_label_in_the_trend_chart():
    """The demo's Q1 column: Red 2 with Not rated 1 on it drew '2' and '1' over each other; the 1 goes."""
    from ofsted_tracker.report_builder.chart import ChartBar, crowded_labels, fill_chart_xml
    from ofsted_tracker.report_builder.chart import scheme_series as series_of
    from ofsted_tracker.workbook.plan.schemes import RAG

    def bar(label, g, a, r, nr):
        return ChartBar(label, {"completed": g, "ongoing": a, "not_completed": r, "not_rated": nr})

    q1, q2 = bar("Q1", 29, 29, 2, 1), bar("Q2", 37, 10, 13, 1)
    series = series_of(RAG)
    assert crowded_labels([q1, q2], series, 61) == {(3, 0)}  # Not rated on Q1; Q2's 1 sits on 13
    assert crowded_labels([bar("Q1", 0, 29, 2, 1)], series, 61) == {(3, 0)}  # a zero skipped
    assert crowded_labels([bar("Q1", 2, 1, 1, 1)], series, 61) == {(1, 0), (3, 0)}  # every other
    trend = etree.fromstring(charts(Document(str(DEFAULT_TEMPLATE)))["Trend chart"].blob)
    fill_chart_xml(trend, [q1, q2], series)
    deleted = {
        (ser.xpath("c:tx//c:v/text()", namespaces=NS)[0], int(idx))
        for ser in trend.xpath("//c:ser", namespaces=NS)
        for idx in ser.xpath("c:dLbls/c:dLbl[c:delete/@val='1']/c:idx/@val", namespaces=NS)
    }
    assert deleted == {("Not rated (NR)", 0)}
    [labels] = trend.xpath("//c:ser[c:dLbls]/c:dLbls", namespaces=NS)
    assert labels.xpath("c:showVal/@val", namespaces=NS) == ["1"]  # the other points keep theirs
    rag = etree.fromstring(charts(Document(str(DEFAULT_TEMPLATE)))["RAG chart"].blob)
    fill_chart_xml(rag, [q1, q2], series)  # bars side by side: labels have room, none deleted
    assert not rag.xpath("//c:ser/c:dLbls", namespaces=NS)
