"""Chunking: verbatim, bounded, one heading section each, split at sentences, lines, then hard."""

from __future__ import annotations

from pathlib import Path

import pytest

from cristal.knowledge import Block, ParsedDocument, chunk, parse_bytes

SENTENCE_EN = "The monthly maintenance fee is $200.00 unless the balance stays above $500,000. "
SENTENCE_JA = "承認済みの経費は、毎月25日に給与振込口座へ振り込む。"


def _md(text: str) -> ParsedDocument:
    return parse_bytes(text.encode("utf-8"), "doc.md")


def test_small_sections_are_one_chunk_each_with_their_heading(chunks_of) -> None:
    doc = _md("# Fees\n\nFee text.\n\n## Waivers\n\nWaiver text.\n\n## ATM\n\n- one\n- two\n")
    chunks = chunks_of(doc)
    assert [(c.text, c.heading_path) for c in chunks] == [
        ("# Fees\n\nFee text.", ("Fees",)),
        ("## Waivers\n\nWaiver text.", ("Fees", "Waivers")),
        ("## ATM\n\n- one\n- two", ("Fees", "ATM")),
    ]


def test_heading_only_parent_joins_its_first_subsection(chunks_of) -> None:
    doc = _md("# Guide\n\n## Fees\n\n### Monthly\n\nIt is $5.\n\n### Yearly\n\nIt is $50.\n")
    chunks = chunks_of(doc)
    assert [(c.text, c.heading_path) for c in chunks] == [
        ("# Guide\n\n## Fees\n\n### Monthly\n\nIt is $5.", ("Guide", "Fees", "Monthly")),
        ("### Yearly\n\nIt is $50.", ("Guide", "Fees", "Yearly")),
    ]


def test_heading_only_section_before_a_sibling_stays_alone(chunks_of) -> None:
    doc = _md("## Empty\n\n## Full\n\nBody.\n")
    assert [c.text for c in chunks_of(doc)] == ["## Empty", "## Full\n\nBody."]


def test_long_document_respects_limits(chunks_of) -> None:
    sections = []
    for n in range(12):
        paragraph = (SENTENCE_EN * 9).strip()
        japanese = SENTENCE_JA * 30
        rows = "\n".join(f"| Item {i} | ${i},000 |" for i in range(40))
        sections.append(f"## Section {n}\n\n{paragraph}\n\n{japanese}\n\n{rows}\n")
    doc = _md("# Long\n\n" + "\n".join(sections))
    for max_chars, min_chars in ((700, 80), (300, 50), (120, 0)):
        chunks = chunks_of(doc, max_chars=max_chars, min_chars=min_chars)
        assert len(chunks) > len(sections)
        for piece in chunks:
            assert piece.heading_path[:1] == ("Long",)
            # a heading only ever opens a chunk (the empty "# Long" joins the first section)
            assert "## Section" not in piece.text.removeprefix("# Long\n\n")[1:]


def test_long_paragraph_is_cut_at_sentence_ends(chunks_of) -> None:
    doc = _md((SENTENCE_EN * 20).strip() + "\n")
    chunks = chunks_of(doc, max_chars=250)
    for piece in chunks:
        assert piece.text.startswith("The monthly") and piece.text.endswith("$500,000.")


def test_japanese_paragraph_is_cut_after_the_period(chunks_of) -> None:
    doc = _md(SENTENCE_JA * 40 + "\n")
    chunks = chunks_of(doc, max_chars=100)
    assert all(c.text.endswith("振り込む。") for c in chunks)
    assert all(len(c.text) == 3 * len(SENTENCE_JA) for c in chunks[:-1])


def test_unpunctuated_text_falls_back_to_lines_then_hard_cuts(chunks_of) -> None:
    lines = "\n".join("行" * 30 for _ in range(10))
    doc = _md(lines + "\n\n" + "字" * 1000 + "\n\n" + "word " * 300 + "\n")
    chunks = chunks_of(doc, max_chars=100, min_chars=0)
    assert chunks[0].text == "\n".join("行" * 30 for _ in range(3))
    hard = [c for c in chunks if c.text.startswith("字")]
    assert [len(c.text) for c in hard] == [100] * 10
    words = [c for c in chunks if c.text.startswith("word")]
    assert all(c.text.endswith("word") for c in words)  # cut at spaces, not inside words


def test_small_trailing_chunk_borrows_from_the_previous_one(chunks_of) -> None:
    sentences = [f"Sentence number {i} is here." for i in range(8)]
    doc = _md(" ".join(sentences) + "\n")
    chunks = chunks_of(doc, max_chars=200, min_chars=80)
    assert len(chunks) == 2
    assert len(chunks[-1].text) >= 80


def test_blocks_without_headings_and_pages(chunks_of) -> None:
    text = "First paragraph.\n\nSecond paragraph.\n\nThird on page two."
    blocks = [
        Block(0, 16, "paragraph", (), 1),
        Block(18, 35, "paragraph", (), 1),
        Block(37, 55, "paragraph", (), 2),
    ]
    doc = ParsedDocument(text, blocks, None, "en", "pdf", None, 2, {})
    chunks = chunks_of(doc)
    assert [(c.text, c.page) for c in chunks] == [
        ("First paragraph.\n\nSecond paragraph.", 1),
        ("Third on page two.", 2),
    ]


def test_invalid_limits() -> None:
    doc = _md("x\n")
    with pytest.raises(ValueError):
        chunk(doc, max_chars=0)


def test_every_format_yields_verbatim_chunks(tmp_path: Path, chunks_of) -> None:
    samples = {
        "a.md": b"# T\n\nBody.\n",
        "a.txt": b"Body text.\n",
        "a.html": b"<h1>T</h1><p>Body.</p>",
        "a.csv": b"k,v\na,1\n",
        "a.eml": b"Subject: Hi\r\nFrom: a@b.c\r\n\r\nBody.\r\n",
    }
    for name, data in samples.items():
        chunks_of(parse_bytes(data, name))
