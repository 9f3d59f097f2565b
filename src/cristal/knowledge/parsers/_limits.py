"""Bounds on what one document may expand to, checked before the expensive work.

A small file can explode: a DOCX or XLSX is a zip archive whose parts may inflate a
thousandfold (a 300 KB "zip bomb" that becomes 300 MB of XML), a PDF may declare a
huge page tree, a text file may hold far more text than anyone can read. Each check
raises `ParseFailed` naming the limit, so one such file fails alone and the others
are ingested. Python's zipfile never inflates a part past the size its directory
declares, so checking the declared sizes bounds the memory parsers can use.
"""

from __future__ import annotations

import io
import zipfile

from ._base import ParseFailed

__all__ = [
    "MAX_INFLATED_BYTES",
    "MAX_MARKUP_CHARS",
    "MAX_PDF_PAGES",
    "MAX_RATIO",
    "MAX_TEXT_CHARS",
    "check_pages",
    "check_text",
    "check_zip",
]

MAX_INFLATED_BYTES = 256 * 2**20  # all parts of a zip-based document, inflated
MAX_RATIO = 200  # inflated / compressed, for a part inflating past _RATIO_FLOOR
_RATIO_FLOOR = 8 * 2**20  # small parts may compress very well (repeated styles)
MAX_MEMBERS = 20_000
MAX_PDF_PAGES = 5_000
MAX_TEXT_CHARS = 20_000_000  # extracted text of one document (about 6,700 pages)
MAX_MARKUP_CHARS = 4 * MAX_TEXT_CHARS  # HTML before extraction


def check_zip(data: bytes, name: str) -> None:
    """Refuse a zip-based document whose parts would inflate too far; damaged zips pass on."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception:  # zipfile raises several types on damaged input (NotImplementedError...)
        return  # not a readable zip: the parser reports it as a damaged file
    if len(parts) > MAX_MEMBERS:
        raise ParseFailed(
            name,
            f"the archive holds {len(parts):,} parts (limit {MAX_MEMBERS:,})",
            "It is not an ordinary office document; re-save it from its application.",
        )
    total = sum(p.file_size for p in parts)
    if total > MAX_INFLATED_BYTES:
        raise ParseFailed(
            name,
            f"it would inflate to {total:,} bytes (limit {MAX_INFLATED_BYTES:,}); "
            "a zip bomb or an unusually large document",
            "Split it into smaller documents, or remove embedded media and save it again.",
        )
    for part in parts:
        ratio = part.file_size / max(1, part.compress_size)
        if part.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise ParseFailed(
                name,
                f"its part {part.filename} would inflate {ratio:,.0f} times "
                f"(to {part.file_size:,} bytes; limit {MAX_RATIO} times); a zip bomb",
                "Open it in its application and save it again, or leave it out.",
            )


def check_pages(pages: int, name: str) -> None:
    """Refuse a PDF with more pages than one document should have."""
    if pages > MAX_PDF_PAGES:
        raise ParseFailed(
            name,
            f"it has {pages:,} pages (limit {MAX_PDF_PAGES:,})",
            "Split it into smaller PDFs (for example with qpdf --split-pages).",
        )


def check_text(length: int, name: str, limit: int = MAX_TEXT_CHARS) -> None:
    """Refuse a document whose text (or markup) is longer than `limit` characters."""
    if length > limit:
        raise ParseFailed(
            name,
            f"it holds more than {limit:,} characters of text",
            "Split it into smaller documents.",
        )
