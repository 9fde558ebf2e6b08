"""Officers' hostile text reaches the report intact or safely cleaned, and the file still opens everywhere."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from ofsted_tracker.report_builder import build_report
from tests.report import office
from tests.report.plans import HOSTILE, hostile_plan, shown, summary_of
from tests.report.reading import body_text, rows, table_with_header

PERIOD_HEADER = (
    "Ref",
    "Action",
    "Action owner",
    "RAG",
    "Progress summary",
    "Target completion deadline",
)
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(
        summary_of(hostile_plan()), tmp_path_factory.mktemp("hostile") / "hostile.docx"
    )


@pytest.fixture(scope="module")
def doc(report: Path):
    return Document(str(report))


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_text_reaches_every_place_it_was_typed(doc, kind):
    text = body_text(doc)
    assert f"Commentary {kind}: {shown(kind)}" in text  # progress summary (period table, appendix)
    assert f"Action {kind}: {shown(kind)}" in text  # action text (tables)
    revised = {r.reason.split(":")[0].removeprefix("Reason ") for r in hostile_plan().revisions}
    assert revised == {"xml", "breaks", "emoji", "control"}
    assert (f"Reason {kind}: {shown(kind)}" in text) == (kind in revised)  # revisions table


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_text_in_a_table_cell(doc, kind):
    cells = {
        r.texts[0]: r.texts
        for r in rows(table_with_header(doc, *PERIOD_HEADER))[1:]
        if not r.merged
    }
    ref = f"1.{list(HOSTILE).index(kind) + 1}"
    assert cells[ref][4] == f"Commentary {kind}: {shown(kind)}"
    assert (
        cells[ref][2] == f"Stephen {shown('markup')}, X{ref[2:]}"
    )  # a lead's name and unknown initials


def test_settings_and_recommendation_fields_keep_their_text(doc):
    text = body_text(doc)
    assert 'Children\'s "Select" Committee & Co' in text
    assert "Hostile & <Borough>" in doc.sections[0].header.paragraphs[0].text
    assert f"Section {shown('rtl')}" in text
    assert shown("control") in text and shown("jinja") in text and shown("xml") in text
    assert doc.core_properties.author == "Policy & Analysis ✅"


def test_the_package_is_well_formed_and_holds_no_forbidden_characters(report: Path):
    from lxml import etree

    with zipfile.ZipFile(report) as package:
        document = package.read("word/document.xml").decode("utf-8")
        for name in package.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(
                    package.read(name)
                )  # raises on anything Word would refuse to parse
    assert not XML_FORBIDDEN.search(document)
    assert "&lt;Commissioner&gt;" in document and "<w:t>injected" not in document
    assert (
        "<w:br/>" in document and "<w:tab/>" in document
    )  # line breaks and tabs as Word's own elements


def test_line_breaks_in_a_cell_stay_in_that_cell(doc):
    cells = {
        r.texts[0]: r.texts
        for r in rows(table_with_header(doc, *PERIOD_HEADER))[1:]
        if not r.merged
    }
    breaks = cells[f"1.{list(HOSTILE).index('breaks') + 1}"]
    assert breaks[4].split("\n") == [
        "Commentary breaks: Line one",
        "Line two",
        "Line three",
        "Line four",
    ]


def test_libreoffice_converts_the_hostile_report(report: Path, tmp_path: Path):
    pdf = office.to_pdf(report, tmp_path)
    assert office.pages(pdf) >= 3
    text = office.text(pdf)
    assert "Police & Crime <Commissioner>" in text
    assert "</w:t></w:r></w:p><w:p><w:r><w:t>injected" in text.replace("\n", "")
    assert "{{ council }}" in text
