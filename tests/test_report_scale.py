"""The rendered body moves into the document in linear time (report_builder.template.move_body works around the
lxml namespace-cache bug that bench/lxml_fixcns.py reproduces), and the report it gives is byte-identical."""

from __future__ import annotations

import statistics
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import ofsted_tracker.report_builder.template as template
from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.build import DEFAULT_TEMPLATE
from ofsted_tracker.report_builder.context import PLACEHOLDERS
from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.memory import no_cycle_collection

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RUN = '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{i} </w:t></w:r>'


def stock_move(root, body) -> None:
    """docxtpl's own map_tree."""
    root.replace(root.body, body)


def document(paragraphs: int, runs: int = 8):
    """A document and a body parsed on its own, declaring its namespace, as docxtpl's render gives it."""
    from docx.oxml import parse_xml

    root = parse_xml(f'<w:document xmlns:w="{W}"><w:body/></w:document>')
    body = etree.fromstring(
        f'<w:body xmlns:w="{W}">'
        + "".join(f"<w:p>{RUN.format(i=i) * runs}</w:p>" for i in range(paragraphs))
        + "</w:body>"
    )
    return root, body


def seconds_to_move(paragraphs: int, move=template.move_body) -> float:
    root, body = document(paragraphs)
    started = time.perf_counter()
    move(root, body)
    return time.perf_counter() - started


def growth(move=template.move_body) -> float:
    """How many times longer 4,000 paragraphs take to move than 1,000: the median of seven rounds, each timing both
    sizes back to back, so that a burst of load from other processes moves one round, not the figure."""
    with no_cycle_collection():
        return statistics.median(
            seconds_to_move(4000, move) / seconds_to_move(1000, move) for _ in range(7)
        )


def test_moving_the_body_grows_linearly_not_quadratically():
    # Four times the paragraphs: measured 4.5-5.1x the time here, and 13-15x with lxml's stock move (quadratic: 16x).
    ratio = growth()
    assert ratio < 8, f"4,000 paragraphs took {ratio:.1f}x the time of 1,000"


def test_attributes_come_back_in_their_order_and_the_xml_is_that_of_the_stock_move():
    xml = (
        f'<w:body xmlns:w="{W}"><w:p><w:r><w:t w:a="1" xml:space="preserve" w:b="2"> a </w:t>'
        '<w:t xml:space="preserve">b </w:t><w:t>c</w:t></w:r></w:p></w:body>'
    )
    results = []
    for move in (template.move_body, stock_move):
        root, _ = document(0)
        move(root, etree.fromstring(xml))
        results.append(etree.tostring(root))
    assert results[0] == results[1]
    assert b'w:a="1" xml:space="preserve" w:b="2"' in results[0]


def test_the_demo_report_is_byte_identical_to_docxtpls_own_move(
    demo_master: Path, tmp_path, monkeypatch
):
    summary = open_summary(demo_master)
    ours = build_report(summary, tmp_path / "ours.docx")
    monkeypatch.setattr(template, "move_body", stock_move)
    stock = build_report(summary, tmp_path / "stock.docx")
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(stock) as b:
        body = a.read("word/document.xml")
        assert body.count(b'xml:space="preserve"') > 100  # the move had attributes to lift
        assert body == b.read("word/document.xml")


def counting(monkeypatch, module, name: str) -> list:
    """Count the calls of ``module.name`` (the calls' arguments, in a list)."""
    calls, real = [], getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_a_template_is_compiled_and_checked_once_however_many_reports(
    demo_master: Path, tmp_path, monkeypatch
):
    import jinja2.environment

    monkeypatch.setattr(template, "_COMPILED", {})
    monkeypatch.setattr(template, "_CHECKED", {})
    monkeypatch.setattr(
        template, "_bytecode_cache", lambda: None
    )  # compiled here, not taken from a run before
    compiled = counting(monkeypatch, jinja2.environment, "generate")
    checked = counting(monkeypatch, template, "_checked")
    summary = open_summary(demo_master)
    build_report(summary, tmp_path / "first.docx")
    first = len(compiled)
    assert first >= 1 and len(checked) == 1
    build_report(summary, tmp_path / "second.docx")
    assert (len(compiled), len(checked)) == (first, 1)


