"""The public surface of cristal.knowledge: names, records and the parser seam."""

from __future__ import annotations

from pathlib import Path

import pytest

import cristal.knowledge as knowledge
from cristal.errors import InvalidInput
from cristal.knowledge import (
    Block,
    ParsedDocument,
    ParseFailed,
    Parser,
    UnsupportedFormat,
    parse_bytes,
    parse_file,
    register,
    supported_suffixes,
)


def test_public_names_are_pinned() -> None:
    assert sorted(knowledge.__all__) == [
        "Block",
        "Chunk",
        "Collection",
        "FileResult",
        "Grant",
        "IngestReport",
        "MODES",
        "ParseFailed",
        "ParsedDocument",
        "Parser",
        "Passage",
        "Progress",
        "Scope",
        "UnsupportedFormat",
        "as_scope",
        "can_read",
        "chunk",
        "collection_documents",
        "count_pending",
        "delete_collection",
        "delete_document",
        "detect_lang",
        "document_passages",
        "document_texts",
        "embed_pending",
        "ensure_collection",
        "fetch_passages",
        "get_collection",
        "get_document",
        "grant",
        "index_terms",
        "ingest_paths",
        "ja",
        "lexical_search",
        "list_collections",
        "list_documents",
        "list_grants",
        "normalize",
        "parse_bytes",
        "parse_file",
        "passage_text",
        "phrase_count",
        "query_terms",
        "register",
        "revoke",
        "search",
        "split_sentences",
        "supported_suffixes",
        "term_stats",
        "vector_search",
    ]


def test_every_format_of_the_brief_is_registered() -> None:
    expected = {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt", ".text", ".log"}
    expected |= {".csv", ".tsv", ".xlsx", ".eml"}
    assert expected <= set(supported_suffixes())


def test_block_rejects_unknown_kinds_and_reversed_offsets() -> None:
    with pytest.raises(ValueError, match="kind"):
        Block(0, 1, "sidebar", (), None)
    with pytest.raises(ValueError, match="offsets"):
        Block(5, 1, "paragraph", (), None)


def test_records_are_frozen() -> None:
    block = Block(0, 1, "paragraph", (), None)
    with pytest.raises(AttributeError):
        block.start = 3  # type: ignore[misc]


def test_unknown_suffix_lists_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormat) as caught:
        parse_file(path)
    assert isinstance(caught.value, InvalidInput)
    assert ".pptx" in caught.value.message and ".pdf" in caught.value.message
    assert caught.value.to_dict()["suffix"] == ".pptx"


def test_file_without_suffix_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "README"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(UnsupportedFormat, match="no suffix"):
        parse_file(path)


@pytest.mark.parametrize("suffix", [".md", ".txt", ".pdf", ".docx", ".csv", ".xlsx", ".eml"])
def test_empty_file_fails_with_advice(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(ParseFailed) as caught:
        parse_file(path)
    assert caught.value.path == str(path)
    assert "empty" in caught.value.reason
    assert "Add content" in caught.value.message


def test_whitespace_only_text_fails(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("  \n\n\t\n", encoding="utf-8")
    with pytest.raises(ParseFailed, match="no text"):
        parse_file(path)


def test_too_large_file_fails_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(ParseFailed) as caught:
        parse_file(path, max_bytes=1000)
    assert "too large" in caught.value.reason
    assert "Split the file" in caught.value.message


def test_missing_file_fails_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ParseFailed, match="Check that it exists"):
        parse_file(tmp_path / "nope.md")


class _ShoutParser:
    """A real Parser for a made-up format: the whole file is one paragraph."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        text = data.decode("utf-8")
        return ParsedDocument(text, [Block(0, len(text), "paragraph")], name, "en", "shout")


def test_a_new_format_is_one_class_and_one_registration() -> None:
    parser = _ShoutParser()
    assert isinstance(parser, Parser)
    register(".shout", parser)
    try:
        doc = parse_bytes(b"hello", "note.shout")
        assert doc.format == "shout" and doc.text == "hello"
        assert ".shout" in supported_suffixes()
    finally:
        from cristal.knowledge.parsers import _registry

        _registry._PARSERS.pop(".shout")


def test_register_needs_a_dotted_suffix() -> None:
    with pytest.raises(ValueError, match="dot"):
        register("shout", _ShoutParser())
