"""E-mail: subject as title, headers as meta, plain or HTML body, attachment names."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from cristal.knowledge import ParseFailed, parse_file


def _save(tmp_path: Path, message: EmailMessage, name: str = "mail.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(bytes(message))
    return path


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Keiri <keiri@example.co.jp>"
    message["To"] = "all@example.co.jp"
    message["Date"] = "Mon, 01 Apr 2024 09:00:00 +0900"
    message["Message-ID"] = "<1@example.co.jp>"
    return message


def test_plain_text_mail_with_attachment(tmp_path: Path, chunks_of) -> None:
    message = _message("経費精算の締切について")
    message.set_content(
        "各位\n\n今月の経費精算は25日が締切です。\n期限を過ぎた申請は受け付けません。\n\n"
        "- 領収書を添付\n- 承認者を確認\n"
    )
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="規程.pdf")
    doc = parse_file(_save(tmp_path, message))
    assert doc.format == "eml" and doc.lang == "ja"
    assert doc.title == "経費精算の締切について"
    kinds = [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]
    assert kinds[0] == ("heading", "経費精算の締切について")
    assert kinds[1][0] == "meta" and kinds[1][1].startswith("From: Keiri <keiri@example.co.jp>")
    assert "Date: Mon, 01 Apr 2024 09:00:00 +0900" in kinds[1][1]
    assert (
        "paragraph",
        "今月の経費精算は25日が締切です。\n期限を過ぎた申請は受け付けません。",
    ) in kinds
    assert ("list", "- 領収書を添付") in kinds
    assert doc.metadata["attachments"] == ["規程.pdf"]
    assert doc.metadata["message_id"] == "<1@example.co.jp>"
    assert all(b.heading_path == ("経費精算の締切について",) for b in doc.blocks)
    chunks_of(doc)


def test_html_only_mail_goes_through_html_extraction(tmp_path: Path, chunks_of) -> None:
    message = _message("Card fee change")
    message.set_content(
        "<html><body><h2>New fees</h2><p>The annual fee rises to $95 on 1 May.</p>"
        "<script>x()</script></body></html>",
        subtype="html",
    )
    doc = parse_file(_save(tmp_path, message))
    assert "x()" not in doc.text
    assert "The annual fee rises to $95 on 1 May." in doc.text
    assert doc.blocks[-1].heading_path == ("Card fee change", "New fees")
    chunks_of(doc)


def test_iso_2022_jp_body_is_decoded(tmp_path: Path) -> None:
    raw = (
        "Subject: =?ISO-2022-JP?B?GyRCN1BIcRsoQg==?=\r\n"
        "From: a@example.jp\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
    ).encode("ascii") + "出張旅費は翌月10日までに申請する。\r\n".encode("iso2022_jp")
    path = tmp_path / "jis.eml"
    path.write_bytes(raw)
    doc = parse_file(path)
    assert doc.title == "経費"
    assert "出張旅費は翌月10日までに申請する。" in doc.text


def test_unknown_charset_falls_back_to_detection(tmp_path: Path) -> None:
    raw = (
        b"Subject: test\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ) + "経費精算は翌月10日までに申請する。".encode("cp932")
    path = tmp_path / "odd.eml"
    path.write_bytes(raw)
    assert parse_file(path).text == "test\n\n経費精算は翌月10日までに申請する。"


def test_file_without_headers_is_not_an_email(tmp_path: Path) -> None:
    path = tmp_path / "notes.eml"
    path.write_bytes(b"\r\njust some text without any header\r\n")
    with pytest.raises(ParseFailed, match="no e-mail headers"):
        parse_file(path)
