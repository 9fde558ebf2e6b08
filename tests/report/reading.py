"""Reading a produced report back with python-docx: tables by their header, RAG cells, numbered prose, bullets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table


@dataclass(frozen=True)
class Row:
    """One row of a report table: the cell texts, and the fill colour of each cell (or None)."""

    texts: tuple[str, ...]
    fills: tuple[str | None, ...]

    @property
    def merged(self) -> bool:
        """A group row (one cell merged across the table)."""
        return len(self.texts) == 1


def rows(table: Table) -> list[Row]:
    """Every row of a table as texts and fills, read from the XML (merged cells count once)."""
    out = []
    for tr in table._tbl.tr_lst:
        texts, fills = [], []
        for tc in tr.tc_lst:
            texts.append("\n".join(_paragraph_text(p) for p in tc.iter(qn("w:p"))).strip())
            shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            fills.append(shd.get(qn("w:fill")) if shd is not None else None)
        out.append(Row(tuple(texts), tuple(fills)))
    return out


def _paragraph_text(p) -> str:
    parts = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        else:
            parts.append("\n" if node.tag == qn("w:br") else "\t")
    return "".join(parts)


def tables_with_header(doc: Document, *header: str) -> list[Table]:
    """The tables whose first row starts with the given header texts."""
    found = []
    for table in doc.tables:
        first = rows(table)[0].texts if table._tbl.tr_lst else ()
        if first[: len(header)] == header:
            found.append(table)
    return found


def table_with_header(doc: Document, *header: str) -> Table:
    """The one table whose first row starts with the given header texts."""
    found = tables_with_header(doc, *header)
    assert len(found) == 1, f"expected one table headed {header}, found {len(found)}"
    return found[0]


def criteria_table(doc: Document, first_label: str) -> dict[str, int]:
    """A 'Criteria | Number' table whose first data row starts with ``first_label``, as label -> number."""
    for table in tables_with_header(doc, "Criteria", "Number"):
        body = rows(table)[1:]
        if body and body[0].texts[0].startswith(first_label):
            return {r.texts[0]: int(r.texts[1]) for r in body}
    raise AssertionError(f"no Criteria table starting '{first_label}'")


def paragraph_index(doc: Document, pattern: str) -> tuple[int, re.Match]:
    """The index of the first body paragraph matching the regex, and the match."""
    for i, p in enumerate(doc.paragraphs):
        match = re.search(pattern, p.text)
        if match:
            return i, match
    raise AssertionError(f"no paragraph matches {pattern!r}")


def bullets_after(doc: Document, index: int) -> list[str]:
    """The bullet paragraphs that directly follow paragraph ``index``."""
    out = []
    for p in doc.paragraphs[index + 1 :]:
        if p.style.name != "List Bullet":
            break
        out.append(p.text)
    return out


def body_text(doc: Document) -> str:
    """All text of the body, paragraphs and table cells, one paragraph a line."""
    return "\n".join(_paragraph_text(p) for p in doc.element.body.iter(qn("w:p")))
