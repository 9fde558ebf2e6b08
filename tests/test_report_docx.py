"""The demo report read back with python-docx: prose numbers equal table rows and the rules, Word conventions hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.context import NOT_RATED_FILL
from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.plan.schema import RAG_FILLS
from ofsted_tracker.workbook.rules.summary import Summary
from tests.report.reading import (
    body_text,
    bullets_after,
    criteria_table,
    paragraph_index,
    rows,
    table_with_header,
    tables_with_header,
)

FILLS = {**RAG_FILLS, "NR": NOT_RATED_FILL}
PERIOD_HEADER = (
    "Ref",
    "Action",
    "Action owner",
    "RAG",
    "Progress summary",
    "Target completion deadline",
)
ACTIONS_HEADER = ("Ref", "Action", "Completion deadline", "Progress status", "By whom", "RAG")
REVISIONS_HEADER = ("Ref", "Action", "Old deadline", "New deadline", "Reason for deadline revision")
WORDS = r"([a-z]+(?:-[a-z]+)?|\d[\d,]*)"  # a count as the prose writes it: "seventeen", "sixty-one", "no", "100"


def number(words: str) -> int:
    """A count the prose wrote in words back as a number (report_builder.text.number_words, inverted)."""
    from ofsted_tracker.report_builder.text import number_words

    known = {number_words(n): n for n in range(100)}
    return known[words] if words in known else int(words.replace(",", ""))


@pytest.fixture(scope="module")
def summary(demo_master: Path) -> Summary:
    return open_summary(demo_master)


@pytest.fixture(scope="module")
def report(summary: Summary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(summary, tmp_path_factory.mktemp("report") / "committee-report.docx")


@pytest.fixture(scope="module")
def doc(report: Path):
    return Document(str(report))


def period_rows(doc):
    return [r for r in rows(table_with_header(doc, *PERIOD_HEADER))[1:] if not r.merged]


def action_rows(doc):
    return [r for t in tables_with_header(doc, *ACTIONS_HEADER) for r in rows(t)[1:]]


# ------------------------------------------------------------------------------------------- the figures agree


def test_period_prose_equals_the_period_table_and_the_rule(doc, summary):
    table = period_rows(doc)
    p = summary.period
    _, due = paragraph_index(doc, rf"progress against the {WORDS} actions due for completion")
    assert due[1] == "seventeen"
    assert number(due[1]) == len(table) == len(p.due) == 17
    snapshot = criteria_table(doc, "Total number of actions due")
    assert snapshot == {
        "Total number of actions due for completion this period": len(p.due),
        "Actions completed by deadline": len(p.completed),
        "Actions not completed by deadline": len(p.not_completed),
    }
    letters = [r.texts[3] for r in table]
    i, done = paragraph_index(
        doc, rf"Actions completed by deadline during this reporting period \({WORDS} of {WORDS}\)"
    )
    named = bullets_after(doc, i)
    assert number(done[1]) == len(named) == letters.count("G") == len(p.completed) == 14
    assert number(done[2]) == len(p.due)
    assert [re.search(r"\(([\d.]+)\)$", b)[1] for b in named] == [
        r.texts[0] for r in table if r.texts[3] == "G"
    ]
    i, missed = paragraph_index(
        doc, rf"Actions not completed by deadline during this reporting period \({WORDS} of"
    )
    named = bullets_after(doc, i)
    assert number(missed[1]) == len(named) == letters.count("R") == len(p.not_completed) == 3
    assert [re.search(r"\(([\d.]+):", b)[1] for b in named] == [
        r.texts[0] for r in table if r.texts[3] == "R"
    ]


def test_every_action_of_the_period_appears_once(doc, summary):
    refs = [r.texts[0] for r in period_rows(doc)]
    assert refs == list(summary.period.due)
    assert len(refs) == len(set(refs))


def test_revisions_prose_equals_the_revisions_table(doc, summary):
    _, recommended = paragraph_index(doc, rf"Note the extension of {WORDS} target completion dates")
    _, invited = paragraph_index(
        doc,
        rf"invited to note the {WORDS} deadline revisions .* These revisions were agreed "
        r"by the Children & Young People's Strategic Partnership Board\.",
    )
    table = rows(table_with_header(doc, *REVISIONS_HEADER))[1:]
    assert (
        number(recommended[1]) == number(invited[1]) == len(table) == len(summary.revisions) == 10
    )
    assert [r.texts[0] for r in table] == [r.action_id for r in summary.revisions]
    assert table[0].texts[2:4] == ("30/10/16", "31/01/17")


def test_overall_prose_and_table_equal_the_rule_and_the_appendix(doc, summary):
    o = summary.overall
    _, total = paragraph_index(
        doc, rf"progress against all {WORDS} actions in the improvement plan"
    )
    overall = criteria_table(doc, "Total number of actions in the improvement plan")
    assert (
        number(total[1])
        == overall["Total number of actions in the improvement plan"]
        == len(o.total)
        == 61
    )
    assert list(overall.values())[1:] == [
        len(o.completed),
        len(o.ongoing),
        len(o.not_completed),
        len(o.not_rated),
    ]
    letters = [r.texts[-1] for r in action_rows(doc)]
    assert (
        [letters.count(x) for x in ("G", "A", "R", "NR")]
        == [37, 10, 13, 1]
        == list(overall.values())[1:]
    )
    dashboard = rows(table_with_header(doc, "Total number of actions in the improvement plan"))[1]
    assert [int(x) for x in dashboard.texts] == [61, 37, 10, 13, 1]
    by_section = rows(table_with_header(doc, "Section", "Total", "G", "A", "R", "NR"))[1:]
    assert by_section[-1].texts == ("Whole plan", "61", "37", "10", "13", "1")
    for column in range(1, 6):
        assert sum(int(r.texts[column]) for r in by_section[:-1]) == int(
            by_section[-1].texts[column]
        )


def test_every_action_of_the_plan_appears_once_in_the_appendix(doc, summary):
    refs = [r.texts[0] for r in action_rows(doc)]
    assert refs == [a.action_id for a in summary.plan.actions]


def test_the_numbers_agree_with_the_summary_command(doc, summary):
    """The figures `ofsted-tracker summary --json` prints are the report's."""
    data = summary.as_dict()
    overall = criteria_table(doc, "Total number of actions in the improvement plan")
    assert list(overall.values()) == [
        data["overall"][k]["count"]
        for k in (
            "total",
            "completed_by_deadline",
            "ongoing_within_deadline",
            "not_completed_by_deadline",
            "not_rated",
        )
    ]
    snapshot = criteria_table(doc, "Total number of actions due")
    assert list(snapshot.values()) == [
        data["period"][k]["count"]
        for k in ("due", "completed_by_deadline", "not_completed_by_deadline")
    ]


