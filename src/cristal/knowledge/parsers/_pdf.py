"""PDF through pypdfium2: text per page, paragraphs and headings recovered from the layout.

Each text line is measured (baseline, font size, left edge). A paragraph ends at a blank
line, a vertical gap clearly larger than the usual line spacing, a change of font size, or
a short line ending a sentence. Short lines set clearly larger than the body text become
headings, ranked by size (largest = level 1). Blocks carry their 1-based page number.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import threading
from dataclasses import dataclass
from typing import Any

from .._types import ParsedDocument
from ._base import ParseFailed
from ._builder import TextBuilder
from ._limits import check_pages

__all__ = ["PdfParser"]

_BULLET = re.compile(r"\s*(?:[•●○◦▪■□・\-–*]|\d{1,3}[.)]|\(\d{1,3}\)|[①-⑳])\s*")
_SENTENCE_END = ("。", ".", "!", "?", "！", "？", ":", "：", "」", "）")
# pdfium is not thread-safe (pypdfium2 says so); documents are parsed one at a time per process.
_PDFIUM_LOCK = threading.Lock()
_CORRUPT = "Re-export or re-download the PDF; the file looks truncated or damaged."
_NO_TEXT = "Re-save it as a PDF with a text layer, or OCR it first (for example with ocrmypdf)."


@dataclass(slots=True)
class _Line:
    text: str
    page: int
    y: float
    x: float
    size: float


class PdfParser:
    """Parses .pdf files (text layer only); `pages` is the page count."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Open the PDF, extract measured lines per page and build blocks."""
        with _PDFIUM_LOCK:
            lines, pages, info = _extract(data, name)
        if not any(line.text.strip() for line in lines):
            raise ParseFailed(name, "no text layer (scanned?)", _NO_TEXT)
        builder = TextBuilder()
        _layout(lines, builder)
        metadata = {k.lower(): v for k, v in info.items() if k in ("Author", "Subject", "Keywords")}
        title = (info.get("Title") or "").strip() or None
        return builder.build(name, "pdf", title=title, pages=pages, metadata=metadata)


def _extract(data: bytes, name: str) -> tuple[list[_Line], int, dict[str, str]]:
    """Open the PDF and measure every line of every page; pdfium errors become ParseFailed."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ParseFailed(
                name,
                "the PDF is encrypted (password protected)",
                "Remove the password (for example print it to a new PDF) and try again.",
            ) from exc
        raise ParseFailed(name, f"corrupt or not a PDF ({exc})", _CORRUPT) from exc
    except Exception as exc:  # anything else from pdfium is still a broken input
        raise ParseFailed(name, f"corrupt or not a PDF ({exc})", _CORRUPT) from exc
    try:
        pages = len(pdf)
        check_pages(pages, name)
        lines = [line for index in range(pages) for line in _page_lines(pdf, index)]
        info = pdf.get_metadata_dict(skip_empty=True)
    except ParseFailed:
        raise
    except Exception as exc:  # pdfium can fail on damaged page trees mid-way
        raise ParseFailed(name, f"corrupt PDF ({exc})", _CORRUPT) from exc
    finally:
        pdf.close()
    return lines, pages, info


def _page_lines(pdf: Any, index: int) -> list[_Line]:
    """The lines of one page with their baseline, left edge and font size."""
    import pypdfium2.raw as raw

    page = pdf[index]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        result = []
        position = 0
        x, y = ctypes.c_double(), ctypes.c_double()
        for line in re.split(r"\r\n|\r|\n", text):
            lead = len(line) - len(line.lstrip())
            if line.strip():
                char = raw.FPDFText_GetCharIndexFromTextIndex(textpage.raw, position + lead)
                raw.FPDFText_GetCharOrigin(textpage.raw, char, ctypes.byref(x), ctypes.byref(y))
                size = raw.FPDFText_GetFontSize(textpage.raw, char)
                clean = line.strip().replace("\x02", "-")  # pdfium's mark for a break hyphen
                result.append(_Line(clean, index + 1, y.value, x.value, round(size, 1)))
            else:
                result.append(_Line("", index + 1, 0.0, 0.0, 0.0))
            position += len(line) + (2 if text.startswith("\r\n", position + len(line)) else 1)
        return result
    finally:
        textpage.close()
        page.close()


def _layout(lines: list[_Line], builder: TextBuilder) -> None:
    """Group measured lines into heading, list and paragraph blocks."""
    sized = [line for line in lines if line.text]
    weights: dict[float, int] = {}
    for line in sized:
        weights[line.size] = weights.get(line.size, 0) + len(line.text)
    body = max(weights, key=lambda s: weights[s]) if weights else 0.0
    heading_sizes = sorted({s for s in weights if body and s >= body * 1.15}, reverse=True)
    levels = {size: rank + 1 for rank, size in enumerate(heading_sizes)}
    spacing = _usual_spacing(sized)

    current: list[_Line] = []
    kind = "paragraph"

    def flush() -> None:
        if current:
            text = "\n".join(line.text for line in current)
            if kind == "heading":
                builder.heading(levels[current[0].size], text.replace("\n", " "), current[0].page)
            else:
                builder.add(text, kind, current[0].page)
            current.clear()

    previous: _Line | None = None
    for line in lines:
        if not line.text:
            flush()
            previous = None
            continue
        if line.size in levels and len(line.text) <= 120:
            line_kind = "heading"
        else:
            line_kind = "list" if _is_bullet(line.text) else "paragraph"
        joins = (
            previous is not None
            and not _breaks(previous, line, current, spacing)
            and (
                line_kind == kind != "list"
                # a wrapped list item continues indented under its bullet
                or (kind == "list" and line_kind == "paragraph" and line.x > current[0].x + 1)
            )
        )
        if not joins:
            flush()
            kind = line_kind
        current.append(line)
        previous = line
    flush()


def _is_bullet(text: str) -> bool:
    """A bullet marker followed by text (not a bare number such as a page footer)."""
    match = _BULLET.match(text)
    if match is None:
        return False
    return match.end() < len(text) and not text.replace(".", "").isdigit()


def _usual_spacing(lines: list[_Line]) -> float:
    """Median distance between consecutive baselines of same-size lines on the same page."""
    gaps = [
        a.y - b.y
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and a.size == b.size and a.y > b.y
    ]
    return statistics.median(gaps) if gaps else 0.0


def _breaks(previous: _Line, line: _Line, current: list[_Line], spacing: float) -> bool:
    """Whether `line` starts a new block after `previous` (layout and punctuation cues)."""
    if line.page != previous.page or line.size != previous.size:
        return True
    gap = previous.y - line.y
    if gap <= 0 or (spacing and gap > spacing * 1.4):
        return True  # a new column, a moved-up text object, or extra vertical space
    widest = max(len(item.text) for item in current) if current else 0
    return previous.text.endswith(_SENTENCE_END) and len(previous.text) < 0.7 * widest
