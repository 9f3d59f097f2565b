"""Japanese person names by rules over SudachiPy's dictionary; addresses and organisations.

SudachiPy (a core dependency) tags surnames and given names (固有名詞,人名,姓/名) and
place names (固有名詞,地名) from its dictionary; the text is tokenised once
(`_sudachi.analyse`) and every rule reads the same morphemes. GiNZA's statistical
NER adds names the dictionary lacks when the `pii` extra is installed (see `_ner`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from cristal.governance.pii._ja_orgs import find_orgs
from cristal.governance.pii._ja_places import find_addresses
from cristal.governance.pii._ja_slots import find_in_slots, kanji
from cristal.governance.pii._sudachi import Morphs, analyse, is_common_noun, is_surname
from cristal.governance.pii._types import Span

__all__ = ["find_ja"]

# Titles that follow a person (a place name before 支店長 or 所長 names a branch instead).
_PERSON_TITLES = ("様", "さま", "さん", "氏", "殿", "先生", "くん", "ちゃん", "部長", "課長",
                  "係長", "社長", "副社長", "主任", "専務", "常務", "会長", "事務長", "次長",
                  "室長", "理事長", "院長", "顧問", "監査役", "議長", "弁護士", "税理士", "先輩")
_TITLE_RX = re.compile("|".join(_PERSON_TITLES))
_HONORIFIC = (*_PERSON_TITLES, "君", "取締役", "所長", "支店長", "店長", "教授", "医師", "代表")
_FIELD = re.compile(r"(?:氏名|お名前|名前|フリガナ|口座名義|名義人?|受取人|申請者|"
                    r"代表者|担当者|本人|社員名|回答者|来訪者|ご予約者|対象|相手)"
                    r"[ \u3000]*[:：]?[ \u3000]*"
                    r"(?P<n>[ァ-ヶー]{1,10}(?:[ \u3000・][ァ-ヶー]{1,10}){0,3})"
                    r"(?=[ \u3000]*(?:様|さん|氏)?[\n（(、,]|$)"
                    # a reading in hiragana: ふりがな やまだ たろう
                    r"|(?:ふりがな|フリガナ|よみがな)[ \u3000]*[:：]?[ \u3000]*"
                    r"(?P<k>[ぁ-ゖー]{1,10}[ \u3000][ぁ-ゖー]{1,10})(?=[ \u3000]*(?:\n|$))")

# A katakana name before an honorific; a plain word (ドライバーさん, ゲスト様) is not one.
_KATAKANA_HONORIFIC = re.compile(r"(?<![ァ-ヶー・])"
                                 r"(?P<n>[ァ-ヶ][ァ-ヶー]+(?:・[ァ-ヶ][ァ-ヶー]+){0,3})"
                                 r"[ \u3000]?(?:様|さま|さん|氏|殿)")


def find_ja(text: str) -> Iterator[Span]:
    """Person names, addresses and organisations in Japanese text."""
    morphs = analyse(text)
    yield from _persons(morphs)
    for m in _FIELD.finditer(text):
        group = "n" if m.group("n") else "k"
        yield Span(m.start(group), m.end(group), "PERSON", 0.8, "rule")
    yield from find_in_slots(morphs)
    for m in _KATAKANA_HONORIFIC.finditer(text):  # ワン・ウェイ様, マイケル さん
        name = m.group("n")
        if "・" in name or not is_common_noun(name):
            yield Span(m.start("n"), m.end("n"), "PERSON", 0.75, "rule")
    yield from find_addresses(text, morphs)
    yield from find_orgs(text, morphs)


def _persons(ms: Morphs) -> Iterator[Span]:
    pos, n = ms.pos, len(ms)
    i = 0
    while i < n:
        p = pos[i]
        if p[2] != "人名" and (p[2] != "地名" or not _place_before_given(ms, i)):
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
        full = j - i > 1
        if full and pos[j - 1][3] == "名":
            j = _given_tail(ms, j)  # 石川 陽向: Sudachi reads 陽 + 向
        after = j if j < n else None
        honor = after is not None and ms.text.startswith(_HONORIFIC, ms.begins[after])
        noun_after = after is not None and pos[after][0] == "名詞" and not honor
        if not full and p[3] == "姓" and after is not None and pos[after][0] == "空白" \
                and "\n" not in ms.surface(after):
            given = _given_name(ms, j + 1)  # 斎藤 学, 小鳥遊 ひかり: a name Sudachi lacks
            if given is not None:
                j, full = given, True
                after = j if j < n else None
                honor = after is not None and ms.text.startswith(_HONORIFIC, ms.begins[after])
                noun_after = False
        lone_ok = p[3] in ("姓", "一般") and ms.ends[i] - ms.begins[i] > 1 and (
            after is None or not noun_after and (
                pos[after][0] in ("助詞", "補助記号", "助動詞", "空白", "動詞")))  # not 済
        if (full and not noun_after) or honor or lone_ok:
            yield Span(ms.begins[i], ms.ends[j - 1], "PERSON", 0.85, "sudachi")
        i = j
    for title in _TITLE_RX.finditer(ms.text):  # 原田様, 木下部長: a surname read as a place
        k = bisect.bisect_left(ms.ends, title.start())  # the morpheme ending at the title
        if k >= n or ms.ends[k] != title.start():
            continue
        p = pos[k]
        if p[2] == "人名" or p[0] != "名詞" or ms.ends[k] - ms.begins[k] > 4:
            continue
        if p[1] == "固有名詞" or p[1] == "普通名詞" and 2 <= ms.ends[k] - ms.begins[k] <= 3 \
                and kanji(ms.surface(k)) and is_surname(ms.surface(k)):
            yield Span(ms.begins[k], ms.ends[k], "PERSON", 0.7, "sudachi")


def _place_before_given(ms: Morphs, i: int) -> bool:
    """千葉 真由美: a surname Sudachi reads as a place, then a given name."""
    if ms.pos[i][2] != "地名" or not kanji(ms.surface(i)) or ms.ends[i] - ms.begins[i] > 3:
        return False
    k = i + 1
    if k < len(ms) and ms.pos[k][0] == "空白" and "\n" not in ms.surface(k):
        k += 1
    return k < len(ms) and ms.pos[k][2] == "人名" and ms.pos[k][3] == "名"


def _given_tail(ms: Morphs, j: int) -> int:
    """End index of a given name Sudachi cut short: one or two more characters up to a
    bracket, a comma, a space or the line end (陽 + 向 before （)."""
    k, length = j, 0
    while k < len(ms) and ms.pos[k][0] in ("名詞", "接尾辞") and length < 2 \
            and not ms.text.startswith(_HONORIFIC, ms.begins[k]):
        length += ms.ends[k] - ms.begins[k]
        k += 1
    if k == j or length > 2 or k < len(ms) and ms.pos[k][0] not in ("補助記号", "空白"):
        return j
    return k


def _given_name(ms: Morphs, j: int) -> int | None:
    """End index of a short given name at morph j (up to the line end or a symbol), or None."""
    n, length = j, 0
    while n < len(ms) and ms.pos[n][0] in ("名詞", "形状詞", "動詞") and length < 4 \
            and ms.pos[n][1] != "数詞":  # 佐々木 10:05 is a name and a time
        length += ms.ends[n] - ms.begins[n]
        n += 1
    if n == j or length > 4:
        return None
    if n < len(ms) and ms.pos[n][0] not in ("空白", "補助記号", "接尾辞", "助詞", "助動詞"):
        return None
    return n
