"""Amount ranges: does a rule's row ("100万円以上500万円以下：本部長") cover the amount asked?

An approval table answers "who approves 15 million yen?" with one row out of several
that share every word with the question; only the row whose range holds the amount is
the answer. `amounts` reads money in Japanese and English (1,500万円, 2千円, ¥120,000,
$5,000, $2.5k, 3 million dollars), `bounds` the range a sentence states with them
(以上 / 以下 / 未満 / 超 / を超える / まで / ～, "over", "up to", "at least", "less than",
"or more", "between … and …"), and `fit` compares the two.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Bound", "amounts", "asked_amount", "bounds", "fit"]

_JA_SCALE = {"億": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3, "": 1.0}
_EN_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
             "b": 1e9, "bn": 1e9, "billion": 1e9, "": 1.0}
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_JA = re.compile(_NUM + r"\s*(億|千万|百万|万|千)?\s*円")
_YEN = re.compile(r"[¥￥]\s*" + _NUM)
_DOLLAR = re.compile(r"\$\s*" + _NUM + r"(?:\s*(k|m|mn|b|bn|thousand|million|billion)"
                     r"(?![a-z]))?", re.I)
_EN_WORD = re.compile(_NUM + r"\s*(k|thousand|million|billion)?\s*(dollars|usd|yen|jpy)\b",
                      re.I)

# Words around an amount that make it a bound: (pattern, side, inclusive).
_AFTER = [(re.compile(r"^\s*(以上|から)"), "lo", True),
          (re.compile(r"^\s*(超|を超え)"), "lo", False),
          (re.compile(r"^\s*(以下|まで)"), "hi", True), (re.compile(r"^\s*未満"), "hi", False),
          (re.compile(r"^\s*(or more|and (?:above|over|up)|or higher)\b", re.I), "lo", True),
          (re.compile(r"^\s*(or less|and (?:below|under)|or lower)\b", re.I), "hi", True)]
_BEFORE = [(re.compile(r"\b(over|above|more than|exceeding|greater than)\s*$", re.I), "lo",
            False),
           (re.compile(r"\b(at least|from|minimum of|no less than)\s*$", re.I), "lo", True),
           (re.compile(r"\b(up to|not exceeding|no more than|at most|maximum of|through)\s*$",
                       re.I), "hi", True),
           (re.compile(r"\b(under|below|less than)\s*$", re.I), "hi", False)]
_BETWEEN = re.compile(r"\s*(?:[～〜~\-–—]|to|and)\s*", re.I)


@dataclass(frozen=True, slots=True)
class Bound:
    """A range of one currency; None for an open side."""

    currency: str
    lo: float | None = None
    lo_in: bool = True
    hi: float | None = None
    hi_in: bool = True

    def holds(self, value: float) -> bool:
        """Whether `value` lies in the range."""
        if self.lo is not None and (value < self.lo or (value == self.lo and not self.lo_in)):
            return False
        return not (self.hi is not None and (value > self.hi or
                                             (value == self.hi and not self.hi_in)))


def _value(whole: str, frac: str | None, scale: float) -> float:
    return float(whole.replace(",", "") + ("." + frac if frac else "")) * scale


def amounts(text: str) -> list[tuple[str, float, int, int]]:
    """Money in `text`: (currency, value, start, end), in order of appearance."""
    found: list[tuple[str, float, int, int]] = []
    for m in _JA.finditer(text):
        found.append(("JPY", _value(m.group(1), m.group(2), _JA_SCALE[m.group(3) or ""]),
                      m.start(), m.end()))
    for m in _YEN.finditer(text):
        found.append(("JPY", _value(m.group(1), m.group(2), 1.0), m.start(), m.end()))
    for m in _DOLLAR.finditer(text):
        scale = _EN_SCALE[(m.group(3) or "").lower()]
        found.append(("USD", _value(m.group(1), m.group(2), scale), m.start(), m.end()))
    for m in _EN_WORD.finditer(text):
        scale = _EN_SCALE[(m.group(3) or "").lower()]
        currency = "JPY" if m.group(4).lower() in ("yen", "jpy") else "USD"
        found.append((currency, _value(m.group(1), m.group(2), scale), m.start(), m.end()))
    found.sort(key=lambda a: a[2])
    # One amount matched twice (「¥1,000円」) keeps its first reading.
    out: list[tuple[str, float, int, int]] = []
    for a in found:
        if not out or a[2] >= out[-1][3]:
            out.append(a)
    return out


def bounds(text: str) -> Bound | None:
    """The one range the sentence states with amounts, or None (no range, or several)."""
    found = amounts(text)
    if not found:
        return None
    sides: list[tuple[str, str, float, bool]] = []  # (currency, side, value, inclusive)
    for i, (currency, value, start, end) in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt is not None and nxt[0] == currency and _BETWEEN.fullmatch(text[end:nxt[2]]):
            sides += [(currency, "lo", value, True)]  # A～B: B's own words decide its side
            if not any(p.match(text[nxt[3]:]) for p, _, _ in _AFTER):
                sides.append((currency, "hi", nxt[1], True))
            continue
        side = next(((s, inc) for p, s, inc in _AFTER if p.match(text[end:])), None)
        if side is None:
            side = next(((s, inc) for p, s, inc in _BEFORE if p.search(text[:start])), None)
        if side is not None:
            sides.append((currency, side[0], value, side[1]))
    if not sides or len({c for c, *_ in sides}) > 1:
        return None
    los = [(v, inc) for _, s, v, inc in sides if s == "lo"]
    his = [(v, inc) for _, s, v, inc in sides if s == "hi"]
    if len(los) > 1 or len(his) > 1:
        return None  # a list of ranges in one sentence: no single row to judge
    bound = Bound(sides[0][0], *(los[0] if los else (None, True)),
                  *(his[0] if his else (None, True)))
    if bound.lo is not None and bound.hi is not None and bound.lo > bound.hi:
        return None
    return bound


# How people say yen in a question: 「60万くらい」「4万ちょい」「2千万」, with no 円. Documents
# write the 円, so this reading is for questions only.
_JA_SPOKEN = re.compile(_NUM + r"\s*(億|千万|百万|万|千)"
                        r"(?!\s*円|[0-9人件台時間点回個枚部本社名歩字年日泊キロ]|\s*(?:km|kg|m\b))")


def asked_amount(question: str) -> tuple[str, float] | None:
    """The one amount a question names, as (currency, value); None for none or several."""
    found = amounts(question) or [
        ("JPY", _value(m.group(1), m.group(2), _JA_SCALE[m.group(3)]), m.start(), m.end())
        for m in _JA_SPOKEN.finditer(question)]
    if len(found) != 1 or not math.isfinite(found[0][1]):
        return None
    return found[0][0], found[0][1]


def fit(asked: tuple[str, float] | None, sentence: str) -> int:
    """+1 when the sentence's one range holds the amount asked, -1 when it excludes it, else 0."""
    if asked is None:
        return 0
    bound = bounds(sentence)
    if bound is None or bound.currency != asked[0]:
        return 0
    return 1 if bound.holds(asked[1]) else -1
