"""Markdown: the text is the file itself; blocks, headings, front matter, tables and code."""

from __future__ import annotations

from pathlib import Path

from cristal.knowledge import parse_file

DOC = """---
title: "Card fees"
owner: payments
---
Intro line before any heading.

Card Fees
=========

Overview of **fees** for [cards](https://example.com).

## Annual fee ##

- The annual fee is $95.
- It is waived in year one.
  Continuation of the second item.

| Item | Value |
| :--- | ---: |
| Annual fee | $95 |
| Late fee | $40 |

### Example

```python
fee = 95  # dollars

print(fee)
```

Sub heading
-----------

1) Final step.
"""


def _parse(tmp_path: Path, text: str, name: str = "doc.md"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return parse_file(path)


def test_text_is_the_file_verbatim(tmp_path: Path, chunks_of) -> None:
    doc = _parse(tmp_path, DOC)
    assert doc.text == DOC
    assert doc.format == "markdown" and doc.encoding == "utf-8" and doc.pages is None
    chunks_of(doc)


def test_blocks_follow_the_structure(tmp_path: Path) -> None:
    doc = _parse(tmp_path, DOC)
    got = [(b.kind, doc.text[b.start : b.end], b.heading_path) for b in doc.blocks]
    fees = ("Card Fees",)
    annual = ("Card Fees", "Annual fee")
    assert got == [
        ("meta", '---\ntitle: "Card fees"\nowner: payments\n---', ()),
        ("paragraph", "Intro line before any heading.", ()),
        ("heading", "Card Fees\n=========", fees),
        ("paragraph", "Overview of **fees** for [cards](https://example.com).", fees),
        ("heading", "## Annual fee ##", annual),
        ("list", "- The annual fee is $95.", annual),
        ("list", "- It is waived in year one.\n  Continuation of the second item.", annual),
        ("table_row", "| Item | Value |", annual),
        ("table_row", "| Annual fee | $95 |", annual),
        ("table_row", "| Late fee | $40 |", annual),
        ("heading", "### Example", (*annual, "Example")),
        (
            "code",
            "```python\nfee = 95  # dollars\n\nprint(fee)\n```",
            (*annual, "Example"),
        ),
        ("heading", "Sub heading\n-----------", ("Card Fees", "Sub heading")),
        ("list", "1) Final step.", ("Card Fees", "Sub heading")),
    ]
    assert doc.title == "Card fees"  # front matter wins over the first heading


def test_title_falls_back_to_top_heading_then_file_name(tmp_path: Path) -> None:
    assert _parse(tmp_path, "## Minor\n\n# Major\n").title == "Major"
    assert _parse(tmp_path, "just text\n", name="note-2024.md").title == "note-2024"


def test_heading_markup_is_cleaned_in_paths(tmp_path: Path) -> None:
    doc = _parse(tmp_path, "# The `Gold` **card** [terms](x.md)\n\nBody.\n")
    assert doc.blocks[1].heading_path == ("The Gold card terms",)


def test_crlf_file_keeps_everything_but_carriage_returns(tmp_path: Path) -> None:
    raw = "# 規程\r\n\r\n本文です。\r\n"
    path = tmp_path / "crlf.markdown"
    path.write_bytes(raw.encode("utf-8"))
    doc = parse_file(path)
    assert doc.text == "# 規程\n\n本文です。\n"
    assert doc.lang == "ja"


def test_unclosed_fence_runs_to_the_end(tmp_path: Path, chunks_of) -> None:
    doc = _parse(tmp_path, "# Code\n\n```\nline one\n\n# not a heading\n")
    assert [b.kind for b in doc.blocks] == ["heading", "code"]
    chunks_of(doc)


def test_table_without_leading_pipes(tmp_path: Path) -> None:
    doc = _parse(tmp_path, "Plan | Fee\n--- | ---\nBasic | $0\n")
    assert [doc.text[b.start : b.end] for b in doc.blocks] == ["Plan | Fee", "Basic | $0"]
    assert {b.kind for b in doc.blocks} == {"table_row"}


def test_thematic_break_is_not_a_heading(tmp_path: Path) -> None:
    doc = _parse(tmp_path, "Para one.\n\n---\n\nPara two.\n")
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph"]


def test_shift_jis_markdown_keeps_its_text(tmp_path: Path) -> None:
    text = "# 出張旅費規程\n\n## 第1条（目的）\n国内出張の日当は3,000円とする。\n"
    path = tmp_path / "sjis.md"
    path.write_bytes(text.encode("cp932"))
    doc = parse_file(path)
    assert doc.text == text and doc.encoding == "cp932"
    assert doc.blocks[-1].heading_path == ("出張旅費規程", "第1条（目的）")
