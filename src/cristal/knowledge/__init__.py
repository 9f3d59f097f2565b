"""Knowledge: parsing documents into citable text, Japanese-aware terms, structure-aware chunks."""

from __future__ import annotations

from . import ja
from ._acl import Grant, can_read, grant, list_grants, revoke
from ._chunking import chunk
from ._collections import (
    Collection,
    delete_collection,
    ensure_collection,
    get_collection,
    list_collections,
)
from ._documents import delete_document, get_document, list_documents
from ._embed import count_pending, embed_pending, passage_text
from ._ingest import FileResult, IngestReport, Progress, ingest_paths
from ._lexical import lexical_search, phrase_count, term_stats
from ._scope import Scope, as_scope
from ._search import (
    MODES,
    Passage,
    collection_documents,
    document_passages,
    document_texts,
    fetch_passages,
    search,
)
from ._sentences import split_sentences
from ._types import Block, Chunk, ParsedDocument
from ._vectors import vector_search
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
    "MODES",
    "Block",
    "Chunk",
    "Collection",
    "FileResult",
    "Grant",
    "IngestReport",
    "Passage",
    "Progress",
    "collection_documents",
    "Scope",
    "as_scope",
    "can_read",
    "count_pending",
    "delete_collection",
    "delete_document",
    "document_passages",
    "document_texts",
    "embed_pending",
    "ensure_collection",
    "fetch_passages",
    "get_collection",
    "get_document",
    "grant",
    "ingest_paths",
    "lexical_search",
    "list_collections",
    "list_documents",
    "list_grants",
    "passage_text",
    "phrase_count",
    "revoke",
    "search",
    "term_stats",
    "vector_search",
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
