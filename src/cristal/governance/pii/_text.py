"""Width folding that keeps offsets: every character maps to exactly one character.

Identifiers are matched on the folded copy (full-width digits and letters, the
many dash characters, the ideographic space) and reported with the original
offsets. No pattern relies on `\\b`: kana and kanji are word characters, so an
identifier written straight against Japanese text (`メールはtaro@example.co.jpです`)
has no word boundary. Boundaries are explicit look-arounds on ASCII classes.
"""

from __future__ import annotations

import re

__all__ = ["cue_then_value", "fold", "fold_words", "near_before", "word_spans"]

_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
_TABLE[0x3000] = ord(" ")  # ideographic space
for _dash in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0xFF70):
    _TABLE[_dash] = ord("-")
_TABLE[0xFF0D] = ord("-")
_TABLE[0x3012] = 0x3012  # 〒 stays
_TABLE[0x00A0] = ord(" ")


# ー is a dash between digits (03ー1234ー5678) but a letter elsewhere (マイナンバー).
_CHOON_DASH = re.compile("(?<=[0-9])\u30fc(?=[0-9])")


# Only the runs that change go through `translate`: most of a Japanese text does not.
_FOLDED = re.compile("[" + "".join(re.escape(chr(k)) for k, v in _TABLE.items() if k != v) + "]+")


def _translate(m: re.Match[str]) -> str:
    return m.group().translate(_TABLE)


def fold(text: str) -> str:
    """`text` with full-width ASCII, dashes and wide spaces folded, same length."""
    folded = text if text.isascii() else _FOLDED.sub(_translate, text)
    return _CHOON_DASH.sub("-", folded) if "\u30fc" in folded else folded


def fold_words(text: str) -> str:
    """Like `fold`, lower-cased (for matching cue words), same length."""
    return fold(text).lower()


def near_before(folded_lower: str, start: int, words: tuple[str, ...], window: int) -> bool:
    """True when one of `words` (lower case) ends within `window` characters before `start`."""
    before = " ".join(folded_lower[max(0, start - window):start].split())
    return any(w in before for w in words)


def cue_then_value(folded_lower: str, start: int, words: tuple[str, ...], window: int) -> bool:
    """True when one of `words` comes within `window` characters before `start` and no
    digit stands between the last such word and `start` (the value follows its cue)."""
    before = folded_lower[max(0, start - window):start]
    last = max((before.rfind(w) + len(w) for w in words if w in before), default=-1)
    return last >= 0 and not any(c.isdigit() for c in before[last:])


def word_spans(text: str, words: set[str], left: str = "A-Za-z",
               right: str = "A-Za-z") -> list[tuple[int, int]]:
    """Where any of `words` stands in `text`, not glued to a character of `left` before it
    or of `right` after it (character-class bodies)."""
    if not words:
        return []
    rx = re.compile(rf"(?<![{left}])(?:" + "|".join(map(re.escape, sorted(words))) +
                    rf")(?![{right}])")
    return [m.span() for m in rx.finditer(text)]
