"""PDF: text per page with page numbers, headings from font sizes, and clear failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from cristal.knowledge import ParseFailed, parse_file

LOREM = (
    "The monthly maintenance fee is $200.00. This fee is waived when the average balance "
    "meets or exceeds $500,000. Overdrafts incur a fee of $0.00 for treasury accounts. "
)


def _pdf(font: str = "helvetica", path: Path | None = None) -> FPDF:
    pdf = FPDF()
    if path is not None:
        pdf.add_font(font, fname=str(path))
    pdf.set_title("Treasury guide")
    return pdf


def _write(pdf: FPDF, size: float, text: str, height: float = 7) -> None:
    pdf.set_font_size(size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _english(tmp_path: Path) -> Path:
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("helvetica")
    _write(pdf, 20, "Treasury Guide", 10)
    _write(pdf, 15, "Fees", 9)
    _write(pdf, 11, LOREM * 2)
    pdf.ln(5)
    _write(pdf, 11, "Second paragraph about statements and reconciliation.")
    pdf.add_page()
    _write(pdf, 15, "Support", 9)
    _write(pdf, 11, "You are assigned 2 dedicated account managers.")
    pdf.ln(5)
    _write(pdf, 11, "- Call the desk before 5 p.m. for same-day help.")
    path = tmp_path / "guide.pdf"
    pdf.output(str(path))
    return path


def test_english_pdf_pages_headings_and_paragraphs(tmp_path: Path, chunks_of) -> None:
    doc = parse_file(_english(tmp_path))
    assert doc.format == "pdf" and doc.pages == 2 and doc.lang == "en"
    assert doc.title == "Treasury guide"  # the PDF's own metadata title
    got = [(b.kind, b.page, b.heading_path) for b in doc.blocks]
    guide, fees = ("Treasury Guide",), ("Treasury Guide", "Fees")
    support = ("Treasury Guide", "Support")
    assert got == [
        ("heading", 1, guide),
        ("heading", 1, fees),
        ("paragraph", 1, fees),
        ("paragraph", 1, fees),
        ("heading", 2, support),
        ("paragraph", 2, support),
        ("list", 2, support),
    ]
    first = doc.text[doc.blocks[2].start : doc.blocks[2].end]
    assert first.startswith("The monthly maintenance fee is $200.00.")
    assert "\n" in first  # wrapped lines are joined with newlines
    assert doc.text.split("\n\n")[0] == "Treasury Guide"
    chunks = chunks_of(doc)
    assert {c.page for c in chunks} == {1, 2}
    assert all(c.page == 2 for c in chunks if "account managers" in c.text)


def test_small_chunks_of_a_pdf_keep_their_page(tmp_path: Path, chunks_of) -> None:
    doc = parse_file(_english(tmp_path))
    chunks = chunks_of(doc, max_chars=120, min_chars=20)
    assert len(chunks) >= 5
    for piece in chunks:
        pages = {b.page for b in doc.blocks if piece.start <= b.start < piece.end}
        assert pages <= {piece.page}


def test_japanese_pdf_with_embedded_font(tmp_path: Path, cjk_font: Path, chunks_of) -> None:
    pdf = _pdf("ipag", cjk_font)
    pdf.add_page()
    pdf.set_font("ipag")
    _write(pdf, 18, "経費精算規程", 10)
    _write(pdf, 14, "第1条（目的）", 8)
    _write(pdf, 11, "本規程は、従業員が業務のために立て替えた経費の精算手続きを定める。" * 3)
    pdf.add_page()
    _write(pdf, 14, "第2条（精算期限）", 8)
    _write(pdf, 11, "立替経費は、支出した月の翌月10日までに申請する。")
    path = tmp_path / "keihi.pdf"
    pdf.output(str(path))
    doc = parse_file(path)
    assert doc.lang == "ja" and doc.pages == 2
    assert doc.blocks[-1].heading_path == ("経費精算規程", "第2条（精算期限）")
    assert doc.blocks[-1].page == 2
    assert "立替経費は、支出した月の翌月10日までに申請する。" in doc.text
    chunks_of(doc)


def test_truncated_pdf_fails_with_advice(tmp_path: Path) -> None:
    data = _english(tmp_path).read_bytes()
    path = tmp_path / "broken.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseFailed) as caught:
        parse_file(path)
    assert "corrupt" in caught.value.reason
    assert "re-download" in caught.value.message


def test_html_renamed_to_pdf_fails(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("<html><body>not a pdf</body></html>", encoding="utf-8")
    with pytest.raises(ParseFailed, match="corrupt or not a PDF"):
        parse_file(path)


def test_encrypted_pdf_fails_with_advice(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Confidential salary table")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(ParseFailed) as caught:
        parse_file(path)
    assert "encrypted" in caught.value.reason
    assert "Remove the password" in caught.value.message


def test_pdf_without_text_layer_says_to_ocr(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a drawing, as a scan would be an image
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(ParseFailed) as caught:
        parse_file(path)
    assert caught.value.reason == "no text layer (scanned?)"
    assert "OCR" in caught.value.message
