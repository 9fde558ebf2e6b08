"""Build the committee report: the content from the Summary, the RAG chart, the template filled in, saved safely."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import TemplateError, TrackerError
from workbook.safe_write import atomic_write
from workbook.summary import Summary
from workbook.tracker import no_cycle_collection
from report_builder.chart import chart_bars, chart_description, rag_chart_png
from report_builder.context import PLACEHOLDERS, report_context
from report_builder.template import CHART

if TYPE_CHECKING:
    from report_builder.document import Filled

from ofsted_tracker import packaged_template  # noqa: E402 - the template ships inside the package
DEFAULT_TEMPLATE = packaged_template()


def build_report(summary: Summary, output: Path, template: Path | None = None) -> Path:
    """Write the Word committee report for the summary to ``output`` (atomically) and return its path.

    The template defaults to ``templates/committee_report.docx``. A template with an unknown placeholder, a broken
    tag or an attempt to reach outside its data raises :class:`TemplateError`; nothing is written then, and a
    failure while saving leaves any earlier report untouched.
    """
    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise TrackerError(f"The report must be a Word file ending .docx; '{output.name}' is not. Give -o NAME.docx.")
    if output.is_dir():
        raise TrackerError(f"{output} is a folder. Give the report's file name, e.g. -o {output / 'report.docx'}.")
    with no_cycle_collection():
        context = report_context(summary)
        filled = fill_template(context, Path(template) if template else DEFAULT_TEMPLATE)
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(output, keep_backup=False) as tmp:
            filled.save(tmp)
            _assert_reopens(tmp)
    return output


def fill_template(context: dict, template: Path) -> Filled:
    """The filled-in template (not yet saved) for a report context.

    The template is prepared once per content (placeholders checked, body compiled; see report_builder.document);
    the chart is drawn only when the template shows it.
    """
    from docx.shared import Cm

    from report_builder.document import fill, prepare
    from report_builder.template import Picture

    prepared = prepare(template, frozenset(PLACEHOLDERS), CHART)
    picture = None
    if CHART in prepared.used:
        bars = chart_bars(context)
        png, width, height = rag_chart_png(bars)
        picture = Picture(png, Cm(width), Cm(height), chart_description(bars), "RAG chart")
    filled = fill(prepared, context, picture)
    if filled.body is None:
        _schema_order(filled.tpl.docx)
    _describe(filled.tpl.docx, context)
    return filled


# The order the OOXML schema gives the children of a cell's properties. docxtpl's {% cellbg %} puts <w:shd> first;
# Word expects it after the width (and may offer to "repair" a file that breaks the order), so cells are put right.
TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
              "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
              "tcPrChange")


def _schema_order(document) -> None:
    """Put every table cell's properties in schema order (a stable sort; unknown elements keep their place last)."""
    from docx.oxml.ns import qn

    rank = {qn(f"w:{name}"): i for i, name in enumerate(TCPR_ORDER)}
    for tcpr in document.element.body.iter(qn("w:tcPr")):
        children = list(tcpr)
        ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
        if ordered != children:
            for child in ordered:
                tcpr.append(child)  # appending an existing child moves it


def _describe(document, context: dict) -> None:
    """The document's core properties: title, subject, author from Settings, keywords, language, dates."""
    props = document.core_properties
    period = context["period"]
    props.title = f"{context['title']}: {period['title']} ({period['months']})"
    props.subject = f"{context['plan_title']}, {context['committee']}, {context['meeting_date']}".strip(", ")
    props.author = context["author"] or context["council"]
    props.last_modified_by = props.author
    props.keywords = "; ".join(k for k in ("Ofsted", "improvement plan", context["council"], period["name"]) if k)
    props.comments = f"Built by ofsted-tracker from the tracker workbook, figures as at {context['as_at']}."
    props.language = "en-GB"
    props.revision = 1
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)  # when the file was made, not a figure
    props.created = props.modified = now


MAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _assert_reopens(path: Path) -> None:
    """The written file must open again as a Word package; otherwise nothing replaces the report.

    Every member must read back whole (zip's checksums) and the content types must name a main document part
    that is there. The XML itself is well-formed by construction (see report_builder.shape), so the document is
    not parsed again: on a large plan that would cost as much as building it.
    """
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(path) as package:
            broken = package.testzip()
            if broken is not None:
                raise ValueError(f"{broken} does not match its checksum")
            types = etree.fromstring(package.read("[Content_Types].xml"))
            mains = [o.get("PartName", "").lstrip("/") for o in types if o.get("ContentType") == MAIN_CONTENT_TYPE]
            if len(mains) != 1 or mains[0] not in package.namelist():
                raise ValueError("it has no main document part")
    except Exception as exc:  # noqa: BLE001 - any failure here means the file must not be kept
        raise TemplateError(f"The report could not be read back after writing ({exc}); it was not saved. "
                            "Check the template in Word.") from exc
