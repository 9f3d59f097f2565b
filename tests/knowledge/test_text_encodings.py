"""Plain-text files: encoding detection (Japanese legacy encodings, UTF-16) and binary refusal."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from cristal.knowledge import ParseFailed, parse_file

JA = (
    "経費精算規程\n"
    "本規程は、従業員が業務のために立て替えた経費の精算手続きを定める。\n"
    "1件3万円以上の支出は、適格請求書（インボイス）の原本を添付する。\n"
    "承認済みの経費は、毎月25日に給与振込口座へ振り込む。ｶﾀｶﾅも使う。\n"
)
EN = "Expense policy\n\nThe monthly maintenance fee is $200.00.\nClaims are paid on the 25th.\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("shift_jis", "cp932"),
        ("cp932", "cp932"),
        ("euc_jp", "euc_jp"),
        ("iso2022_jp", "iso2022_jp"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_japanese_text_decodes_in_every_common_encoding(
    tmp_path: Path, codec: str, expected: str, chunks_of
) -> None:
    text = JA.replace("ｶﾀｶﾅ", "カタカナ") if codec.startswith("iso2022") else JA
    doc = parse_file(_write(tmp_path, f"rules-{codec}.txt", text.encode(codec)))
    assert doc.text == text
    assert doc.encoding == expected
    assert doc.lang == "ja"
    assert doc.format == "text"
    assert doc.title == "経費精算規程"
    chunks_of(doc)


def test_utf16_without_bom_english(tmp_path: Path) -> None:
    doc = parse_file(_write(tmp_path, "en.txt", EN.encode("utf-16-le")))
    assert doc.text == EN and doc.encoding == "utf-16-le" and doc.lang == "en"


def test_cp1252_english_is_read_as_windows_1252(tmp_path: Path) -> None:
    text = "Café résumé: naïve fees cost €5 — paid “monthly”.\n" * 3
    doc = parse_file(_write(tmp_path, "latin.txt", text.encode("cp1252")))
    assert doc.text == text
    assert doc.encoding == "cp1252"


def test_newlines_are_normalised_and_nothing_else(tmp_path: Path) -> None:
    raw = "Ｔｉｔｌｅ　全角\r\nline two\rline three\r\n\r\n- item ｶﾅ\r\n"
    doc = parse_file(_write(tmp_path, "crlf.txt", codecs.BOM_UTF8 + raw.encode("utf-8")))
    assert doc.text == "Ｔｉｔｌｅ　全角\nline two\nline three\n\n- item ｶﾅ\n"
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "Ｔｉｔｌｅ　全角\nline two\nline three",
        "- item ｶﾅ",
    ]
    assert [b.kind for b in doc.blocks] == ["paragraph", "list"]


def test_binary_file_named_txt_is_refused(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8 + os.urandom(512)
    with pytest.raises(ParseFailed) as caught:
        parse_file(_write(tmp_path, "photo.txt", data))
    assert "binary" in caught.value.reason
    assert "UTF-8" in caught.value.message


def test_binary_without_nul_bytes_is_refused(tmp_path: Path) -> None:
    data = bytes(b for b in range(1, 32) if b not in (9, 10, 13)) * 40
    with pytest.raises(ParseFailed, match="binary"):
        parse_file(_write(tmp_path, "control.log", data))


def test_log_and_text_suffixes_are_plain_text(tmp_path: Path) -> None:
    for name in ("server.log", "notes.text"):
        doc = parse_file(_write(tmp_path, name, b"2024-01-01 started\n2024-01-02 stopped\n"))
        assert doc.format == "text" and doc.encoding == "utf-8"


def test_plain_text_paragraphs_and_lists(tmp_path: Path, chunks_of) -> None:
    text = (
        "Travel rules\n\n"
        "Book economy class for flights under six hours.\n"
        "Business class needs approval.\n\n"
        "1. Book through the portal.\n"
        "2. Keep the receipts\n"
        "   for seven years.\n"
        "・国内出張は日帰りを原則とする。\n"
    )
    doc = parse_file(_write(tmp_path, "travel.txt", text.encode("utf-8")))
    kinds = [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]
    assert kinds == [
        ("paragraph", "Travel rules"),
        (
            "paragraph",
            "Book economy class for flights under six hours.\nBusiness class needs approval.",
        ),
        ("list", "1. Book through the portal."),
        ("list", "2. Keep the receipts\n   for seven years."),
        ("list", "・国内出張は日帰りを原則とする。"),
    ]
    assert doc.title == "Travel rules"
    chunks_of(doc)


def test_a_few_stray_nul_bytes_are_dropped(tmp_path: Path) -> None:
    data = b"2024-01-01 started\x00\n" + b"2024-01-01 request served\n" * 50
    doc = parse_file(_write(tmp_path, "server.log", data))
    assert doc.text.startswith("2024-01-01 started\n2024-01-01 request served\n")
    assert "\x00" not in doc.text
