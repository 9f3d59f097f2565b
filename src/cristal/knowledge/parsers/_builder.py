"""Helpers shared by the parsers: heading paths, synthesised text with blocks, table rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePath
from typing import Any

from .._types import Block, ParsedDocument
from ..ja import detect_lang
from ._base import ParseFailed
from ._limits import check_text

__all__ = [
    "MAX_ROWS",
    "HeadingStack",
    "TextBuilder",
    "fallback_title",
    "require_text",
    "row_text",
    "count_rows",
    "rows_into",
]

# Tables: reading stops after this many data rows per file (noted in the metadata).
MAX_ROWS = 50_000

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+")


class HeadingStack:
    """The chain of headings above the current position, kept as headings of any level appear."""

    def __init__(self) -> None:
        self._entries: list[tuple[int, str]] = []

    @property
    def path(self) -> tuple[str, ...]:
        """Titles of the open headings, outermost first."""
        return tuple(title for _, title in self._entries)

    def push(self, level: int, title: str) -> tuple[str, ...]:
        """Open a heading of `level` (1 = top), closing deeper or equal ones; returns the path."""
        while self._entries and self._entries[-1][0] >= level:
            self._entries.pop()
        self._entries.append((level, " ".join(title.split())))
        return self.path


class TextBuilder:
    """Builds extracted text block by block: lines joined by `\\n`, blocks by a blank line."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []
        self.headings = HeadingStack()

    @property
    def text(self) -> str:
        """The text built so far."""
        return "".join(self._parts)

    def add(self, text: str, kind: str, page: int | None = None) -> None:
        """Append one block (empty text is skipped); its heading path is the current one."""
        self._append(text, kind, self.headings.path, page)

    def heading(self, level: int, text: str, page: int | None = None) -> None:
        """Append a heading block and make it the innermost heading of what follows."""
        clean = " ".join(text.split())
        if clean:
            self._append(clean, "heading", self.headings.push(level, clean), page)

    def _append(self, text: str, kind: str, path: tuple[str, ...], page: int | None) -> None:
        text = _clean(text)
        if not text:
            return
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        self._parts.append(text)
        self.blocks.append(Block(self._length, self._length + len(text), kind, path, page))
        self._length += len(text)

    def build(self, name: str, fmt: str, **fields: Any) -> ParsedDocument:
        """The finished document; fails when nothing readable was found."""
        text = self.text
        require_text(text, name)
        check_text(len(text), name)
        title = fields.pop("title", None) or _first_heading(self) or fallback_title(name)
        return ParsedDocument(
            text=text,
            blocks=self.blocks,
            title=title,
            lang=detect_lang(text),
            format=fmt,
            encoding=fields.pop("encoding", None),
            pages=fields.pop("pages", None),
            metadata=fields.pop("metadata", {}),
        )


def _clean(text: str) -> str:
    """No control characters, no trailing spaces, no blank lines inside a block."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def _first_heading(builder: TextBuilder) -> str | None:
    for block in builder.blocks:
        if block.kind == "heading":
            return block.heading_path[-1]
    return None


def fallback_title(name: str) -> str:
    """A title from the file name when the document has none."""
    return PurePath(name).stem or name


def require_text(text: str, name: str) -> None:
    """Raise `ParseFailed` when `text` has nothing but whitespace."""
    if not text.strip():
        raise ParseFailed(
            name, "no text found", "The file is empty or has no readable text; add content."
        )


def row_text(headers: Sequence[str], cells: Sequence[str]) -> str:
    """One table row as `Header: value | Header: value` (empty cells skipped)."""
    parts = []
    for i, cell in enumerate(cells):
        value = " ".join(str(cell).split())
        if not value:
            continue
        header = " ".join(headers[i].split()) if i < len(headers) else ""
        parts.append(f"{header}: {value}" if header and header != value else value)
    return " | ".join(parts)


def count_rows(builder: TextBuilder) -> int:
    """How many table rows the builder holds."""
    return sum(b.kind == "table_row" for b in builder.blocks)


def rows_into(rows: Iterable[list[str]], builder: TextBuilder, limit: int = MAX_ROWS) -> bool:
    """Add rows as `table_row` blocks under the first non-empty one; True if cut at `limit`."""
    headers: list[str] | None = None
    added = 0
    for row in _non_empty(rows):
        if headers is None:
            headers = row
        elif added >= limit:
            return True
        else:
            builder.add(row_text(headers, row), "table_row")
            added += 1
    if headers is not None and added == 0 and limit > 0:
        builder.add(" | ".join(c for c in headers if c.strip()), "table_row")
    return False


def _non_empty(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    for row in rows:
        if any(cell.strip() for cell in row):
            yield row
