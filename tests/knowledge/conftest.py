"""Shared checks for the knowledge tests: document and chunk invariants, a CJK font for PDFs."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import require
from cristal.knowledge import Chunk, ParsedDocument, chunk

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
)


def check_document(doc: ParsedDocument) -> None:
    """Blocks are ordered, inside the text, tight and non-overlapping; fields are sane."""
    assert doc.text.strip()
    assert doc.lang in ("ja", "en")
    assert doc.blocks, "a document with text has blocks"
    previous_end = 0
    for block in doc.blocks:
        piece = doc.text[block.start : block.end]
        assert previous_end <= block.start < block.end <= len(doc.text)
        assert piece == piece.strip() and piece, block
        if block.kind == "heading":
            assert block.heading_path, block
        previous_end = block.end


def check_chunks(doc: ParsedDocument, max_chars: int = 700, min_chars: int = 80) -> list[Chunk]:
    """Chunk `doc` and assert every promise of `chunk` (verbatim, bounded, ordered, sectioned)."""
    check_document(doc)
    chunks = chunk(doc, max_chars=max_chars, min_chars=min_chars)
    assert chunks
    previous_end = 0
    for index, piece in enumerate(chunks):
        assert piece.index == index
        assert piece.text == doc.text[piece.start : piece.end]
        assert piece.text and piece.text == piece.text.strip()
        assert len(piece.text) <= max_chars
        assert piece.start >= previous_end, "chunks never overlap"
        previous_end = piece.end
    for block in doc.blocks:  # everything a block holds is in some chunk
        for offset in range(block.start, block.end):
            if not doc.text[offset].isspace():
                assert any(c.start <= offset < c.end for c in chunks), (block, offset)
    for heading in (b for b in doc.blocks if b.kind == "heading"):
        for piece in chunks:
            if piece.start < heading.start < piece.end:  # only empty parent headings may precede
                before = [b for b in doc.blocks if piece.start <= b.start < heading.start]
                assert all(b.kind == "heading" for b in before), (piece, heading)
    return chunks


@pytest.fixture
def cjk_font() -> Path:
    """A TrueType font with Japanese glyphs (Debian: fonts-ipafont-gothic)."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    found = None
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=ja:fontformat=TrueType"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        found = Path(out) if out.endswith((".ttf", ".otf")) and Path(out).exists() else None
    require(found is not None, "a Japanese TrueType font (apt-get install fonts-ipafont-gothic)")
    assert found is not None
    return found


@pytest.fixture
def chunks_of() -> Callable[..., list[Chunk]]:
    """The invariant-checking chunker as a fixture."""
    return check_chunks


@pytest.fixture(scope="session")
def office_samples() -> dict[str, bytes]:
    """Small valid DOCX, XLSX and PDF files made with the libraries that write them."""
    import docx
    import openpyxl
    from fpdf import FPDF

    document = docx.Document()
    document.add_heading("Title", 1)
    document.add_paragraph("Hello world. " * 40)
    docx_buffer = io.BytesIO()
    document.save(docx_buffer)
    workbook = openpyxl.Workbook()
    workbook.active.append(["plan", "fee"])
    workbook.active.append(["gold", 95])
    xlsx_buffer = io.BytesIO()
    workbook.save(xlsx_buffer)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 6, "Hello world. " * 80)
    return {
        ".docx": docx_buffer.getvalue(),
        ".xlsx": xlsx_buffer.getvalue(),
        ".pdf": bytes(pdf.output()),
    }
