"""The report's body filled in as text: the same document as docxtpl's own way, well-formed whatever officers type,
and any template the shape proof does not cover still filled in (the classic way)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import report_builder.document as document
from report_builder import build_report
from report_builder.build import DEFAULT_TEMPLATE, TCPR_ORDER, _assert_reopens
from report_builder.context import PLACEHOLDERS
from report_builder.shape import analyse
from tests.report.plans import HOSTILE, hostile_plan, large_plan, summary_of
from tests.report.reading import body_text
from workbook.errors import TemplateError
from workbook.tracker import open_summary

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
BODY = f'<w:body xmlns:w="{W_NS}">{{}}</w:body>'


def prepared(template: Path = DEFAULT_TEMPLATE) -> document.Prepared:
    return document.prepare(template, frozenset(PLACEHOLDERS), "rag_chart")


def canonical(report: Path) -> bytes:
    """The main part in a form where docxtpl's way and ours must agree exactly.

    Two differences are known and harmless, and taken out: docxtpl puts a tab in a run of its own (ours stays in
    the run it was typed in), and it numbers drawings from 1001 (ours keeps python-docx's number when there is one).
    """
    root = etree.fromstring(zipfile.ZipFile(report).read("word/document.xml"))
    for doc_pr in root.iter(f"{WP}docPr"):
        doc_pr.attrib.pop("id")
    for rpr in list(root.iter(f"{W}rPr")):
        if len(rpr) == 0 and not rpr.attrib:
            rpr.getparent().remove(rpr)
    for paragraph in root.iter(f"{W}p"):
        previous = None
        for run in list(paragraph):
            if run.tag != f"{W}r":
                previous = None
                continue
            rpr = run.find(f"{W}rPr")
            key = etree.tostring(rpr, method="c14n") if rpr is not None else b""
            if previous is not None and previous[0] == key:
                for child in list(run):
                    if child.tag != f"{W}rPr":
                        previous[1].append(child)
                paragraph.remove(run)
            else:
                previous = (key, run)
    for text in list(root.iter(f"{W}t")):
        if not text.text:
            text.getparent().remove(text)
    return etree.tostring(root, method="c14n")


# ------------------------------------------------------------------------------------------- the same document

def test_the_standard_template_takes_the_fast_way():
    ready = prepared()
    assert ready.why_classic == "" and ready.body is not None
    rows = [spec for spec in ready.loops if spec.pieces[0].startswith("<w:tr")]
    fields = [{path[0] for path, _ in spec.fields if path} for spec in rows]
    assert {"ref", "text", "owner", "fill", "rag", "progress", "deadline"} in fields  # the period's actions table
    assert {"ref", "text", "deadline", "owner", "fill", "rag"} in fields  # each recommendation's actions table
    assert {"ref", "action", "old", "new", "reason"} in fields  # the revisions table
    fill_is_an_attribute = [inside for spec in rows for path, inside in spec.fields if path == ("fill",)]
    assert fill_is_an_attribute == [True, True]


def plans():
    from tests.builders import act, plan_of
    from tests.report.plans import PERIODS
    from workbook.summary import summarise

    empty = plan_of(act("1.1", date(2016, 9, 30), "Complete", completed_on=date(2016, 9, 1)), periods=PERIODS)
    running = plan_of(act("1.1", date(2016, 5, 20), "Complete", completed_on=date(2016, 5, 19)),
                      act("1.2", date(2016, 6, 10), "On track"), act("1.3", date(2016, 7, 20), "On track"),
                      periods=PERIODS)
    return {
        "hostile": lambda: summary_of(hostile_plan([k for k in HOSTILE if k != "braces"])),
        "large": lambda: summary_of(large_plan(300)),
        "empty period": lambda: summarise(empty, date(2016, 10, 31), "Q2"),
        "running period": lambda: summarise(running, date(2016, 6, 30), "Q2"),
    }


@pytest.mark.parametrize("name", ["demo", *plans()])
def test_the_fast_way_writes_the_document_docxtpl_writes(name, demo_master, tmp_path, monkeypatch):
    summary = open_summary(demo_master) if name == "demo" else plans()[name]()
    document._prepared.clear()
    fast = build_report(summary, tmp_path / "fast.docx")
    assert prepared().body is not None
    monkeypatch.setattr(document, "_classic_reason", lambda raw, head, tpl=None: "forced by a test")
    document._prepared.clear()
    try:
        slow = build_report(summary, tmp_path / "classic.docx")
        assert prepared().body is None
    finally:
        document._prepared.clear()
    assert canonical(fast) == canonical(slow)


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


# ------------------------------------------------------------------------------------------- the compiled loops

def render(source: str, values: dict, compiled: bool) -> str:
    """A body source rendered the fast way, with its simple loops compiled or left to Jinja."""
    from report_builder.loops import WRITERS, Writers, compile_loops

    env = document.environment()
    tree = env.parse(BODY.format(source))
    shape = analyse(tree, {})
    assert shape.proven, shape.reason
    specs = compile_loops(tree, shape.attribute) if compiled else []
    if not compiled:
        import report_builder.loops as loops

        original = loops._simple
        loops._simple = lambda loop, attribute: None
        try:
            compile_loops(tree, shape.attribute)
        finally:
            loops._simple = original
    tree.set_environment(env)
    return env.from_string(tree).render({**values, WRITERS: Writers(env, specs)})


ROW = ('{% for a in rows %}<w:tr><w:tc><w:tcPr><w:shd w:val="clear" w:fill="{{ a.fill }}"/></w:tcPr><w:p><w:r>'
       '<w:t xml:space="preserve">{{ a.ref }}: {{ a.text }} ({{ a.counts.total }})</w:t></w:r></w:p></w:tc></w:tr>'
       '{% endfor %}')
BULLETS = '{% for b in items %}<w:p><w:r><w:t xml:space="preserve">{{ b }}</w:t></w:r></w:p>{% endfor %}'
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["a\nb", "tab\there", "5 < 6 & 7 > 2", "\"q\" 'a'", "\x00\x0c\x07", "emoji 👍🏽", "%s %d {} {{", "\x00"])
VALUE = ANY_TEXT | st.integers() | st.none()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({"ref": VALUE, "text": VALUE, "fill": VALUE,
                                       "counts": st.fixed_dictionaries({"total": VALUE})}), max_size=6),
       st.lists(VALUE | st.lists(st.integers(), max_size=2), max_size=5))
def test_a_compiled_loop_prints_exactly_what_jinja_prints(rows, items):
    values = {"rows": rows, "items": items}
    fast, jinja = render(ROW + BULLETS, values, True), render(ROW + BULLETS, values, False)
    assert fast == jinja
    etree.fromstring(fast.encode("utf-8"))  # whatever the values, the XML is well-formed


def test_a_compiled_loop_reads_fields_the_sandbox_way():
    from jinja2.exceptions import UndefinedError

    for rows in ([{"ref": "1"}], ["not a row"], [{"ref": "1", "text": "t", "fill": "F", "counts": {}}]):
        outcomes = []
        for compiled in (True, False):
            with pytest.raises(UndefinedError) as raised:
                render(ROW, {"rows": rows}, compiled)
            outcomes.append(str(raised.value))
        assert outcomes[0] == outcomes[1]


def test_line_breaks_and_tabs_become_words_elements_but_not_in_an_attribute():
    out = render(ROW, {"rows": [{"ref": "1", "text": "one\ntwo\tthree", "fill": "FF\n00", "counts": {"total": 2}}]},
                 True)
    assert 'w:fill="FF\n00"' in out
    assert 'one</w:t><w:br/><w:t xml:space="preserve">two</w:t><w:tab/><w:t xml:space="preserve">three' in out


# ------------------------------------------------------------------------------------------- the shape proof

@pytest.mark.parametrize("source, reason", [
    ('<w:p><w:r><w:t>{% if x %}a{% else %}b{% endif %}</w:t></w:r></w:p>', ""),
    ('{% for p in ps %}<w:p><w:r><w:t>{{ p }}</w:t></w:r></w:p>{% endfor %}', ""),
    ('<w:p><w:r><w:t>x {% if y %}</w:t></w:r><w:r><w:t>bold{% endif %}</w:t></w:r></w:p>', ""),  # close then reopen
    ('<w:p w:rsidR="{% if x %}00A1{% endif %}"><w:r><w:t>a</w:t></w:r></w:p>', ""),  # a block in an attribute
    ('{% if x %}<w:p><w:r><w:t>a</w:t></w:r></w:p><w:p>{% endif %}<w:r><w:t>b</w:t></w:r></w:p>', "opens or closes"),
    ('<w:p><w:r><w:t>{{ x|safe }}</w:t></w:r></w:p>', "|safe"),
    ('<w:p><w:r><w:t>{{ x|_docx_text }}</w:t></w:r></w:p>', "_docx_text"),
    ('<w:p {{ x }}="1"><w:r><w:t>a</w:t></w:r></w:p>', "inside an XML tag"),
    ('<w:p {{ x }}><w:r><w:t>a</w:t></w:r></w:p>', "not well-formed"),
    ('<w:p><w:r {% if x %}w:x="1"{% endif %}><w:t>a</w:t></w:r></w:p>', "inside an XML tag"),
    ('<w:p><w:r><w:t>&amp{% if x %};{% endif %}</w:t></w:r></w:p>', "character reference"),
    ('<w:p><!-- a="{% for x in y %}-{% endfor %}" --></w:p>', "inside an XML tag"),
    ('{% macro m() %}<w:p/>{% endmacro %}{{ m() }}', "Macro"),
    ('{% set x %}<w:p/>{% endset %}', "AssignBlock"),
])
def test_the_shape_proof(source, reason):
    from report_builder.document import environment

    shape = analyse(environment().parse(BODY.format(source)), {})
    assert shape.proven == (reason == ""), shape.reason
    assert reason in shape.reason


def test_a_value_in_an_attribute_is_marked_as_such():
    from jinja2 import nodes

    from report_builder.document import environment

    tree = environment().parse(BODY.format('<w:p w:x="{{ a }}"><w:r><w:t>{{ b }}</w:t></w:r></w:p>'))
    shape = analyse(tree, {})
    names = {node.name: id(node) for node in tree.find_all(nodes.Name)}
    assert shape.proven and shape.attribute == {names["a"]}


def test_a_template_the_proof_does_not_cover_is_filled_the_classic_way(demo_master, tmp_path):
    template = tmp_path / "template.docx"
    doc = Document()
    doc.add_paragraph("{% set greeting %}Dear {{ committee }}{% endset %}{{ greeting }}, see {{ rag_chart }}")
    doc.add_paragraph("{%p for r in revisions %}")
    doc.add_paragraph("{{ r.ref }}: {{ r.reason }}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(str(template))
    assert "AssignBlock" in prepared(template).why_classic
    report = build_report(open_summary(demo_master), tmp_path / "r.docx", template=template)
    word = Document(str(report))
    assert word.paragraphs[0].text.startswith("Dear Children and Young People's Select Committee, see ")
    assert len(word.inline_shapes) == 1
    assert word.inline_shapes[0]._inline.find(qn("wp:docPr")).get("descr").startswith("RAG chart. ")
    assert sum(1 for p in word.paragraphs if p.text.startswith("1.3: ")) == 1


def test_a_tab_typed_into_the_templates_own_text_still_becomes_a_tab(demo_master, tmp_path):
    from docx.oxml import OxmlElement

    template = tmp_path / "template.docx"
    doc = Document()
    run = doc.add_paragraph().add_run()
    text = OxmlElement("w:t")
    text.text = "Committee:\t{{ committee }}"  # a tab character, as another program might write it
    run._r.append(text)
    doc.save(str(template))
    assert "tab or line-break" in prepared(template).why_classic
    word = Document(str(build_report(open_summary(demo_master), tmp_path / "r.docx", template=template)))
    assert body_text(word).startswith("Committee:\tChildren and Young People's Select Committee")
    assert word.element.body.find(f".//{qn('w:tab')}") is not None


# ------------------------------------------------------------------------------------------- preparing and writing

def test_an_edited_template_is_prepared_again(demo_master, tmp_path):
    template = tmp_path / "template.docx"
    summary = open_summary(demo_master)
    for wording in ("First wording for {{ committee }}", "Second wording for {{ committee }}"):
        doc = Document()
        doc.add_paragraph(wording)
        doc.save(str(template))
        text = body_text(Document(str(build_report(summary, tmp_path / "r.docx", template=template))))
        assert wording.replace("{{ committee }}", "Children and Young People's Select Committee") in text


def test_a_picture_printed_twice_has_two_ids(demo_master, tmp_path):
    template = tmp_path / "template.docx"
    doc = Document()
    doc.add_paragraph("{{ rag_chart }}")
    doc.add_paragraph("{{ rag_chart }}")
    doc.save(str(template))
    word = Document(str(build_report(open_summary(demo_master), tmp_path / "r.docx", template=template)))
    ids = [shape._inline.find(qn("wp:docPr")).get("id") for shape in word.inline_shapes]
    assert len(ids) == 2 and len(set(ids)) == 2


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
    data[start:start + 8] = bytes(8)  # eight bytes of the compressed body lost
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
