"""The demo report converted by LibreOffice headless: it opens, has a sensible page count, and reads right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from report_builder import build_report
from tests.report import office
from workbook.tracker import open_summary


@pytest.fixture(scope="module")
def pdf(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    report = build_report(open_summary(demo_master), folder / "committee-report.docx")
    return office.to_pdf(report, folder)


def test_page_count_is_that_of_a_committee_report(pdf):
    assert 15 <= office.pages(pdf) <= 35


def test_the_pdf_holds_the_headings_in_order(pdf):
    text = office.text(pdf)
    headings = ["1. Introduction", "2. Recommendations", "3. Policy context", "4. Deadline revisions",
                "5. Legal implications", "6. Financial implications", "7. Crime and disorder implications",
                "8. Equalities implications", "Appendix: Ofsted Improvement Plan monitoring report",
                "2. Progress dashboard for all actions to date",
                "3. Progress summary for actions due in Quarter Two (May to July 2016)",
                "4. Key leads and those responsible for actions",
                "5. Progress summary for all actions in the improvement plan",
                "A. Early help and safeguarding", "Recommendation 1", "Recommendation 5",
                "B. Looked after children and permanence", "Recommendation 6",
                "C. Leadership and management", "Recommendation 7", "Recommendation 9"]
    position = 0
    for heading in headings:  # each found after the one before it
        found = text.find(heading, position)
        assert found >= 0, f"'{heading}' missing or out of order"
        position = found + len(heading)


def test_the_pdf_states_the_rules_figures(pdf):
    text = " ".join(office.text(pdf).split())
    assert "progress against the 17 actions due for completion" in text
    assert "Actions completed by deadline during this reporting period (14 of 17)" in text
    assert "Actions not completed by deadline during this reporting period (3 of 17)" in text
    assert "Note the extension of 10 target completion dates" in text
    assert "progress against all 61 actions in the improvement plan" in text


def test_every_page_is_numbered(pdf):
    text = office.text(pdf)
    total = office.pages(pdf)
    numbers = [int(n) for n in re.findall(rf"Page (\d+) of {total}\b", text)]
    assert numbers == list(range(1, total + 1))


def test_the_native_chart_is_drawn_in_the_rag_colours(pdf, tmp_path):
    import subprocess

    from report_builder.context import NOT_RATED_FILL
    from workbook.schema import RAG_FILLS

    page = next(n for n in range(1, office.pages(pdf) + 1)
                if "Figure 1" in subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                                capture_output=True, text=True, check=True).stdout)
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "40", str(pdf),
                    str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.ppm")).read_bytes()
    header_end = image.index(b"255\n") + 4
    pixels = image[header_end:]
    seen = {bytes(pixels[i:i + 3]) for i in range(0, len(pixels) - 2, 3)}
    for name, fill in (("green", RAG_FILLS["G"]), ("amber", RAG_FILLS["A"]), ("red", RAG_FILLS["R"]),
                       ("grey", NOT_RATED_FILL)):
        assert bytes.fromhex(fill) in seen, f"no {name} ({fill}) pixels on the chart's page {page}"
