"""HTML: main content with headings, lists and table rows; boilerplate dropped; encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from cristal.knowledge import ParseFailed, parse_file

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Expense policy | Intranet</title>
<script>var tracking = "do not index";</script><style>p { color: red }</style></head>
<body>
<nav><a href="/">Home</a> <a href="/hr">HR</a> <a href="/it">IT</a></nav>
<header>Company intranet banner</header>
<main>
<h1>Expense policy</h1>
<p>All staff must submit claims within 30 days. Receipts are required for every claim
above $25.</p>
<h2>Approval</h2>
<p>Managers approve claims under $1,000. Directors approve larger claims.</p>
<ul><li>Attach the receipt.</li><li>Add the project code.</li></ul>
<table><tr><th>Item</th><th>Limit</th></tr><tr><td>Hotel</td><td>$200</td></tr>
<tr><td>Meals</td><td>$50</td></tr></table>
<h3>経費精算</h3>
<p>本規程は、従業員が業務のために立て替えた経費の精算手続きを定める。</p>
</main>
<footer>Copyright 2024 Example Corp</footer>
</body></html>
"""


def _write(tmp_path: Path, data: bytes, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_main_content_with_structure(tmp_path: Path, chunks_of) -> None:
    doc = parse_file(_write(tmp_path, PAGE.encode("utf-8")))
    assert doc.format == "html" and doc.encoding == "utf-8" and doc.lang == "en"
    assert doc.title == "Expense policy | Intranet"
    for junk in ("tracking", "color: red", "Home", "banner", "Copyright"):
        assert junk not in doc.text
    got = [(b.kind, doc.text[b.start : b.end], b.heading_path) for b in doc.blocks]
    approval = ("Expense policy", "Approval")
    assert got[0] == ("heading", "Expense policy", ("Expense policy",))
    assert got[1][1].startswith("All staff must submit claims within 30 days.")
    assert ("heading", "Approval", approval) in got
    assert ("list", "Attach the receipt.", approval) in got
    assert ("table_row", "Item: Hotel | Limit: $200", approval) in got
    assert ("table_row", "Item: Meals | Limit: $50", approval) in got
    assert got[-1][2] == ("Expense policy", "Approval", "経費精算")
    chunks_of(doc)


def test_meta_charset_shift_jis(tmp_path: Path, chunks_of) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "<title>経費</title></head><body><h1>経費精算</h1>"
        "<p>本規程は経費の精算手続きを定める。</p></body></html>"
    )
    doc = parse_file(_write(tmp_path, page.encode("cp932"), "sjis.htm"))
    assert doc.encoding == "cp932" and doc.lang == "ja" and doc.title == "経費"
    assert doc.text == "経費精算\n\n本規程は経費の精算手続きを定める。"
    assert doc.blocks[1].heading_path == ("経費精算",)
    chunks_of(doc)


def test_undeclared_euc_jp_is_detected(tmp_path: Path) -> None:
    page = "<html><body><p>承認済みの経費は、毎月25日に給与振込口座へ振り込む。</p></body></html>"
    doc = parse_file(_write(tmp_path, page.encode("euc_jp")))
    assert doc.encoding == "euc_jp"
    assert doc.text == "承認済みの経費は、毎月25日に給与振込口座へ振り込む。"


def test_tiny_page_uses_the_plain_walk(tmp_path: Path) -> None:
    page = b"<html><body><div>Short note<br>second line</div><ul><li>one</li></ul></body></html>"
    doc = parse_file(_write(tmp_path, page))
    assert doc.text == "Short note\nsecond line\n\none"
    assert [b.kind for b in doc.blocks] == ["paragraph", "list"]


def test_page_without_text_fails(tmp_path: Path) -> None:
    with pytest.raises(ParseFailed, match="no text"):
        parse_file(_write(tmp_path, b"<html><head><script>x()</script></head><body></body></html>"))


def test_xhtml_with_xml_declaration(tmp_path: Path) -> None:
    page = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>X</title></head><body><h1>Hello</h1><p>World text.</p></body></html>"
    )
    doc = parse_file(_write(tmp_path, page.encode("utf-8")))
    assert doc.title == "X" and doc.text == "Hello\n\nWorld text."


def test_inline_markup_stays_in_its_paragraph_and_article_headers_stay(tmp_path: Path) -> None:
    page = (
        b"<html><body><header>Site banner</header><article><header><h1>Title</h1></header>"
        b"<div>Hello <b>bold</b> and <a href='x'>linked</a> words<br>next line"
        b"<div>inner block</div>tail text</div></article><footer>foot</footer></body></html>"
    )
    doc = parse_file(_write(tmp_path, page))
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "Title",
        "Hello bold and linked words\nnext line",
        "inner block",
        "tail text",
    ]
