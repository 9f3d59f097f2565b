"""DOCX: headings from styles, lists, tables as rows, and broken files."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import pytest

from cristal.knowledge import ParseFailed, parse_file


def _document(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Travel Policy", 0)
    document.add_paragraph("This policy applies to all employees.")
    document.add_heading("Flights", 1)
    document.add_paragraph("Book economy for flights under six hours.")
    document.add_paragraph("Use the approved agency.", style="List Bullet")
    document.add_paragraph("Keep the boarding pass.", style="List Number")
    document.add_heading("Limits", 2)
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [("City", "Hotel", "Meals"), ("Tokyo", "¥20,000", "¥5,000"), ("Osaka", "¥15,000", "")],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("国内出張", 1)
    document.add_paragraph("日帰り出張の日当は2,000円とする。\n宿泊を伴う場合は3,000円とする。")
    path = tmp_path / "travel.docx"
    document.save(str(path))
    return path


def test_docx_structure(tmp_path: Path, chunks_of) -> None:
    doc = parse_file(_document(tmp_path))
    assert doc.format == "docx" and doc.encoding is None and doc.pages is None
    assert doc.title == "Travel Policy"
    got = [(b.kind, doc.text[b.start : b.end], b.heading_path) for b in doc.blocks]
    top, flights = ("Travel Policy",), ("Travel Policy", "Flights")
    limits = (*flights, "Limits")
    assert got == [
        ("heading", "Travel Policy", top),
        ("paragraph", "This policy applies to all employees.", top),
        ("heading", "Flights", flights),
        ("paragraph", "Book economy for flights under six hours.", flights),
        ("list", "Use the approved agency.", flights),
        ("list", "Keep the boarding pass.", flights),
        ("heading", "Limits", limits),
        ("table_row", "City: Tokyo | Hotel: ¥20,000 | Meals: ¥5,000", limits),
        ("table_row", "City: Osaka | Hotel: ¥15,000", limits),
        ("heading", "国内出張", ("Travel Policy", "国内出張")),
        (
            "paragraph",
            "日帰り出張の日当は2,000円とする。\n宿泊を伴う場合は3,000円とする。",
            ("Travel Policy", "国内出張"),
        ),
    ]
    assert "\n\n".join(doc.text[b.start : b.end] for b in doc.blocks) == doc.text
    chunks_of(doc)


def test_core_properties_title_wins(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Official title"
    document.core_properties.author = "Keiri"
    document.add_paragraph("Body text only.")
    path = tmp_path / "titled.docx"
    document.save(str(path))
    doc = parse_file(path)
    assert doc.title == "Official title" and doc.metadata == {"author": "Keiri"}


def test_merged_cells_are_not_repeated(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ("Plan", "Fee", "Notes"), strict=True):
        cell.text = value
    merged = table.cell(1, 1).merge(table.cell(1, 2))
    table.cell(1, 0).text = "Gold"
    merged.text = "$95"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    doc = parse_file(path)
    assert doc.text == "Plan: Gold | Fee: $95"


def test_random_bytes_named_docx_fail(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(ParseFailed) as caught:
        parse_file(path)
    assert "not a readable DOCX" in caught.value.reason
    assert "save it again as .docx" in caught.value.message


def test_zip_that_is_not_a_document_fails(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    path = tmp_path / "archive.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ParseFailed, match="not a readable DOCX"):
        parse_file(path)


def test_legacy_doc_or_password_protected_file(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(ParseFailed, match="without a password"):
        parse_file(path)


def test_document_with_only_empty_paragraphs_fails(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("   ")
    path = tmp_path / "blank.docx"
    document.save(str(path))
    with pytest.raises(ParseFailed, match="no text"):
        parse_file(path)
