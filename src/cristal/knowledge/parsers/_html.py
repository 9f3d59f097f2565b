"""HTML: main content via trafilatura, a plain lxml walk when that finds little or nothing.

Headings h1–h6 build `heading_path`; lists become `list` blocks, table rows `table_row`
blocks (`Header: value | ...`); navigation, scripts and styles are dropped. The encoding comes
from a BOM, then `<meta charset>`, then detection.
"""

from __future__ import annotations

import re
from typing import Any

from .._types import ParsedDocument
from ._base import ParseFailed
from ._builder import TextBuilder, row_text
from ._decode import decode
from ._limits import MAX_MARKUP_CHARS, check_text

__all__ = ["HtmlParser", "html_into"]

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_DROPPED_TAGS = "script style noscript template nav aside form svg iframe button select head"
_DROP = frozenset(_DROPPED_TAGS.split())
_BLOCKS = {
    "p": "paragraph",
    "pre": "code",
    "blockquote": "paragraph",
    "li": "list",
    "dt": "paragraph",
    "dd": "paragraph",
    "figcaption": "paragraph",
    "caption": "paragraph",
    "address": "paragraph",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_LEVEL = """
p div section article main ul ol dl li dt dd table pre blockquote figure figcaption address
header footer hr form fieldset details summary body nav aside caption
"""
_BLOCK_TAGS = frozenset(_BLOCK_LEVEL.split()) | set(_HEADINGS)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LEVEL = re.compile(r"h([1-6])")


class HtmlParser:
    """Parses .html / .htm files into extracted text with headings, lists and table rows."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Decode, extract the main content and build blocks."""
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", "replace") if match else None
        html, encoding = decode(data, name, declared)
        builder = TextBuilder()
        title = html_into(builder, html, name)
        return builder.build(name, "html", title=title, encoding=encoding)


def html_into(builder: TextBuilder, html: str, name: str, depth: int = 0) -> str | None:
    """Append the main content of `html` to `builder`, its headings `depth` levels down.

    Returns the page title if it has one.
    """
    check_text(len(html), name, MAX_MARKUP_CHARS)  # lxml needs several times this in memory
    html = _XML_DECLARATION.sub("", html)  # lxml refuses str input that declares an encoding
    if not html.strip():
        return None
    try:
        import lxml.html
        import trafilatura

        root = lxml.html.document_fromstring(html)
        title = " ".join((root.findtext(".//title") or "").split())
        extracted = trafilatura.extract(
            html,
            output_format="xml",
            include_tables=True,
            include_comments=False,
            include_links=False,
            include_images=False,
            favor_recall=True,
        )
    except Exception as exc:  # lxml / trafilatura failure: the markup is unusable
        raise ParseFailed(name, f"unreadable HTML ({exc})", "Re-save the page as HTML.") from exc
    fallback = TextBuilder()
    _walk(root.find("body") if root.find("body") is not None else root, fallback)
    main = TextBuilder()
    if extracted:
        from lxml import etree

        _trafilatura_into(etree.fromstring(extracted.encode("utf-8")).find("main"), main)
    chosen = main if _prefer_main(main, fallback) else fallback
    for block in chosen.blocks:
        piece = chosen.text[block.start : block.end]
        if block.kind == "heading":
            builder.heading(depth + len(block.heading_path), piece, block.page)
        else:
            builder.add(piece, block.kind, block.page)
    return title or None


def _prefer_main(main: TextBuilder, fallback: TextBuilder) -> bool:
    """trafilatura's extraction unless it dropped most of the page or flattened its headings."""
    size, whole = len(main.text), len(fallback.text)
    if size * 4 < whole:
        return False  # short or table-heavy pages: trafilatura can drop nearly everything
    headings = sum(b.kind == "heading" for b in main.blocks)
    return not (
        headings < sum(b.kind == "heading" for b in fallback.blocks) and size * 3 >= whole * 2
    )


def _trafilatura_into(main: Any, builder: TextBuilder) -> None:
    """Blocks from trafilatura's XML: head, p, list/item, table/row/cell, code, quote."""
    if main is None:
        return
    for lb in main.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    for element in main:
        tag = element.tag
        if tag == "head":
            level = _LEVEL.match(element.get("rend") or "")
            builder.heading(int(level.group(1)) if level else 2, _lines(element))
        elif tag == "list":
            for item in element.iter("item"):
                builder.add(_lines(item), "list")
        elif tag == "table":
            _table([[_lines(c) for c in row.iter("cell")] for row in element.iter("row")], builder)
        elif tag == "code":
            builder.add("".join(element.itertext()), "code")
        else:
            builder.add(_lines(element), "paragraph")


def _lines(element: Any) -> str:
    """Text content with spaces collapsed within each line."""
    return "\n".join(" ".join(line.split()) for line in "".join(element.itertext()).split("\n"))


def _table(rows: list[list[str]], builder: TextBuilder) -> None:
    """Rows under the first one as `Header: value` rows; a lone row as plain cells."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return
    if len(rows) == 1:
        builder.add(" | ".join(c for c in rows[0] if c.strip()), "table_row")
        return
    headers = rows[0]
    for row in rows[1:]:
        builder.add(row_text(headers, row), "table_row")


def _walk(element: Any, builder: TextBuilder) -> None:
    """Plain extraction: block elements in document order, dropped elements skipped."""
    for lb in element.iter("br"):
        lb.tail = "\n" + (lb.tail or "")
    _visit(element, builder)


def _visit(element: Any, builder: TextBuilder) -> None:
    """Add one element: heading, table, leaf block, or a container to walk through."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or _dropped(element, tag):
        return
    if tag in _HEADINGS:
        builder.heading(_HEADINGS[tag], _lines(element))
    elif tag == "table":
        rows = [[_lines(c) for c in tr if c.tag in ("td", "th")] for tr in element.iter("tr")]
        _table(rows, builder)
    elif tag in _BLOCKS and not any(d.tag in _BLOCK_TAGS for d in element.iterdescendants()):
        content = "".join(element.itertext()) if tag == "pre" else _lines(element)
        builder.add(content, _BLOCKS[tag])
    else:
        _container(element, builder, "list" if tag == "li" else "paragraph")


def _container(element: Any, builder: TextBuilder, kind: str) -> None:
    """Inline runs between block children become blocks; block children are visited."""
    pending = [element.text or ""]

    def flush() -> None:
        text = "".join(pending)
        builder.add("\n".join(" ".join(line.split()) for line in text.split("\n")), kind)
        pending.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in _BLOCK_TAGS and tag not in _HEADINGS and tag not in _DROP:
            pending.append("".join(child.itertext()))  # inline markup: part of the same run
        elif tag:
            flush()
            _visit(child, builder)
        pending.append(child.tail or "")
    flush()


def _dropped(element: Any, tag: str) -> bool:
    """Boilerplate: scripts, navigation, page headers and footers (not an article's own)."""
    if tag in ("header", "footer"):
        return not any(a.tag in ("article", "main") for a in element.iterancestors())
    return tag in _DROP
