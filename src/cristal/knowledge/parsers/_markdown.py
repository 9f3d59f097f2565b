"""Markdown and plain text: the text is the file itself; blocks come from a line scanner.

Markdown: ATX and Setext headings, YAML/TOML front matter (a `meta` block), fenced code,
pipe tables (one `table_row` block per row, the delimiter row skipped), list items and
paragraphs. Plain text uses the same scanner with only paragraphs and list items.
"""

from __future__ import annotations

import re

from .._types import Block, ParsedDocument
from ..ja import detect_lang
from ._builder import HeadingStack, fallback_title, require_text
from ._decode import decode
from ._limits import check_text

__all__ = ["MarkdownParser", "PlainTextParser", "scan"]

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HR = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LIST = re.compile(r"[ \t]*(?:(?:[-*+•]|\d{1,9}[.)]|[①-⑳])[ \t]+|[・•](?=\S))")
_TABLE_DELIM = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_FRONT_TITLE = re.compile(r"""^title[ \t]*[:=][ \t]*["']?(.*?)["']?[ \t]*$""", re.M)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|`")


class MarkdownParser:
    """Parses .md / .markdown files; `text` is the decoded file, untouched."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Decode and scan a Markdown file."""
        return _parse(data, name, markdown=True)


class PlainTextParser:
    """Parses .txt / .text / .log files; `text` is the decoded file, untouched."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Decode and scan a plain-text file."""
        return _parse(data, name, markdown=False)


def _parse(data: bytes, name: str, *, markdown: bool) -> ParsedDocument:
    text, encoding = decode(data, name)
    require_text(text, name)
    check_text(len(text), name)
    blocks, found_title = scan(text, markdown=markdown)
    title = found_title or _first_line(text, blocks, markdown) or fallback_title(name)
    return ParsedDocument(
        text=text,
        blocks=blocks,
        title=title,
        lang=detect_lang(text),
        format="markdown" if markdown else "text",
        encoding=encoding,
    )


def _first_line(text: str, blocks: list[Block], markdown: bool) -> str | None:
    """A plain-text title: the first line, when it is short enough to be one."""
    if markdown or not blocks:
        return None
    first = text[blocks[0].start : blocks[0].end].split("\n", 1)[0].strip()
    return first if len(first) <= 100 else None


def scan(text: str, *, markdown: bool = True) -> tuple[list[Block], str | None]:
    """Blocks of a Markdown (or, with markdown=False, plain) text, and its title if it has one.

    The title is the front matter's `title`, else the first heading of the highest level.
    """
    return _Scanner(text, markdown).run()


class _Scanner:
    """One pass over the lines; each method consumes lines from `self.i` and emits blocks."""

    def __init__(self, text: str, markdown: bool) -> None:
        self.text = text
        self.markdown = markdown
        self.lines = text.split("\n")
        self.offsets = [0] * (len(self.lines) + 1)
        for n, line in enumerate(self.lines):
            self.offsets[n + 1] = self.offsets[n] + len(line) + 1
        self.blocks: list[Block] = []
        self.headings = HeadingStack()
        self.i = 0
        self.para: int | None = None
        self.top: tuple[int, str] | None = None

    def run(self) -> tuple[list[Block], str | None]:
        title = self._front_matter() if self.markdown else None
        lines = self.lines
        while self.i < len(lines):
            line = lines[self.i]
            if not line.strip():
                self._flush()
                self.i += 1
            elif self.markdown and self._special(line):
                continue
            elif _LIST.match(line):
                self._flush()
                self._list_item()
            else:
                if self.para is None:
                    self.para = self.i
                self.i += 1
        self._flush()
        return self.blocks, title or (self.top[1] if self.top else None)

    def _special(self, line: str) -> bool:
        """Handle Markdown-only constructs at the current line; False when it is none of them."""
        if self.para is not None and _SETEXT.fullmatch(line):
            self._setext(1 if line.strip()[0] == "=" else 2)
        elif _FENCE.match(line):
            self._flush()
            self._fence()
        elif _ATX.fullmatch(line):
            self._flush()
            match = _ATX.fullmatch(line)
            assert match is not None
            self._heading(len(match.group(1)), match.group(2) or "", self.i, self.i)
            self.i += 1
        elif _HR.fullmatch(line):
            self._flush()
            self.i += 1
        elif self._table_starts(line):
            self._flush()
            self._table()
        else:
            return False
        return True

    def _emit(self, first: int, last: int, kind: str, path: tuple[str, ...] | None = None) -> None:
        start = self.offsets[first]
        end = self.offsets[last] + len(self.lines[last])
        chunk = self.text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if start < end:
            self.blocks.append(Block(start, end, kind, path or self.headings.path, None))

    def _flush(self) -> None:
        if self.para is not None:
            self._emit(self.para, self.i - 1, "paragraph")
            self.para = None

    def _front_matter(self) -> str | None:
        fence = self.lines[0].strip() if self.lines else ""
        if fence not in ("---", "+++"):
            return None
        closers = ("---", "...") if fence == "---" else ("+++",)
        for j in range(1, min(len(self.lines), 300)):
            if self.lines[j].strip() in closers:
                self._emit(0, j, "meta")
                self.i = j + 1
                match = _FRONT_TITLE.search("\n".join(self.lines[1:j]))
                return (match.group(1).strip() or None) if match else None
        return None

    def _heading(self, level: int, title: str, first: int, last: int) -> None:
        clean = _EMPHASIS.sub("", _LINK.sub(r"\1", title)).strip()
        if not clean:
            return
        if self.top is None or level < self.top[0]:
            self.top = (level, clean)
        self._emit(first, last, "heading", self.headings.push(level, clean))

    def _setext(self, level: int) -> None:
        assert self.para is not None
        title = " ".join(line.strip() for line in self.lines[self.para : self.i])
        self._heading(level, title, self.para, self.i)
        self.para = None
        self.i += 1

    def _fence(self) -> None:
        first = self.i
        match = _FENCE.match(self.lines[first])
        assert match is not None
        marker = match.group(1)
        self.i += 1
        while self.i < len(self.lines):
            stripped = self.lines[self.i].strip()
            if stripped.startswith(marker[0] * len(marker)) and not stripped.strip(marker[0]):
                break
            self.i += 1
        last = min(self.i, len(self.lines) - 1)
        self._emit(first, last, "code")
        self.i = last + 1

    def _table_starts(self, line: str) -> bool:
        if "|" not in line:
            return False
        if line.lstrip().startswith("|"):
            return True
        following = self.lines[self.i + 1] if self.i + 1 < len(self.lines) else ""
        return "|" in following and bool(_TABLE_DELIM.fullmatch(following))

    def _table(self) -> None:
        while self.i < len(self.lines) and "|" in self.lines[self.i] and self.lines[self.i].strip():
            if not _TABLE_DELIM.fullmatch(self.lines[self.i]):
                self._emit(self.i, self.i, "table_row")
            self.i += 1

    def _list_item(self) -> None:
        first = self.i
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not line.strip() or not line[0].isspace() or _LIST.match(line):
                break
            self.i += 1
        self._emit(first, self.i - 1, "list")
