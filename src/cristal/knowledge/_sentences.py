"""Sentence spans for Japanese and English text, tight enough to quote as evidence.

Units: a sentence ends at 。！？ (and ． between non-digits) and at . ? ! followed by a
space or newline, unless the period belongs to a number (3.5%), an abbreviation (e.g., Mr.,
No.) or an initial. Each Markdown heading, list item, table row and line ending in a colon is
its own unit; a line break inside a paragraph ends a sentence when the line is clearly shorter
than its neighbours (so hard-wrapped text stays whole). Spans never include surrounding
whitespace, bullet or number markers, `#` or table pipes.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_LIST_MARKER = re.compile(r"[ \t\u3000]*(?:(?:[-*+•]|\d{1,9}[.)]|[①-⑳]|>)[ \t]+|[・•](?=\S))")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SEPARATOR = re.compile(r"[ \t|:=*_~`+-]*$")
_FENCE = re.compile(r"[ \t]{0,3}(?:```|~~~)")
_ALNUM = re.compile(r"[^\W_]")
_JA_END = re.compile(r"[。！？]+[」』）)】〕”’\"']*|(?<!\d)．(?!\d)[」』）)】〕”’\"']*")
_EN_END = re.compile(r"[.?!]+[\"'”’)\]]*(?=\s)")
_TOKEN_BEFORE = re.compile(r"(\S+?)\.*$")
# Abbreviations whose period never ends a sentence, and those that may when a capital follows.
_ABBREVIATIONS = """
mr mrs ms dr prof no nos vs e.g i.e eg ie fig figs st jr sr cf approx dept ref refs vol pp al
art sec ch para p ex incl min max avg est
"""
_SENTENCE_FINAL_ABBREVIATIONS = """
etc inc ltd co corp llc a.m p.m u.s u.k jan feb mar apr jun jul aug sep sept oct nov dec
"""
_NEVER_END = frozenset(_ABBREVIATIONS.split())
_MAY_END = frozenset(_SENTENCE_FINAL_ABBREVIATIONS.split())


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets into `text`) within `text[start:end]`."""
    end = len(text) if end is None else min(end, len(text))
    spans: list[tuple[int, int]] = []
    group: list[tuple[int, int]] = []
    in_fence = False
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        line = text[pos:line_end]
        if _FENCE.match(line):
            in_fence = not in_fence
            _flush(text, group, spans)
        elif in_fence:
            _flush(text, group, spans)
            _add(text, pos, line_end, spans)
        else:
            _line(text, pos, line_end, line, group, spans)
        pos = line_end + 1
    _flush(text, group, spans)
    return spans


_Spans = list[tuple[int, int]]


def _line(text: str, pos: int, line_end: int, line: str, group: _Spans, spans: _Spans) -> None:
    """Classify one line: blank, separator, heading, table row, list item or prose."""
    stripped = line.strip()
    if not stripped or _SEPARATOR.fullmatch(stripped):
        _flush(text, group, spans)
        return
    heading = _HEADING.fullmatch(line)
    if heading:
        _flush(text, group, spans)
        _add(text, pos + heading.start(1), pos + heading.end(1), spans)
        return
    if stripped.startswith("|"):
        _flush(text, group, spans)
        left = pos + line.index("|") + 1
        right = pos + len(line.rstrip().rstrip("|"))
        _add(text, left, right, spans)
        return
    marker = _LIST_MARKER.match(line)
    if marker:
        _flush(text, group, spans)
        group.append((pos + marker.end(), line_end))
    else:
        group.append((pos, line_end))
    if stripped.endswith((":", "：")):
        _flush(text, group, spans)


def _flush(text: str, group: _Spans, spans: _Spans) -> None:
    """Split a run of prose lines into sentences and clear it."""
    if not group:
        return
    longest = max(e - s for s, e in group)
    seg_start = group[0][0]
    following_starts: list[int | None] = [s for s, _ in group[1:]] + [None]
    for (s, e), following in zip(group, following_starts, strict=True):
        if following is None:
            _prose(text, seg_start, e, spans)
        elif e - s < 0.6 * longest or not text[s:e].strip():
            _prose(text, seg_start, e, spans)  # a short line: the break is meant, not wrapping
            seg_start = following
    group.clear()


def _prose(text: str, start: int, end: int, spans: _Spans) -> None:
    """Split one stretch of running text at sentence ends."""
    cuts = [m.end() for m in _JA_END.finditer(text, start, end) if _ja_ends(text, m, end)]
    cuts += [m.end() for m in _EN_END.finditer(text, start, end) if _ends_sentence(text, m, end)]
    cuts.append(end)
    last = start
    for cut in sorted(set(cuts)):
        if cut > last:
            _add(text, last, cut, spans)
            last = cut


def _ja_ends(text: str, match: re.Match[str], end: int) -> bool:
    """A quoted 。」 followed by a particle (「はい。」と答えた) does not end the sentence."""
    if match.end() >= end or match.group()[-1] not in "」』）)】〕”’\"'":
        return True
    return not "\u3041" <= text[match.end()] <= "\u309f"


def _ends_sentence(text: str, match: re.Match[str], end: int) -> bool:
    """Whether an English . ? ! really ends a sentence (not an abbreviation or initial)."""
    mark = match.group()
    if not mark.startswith("."):
        return True
    after = text[match.end() : min(end, match.end() + 40)].lstrip()
    if after[:1].islower():
        return False
    token_match = _TOKEN_BEFORE.search(text, max(0, match.start() - 20), match.start())
    token = (token_match.group(1) if token_match else "").lower().lstrip("([\"'")
    if token in _NEVER_END:
        return False
    if len(token) == 1 and token.isalpha() and text[match.start() - 1].isupper():
        return False  # an initial such as "J. Smith"
    return not (token in _MAY_END and after[:1].isdigit())


def _add(text: str, start: int, end: int, spans: _Spans) -> None:
    """Record `text[start:end]` trimmed of whitespace, when it has any letter or digit."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end and _ALNUM.search(text, start, end):
        spans.append((start, end))
