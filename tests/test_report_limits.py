"""Templates cannot hang or crash the tool: every attack ends within seconds as a TemplateError (exit 2) naming
its paragraph, and random Jinja in a paragraph gives a report or exit 2, never a traceback."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ofsted_tracker.report_builder.template as template
from ofsted_tracker.report_builder import build_report
from ofsted_tracker.workbook.errors import TemplateError
from tests.report.plans import large_plan, summary_of

SECONDS = (
    15  # each attack is refused at once, or stopped by the time limit set below; this bounds both
)


@pytest.fixture(scope="module")
def summary():
    return summary_of(large_plan(40, 4))


def template_with(folder: Path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph("Report for {{ council }}")
    doc.add_paragraph(text)
    path = folder / "template.docx"
    doc.save(str(path))
    return path


ATTACKS = {
    "syntax": ("{% if council %}never closed", "broken tag"),
    "unknown filter": ("{{ council|explode }}", "explode"),
    "include": ("{% include 'other.docx' %}", "include"),
    "import": ("{% import 'x' as x %}", "import"),
    "extends": ("{% extends 'base' %}", "extends"),
    "recursion": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macro"),
    "set": ("{% set s = 'x' %}{{ s }}", "set"),
    "division by zero": ("{{ 1 / 0 }}", "division by zero"),
    "overflow": ("{{ 10.0 ** 400 }}", "Overflow"),
    "huge power": ("{{ 2 ** 100000000 }}", "too large a number"),
    "huge range": ("{% for i in range(10**9) %}x{% endfor %}", "range()"),
    "string multiply": ("{{ 'x' * 10**10 }}", "repeating"),
    "list multiply": ("{{ ([1] * 10**9)|length }}", "repeating"),
    "zfill": ("{{ '1'.zfill(10**9) }}", "width"),
    "center method": ("{{ council.center(10**9) }}", "width"),
    "center filter": ("{{ council|center(10**9) }}", "width"),
    "format width": ("{{ '%0999999999d'|format(1) }}", "width"),
    "percent width": ("{{ '%*d' % (10**9, 1) }}", "width"),
    "str format width": ("{{ '{:>999999999}'.format(1) }}", "width"),
    "replace": ("{{ ('x' * 1000000)|replace('x', 'xxxxxxxxxx') }}", "replacing"),
    "nested loops": (
        "{% for a in range(10000) %}{% for b in range(10000) %}"
        "some text that fills the document{% endfor %}{% endfor %}",
        "over",
    ),
    "nested quiet loops": (
        "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "time limit",
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_ends_within_seconds_with_a_message(name, summary, tmp_path, monkeypatch):
    monkeypatch.setattr(template, "time_limit", lambda actions: 3.0)
    monkeypatch.setattr(template, "output_limit", lambda actions: 2_000_000)
    text, says = ATTACKS[name]
    started = time.perf_counter()
    with pytest.raises(TemplateError) as caught:
        build_report(summary, tmp_path / "r.docx", template=template_with(tmp_path, text))
    assert time.perf_counter() - started < SECONDS
    message = str(caught.value)
    assert says in message, message
    assert "paragraph '" in message and "Traceback" not in message, message
    assert not (tmp_path / "r.docx").exists()


def test_a_malformed_document_part_and_a_dtd_are_refused(summary, tmp_path):
    good = template_with(tmp_path, "{{ council }}")
    for name, change in (
        ("broken", lambda xml: xml[: len(xml) // 2]),
        ("dtd", lambda xml: xml.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaa">]>', 1)),
    ):
        bad = tmp_path / f"{name}.docx"
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as out:
            for item in source.namelist():
                data = source.read(item)
                out.writestr(item, change(data) if item == "word/document.xml" else data)
        with pytest.raises(TemplateError, match="DTD" if name == "dtd" else "not a Word document"):
            build_report(summary, tmp_path / "r.docx", template=bad)


def test_the_command_line_exits_2_on_an_attack(demo_master, tmp_path):
    from ofsted_tracker.cli import app

    result = CliRunner().invoke(
        app,
        [
            "report",
            str(demo_master),
            "-o",
            str(tmp_path / "r.docx"),
            "--template",
            str(template_with(tmp_path, "{{ 'x' * 10**10 }}")),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "repeating" in result.output and "Traceback" not in result.output


FRAGMENTS = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "{{ council }}",
        "{% if council %}",
        "{% endif %}",
        "{% for a in revisions %}",
        "{% endfor %}",
        "{{ a.ref }}",
        "|upper",
        "|center(10**9)",
        "* 10**9",
        "range(10**8)",
        "1/0",
        "'x'",
        "(",
        ")",
        "loop.index",
        "{% else %}",
        "~",
        "{% set x = 1 %}",
        "{{ period.due + 'a' }}",
        "{_{",
        "}_}",
        "{%p",
        "{%tr",
        "cellbg",
        "\u201c",
        "\u2018",
        "<w:t>",
        "&",
        " ",
        "x",
    ]
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(FRAGMENTS, min_size=1, max_size=8).map("".join))
def test_random_jinja_in_a_paragraph_gives_a_report_or_a_message(summary, tmp_path, text):
    started = time.perf_counter()
    try:
        report = build_report(summary, tmp_path / "r.docx", template=template_with(tmp_path, text))
    except TemplateError as error:
        assert str(error).startswith(("The Word template", "The report")), str(error)
    else:
        assert Document(str(report)).paragraphs[0].text.startswith("Report for Testborough")
    assert time.perf_counter() - started < 30
