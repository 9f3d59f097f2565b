"""DOCX through python-docx: paragraphs and tables in body order, headings from styles.

The Title style and Heading 1–9 (or a paragraph outline level) build `heading_path`;
numbered or bulleted paragraphs become `list` blocks; each table row after the first becomes
a `table_row` block `Header: value | Header: value`. Headers, footers and text boxes are skipped.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .._types import ParsedDocument
from ._base import ParseFailed
from ._builder import TextBuilder, row_text
from ._limits import check_zip

__all__ = ["DocxParser"]

_HEADING_STYLE = re.compile(r"(?:heading|見出し)\s*(\d)", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_RESAVE = "Open it in Word or LibreOffice and save it again as .docx."


class DocxParser:
    """Parses .docx files."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Open the document and build blocks from its body."""
        if data.startswith(_OLE_MAGIC):
            raise ParseFailed(
                name,
                "this is a legacy .doc file or a password-protected document",
                "Save it as .docx without a password and try again.",
            )
        check_zip(data, name)
        try:
            import docx

            document = docx.Document(io.BytesIO(data))
            builder = TextBuilder()
            title = _body(document, builder)
            core = document.core_properties
            title = (core.title or "").strip() or title
            metadata = {"author": core.author} if core.author else {}
        except ParseFailed:
            raise
        except Exception as exc:  # zipfile / lxml / python-docx errors all mean a broken file
            raise ParseFailed(name, f"not a readable DOCX ({exc})", _RESAVE) from exc
        return builder.build(name, "docx", title=title, metadata=metadata)


def _body(document: Any, builder: TextBuilder) -> str | None:
    """Add every paragraph and table of the body in order; returns a Title-style text."""
    title = None
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            _table(item, builder)
            continue
        text = item.text
        if not text.strip():
            continue
        level = _heading_level(item)
        if level == 0 and title is None:
            title = " ".join(text.split())
        if level is not None:
            builder.heading(level, text)
        else:
            builder.add(text, "list" if _is_list(item) else "paragraph")
    return title


def _heading_level(paragraph: Any) -> int | None:
    """0 for Title, n for Heading n (style or outline level), None for body text."""
    name = paragraph.style.name if paragraph.style is not None else ""
    if name.lower() == "title" or name == "表題":
        return 0
    match = _HEADING_STYLE.match(name)
    if match:
        return max(1, int(match.group(1)))
    ppr = paragraph._p.pPr
    outline = ppr.find(_qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None:
        value = outline.get(_qn("w:val"))
        if value is not None and value.isdigit() and int(value) < 9:
            return int(value) + 1
    return None


def _is_list(paragraph: Any) -> bool:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    name = paragraph.style.name if paragraph.style is not None else ""
    return name.lower().startswith("list")


def _table(table: Any, builder: TextBuilder) -> None:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if cell._tc in seen:
                continue  # a merged cell is repeated once per grid column it spans
            seen.add(cell._tc)
            cells.append(cell.text)
        if any(c.strip() for c in cells):
            rows.append(cells)
    if len(rows) == 1:
        builder.add(" | ".join(c for c in rows[0] if c.strip()), "table_row")
    for row in rows[1:]:
        builder.add(row_text(rows[0], row), "table_row")


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)