# ------------------------------------------------------------------------------------------- Word conventions


def test_rag_cells_carry_colour_and_letter(doc):
    checked = 0
    for table in [
        table_with_header(doc, *PERIOD_HEADER),
        *tables_with_header(doc, *ACTIONS_HEADER),
    ]:
        column = rows(table)[0].texts.index("RAG")
        for row in rows(table)[1:]:
            if row.merged:
                continue
            letter = row.texts[column]
            assert letter in FILLS, row
            assert row.fills[column] == FILLS[letter], row
            checked += 1
    assert checked == 17 + 61


def test_headings_are_word_heading_styles(doc):
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    texts = [t for _, t in headings]
    for expected in (
        "Introduction",
        "Recommendations",
        "Policy context",
        "Direction of travel",
        "Deadline revisions",
        "Legal implications",
        "Financial implications",
        "Crime and disorder implications",
        "Equalities implications",
        "Appendix: Ofsted Improvement Plan monitoring report",
        "Progress dashboard for all actions to date",
        "Direction of travel since the last report",
        "Progress summary for actions due in Quarter Two (May to July 2016)",
        "Key leads and those responsible for actions",
        "A. Early help and safeguarding",
        "Recommendation 1",
        "Recommendation 9",
        "Annex: checks of the tracker workbook",
    ):
        assert expected in texts
    assert ("Heading 1", "Introduction") in headings
    assert ("Heading 4", "Recommendation 9") in headings
    assert not [
        t for t in texts if re.match(r"\d+(\.\d+)*\.?\s", t)
    ]  # no number typed: Word numbers them


