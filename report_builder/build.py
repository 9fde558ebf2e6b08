"""Build the committee report: the content from the Summary, the template filled by docxtpl, the chart placed,
saved safely."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from ofsted_tracker.report_builder.chart import MARKER, TREND_MARKER, fill_charts, report_charts
from ofsted_tracker.report_builder.context import PLACEHOLDERS, report_context
from ofsted_tracker.report_builder.stream import Markers, stream_package
from ofsted_tracker.report_builder.template import (
    check,
    load,
    output_limit,
    render,
    sandbox,
    template_source,
)
from ofsted_tracker.report_builder.text import BRACE_GUARD, guard_braces
from ofsted_tracker.workbook.errors import TemplateError, TrackerError
from ofsted_tracker.workbook.memory import no_cycle_collection
from ofsted_tracker.workbook.plan.schemes import RAG, Scheme
from ofsted_tracker.workbook.rules.summary import Summary
from ofsted_tracker.workbook.store.safe_write import atomic_write


def packaged_template(name: str = "committee_report.docx") -> Path:
    """A Word template shipped inside the package (the top-level ``templates/`` folder of the source tree)."""
    return Path(str(files("ofsted_tracker.templates").joinpath(name)))


DEFAULT_TEMPLATE = packaged_template()


def build_report(
    summary: Summary, output: Path, template: Path | None = None, officers_annex: bool = False
) -> Path:
    """Write the Word committee report for the summary to ``output`` (atomically) and return its path.

    The template defaults to ``templates/committee_report.docx``. A template with an unknown placeholder, a broken
    tag, an attempt to reach outside its data or past the limits (report_builder.template) raises
    :class:`TemplateError`; nothing is written then, and a failure while saving leaves any earlier report untouched.
    ``officers_annex`` adds the officers' annex (every error cell by cell; off, as for the ribbon and server).
    """
    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise TrackerError(
            f"The report must be a Word file ending .docx; '{output.name}' is not. Give -o NAME.docx."
        )
    if output.is_dir():
        raise TrackerError(
            f"{output} is a folder. Give the report's file name, e.g. -o {output / 'report.docx'}."
        )
    with no_cycle_collection():
        context = report_context(summary, officers_annex)
        filled = fill_template(
            context,
            Path(template) if template else DEFAULT_TEMPLATE,
            len(summary.plan.actions),
            summary.plan.scheme,
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(output, keep_backup=False) as tmp:
            filled.save(str(tmp))
            _assert_reopens(tmp)
    return output


class Filled:
    """The filled template, ready to save: docxtpl's document with marker items, and the markers that fill it."""

    def __init__(self, tpl, markers: Markers, most: int) -> None:
        self.tpl, self.markers, self.most = tpl, markers, most

    def save(self, path: str) -> None:
        """Write the report: every part as docxtpl left it, ``word/document.xml`` streamed item by item."""
        import io

        small = io.BytesIO()
        self.tpl.save(small)
        stream_package(small.getvalue(), self.markers, path, self.most)


def fill_template(context: dict, template: Path, actions: int = 0, scheme: Scheme = RAG) -> Filled:
    """The template filled in for a report context, not yet saved.

    Five plain steps: check the template's text (report_builder.template.check), render it with docxtpl's
    ``render`` with marker items for the long lists (report_builder.stream), fill the template's native charts
    with the figures in the plan's rating ``scheme`` (report_builder.chart; a template's ``{{ rag_chart }}`` gets
    the standard chart), tidy what docxtpl leaves (cell properties in schema order, officers' brace pairs as
    typed) and set the properties; saving streams the long lists' items into the blocks docxtpl rendered.
    """
    if not template.is_file():
        raise TemplateError(
            f"The Word template {template} was not found. Give --template a .docx file, or leave it "
            "out to use the standard template."
        )
    tpl = load(str(template), template.name)
    source = template_source(tpl.get_docx())
    check(source, sandbox(actions), frozenset(PLACEHOLDERS))
    markers = Markers()
    render(
        tpl,
        source,
        {
            **guard_braces(markers.context(context)),
            "rag_chart": MARKER,
            "trend_chart": TREND_MARKER,
        },
        actions,
    )
    document = tpl.docx
    fill_charts(document, report_charts(context, scheme))
    _schema_order(document)
    _unguard(document)
    _describe(document, context)
    return Filled(tpl, markers, output_limit(actions))


# The order the OOXML schema gives the children of a cell's properties. docxtpl's {% cellbg %} puts <w:shd> first;
# Word expects it after the width (and may offer to "repair" a file that breaks the order), so cells are put right.
TCPR_ORDER = (
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
)


def _schema_order(document) -> None:
    """Put the properties of every cell whose shading comes first in schema order (a stable sort)."""
    from docx.oxml.ns import qn

    rank = {qn(f"w:{name}"): i for i, name in enumerate(TCPR_ORDER)}
    for tcpr in document.element.body.xpath(".//w:tcPr[*[1][self::w:shd] and count(*) > 1]"):
        for child in sorted(tcpr, key=lambda child: rank.get(child.tag, len(rank))):
            tcpr.append(child)  # appending an existing child moves it


def _unguard(document) -> None:
    """Officers' brace pairs ({_{ and the like) as typed: text.clean guarded them from docxtpl's own escapes."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    parts = [document.element] + [
        rel.target_part.element
        for rel in document.part.rels.values()
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external
    ]
    for part in parts:
        for text in part.xpath(f'.//w:t[contains(., "{BRACE_GUARD}")]'):
            text.text = text.text.replace(BRACE_GUARD, "_")


def _describe(document, context: dict) -> None:
    """The document's core properties: title, subject, author from Settings, keywords, language, dates."""
    props = document.core_properties
    period = context["period"]
    props.title = f"{context['title']}: {period['title']} ({period['months']})"
    props.subject = (
        f"{context['plan_title']}, {context['committee']}, {context['meeting_date']}".strip(", ")
    )
    props.author = context["author"] or context["council"]
    props.last_modified_by = props.author
    props.keywords = "; ".join(
        k for k in ("Ofsted", "improvement plan", context["council"], period["name"]) if k
    )
    props.comments = (
        f"Built by ofsted-tracker from the tracker workbook, figures as at {context['as_at']}."
    )
    props.language = "en-GB"
    props.revision = 1
    now = datetime.now(UTC).replace(
        tzinfo=None, microsecond=0
    )  # when the file was made, not a figure
    props.created = props.modified = now


MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)


def _assert_reopens(path: Path) -> None:
    """The written file must open again as a Word package; otherwise nothing replaces the report.

    Every member must read back whole (zip's checksums) and the content types must name a main document part
    that is there. The XML is well-formed by construction (lxml wrote every part), so it is not parsed again.
    """
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(path) as package:
            broken = package.testzip()
            if broken is not None:
                raise ValueError(f"{broken} does not match its checksum")
            types = etree.fromstring(package.read("[Content_Types].xml"))
            mains = [
                o.get("PartName", "").lstrip("/")
                for o in types
                if o.get("ContentType") == MAIN_CONTENT_TYPE
            ]
            if len(mains) != 1 or mains[0] not in package.namelist():
                raise ValueError("it has no main document part")
    except Exception as exc:  # noqa: BLE001 - any failure here means the file must not be kept
        raise TemplateError(
            f"The report could not be read back after writing ({exc}); it was not saved. "
            "Check the template in Word."
        ) from exc
