"""The long lists streamed (report_builder.stream): the report's document.xml is byte-identical to docxtpl's own
rendering of the whole plan, it grows linearly in time and memory, and a loop body that cannot be cut into blocks
is refused clearly."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document

import ofsted_tracker.report_builder.stream as stream
from ofsted_tracker.report_builder import build_report
from ofsted_tracker.workbook.errors import TemplateError
from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.memory import no_cycle_collection
from tests.report.plans import hostile_plan, large_plan, summary_of


def document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


def streamed_and_whole(summary, tmp_path: Path, monkeypatch, template: Path | None = None):
    """The report's document.xml streamed, and as docxtpl renders it with every list whole (no list streamed)."""
    streamed = document_xml(build_report(summary, tmp_path / "streamed.docx", template))
    with monkeypatch.context() as patch:
        patch.setattr(stream, "STREAMED", frozenset())
        whole = document_xml(build_report(summary, tmp_path / "whole.docx", template))
    return streamed, whole


def template_of(tmp_path: Path, *paragraphs: str) -> Path:
    """A Word template of one paragraph per text."""
    template = tmp_path / "template.docx"
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(template))
    return template


def test_the_demo_report_streamed_is_docxtpls_own_byte_for_byte(demo_master, tmp_path, monkeypatch):
    streamed, whole = streamed_and_whole(open_summary(demo_master), tmp_path, monkeypatch)
    assert streamed.count(b"<w:tr>") > 100  # the action tables are there
    assert streamed == whole


def test_a_synthetic_plan_of_2000_actions_streamed_is_docxtpls_own(tmp_path, monkeypatch):
    from bench.synthetic import make_tracker

    tracker = make_tracker(tmp_path / "tracker.xlsx", 2000)
    streamed, whole = streamed_and_whole(open_summary(tracker), tmp_path, monkeypatch)
    assert len(streamed) > 5_000_000
    assert streamed == whole


def test_officers_line_breaks_tabs_markup_and_braces_stream_as_docxtpl_writes_them(
    tmp_path, monkeypatch
):
    streamed, whole = streamed_and_whole(summary_of(hostile_plan()), tmp_path, monkeypatch)
    assert b"<w:br/>" in streamed and b"<w:tab/>" in streamed
    assert streamed == whole


def test_a_loop_body_testing_each_items_rating_and_text_comes_out_as_docxtpl_renders_it(
    tmp_path, monkeypatch
):
    template = template_of(
        tmp_path,
        "{%p for s in sections %}",
        "{%p for r in s.recommendations %}",
        "{%p if r.progress %}",
        "Progress: {{ r.progress }}",
        "{%p endif %}",
        "{%p for a in r.actions %}",
        "{{ a.ref }}{% if a.rag == 'R' %} is late{% endif %}{% if a.success_measure %}: "
        "{{ a.success_measure }}{% endif %}",
        "{%p endfor %}",
        "{%p endfor %}",
        "{%p endfor %}",
        "{{ revisions|length }} revisions",
    )
    streamed, whole = streamed_and_whole(
        summary_of(large_plan(300)), tmp_path, monkeypatch, template
    )
    assert b" is late" in streamed and b"8 revisions" in streamed
    assert streamed == whole


def test_a_loop_body_that_depends_on_the_loop_itself_is_refused_clearly(tmp_path):
    template = template_of(
        tmp_path, "{%p for a in revisions %}", "{{ loop.index }}. {{ a.ref }}", "{%p endfor %}"
    )
    with pytest.raises(TemplateError, match="loop over 'revisions' cannot be filled in row by row"):
        build_report(summary_of(large_plan(100)), tmp_path / "r.docx", template)
    assert not (tmp_path / "r.docx").exists()


def seconds_to_build(actions: int, tmp_path: Path) -> float:
    summary = summary_of(large_plan(actions))
    started = time.perf_counter()
    build_report(summary, tmp_path / f"r{actions}.docx")
    return time.perf_counter() - started


def test_the_build_grows_linearly_in_time():
    # Four times the actions: linear is 4x, a quadratic slide 16x.
    import tempfile

    with tempfile.TemporaryDirectory() as folder, no_cycle_collection():
        ratio = statistics.median(
            seconds_to_build(2000, Path(folder)) / seconds_to_build(500, Path(folder))
            for _ in range(3)
        )
    assert ratio < 7, f"2,000 actions took {ratio:.1f}x the time of 500"


PEAK = """
import json, sys
from pathlib import Path
from tests.report.plans import large_plan, summary_of
from ofsted_tracker.report_builder import build_report

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1])

summary = summary_of(large_plan(int(sys.argv[1])))
before = status("VmRSS:")
build_report(summary, Path(sys.argv[2]))
print(json.dumps({"before": before, "peak": status("VmHWM:")}))
"""