def _list_of(paragraph) -> tuple[str, int] | None:
    """(numId, level) of a paragraph's Word list numbering, from the paragraph or its style; None when unnumbered."""
    for ppr in (paragraph._p.pPr, paragraph.style.element.pPr):
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is not None and num_pr.numId is not None:
            return num_pr.numId.val, num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return None


def test_paragraphs_are_numbered_by_word_lists_not_typed(doc):
    numbering = doc.part.numbering_part.element
    texts = {}
    for num in numbering.findall(qn("w:num")):
        abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        levels = numbering.xpath(
            f'w:abstractNum[@w:abstractNumId="{abstract}"]/w:lvl/w:lvlText/@w:val'
        )
        texts[int(num.get(qn("w:numId")))] = levels
    cover = [
        p
        for p in doc.paragraphs
        if p.style.name in ("Heading 1", "Numbered Para", "Numbered Sub") and _list_of(p)
    ]
    heading, paragraph, sub = (
        _list_of(p)
        for p in (cover[0], cover[1], next(p for p in cover if p.style.name == "Numbered Sub"))
    )
    assert heading[0] == paragraph[0] == sub[0] and (heading[1], paragraph[1], sub[1]) == (0, 1, 2)
    assert texts[heading[0]][:3] == ["%1.", "%1.%2", "%3)"]  # 1.  1.1  i)
    assert [p.text for p in cover[:2]] == ["Introduction", cover[1].text] and not re.match(
        r"\d", cover[1].text
    )
    appendix = [p for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert all(_list_of(p) and texts[_list_of(p)[0]][0] == "%1." for p in appendix)
    assert _list_of(appendix[0])[0] != heading[0]  # the appendix numbers its own sections from 1


def test_header_rows_repeat_and_rows_do_not_split(doc):
    for table in doc.tables:
        for tr in table._tbl.tr_lst:
            assert tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None
    for header in (PERIOD_HEADER, REVISIONS_HEADER):
        first = table_with_header(doc, *header)._tbl.tr_lst[0]
        assert first.trPr.find(qn("w:tblHeader")) is not None
    for table in tables_with_header(doc, *ACTIONS_HEADER):
        assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(tr.trPr.find(qn("w:tblHeader")) is None for tr in table._tbl.tr_lst[1:])


def test_the_appendix_is_landscape_and_pages_are_numbered(doc):
    orientations = [s.orientation for s in doc.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert doc.sections[1].page_width > doc.sections[1].page_height
    for section in doc.sections:
        instructions = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
        assert instructions == ["PAGE", "NUMPAGES"]
        assert (
            "Children and Young People's Select Committee, 10 November 2016"
            in section.footer.paragraphs[0].text
        )


def test_dates_as_the_council_writes_them(doc):
    _, cover = paragraph_index(doc, r"figures as at (\d+ \w+ \d{4})")
    assert cover[1] == "31 October 2016"
    cover_table = rows(doc.tables[0])
    assert cover_table[-1].texts == ("Class", "Part 1", "Date", "10 November 2016")
    deadlines = [r.texts[5] for r in period_rows(doc)]
    assert all(re.fullmatch(r"\d\d/\d\d/\d\d(\n\(now \d\d/\d\d/\d\d\))?", d) for d in deadlines), (
        deadlines
    )
    assert "30/07/16\n(now 30/11/16)" in deadlines


def test_owners_are_shown_by_name_and_unknown_initials_as_typed(doc):
    owners = {r.texts[0]: r.texts[2] for r in period_rows(doc)}
    assert owners["1.1"] == "Paul King"
    assert owners["4.2"] == "Karen Neill, RR"
    leads = rows(table_with_header(doc, "Job title", "Current post-holder", "Initials"))
    assert len(leads) == 1 + 20


def test_core_properties_and_chart(doc):
    props = doc.core_properties
    assert props.title == "Ofsted Improvement Plan Update: Quarter Two (May to July 2016)"
    assert props.author == "Policy and Analysis, Children and Young People's Directorate"
    assert props.language == "en-GB"
    assert len(doc.inline_shapes) == 1
    chart = doc.inline_shapes[0]
    assert chart.width > chart.height
    doc_pr = chart._inline.find(qn("wp:docPr"))
    assert doc_pr.get("descr").startswith(
        "RAG chart. A. Early help and safeguarding: 16 G, 9 A, 7 R, 0 NR;"
    )
    assert "Whole plan: 37 G, 10 A, 13 R, 1 NR." in doc_pr.get("descr")
    assert (
        chart._inline.graphic.graphicData.get("uri")
        == "http://schemas.openxmlformats.org/drawingml/2006/chart"
    )


def chart_part(doc):
    rid = doc.inline_shapes[0]._inline.xpath(".//c:chart/@r:id")[0]
    return doc.part.related_parts[rid]


def test_the_chart_is_a_native_chart_with_its_workbook(doc):
    import io

    from lxml import etree
    from openpyxl import load_workbook

    part = chart_part(doc)
    assert part.content_type == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
    space = etree.fromstring(part.blob)
    assert space.tag == "{http://schemas.openxmlformats.org/drawingml/2006/chart}chartSpace"
    workbooks = [rel.target_part for rel in part.rels.values() if rel.reltype.endswith("/package")]
    assert len(workbooks) == 1 and workbooks[0].partname.endswith(".xlsx")
    rid = space.xpath(
        "c:externalData/@r:id", namespaces={"c": space.nsmap["c"], "r": qn("r:id")[1:-3]}
    )[0]
    assert part.rels[rid].target_part is workbooks[0]
    sheet = load_workbook(io.BytesIO(workbooks[0].blob)).worksheets[0]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0][1:] == [
        "Completed by deadline (G)",
        "Ongoing within deadline (A)",
        "Not completed by deadline (R)",
        "Not rated (NR)",
    ]
    assert table[1] == ["A. Early help and safeguarding", 16, 9, 7, 0]
    assert table[-1] == ["Whole plan", 37, 10, 13, 1]


def test_the_chart_series_have_the_rag_colours(doc):
    from lxml import etree

    space = etree.fromstring(chart_part(doc).blob)
    ns = {"c": space.nsmap["c"], "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    fills = space.xpath("//c:ser/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=ns)
    assert fills == [RAG_FILLS["G"], RAG_FILLS["A"], RAG_FILLS["R"], NOT_RATED_FILL]
    cached = [float(v) for v in space.xpath("//c:ser[1]/c:val//c:v/text()", namespaces=ns)]
    assert cached == [16, 3, 18, 37]  # the figures Word and LibreOffice draw from


def test_no_placeholder_is_left_in_the_report(report: Path):
    import zipfile

    with zipfile.ZipFile(report) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                text = package.read(name).decode("utf-8")
                assert "{{" not in text and "{%" not in text, name


# ------------------------------------------------------------------------------------------- writing safely


def test_output_must_be_a_docx(summary, tmp_path):
    from ofsted_tracker.workbook.errors import TrackerError

    with pytest.raises(TrackerError, match="ending .docx"):
        build_report(summary, tmp_path / "report.pdf")
    assert list(tmp_path.iterdir()) == []


def test_the_report_folder_is_made_when_missing(summary, tmp_path):
    written = build_report(summary, tmp_path / "new" / "folder" / "report.docx")
    assert written.is_file() and Document(str(written)).paragraphs


def test_a_report_open_in_word_is_not_overwritten(summary, tmp_path):
    from ofsted_tracker.workbook.errors import WorkbookLocked

    target = tmp_path / "report.docx"
    target.write_bytes(b"the report officers have open")
    (tmp_path / "~$report.docx").write_bytes(b"owner")
    with pytest.raises(WorkbookLocked):
        build_report(summary, target)
    assert target.read_bytes() == b"the report officers have open"


# ------------------------------------------------------------------------------------------- other plans


def test_a_period_with_nothing_due_and_no_revisions(tmp_path):
    from datetime import date

    from ofsted_tracker.workbook.rules.summary import summarise
    from tests.builders import act, plan_of
    from tests.report.plans import PERIODS

    plan = plan_of(
        act("1.1", date(2016, 9, 30), "Complete", completed_on=date(2016, 9, 1)), periods=PERIODS
    )
    doc = Document(
        str(build_report(summarise(plan, date(2016, 10, 31), "Q2"), tmp_path / "empty.docx"))
    )
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Note that no target completion dates were extended in this reporting period." in text
    assert "No target completion dates were extended in this reporting period." in text
    assert (
        "No action of the plan had a target completion date in Quarter Two (May to July 2016)"
        in text
    )
    assert (
        "No action of the plan had a target completion date between 1 May 2016 and 31 July 2016."
        in text
    )
    for empty in (
        "invited to note",
        " 0 ",
        "(no of no)",
        "no deadline revisions",
        "set out below",
        "None.",
        "during this reporting period (",
        "Since the last report",
    ):
        assert empty not in text, empty  # no sentence about an empty list
    assert "This is the first report with a recorded snapshot of the plan" in text
    assert not tables_with_header(doc, *REVISIONS_HEADER)
    assert not tables_with_header(doc, *PERIOD_HEADER)
    assert not tables_with_header(doc, "Period", "As at")  # no trend table in a first report
    assert not tables_with_header(doc, "Severity", "Cell")  # no errors: no annex
    assert len(doc.inline_shapes) == 1  # the RAG chart; no trend chart


def test_a_running_period_shows_what_is_not_yet_due(tmp_path):
    from datetime import date

    from ofsted_tracker.workbook.rules.summary import summarise
    from tests.builders import act, plan_of
    from tests.report.plans import PERIODS

    plan = plan_of(
        act("1.1", date(2016, 5, 20), "Complete", completed_on=date(2016, 5, 19)),
        act("1.2", date(2016, 6, 10), "On track"),
        act("1.3", date(2016, 7, 20), "On track"),
        periods=PERIODS,
    )
    doc = Document(
        str(build_report(summarise(plan, date(2016, 6, 30), "Q2"), tmp_path / "running.docx"))
    )
    snapshot = criteria_table(doc, "Total number of actions due")
    assert snapshot == {
        "Total number of actions due for completion this period": 3,
        "Actions completed by deadline": 1,
        "Actions not completed by deadline": 1,
        "Actions not yet due (target date still to come)": 1,
    }
    i, _ = paragraph_index(doc, r"Actions due later in this reporting period \(one of three\)")
    assert bullets_after(doc, i) == ["Action 1.3 (1.3: due 20 July 2016)"]
    assert [r.texts[3] for r in period_rows(doc)] == ["G", "R", "A"]
    _, amber = paragraph_index(doc, r"rated 'amber' \(A\)")
    assert amber


def test_a_failure_while_saving_leaves_the_old_report_and_no_temporary_file(
    summary, tmp_path, monkeypatch
):
    import ofsted_tracker.report_builder.build as build
    from ofsted_tracker.workbook.errors import TemplateError

    target = tmp_path / "report.docx"
    target.write_bytes(b"last quarter's report")

    def half_written(path):
        assert Path(path).stat().st_size > 0  # the new report was being written beside the old one
        raise TemplateError("simulated failure after writing")

    monkeypatch.setattr(build, "_assert_reopens", half_written)
    with pytest.raises(TemplateError, match="simulated"):
        build_report(summary, target)
    assert target.read_bytes() == b"last quarter's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


# ------------------------------------------------------------------------------------------- direction of travel


@pytest.fixture(scope="module")
def travelled(demo_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo report after the demo's invented Q1 snapshot: (the summary, the document)."""
    import shutil

    from ofsted_tracker.workbook.demo import record_illustrative_snapshot

    folder = tmp_path_factory.mktemp("travel")
    tracker = folder / demo_master.name
    shutil.copy2(demo_master, tracker)
    record_illustrative_snapshot(tracker)
    s = open_summary(tracker)
    return s, Document(str(build_report(s, folder / "report.docx")))


def test_the_report_shows_the_trend_and_what_changed_by_name(travelled):
    s, doc = travelled
    trend = tables_with_header(doc, "Period", "As at", "Total", "G", "A", "R", "NR")
    assert len(trend) == 2  # in the cover report and in the appendix
    for table in trend:
        body = [r.texts for r in rows(table)[1:]]
        assert [b[:2] for b in body] == [("Q1 (invented)", "31/07/16"), ("Q2", "31/10/16")]
        assert body[-1][2:7] == (
            "61",
            "37",
            "10",
            "13",
            "1",
        )  # this report's own figures, unchanged
    text = body_text(doc)
    assert "invented for this demo" in text and "it is not Lewisham's" in text
    assert "compared with the last report's, for Q1 (invented) as at 31 July 2016" in text
    t = s.travel
    for label, key in (
        ("Completed", "completed"),
        ("Deadline moved since the last report", "deadline_moved_again"),
        ("Turned Red because their deadlines passed", "turned_red_deadline_passed"),
    ):
        ids = [c.action_id for c in t.of(key)]
        assert ids, key
        i, found = paragraph_index(doc, rf"^{label} \({WORDS}\):$")
        named = bullets_after(doc, i)
        assert number(found[1]) == len(named) == len(ids)  # every count is its list's length
        assert [re.search(r"\(([\d.]+)[:)]", b)[1] for b in named] == ids
    i, _ = paragraph_index(doc, r"^Deadline moved since the last report")
    assert "(1.3: moved from 30 October 2016 to 31 January 2017)" in bullets_after(doc, i)[1]
    assert len(doc.inline_shapes) == 2
    trend_chart = doc.inline_shapes[1]._inline.find(qn("wp:docPr"))
    assert trend_chart.get("descr") == (
        "Trend chart. Q1 (invented) (31/07/16): 29 G, 29 A, 2 R, 1 NR; "
        "Q2 (31/10/16): 37 G, 10 A, 13 R, 1 NR."
    )


def test_a_report_with_errors_says_how_many_and_lists_them_with_their_cells(doc, summary, tmp_path):
    _, said = paragraph_index(
        doc, rf"rest on a tracker workbook with {WORDS} errors? not yet put right"
    )
    assert number(said[1]) == summary.errors == 12
    header = ("Severity", "Cell", "Action", "What is wrong and how to put it right")
    assert not tables_with_header(doc, *header)  # members get a paragraph; the cells go to officers
    officers = Document(str(build_report(summary, tmp_path / "officers.docx", officers_annex=True)))
    annex = rows(table_with_header(officers, *header))[1:]
    assert len(annex) == summary.errors  # the warnings are left to the Checks sheet
    assert [r.texts[0] for r in annex].count("Error") == summary.errors
    assert ("Error", "Actions!E38", "7.1") == annex[0].texts[:3] and "31st April 2016" in annex[
        0
    ].texts[3]
    i, _ = paragraph_index(
        doc, r"^Counted as completed by deadline, although the deadline typed is not a date"
    )
    assert [b for b in bullets_after(doc, i) if "(7.1: deadline typed as '31st April 2016')" in b]


def test_disagreements_are_worded_for_members(doc):
    text = body_text(doc)
    assert (
        "(4.3): rated Amber by officers, but its deadline of 30 September 2016 has passed (Red in this report)."
        in text
    )
    members = text[
        : text.index("Appendix: ")
    ]  # the cover report (the Annex quotes the validation messages)
    assert "by the rule" not in members and "1 actions" not in members
