"""LibreOffice headless for the report tests: convert a .docx to PDF, count its pages, read its text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(
    SOFFICE is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler are not installed (apt-get install libreoffice-writer poppler-utils; .ci/run does)",
)


def to_pdf(docx: Path, folder: Path) -> Path:
    """Convert with a private LibreOffice profile (parallel runs do not clash); fail if no PDF comes out."""
    profile = folder / "lo-profile"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(docx)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = folder / (docx.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice did not convert {docx.name}: {result.stdout} {result.stderr}"
    return pdf


def pages(pdf: Path) -> int:
    """The PDF's page count (pdfinfo)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def text(pdf: Path) -> str:
    """The PDF's text in reading order (pdftotext -layout off)."""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
