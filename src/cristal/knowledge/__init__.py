"""Knowledge: parsing documents into citable text, Japanese-aware terms, structure-aware chunks."""

from __future__ import annotations

from . import ja
from ._chunking import chunk
from ._sentences import split_sentences
from ._types import Block, Chunk, ParsedDocument
from .ja import detect_lang, index_terms, normalize, query_terms
from .parsers import (
    ParseFailed,
    Parser,
    UnsupportedFormat,
    parse_bytes,
    parse_file,
    register,
    supported_suffixes,
)

__all__ = [
    "Block",
    "Chunk",
    "ParseFailed",
    "ParsedDocument",
    "Parser",
    "UnsupportedFormat",
    "chunk",
    "detect_lang",
    "index_terms",
    "ja",
    "normalize",
    "parse_bytes",
    "parse_file",
    "query_terms",
    "register",
    "split_sentences",
    "supported_suffixes",
]
