"""Structure-aware chunking: verbatim slices of `ParsedDocument.text`, one heading section each.

A section starts at each heading block (and at each new page); a chunk never spans two
sections. A section that holds only a heading and is followed by one of its own subsections
is joined to that subsection, so "## Fees / ### Monthly fee / text" stays together. Blocks
are packed greedily up to `max_chars`; longer blocks are cut at sentence ends, then at line
breaks, then at the last space or comma that fits (or hard). A chunk shorter than `min_chars`
at the end of a section takes whole units over from the chunk before it, while that one
stays at least `min_chars` long.
"""

from __future__ import annotations

from ._sentences import split_sentences
from ._types import Block, Chunk, ParsedDocument

__all__ = ["chunk"]

_Span = tuple[int, int]
_SOFT_BREAKS = " \t\u3000、，,；;"


def chunk(doc: ParsedDocument, max_chars: int = 700, min_chars: int = 80) -> list[Chunk]:
    """Split `doc` into chunks of at most `max_chars`, each `doc.text[start:end]` verbatim."""
    if max_chars < 1 or min_chars < 0:
        raise ValueError("max_chars must be at least 1 and min_chars not negative")
    text = doc.text
    chunks: list[Chunk] = []
    for blocks in _sections(doc.blocks):
        units: list[_Span] = []
        for block in blocks:
            span = _trim(text, block.start, block.end)
            if span[0] < span[1]:
                units.extend(_split(text, span, max_chars))
        path, page = blocks[-1].heading_path, blocks[0].page
        for start, end in _pack(units, max_chars, min_chars):
            chunks.append(Chunk(len(chunks), start, end, text[start:end], path, page))
    return chunks


def _sections(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped by heading section and page, heading-only parents joined to children."""
    sections: list[list[Block]] = []
    for block in sorted(blocks, key=lambda b: (b.start, b.end)):
        current = sections[-1] if sections else None
        if (
            current is None
            or block.kind == "heading"
            or block.page != current[0].page
            or block.heading_path != current[-1].heading_path
        ):
            sections.append([block])
        else:
            current.append(block)
    joined: list[list[Block]] = []
    for section in sections:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and all(b.kind == "heading" for b in previous)
            and section[0].page == previous[0].page
            and section[-1].heading_path[: len(previous[-1].heading_path)]
            == previous[-1].heading_path
            and len(section[-1].heading_path) > len(previous[-1].heading_path)
        ):
            previous.extend(section)
        else:
            joined.append(section)
    return joined


def _trim(text: str, start: int, end: int) -> _Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split(text: str, span: _Span, max_chars: int) -> list[_Span]:
    """A block as units no longer than `max_chars`: sentences, then lines, then hard cuts."""
    if span[1] - span[0] <= max_chars:
        return [span]
    cuts = [end for _, end in split_sentences(text, span[0], span[1])]
    units = [u for u in _cut(text, span, cuts) if u[0] < u[1]]
    result: list[_Span] = []
    for unit in units:
        if unit[1] - unit[0] <= max_chars:
            result.append(unit)
            continue
        lines = [i + 1 for i in range(unit[0], unit[1]) if text[i] == "\n"]
        for line in _cut(text, unit, lines):
            if line[1] - line[0] <= max_chars:
                result.append(line)
            else:
                result.extend(_hard_split(text, line, max_chars))
    return [u for u in result if u[0] < u[1]]


def _cut(text: str, span: _Span, cuts: list[int]) -> list[_Span]:
    """Contiguous pieces of `span` between the cut positions, each trimmed of whitespace."""
    pieces = []
    start = span[0]
    for cut in sorted(c for c in set(cuts) if span[0] < c < span[1]):
        pieces.append(_trim(text, start, cut))
        start = cut
    pieces.append(_trim(text, start, span[1]))
    return pieces


def _hard_split(text: str, span: _Span, max_chars: int) -> list[_Span]:
    """Cut at the last space or comma in the second half of each window, else at the limit."""
    pieces = []
    start, end = span
    while end - start > max_chars:
        limit = start + max_chars
        cut = limit
        for i in range(limit, start + max_chars // 2, -1):
            if text[i - 1] in _SOFT_BREAKS:
                cut = i
                break
        piece = _trim(text, start, cut)
        if piece[0] < piece[1]:
            pieces.append(piece)
        start = _trim(text, cut, end)[0]
    if start < end:
        pieces.append((start, end))
    return pieces


def _pack(units: list[_Span], max_chars: int, min_chars: int) -> list[_Span]:
    """Greedy packing of consecutive units; a too-small last chunk borrows from the one before."""
    groups: list[list[_Span]] = []
    for unit in units:
        if groups and unit[1] - groups[-1][0][0] <= max_chars:
            groups[-1].append(unit)
        else:
            groups.append([unit])
    if len(groups) >= 2:
        before, last = groups[-2], groups[-1]
        while (
            len(before) > 1
            and last[-1][1] - last[0][0] < min_chars
            and last[-1][1] - before[-1][0] <= max_chars
            and before[-2][1] - before[0][0] >= min_chars  # the giver stays big enough
        ):
            last.insert(0, before.pop())
    return [(group[0][0], group[-1][1]) for group in groups]
