"""Japanese person names by rules over SudachiPy's dictionary; addresses and organisations.

SudachiPy (a core dependency) tags surnames and given names (固有名詞,人名,姓/名) and
place names (固有名詞,地名) from its dictionary; the text is tokenised once
(`_sudachi.analyse`) and every rule reads the same morphemes. GiNZA's statistical
NER adds names the dictionary lacks when the `pii` extra is installed (see `_ner`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cristal.governance.pii._ja_orgs import find_orgs
from cristal.governance.pii._ja_places import find_addresses
from cristal.governance.pii._sudachi import Morphs, analyse
from cristal.governance.pii._types import Span

__all__ = ["find_ja"]

_HONORIFIC = ("様", "さま", "さん", "氏", "殿", "先生", "くん", "君", "ちゃん", "部長", "課長",
              "係長", "社長", "主任", "専務", "常務", "取締役", "会長", "所長", "支店長", "店長",
              "教授", "医師")
_FIELD = re.compile(r"(?:氏名|お名前|名前|フリガナ|ふりがな|口座名義|名義人?|受取人|申請者|"
                    r"代表者|担当者|本人|社員名|回答者|来訪者|ご予約者|対象|相手)"
                    r"[ \u3000]*[:：]?[ \u3000]*"
                    r"(?P<n>[ァ-ヶー]{1,10}(?:[ \u3000・][ァ-ヶー]{1,10})?)"
                    r"(?=[ \u3000]*(?:様|さん|氏)?[\n（(、,]|$)")


def find_ja(text: str) -> Iterator[Span]:
    """Person names, addresses and organisations in Japanese text."""
    morphs = analyse(text)
    yield from _persons(morphs)
    for m in _FIELD.finditer(text):
        yield Span(m.start("n"), m.end("n"), "PERSON", 0.8, "rule")
    yield from find_addresses(text, morphs)
    yield from find_orgs(text, morphs)


def _persons(ms: Morphs) -> Iterator[Span]:
    pos, n = ms.pos, len(ms)
    i = 0
    while i < n:
        p = pos[i]
        if p[2] != "人名":
            i += 1
            continue
        j = i + 1
        while j < n:  # 姓 名, with or without a space between
            nxt = pos[j]
            if nxt[2] == "人名":
                j += 1
            elif (nxt[0] == "空白" or ms.surface(j) == "・") and j + 1 < n and \
                    pos[j + 1][2] == "人名":
                j += 2
            else:
                break
        after = j if j < n else None
        full = j - i > 1
        honor = after is not None and ms.surface(after).startswith(_HONORIFIC)
        noun_after = after is not None and pos[after][0] == "名詞" and not honor
        if not full and p[3] == "姓" and after is not None and pos[after][0] == "空白" \
                and "\n" not in ms.surface(after):
            given = _given_name(ms, j + 1)  # 斎藤 学, 小鳥遊 ひかり: a name Sudachi lacks
            if given is not None:
                j, full = given, True
                after = j if j < n else None
                honor = after is not None and ms.surface(after).startswith(_HONORIFIC)
                noun_after = False
        lone_ok = p[3] in ("姓", "一般") and (after is None or not noun_after and (
            pos[after][0] in ("助詞", "補助記号", "助動詞", "空白", "動詞")))
        if (full and not noun_after) or honor or lone_ok:
            yield Span(ms.begins[i], ms.ends[j - 1], "PERSON", 0.85, "sudachi")
        i = j
    for k in range(n - 1):  # 原田様: a proper noun Sudachi files as a place
        p = pos[k]
        if p[1] == "固有名詞" and p[2] != "人名" and ms.surface(k + 1).startswith(
                ("様", "さん", "氏", "殿", "くん", "ちゃん")) and ms.ends[k] - ms.begins[k] <= 4:
            yield Span(ms.begins[k], ms.ends[k], "PERSON", 0.7, "sudachi")


def _given_name(ms: Morphs, j: int) -> int | None:
    """End index of a short given name at morph j (up to the line end or a symbol), or None."""
    n, length = j, 0
    while n < len(ms) and ms.pos[n][0] in ("名詞", "形状詞", "動詞") and length < 4:
        length += ms.ends[n] - ms.begins[n]
        n += 1
    if n == j or length > 4:
        return None
    if n < len(ms) and ms.pos[n][0] not in ("空白", "補助記号", "接尾辞", "助詞", "助動詞"):
        return None
    return n
