"""Filling the template: docxtpl's escapes and officers' braces, tabs, the chart placed, cells in schema order,
and a package that does not read back is not kept."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.build import TCPR_ORDER, _assert_reopens
from ofsted_tracker.workbook.errors import TemplateError
from ofsted_tracker.workbook.jobs import open_summary
from tests.report.plans import hostile_plan, large_plan, summary_of
from tests.report.reading import body_text


def test_officers_braces_reach_the_report_as_typed(tmp_path):
    text = body_text(Document(str(build_report(summary_of(hostile_plan()), tmp_path / "r.docx"))))
    assert "Brace pairs {_{ kept }_} and {_% kept %_}" in text


def test_a_template_text_brace_escape_still_prints_braces(tmp_path):
    template = tmp_path / "template.docx"
    doc = Document()
    doc.add_paragraph("Type {_{ council }_} to show the council: {{ council }}")
    doc.save(str(template))
    summary = summary_of(hostile_plan(["markup"]))
    text = body_text(Document(str(build_report(summary, tmp_path / "r.docx", template=template))))
    assert "Type {{ council }} to show the council: Hostile & <Borough>" in text


def test_a_tab_typed_into_the_templates_own_text_still_becomes_a_tab(demo_master, tmp_path):
    from docx.oxml import OxmlElement

    template = tmp_path / "template.docx"
    doc = Document()
    run = doc.add_paragraph().add_run()
    text = OxmlElement("w:t")
    text.text = "Committee:\t{{ committee }}"  # a tab character, as another program might write it
    run._r.append(text)
    doc.save(str(template))
    word = Document(
        str(build_report(open_summary(demo_master), tmp_path / "r.docx", template=template))
    )
    assert body_text(word).startswith("Committee:\tChildren and Young People's Select Committee")
    assert word.element.body.find(f".//{qn('w:tab')}") is not None


def test_an_edited_template_is_read_again(demo_master, tmp_path):
    template = tmp_path / "template.docx"
    summary = open_summary(demo_master)
    for wording in ("First wording for {{ committee }}", "Second wording for {{ committee }}"):
        doc = Document()
        doc.add_paragraph(wording)
        doc.save(str(template))
        text = body_text(
            Document(str(build_report(summary, tmp_path / "r.docx", template=template)))
        )
        assert (
            wording.replace("{{ committee }}", "Children and Young People's Select Committee")
            in text
        )


def test_a_chart_placed_twice_has_two_ids_and_two_parts(demo_master, tmp_path):
    template = tmp_path / "template.docx"
    doc = Document()
    doc.add_paragraph("{{ rag_chart }}")
    doc.add_paragraph("{{ rag_chart }}")
    doc.save(str(template))
    word = Document(
        str(build_report(open_summary(demo_master), tmp_path / "r.docx", template=template))
    )
    ids = [shape._inline.find(qn("wp:docPr")).get("id") for shape in word.inline_shapes]
    assert len(ids) == 2 and len(set(ids)) == 2
    charts = {tuple(shape._inline.xpath(".//c:chart/@r:id")) for shape in word.inline_shapes}
    assert len(charts) == 2


def test_every_cells_properties_are_in_schema_order(demo_master, tmp_path):
    word = Document(str(build_report(open_summary(demo_master), tmp_path / "r.docx")))
    rank = {qn(f"w:{name}"): i for i, name in enumerate(TCPR_ORDER)}
    checked = 0
    for tcpr in word.element.body.iter(qn("w:tcPr")):
        ranks = [rank[child.tag] for child in tcpr]
        assert ranks == sorted(ranks), [child.tag for child in tcpr]
        checked += qn("w:shd") in [child.tag for child in tcpr]
    assert checked > 78  # the RAG cells (17 + 61) and the shaded header and label cells


def test_a_large_report_is_well_formed_xml(tmp_path):
    report = build_report(summary_of(large_plan(1000)), tmp_path / "large.docx")
    with zipfile.ZipFile(report) as package:
        for name in package.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(package.read(name))


def test_a_damaged_package_is_not_kept(demo_master, tmp_path):
    good = build_report(open_summary(demo_master), tmp_path / "good.docx")
    _assert_reopens(good)
    damaged = tmp_path / "damaged.docx"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as package:
        info = package.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    data[start : start + 8] = bytes(8)  # eight bytes of the compressed body lost
    damaged.write_bytes(bytes(data))
    with pytest.raises(TemplateError, match="could not be read back"):
        _assert_reopens(damaged)
    headless = tmp_path / "headless.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(headless, "w") as out:
        for name in source.namelist():
            if name != "word/document.xml":
                out.writestr(name, source.read(name))
    with pytest.raises(TemplateError, match="no main document part"):
        _assert_reopens(headless)