def memory_to_build(actions: int, tmp_path: Path) -> int:
    """The kilobytes building the report adds to the process's peak (a fresh process, Linux VmHWM)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(actions), str(tmp_path / f"m{actions}.docx")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return max(figures["peak"] - figures["before"], 1)


def test_the_builds_memory_grows_linearly_and_stays_small(tmp_path):
    small, large = memory_to_build(5000, tmp_path), memory_to_build(20000, tmp_path)
    # Four times the actions: the peak the build adds grows at most about linearly, and 20,000 actions add well
    # under 500 MB (at 10,000 the whole tree added over 1 GB: BENCHMARKS.md)
    assert large / small < 6, f"{small} kB at 5,000 actions, {large} kB at 20,000"
    assert large < 300_000, f"{large} kB at 20,000 actions"


def test_a_loop_body_comparing_an_items_text_is_refused_with_its_paragraph(tmp_path):
    template = template_of(
        tmp_path,
        "{%p for a in revisions %}",
        "{{ a.ref }}{% if a.agreed_by == 'Board' %} (the Board){% endif %}",
        "{%p endfor %}",
    )
    with pytest.raises(TemplateError, match=r"does more with 'a.agreed_by'.*paragraph '\{\{ a.ref"):
        build_report(summary_of(large_plan(100)), tmp_path / "r.docx", template)
    assert not (tmp_path / "r.docx").exists()


def test_a_loop_body_that_makes_too_much_text_for_every_item_stops_within_the_limit(
    tmp_path, monkeypatch
):
    import ofsted_tracker.report_builder.build as build

    template = template_of(
        tmp_path,
        "{%p for a in revisions %}",
        "{% for i in range(1000) %}{{ a.reason }} {% endfor %}",
        "{%p endfor %}",
    )
    monkeypatch.setattr(build, "output_limit", lambda actions: 100_000)
    with pytest.raises(TemplateError, match="would hold over 100,000 characters"):
        build_report(summary_of(large_plan(400)), tmp_path / "r.docx", template)
    assert not (tmp_path / "r.docx").exists()


def test_a_loop_over_a_long_list_that_shows_nothing_of_its_items_is_refused(tmp_path):
    template = template_of(tmp_path, "{%p for a in revisions %}", "A revision", "{%p endfor %}")
    with pytest.raises(TemplateError, match="without showing anything of the item"):
        build_report(summary_of(large_plan(100)), tmp_path / "r.docx", template)


def test_an_action_row_holding_only_a_status_streams_as_docxtpl_writes_it(tmp_path, monkeypatch):
    """A row whose text cells are all blank (only its status typed) has no text to find it by in the marker
    document: its blank fields are marked all the same, and it comes out as docxtpl renders it."""
    import openpyxl

    path = tmp_path / "tracker.xlsx"
    book = openpyxl.load_workbook(Path(__file__).parent / "corpus" / "clean-tracker.xlsx")
    book["Actions"]["G8"] = "On track"
    book.save(path)
    summary = open_summary(path)
    assert any(a.action_id == "" for a in summary.plan.actions)
    streamed, whole = streamed_and_whole(summary, tmp_path, monkeypatch)
    assert streamed == whole
    assert b'<w:t xml:space="preserve"></w:t>' not in streamed


def test_the_policy_teams_table_style_and_row_shading_are_kept_in_every_streamed_row(
    demo_master, tmp_path
):
    """The policy team restyle the per-recommendation actions table in Word (another table style, a shaded cell
    and bold text in the loop's row): every action's row of the report carries them, as docxtpl would render it."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    from ofsted_tracker.report_builder.build import DEFAULT_TEMPLATE

    doc = Document(str(DEFAULT_TEMPLATE))
    restyled = 0
    for table in doc.tables:
        if "{%tr for a in r.actions %}" not in table.rows[1].cells[0].text:
            continue
        table.style = doc.styles["Light List Accent 1"]
        row = table.rows[2]  # the row repeated for each action
        row.cells[1]._tc.get_or_add_tcPr().append(
            parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="FFEEDD"/>')
        )
        for run in row.cells[0].paragraphs[0].runs:
            run.bold = True
        restyled += 1
    assert restyled == 2  # the table with the success measure and the one without
    template = tmp_path / "restyled.docx"
    doc.save(str(template))

    summary = open_summary(demo_master)
    report = Document(str(build_report(summary, tmp_path / "report.docx", template=template)))
    rows = [
        row
        for table in report.tables
        if table.style is not None and table.style.name == "Light List Accent 1"
        for row in table.rows[1:]
    ]
    assert len(rows) == len(summary.plan.actions)
    for row in rows:
        fill = row.cells[1]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
        assert fill == "FFEEDD"
        assert all(run.bold for run in row.cells[0].paragraphs[0].runs if run.text)
    refs = {row.cells[0].text for row in rows}
    assert refs == {action.action_id for action in summary.plan.actions}
