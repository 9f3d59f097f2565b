"""Typed records shared by the parsers, the chunker and the index: blocks, documents, chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BLOCK_KINDS", "Block", "Chunk", "ParsedDocument"]

BLOCK_KINDS = frozenset({"heading", "paragraph", "list", "table_row", "code", "meta"})


@dataclass(frozen=True, slots=True)
class Block:
    """A structural unit of a document: `text[start:end]` is a heading, paragraph, row...

    `heading_path` is the chain of headings the block sits under; a heading block's own
    path ends with itself. `page` is 1-based where the format has pages, else None.
    """

    start: int
    end: int
    kind: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"block kind {self.kind!r} is not one of {sorted(BLOCK_KINDS)}")
        if not 0 <= self.start <= self.end:
            raise ValueError(
                f"block offsets must satisfy 0 <= start <= end, got {self.start}, {self.end}"
            )


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A parsed file: the text citations refer to, its blocks and what we learnt about it.

    For Markdown and plain text, `text` is the decoded file itself (newlines normalised to
    `\\n`, BOM removed); for other formats it is the extracted text, lines joined with `\\n`
    and blocks separated by a blank line.
    """

    text: str
    blocks: list[Block]
    title: str | None
    lang: str
    format: str
    encoding: str | None = None
    pages: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def block_text(self, block: Block) -> str:
        """The text of one block of this document."""
        return self.text[block.start : block.end]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a document sized for retrieval; `text == doc.text[start:end]` always."""

    index: int
    start: int
    end: int
    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None
