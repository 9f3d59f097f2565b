"""Document parsers: one module per format, registered by file suffix.

`parse_file(path)` picks the parser from the suffix and returns a `ParsedDocument`; every
failure is an `UnsupportedFormat` or `ParseFailed` (both `InvalidInput`) whose message says
what to do. To add a format, write a class with `parse(data, name)` and `register` it.
"""

from __future__ import annotations

from ._base import ParseFailed, Parser, UnsupportedFormat
from ._csv import CsvParser
from ._docx import DocxParser
from ._eml import EmlParser
from ._html import HtmlParser
from ._limits import (
    MAX_INFLATED_BYTES,
    MAX_MARKUP_CHARS,
    MAX_PDF_PAGES,
    MAX_RATIO,
    MAX_TEXT_CHARS,
)
from ._markdown import MarkdownParser, PlainTextParser
from ._pdf import PdfParser
from ._registry import (
    DEFAULT_MAX_BYTES,
    parse_bytes,
    parse_file,
    register,
    supported_suffixes,
    unregister,
)
from ._xlsx import XlsxParser

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_INFLATED_BYTES",
    "MAX_MARKUP_CHARS",
    "MAX_PDF_PAGES",
    "MAX_RATIO",
    "MAX_TEXT_CHARS",
    "CsvParser",
    "DocxParser",
    "EmlParser",
    "HtmlParser",
    "MarkdownParser",
    "ParseFailed",
    "Parser",
    "PdfParser",
    "PlainTextParser",
    "UnsupportedFormat",
    "XlsxParser",
    "parse_bytes",
    "parse_file",
    "register",
    "supported_suffixes",
    "unregister",
]

register((".pdf",), PdfParser())
register((".docx",), DocxParser())
register((".html", ".htm"), HtmlParser())
register((".md", ".markdown"), MarkdownParser())
register((".txt", ".text", ".log"), PlainTextParser())
register((".csv", ".tsv"), CsvParser())
register((".xlsx",), XlsxParser())
register((".eml",), EmlParser())
