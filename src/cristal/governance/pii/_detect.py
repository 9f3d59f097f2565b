"""`detect(text)`: every entity of the twelve types, non-overlapping, in text order."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

from cristal.errors import ConfigError, InvalidInput
from cristal.governance.pii._en import find_en
from cristal.governance.pii._ja import find_ja
from cristal.governance.pii._ner import find_ner, ner_available
from cristal.governance.pii._structured import find_structured
from cristal.governance.pii._types import ENTITY_TYPES, Span

__all__ = ["detect", "guess_lang"]

_CACHE_MAX_CHARS = 20_000
_AFTER_ADDRESS = re.compile(r",?[ \t]([0-9]{4,5})(?![0-9])")
_READING = re.compile(r"[ \u3000]?(?:様|さん|氏)?[ \u3000]?[（(]"
                      r"(?P<n>[ァ-ヶー]{2,}(?:[ \u3000・][ァ-ヶー]+){0,3})[）)]")
# Anchored at a line start: unanchored, a line without the letter is rescanned from each
# of its characters (quadratic in the line's length).
_LATIN_LINE = re.compile(r"(?m)^[^\n]*[A-Za-z][^\n]*")
_JA_CHARS = re.compile("[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# When two candidates overlap, the validated identifier wins, then the longer span.
_RANK = {t: i for i, t in enumerate((
    "EMAIL", "CREDIT_CARD", "MY_NUMBER", "CORPORATE_NUMBER", "IP_ADDRESS", "BANK_ACCOUNT",
    "PHONE", "POSTAL_CODE", "DATE_OF_BIRTH", "ADDRESS", "ORGANIZATION", "PERSON"))}


def guess_lang(text: str) -> str:
    """'ja' when the text has kana or kanji, else 'en'."""
    return "ja" if _JA_CHARS.search(text) else "en"


def detect(text: str, lang: str | None = None, *, ner: bool | None = False,
           types: tuple[str, ...] | None = None) -> list[Span]:
    """Entities in `text` (character offsets), without overlaps, sorted by position.

    `lang` ('ja' or 'en'; guessed when None) picks the name rules and NER model;
    Japanese text is also searched with the English rules (names in Latin script).
    `ner`: False uses rules only (fast: the gateway default), True requires the NER
    model, None uses it when installed.
    """
    if lang not in (None, "ja", "en"):
        raise InvalidInput(f"language {lang!r} is not supported: use ja or en.")
    if len(text) <= _CACHE_MAX_CHARS and ner is False:
        # A conversation resends its earlier messages with every call: seen texts are free.
        return list(_cached(text, lang, types))
    return _detect(text, lang, ner, types)


@functools.lru_cache(maxsize=512)
def _cached(text: str, lang: str | None, types: tuple[str, ...] | None) -> tuple[Span, ...]:
    return tuple(_detect(text, lang, False, types))


def _detect(text: str, lang: str | None, ner: bool | None,
            types: tuple[str, ...] | None) -> list[Span]:
    lang = lang or guess_lang(text)
    found: list[Span] = list(find_structured(text))
    if lang == "ja" or _JA_CHARS.search(text):
        found.extend(_latin_lines_only(text))
        found.extend(find_ja(text))
    else:
        found.extend(find_en(text))
    if ner or (ner is None and ner_available(lang)):
        if not ner_available(lang):
            raise ConfigError(
                f"the {lang} NER model is not installed: `pip install 'cristal[pii]'`, or "
                "detect with rules only (ner=false in [pii]).")
        found.extend(find_ner(text, lang))
    for span in [s for s in found if s.type == "ADDRESS"]:
        after = _AFTER_ADDRESS.match(text, span.end)
        if after:
            found.append(Span(after.start(1), after.end(1), "POSTAL_CODE", 0.8))
    for span in [s for s in found if s.type == "PERSON"]:
        # the same name again in brackets, in another script: 片山 直人（カタヤマ ナオト）
        other = _READING.match(text, span.end)
        if other:
            found.append(Span(other.start("n"), other.end("n"), "PERSON", 0.8))
    wanted = set(types or ENTITY_TYPES)
    return _resolve([s for s in found if s.type in wanted and s.end > s.start])


def _latin_lines_only(text: str) -> Iterator[Span]:
    """The English rules over the lines of a Japanese text that hold Latin letters (names in
    Latin script, romanised addresses): the other lines cannot match and are not read."""
    blocks: list[tuple[int, int]] = []
    for m in _LATIN_LINE.finditer(text):
        if blocks and blocks[-1][1] + 1 == m.start():
            blocks[-1] = (blocks[-1][0], m.end())  # adjacent lines stay adjacent
        else:
            blocks.append((m.start(), m.end()))
    if not blocks:
        return
    # Blocks are joined by a blank line, so no rule reads across the lines left out.
    compact = "\n\n".join(text[a:b] for a, b in blocks)
    starts, pos = [], 0
    for a, b in blocks:
        starts.append(pos)
        pos += b - a + 2
    for span in find_en(compact):
        k = bisect.bisect_right(starts, span.start) - 1
        a, b = blocks[k]
        shift = a - starts[k]
        if span.end + shift <= b:
            yield Span(span.start + shift, span.end + shift, span.type, span.score, span.source)


def _resolve(spans: list[Span]) -> list[Span]:
    # Rules before models for the same stretch of text; then rank, then length.
    # Weak rule spans (a name seen earlier, mentioned again) yield to strong ones.
    spans.sort(key=lambda s: (s.source in ("ginza", "presidio"), s.score < 0.75, _RANK[s.type],
                              -(s.end - s.start), s.start))
    taken: list[Span] = []
    used = bytearray(max((s.end for s in spans), default=0))
    for span in spans:
        if used.find(1, span.start, span.end) < 0:
            taken.append(span)
            used[span.start:span.end] = b"\x01" * (span.end - span.start)
    return sorted(taken)
