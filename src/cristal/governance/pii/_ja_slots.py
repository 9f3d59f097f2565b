"""Japanese names in person slots: after a label that names people (担当：, 出席者：, 書記：).

Sudachi reads many surnames as places in context (小松, 西田, 桜井 are towns too). Where
a label says the value is a person, an item that is only a proper noun (with an optional
given name) is taken as a name: 「欠席者：桜井」, 「担当西田：」, 「オペレーター（小松）」,
each item of 「出席者：藤原、中島 彩」. Labels for places (住所, 所在地, 勤務地) never open a slot.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from cristal.governance.pii._sudachi import Morphs
from cristal.governance.pii._types import Span

__all__ = ["find_in_slots", "kanji"]

_KANJI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff々]+")
# A label naming people: ends in 者/人/主/役 (担当者, 受取人, 依頼主, 監査役) or is a role.
_LABEL = re.compile(
    r"(?:^|(?<=[\n \u3000、・]))(?:[\u4e00-\u9fffァ-ヶー]{0,6}(?:者|人|主|役)|担当|書記|司会|"
    r"氏名|名前|お名前|おなまえ|名義|窓口|講師|上長|議長|オペレーター|スタッフ|PM|PL|開発|"
    r"営業|先方|当方|メンバー)[ \u3000]*[:：（(]?[ \u3000]*")
_ITEM_END = re.compile(r"[、，,/／（()）：:\n]")
_TITLES = ("様", "さま", "さん", "氏", "殿", "先生", "部長", "課長", "係長", "主任", "社長")


def kanji(s: str) -> bool:
    """True when `s` is all kanji (々 included)."""
    return _KANJI.fullmatch(s) is not None


def find_in_slots(ms: Morphs) -> Iterator[Span]:
    """Names that are the whole of an item after a person label."""
    text = ms.text
    for label in _LABEL.finditer(text):
        line_end = text.find("\n", label.end())
        line_end = len(text) if line_end < 0 else line_end
        pos = label.end()
        while pos < line_end:
            cut = _ITEM_END.search(text, pos, line_end)
            end = cut.start() if cut else line_end
            span = _name_item(ms, pos, end)
            if span is not None:
                yield span
            if cut is None or cut.group() not in "、，,/／":
                break  # a bracket or colon closes the slot: the rest is not a list of names
            pos = cut.end()


def _name_item(ms: Morphs, start: int, end: int) -> Span | None:
    """The name when text[start:end] is a proper noun (+ given name) (+ title), else None."""
    text = ms.text
    while start < end and text[start] in " \u3000":
        start += 1
    while end > start and text[end - 1] in " \u3000":
        end -= 1
    for title in _TITLES:
        if text.endswith(title, start, end):
            end -= len(title)
            break
    i = bisect.bisect_left(ms.begins, start)
    if i >= len(ms) or ms.begins[i] != start:
        return None
    first = ms.pos[i]
    if first[1] != "固有名詞" or first[2] not in ("人名", "地名") or not kanji(ms.surface(i)) \
            or ms.ends[i] - ms.begins[i] > 4:
        return None
    k = i + 1
    if k < len(ms) and ms.ends[k - 1] < end:  # the rest: (space) given name
        if ms.pos[k][0] == "空白":
            k += 1
        if k < len(ms) and ms.pos[k][2] == "人名":
            k += 1
    if ms.ends[k - 1] != end:
        return None
    return Span(start, end, "PERSON", 0.8, "rule")
