"""The demo report converted by LibreOffice headless: it opens, has a sensible page count, and reads right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.workbook.jobs import open_summary
from tests.report import office


@pytest.fixture(scope="module")
def pdf(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    report = build_report(open_summary(demo_master), folder / "committee-report.docx")
    return office.to_pdf(report, folder)


def test_page_count_is_that_of_a_committee_report(pdf):
    assert 15 <= office.pages(pdf) <= 35


def test_the_pdf_holds_the_headings_in_order_numbered_by_word(pdf):
    text = " ".join(office.text(pdf).split())
    headings = [
        "1. Introduction",
        "1.1 This report sets out the progress",
        "2. Recommendations",
        "i) Note and comment",
        "ii) Note the extension of ten target completion dates",
        "3. Policy context",
        "4. Direction of travel",
        "5. Deadline revisions",
        "5.1 The Children and Young People's",
        "6. Legal implications",
        "7. Financial implications",
        "8. Crime and disorder implications",
        "9. Equalities implications",
        "Appendix: Ofsted Improvement Plan monitoring report",
        "1. Introduction",
        "2. Progress dashboard for all actions to date",
        "3. Direction of travel since the last report",
        "4. Progress summary for actions due in Quarter Two (May to July 2016)",
        "5. Key leads and those responsible for actions",
        "6. Progress summary for all actions in the improvement plan",
        "A. Early help and safeguarding",
        "Recommendation 1",
        "Recommendation 5",
        "B. Looked after children and permanence",
        "Recommendation 6",
        "C. Leadership and management",
        "Recommendation 7",
        "Recommendation 9",
        "7. Annex: checks of the tracker workbook",
    ]
    position = 0
    for heading in headings:  # each found after the one before it: Word's list numbers are drawn
        found = text.find(heading, position)
        assert found >= 0, f"'{heading}' missing or out of order"
        position = found + len(heading)


def test_the_pdf_states_the_rules_figures(pdf):
    text = " ".join(office.text(pdf).split())
    assert "progress against the seventeen actions due for completion" in text
    assert (
        "Actions completed by deadline during this reporting period (fourteen of seventeen)" in text
    )
    assert (
        "Actions not completed by deadline during this reporting period (three of seventeen)"
        in text
    )
    assert "Note the extension of ten target completion dates" in text
    assert "progress against all sixty-one actions in the improvement plan" in text
    assert "rest on a tracker workbook with twelve errors not yet put right" in text


def test_every_page_is_numbered(pdf):
    text = office.text(pdf)
    total = office.pages(pdf)
    numbers = [int(n) for n in re.findall(rf"Page (\d+) of {total}\b", text)]
    assert numbers == list(range(1, total + 1))


def test_the_native_chart_is_drawn_in_the_rag_colours(pdf, tmp_path):
    import subprocess

    from ofsted_tracker.report_builder.context import NOT_RATED_FILL
    from ofsted_tracker.workbook.plan.schema import RAG_FILLS

    page = next(
        n
        for n in range(1, office.pages(pdf) + 1)
        if "Figure 1"
        in subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            str(page),
            "-l",
            str(page),
            "-r",
            "40",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("page*.ppm")).read_bytes()
    header_end = image.index(b"255\n") + 4
    pixels = image[header_end:]
    seen = {bytes(pixels[i : i + 3]) for i in range(0, len(pixels) - 2, 3)}
    for name, fill in (
        ("green", RAG_FILLS["G"]),
        ("amber", RAG_FILLS["A"]),
        ("red", RAG_FILLS["R"]),
        ("grey", NOT_RATED_FILL),
    ):
        assert bytes.fromhex(fill) in seen, f"no {name} ({fill}) pixels on the chart's page {page}"
