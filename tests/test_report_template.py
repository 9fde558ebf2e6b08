"""The Word template: misspelt placeholders, broken tags and sandbox escapes fail clearly and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from ofsted_tracker.report_builder import build_report
from ofsted_tracker.report_builder.build import DEFAULT_TEMPLATE
from ofsted_tracker.workbook.errors import TemplateError
from ofsted_tracker.workbook.jobs import open_summary
from ofsted_tracker.workbook.rules.summary import Summary
from tests.report.reading import body_text


@pytest.fixture(scope="module")
def summary(demo_master: Path) -> Summary:
    return open_summary(demo_master)


def template_with(folder: Path, *paragraphs: str | tuple[str, ...], title: str = "") -> Path:
    """A small .docx template: one paragraph per item (a tuple is one paragraph typed as several runs)."""
    doc = Document()
    for item in paragraphs:
        p = doc.add_paragraph()
        for run in item if isinstance(item, tuple) else (item,):
            p.add_run(run)
    if title:
        doc.core_properties.title = title
    path = folder / "template.docx"
    doc.save(str(path))
    return path


def build_fails(summary: Summary, folder: Path, template: Path, match: str) -> TemplateError:
    out = folder / "out"
    out.mkdir()
    with pytest.raises(TemplateError, match=match) as caught:
        build_report(summary, out / "report.docx", template=template)
    assert list(out.iterdir()) == [], "a failed build must leave nothing behind"
    return caught.value


def test_the_standard_template_declares_only_known_placeholders(summary, tmp_path):
    written = build_report(summary, tmp_path / "report.docx", template=DEFAULT_TEMPLATE)
    assert written.is_file()


def test_a_small_template_fills_in_and_mends_tags_word_split(summary, tmp_path):
    template = template_with(
        tmp_path,
        "Report to the {{ committee }}.",
        ("Due: {{ per", "iod.due }} actions."),
        "{%p for r in revisions %}",
        "{{ r.ref }}: {{ r.old }} to {{ r.new }}",
        "{%p endfor %}",
    )
    doc = Document(str(build_report(summary, tmp_path / "report.docx", template=template)))
    text = body_text(doc)
    assert "Report to the Children and Young People's Select Committee." in text
    assert "Due: 17 actions." in text
    assert "1.3: 30/10/16 to 31/01/17" in text
    assert sum(1 for p in doc.paragraphs if " to " in p.text and ":" in p.text) == 10


def test_a_misspelt_placeholder_is_named(summary, tmp_path):
    template = template_with(
        tmp_path, "Intro", "Report to the {{ comittee }} on {{ meeting_date }}."
    )
    error = build_fails(summary, tmp_path, template, "'comittee'")
    assert "Report to the {{ comittee }} on {{ meeting_date }}." in str(error)
    assert "README" in str(error)


def test_a_misspelt_field_is_named(summary, tmp_path):
    template = template_with(
        tmp_path, "{%p for r in revisions %}", "{{ r.ref }} because {{ r.reson }}", "{%p endfor %}"
    )
    build_fails(summary, tmp_path, template, "field 'reson'")


def test_a_misspelt_placeholder_in_the_footer_is_named(summary, tmp_path):
    doc = Document()
    doc.add_paragraph("{{ title }}")
    doc.sections[0].footer.paragraphs[0].text = "Page for {{ councl }}"
    template = tmp_path / "template.docx"
    doc.save(str(template))
    build_fails(summary, tmp_path, template, r"'councl'.*a footer")


def test_a_broken_tag_is_reported(summary, tmp_path):
    template = template_with(tmp_path, "{% if period.due %}never closed")
    build_fails(summary, tmp_path, template, "broken tag")


@pytest.mark.parametrize(
    "text",
    [
        "{{ council|shout }}",
        "{% if council %}{{ council|shout }}{% endif %}",  # Jinja's compiler lets this pass until it is reached
        "{% if council is shouting %}!{% endif %}",
        "{% for loop in sections %}{{ loop }}{% endfor %}",
    ],
)
def test_an_unknown_filter_or_test_is_refused_before_anything_is_filled_in(summary, tmp_path, text):
    build_fails(summary, tmp_path, template_with(tmp_path, text), "broken tag")


def test_the_check_reads_the_names_jinja_would(summary):
    """The placeholder check walks the parsed tree itself (no compile): the names it finds are those of Jinja's
    ``meta.find_undeclared_variables``, for the standard template and for loops, else and filters."""
    from jinja2 import meta

    from ofsted_tracker.report_builder import template

    env = template.sandbox()
    texts = [
        template.template_source(Document(str(DEFAULT_TEMPLATE))).text,
        "{% for x in xs if x > z %}{{ x }}{{ loop.index }}{% else %}{{ x }}{% endfor %}{{ y|upper }}",
        "{% for a, b in c %}{{ a }}{% for d in b %}{{ d }}{{ a }}{% endfor %}{{ d }}{% endfor %}",
        "{{ w if v else u|default(t) }}",
    ]
    for text in texts:
        tree = env.parse(text)
        assert template._undeclared(tree, env) == meta.find_undeclared_variables(tree)


def test_a_broken_tag_in_the_document_properties_is_reported(summary, tmp_path):
    template = template_with(tmp_path, "{{ title }}", title="Report {{ unclosed")
    build_fails(summary, tmp_path, template, "could not be filled in")


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ council.__class__.__mro__[1].__subclasses__() }}",
        "{{ council.__class__ }}",
        "{{ council.upper.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__ }}",
        "{{ rag_chart.tpl.template_file }}",
        "{{ rag_chart.tpl.save('stolen.docx') }}",
        "{{ revisions.append(1) }}",
        "{{ period.update({'due': 0}) }}",
        "{{ (council.__class__.__base__.__subclasses__()|list)[0] }}",
    ],
)
def test_a_template_cannot_reach_python_or_files(summary, tmp_path, escape):
    template = template_with(tmp_path, "Meeting {{ meeting_date }}", escape)
    error = build_fails(summary, tmp_path, template, "The Word template")
    message = str(error)
    assert "<class" not in message and "<built-in" not in message and "<module" not in message
    assert not (tmp_path / "stolen.docx").exists()


def test_the_sandbox_itself_refuses_internals_and_changes():
    from jinja2.exceptions import SecurityError

    from ofsted_tracker.report_builder.template import sandbox

    env = sandbox()

    class Picture:
        tpl = "the template object"

    assert (
        env.from_string("{{ d.k }} {{ s.upper() }} {{ l|length }}").render(
            d={"k": "v"}, s="a&b", l=[1, 2]
        )
        == "v A&amp;B 2"
    )
    for source, values in (
        ("{{ p.tpl }}", {"p": Picture()}),
        ("{{ l.append(1) }}", {"l": []}),
        ("{{ s.__class__.__mro__ }}", {"s": ""}),
        ("{{ d.update(k=1) }}", {"d": {}}),
    ):
        with pytest.raises(SecurityError):
            env.from_string(source).render(**values)
    assert set(env.globals) == {
        "range"
    }  # no namespace(): templates cannot build values up (see the limits)


def test_a_missing_or_unreadable_template_is_reported(summary, tmp_path):
    build_fails(summary, tmp_path, tmp_path / "nowhere.docx", "not found")
    (tmp_path / "fake.docx").write_text("not a zip")
    with pytest.raises(TemplateError, match="not a Word document"):
        build_report(summary, tmp_path / "report.docx", template=tmp_path / "fake.docx")


def test_the_template_script_makes_a_working_template(summary, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_template", DEFAULT_TEMPLATE.parent / "source" / "make_template.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    template = module.make_template(tmp_path / "fresh.docx")
    doc = Document(str(build_report(summary, tmp_path / "report.docx", template=template)))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][:5] == [
        "Introduction",
        "Recommendations",
        "Policy context",
        "Direction of travel",
        "Deadline revisions",
    ]


def test_the_command_line_reports_a_template_error_without_a_traceback(demo_master, tmp_path):
    from ofsted_tracker.cli import app

    template = template_with(tmp_path, "{{ comittee }}")
    result = CliRunner().invoke(
        app,
        ["report", str(demo_master), "-o", str(tmp_path / "r.docx"), "--template", str(template)],
    )
    assert result.exit_code == 2
    assert "comittee" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.docx").exists()


def test_the_command_line_writes_the_report(demo_tracker, tmp_path):
    from ofsted_tracker.cli import app

    # a copy: the report records its snapshot in the workbook
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(demo_tracker),
            "--period",
            "Q2",
            "--as-of",
            "31/10/2016",
            "-o",
            str(tmp_path / "r.docx"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert Document(str(tmp_path / "r.docx")).core_properties.title.startswith(
        "Ofsted Improvement Plan Update"
    )


def test_the_command_line_names_an_unknown_period(demo_master, tmp_path):
    from ofsted_tracker.cli import app

    result = CliRunner().invoke(
        app, ["report", str(demo_master), "--period", "Q9", "-o", str(tmp_path / "r.docx")]
    )
    assert result.exit_code == 2
    assert (
        "reporting period 'Q9' is not on the Periods sheet (periods: Q1, Q2, Q3, Q4)"
        in result.output
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.docx").exists()