def test_the_compiled_code_is_shared_by_sandboxes_and_kept_apart_by_text(monkeypatch):
    import jinja2.environment

    monkeypatch.setattr(template, "_COMPILED", {})
    monkeypatch.setattr(template, "_bytecode_cache", lambda: None)
    compiled = counting(monkeypatch, jinja2.environment, "generate")
    assert template.sandbox(0).from_string("{{ a }}!").render(a=1) == "1!"
    assert template.sandbox(5).from_string("{{ a }}!").render(a="<b>") == "&lt;b&gt;!"
    assert len(compiled) == 1
    assert template.sandbox(0).from_string("{{ a }}?").render(a=2) == "2?"
    assert len(compiled) == 2


def test_a_fresh_process_takes_the_compiled_code_from_jinjas_bytecode_cache(tmp_path, monkeypatch):
    """Each ribbon click is a fresh Python: the code one run compiled is read back by the next (an empty _COMPILED
    stands for the new process), for the same text only, and a damaged or unwritable cache only means compiling."""
    import jinja2.environment
    from jinja2 import FileSystemBytecodeCache

    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(template, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(folder)))
    compiled = counting(monkeypatch, jinja2.environment, "generate")

    def fresh_render(text: str, **values) -> str:
        monkeypatch.setattr(template, "_COMPILED", {})
        return template.sandbox(0).from_string(text).render(**values)

    assert fresh_render("{{ a }} & {{ b }}", a="<x>", b=2) == "&lt;x&gt; & 2"
    assert len(compiled) == 1 and len(list(folder.iterdir())) == 1
    assert fresh_render("{{ a }} & {{ b }}", a="<y>", b=3) == "&lt;y&gt; & 3"
    assert len(compiled) == 1  # read back, not compiled
    assert fresh_render("{{ a }} and {{ b }}", a=1, b=2) == "1 and 2"
    assert len(compiled) == 2  # another text: its own code
    for kept in folder.iterdir():
        kept.write_bytes(kept.read_bytes()[:20])  # a damaged file is compiled again
    assert fresh_render("{{ a }} & {{ b }}", a=1, b=2) == "1 & 2"
    assert len(compiled) == 3
    assert fresh_render("{{ a }} & {{ b }}", a=1, b=2) == "1 & 2"
    assert len(compiled) == 3  # the damaged file was replaced
    monkeypatch.setattr(
        template, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(tmp_path / "gone"))
    )
    assert (
        fresh_render("{{ a }} or {{ b }}", a=1, b=2) == "1 or 2"
    )  # nowhere to keep it: still filled in


def test_a_fresh_process_takes_a_templates_passed_check_from_beside_the_bytecode(
    tmp_path, monkeypatch
):
    """The check's result is kept for the next process (an empty _CHECKED stands for it): for the same text and
    the same placeholders only; a template that fails is checked, and refused, every time; a damaged file is
    checked again."""
    from docx import Document
    from jinja2 import FileSystemBytecodeCache

    from ofsted_tracker.workbook.errors import TemplateError

    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(template, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(folder)))
    checked = counting(monkeypatch, template, "_checked")
    source = template.template_source(Document(str(DEFAULT_TEMPLATE)))
    provided = frozenset(PLACEHOLDERS)

    def fresh_check(text_source, names=provided):
        monkeypatch.setattr(template, "_CHECKED", {})
        return template.check(text_source, template.sandbox(0), names)

    used = fresh_check(source)
    assert len(checked) == 1 and "sections" in used
    assert fresh_check(source) == used and len(checked) == 1  # read back
    fresh_check(source, provided | {"extra"})
    assert len(checked) == 2  # other placeholders: checked again
    broken = template.Source((("the body", "{{ councl }}"),))
    for _ in range(2):
        with pytest.raises(TemplateError, match="councl"):
            fresh_check(broken)
    assert len(checked) == 4
    for kept in folder.glob("ofsted-tracker-check-*.json"):
        kept.write_text('{"not": "names"}')
    assert fresh_check(source) == used and len(checked) == 5
