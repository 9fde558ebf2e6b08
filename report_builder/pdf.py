"""The accessible PDF of a written report: LibreOffice headless exports it tagged, as PDF/UA, beside the .docx."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

from ofsted_tracker.workbook.errors import TrackerError
from ofsted_tracker.workbook.store.safe_write import atomic_write

TIMEOUT = 180  # seconds: a cold start of LibreOffice on a busy machine takes tens of seconds
# writer_pdf_Export with a tagged structure tree and PDF/UA identification (LibreOffice 7.2 or later)
PDF_FILTER = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"PDFUACompliance":{"type":"boolean","value":"true"}}'
)
SOFFICE_NAMES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    """LibreOffice's program on PATH (``OFSTED_TRACKER_SOFFICE`` names another one), or None."""
    named = os.environ.get("OFSTED_TRACKER_SOFFICE")
    if named:
        return shutil.which(named)
    return next((found for found in map(shutil.which, SOFFICE_NAMES) if found), None)


def write_pdf(docx: Path, timeout: float = TIMEOUT) -> Path:
    """Export the written report to a tagged PDF (PDF/UA) of the same name beside it; return its path.

    LibreOffice runs headless with its own fresh profile in a temporary folder (so an officer's open LibreOffice is
    neither used nor disturbed), in its own process group, stopped whole after ``timeout`` seconds. The PDF is
    written in that folder and moved into place only when complete.
    """
    soffice = find_soffice()
    if soffice is None:
        raise TrackerError(
            f"LibreOffice is needed for --pdf, and it was not found (soffice on PATH). The Word report "
            f"{docx} was written; install LibreOffice, or save it as PDF from Word."
        )
    target = docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="ofsted-tracker-pdf-") as work:
        work_dir = Path(work)
        profile, out = work_dir / "profile", work_dir / "out"
        out.mkdir()
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            PDF_FILTER,
            "--outdir",
            str(out),
            str(docx),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise TrackerError(
                f"LibreOffice ({soffice}) could not be started ({exc.strerror or exc}); the Word "
                f"report {docx} was written."
            ) from exc
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            output = None
        finally:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # nothing of LibreOffice outlives the export
            process.communicate()
        made = out / f"{docx.stem}.pdf"
        if output is None:
            raise TrackerError(
                f"LibreOffice gave no PDF within {timeout:.0f} s, so it was stopped; the Word report "
                f"{docx} was written. Try --pdf again, or save it as PDF from Word."
            )
        if process.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            said = " ".join((output or "").split())[:300]
            raise TrackerError(
                f"LibreOffice could not make the PDF (exit {process.returncode}: {said or 'no output'});"
                f" the Word report {docx} was written."
            )
        import pikepdf

        try:
            describe_figures(made, chart_descriptions(docx))
        except pikepdf.PdfError as exc:
            raise TrackerError(
                f"The PDF LibreOffice made could not be read back ({exc}); the Word report {docx} was "
                "written. Try --pdf again, or save it as PDF from Word."
            ) from exc
        with atomic_write(
            target, keep_backup=False
        ) as staged:  # a full disk or an open PDF: a message, no trace
            shutil.copyfile(made, staged)
    return target


def chart_descriptions(docx: Path) -> list[str]:
    """The alternative text of each drawing in the report's body, in order (the charts' figures in words)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(docx) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    ns = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
    return [d.get("descr", "") for d in body.iterfind(".//wp:docPr", ns)]


def _elements(node) -> list:
    """Every structure element under a node of the PDF's structure tree, in reading order (children by /K only)."""
    import pikepdf

    found, stack = [], [node.get("/K")]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
            found.append(item)
            stack.append(item.get("/K"))
    return found


def describe_figures(pdf_path: Path, descriptions: list[str]) -> int:
    """Give each Figure of the tagged PDF the alternative text of its drawing in the report; return how many.

    LibreOffice 7 drops a chart's alternative text when it reads a .docx, so its Figure tags have no /Alt; the
    report's charts are its only drawings, in the same order as the Figures. When the numbers differ (a picture
    the policy team added), nothing is guessed and no Figure is changed.
    """
    import pikepdf

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        figures = (
            [e for e in _elements(root) if e.get("/S") == "/Figure"] if root is not None else []
        )
        if not figures or len(figures) != len(descriptions):
            return 0
        for figure, text in zip(figures, descriptions):
            if "/Alt" not in figure and text:
                figure.Alt = pikepdf.String(text)
        pdf.save(pdf_path)
    return len(figures)
