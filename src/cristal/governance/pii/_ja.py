"""Japanese names, addresses and organisations by rules over SudachiPy's dictionary.

SudachiPy (a core dependency) tags surnames and given names (固有名詞,人名,姓/名) and
place names (固有名詞,地名) from its dictionary in about a millisecond per 2,000
characters, which keeps the gateway guard cheap; GiNZA's statistical NER adds
names the dictionary lacks when the `pii-ja` extra is installed (see `_ner`).
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

from cristal.governance.pii._types import Span

__all__ = ["find_ja"]

_local = threading.local()
_MAX = 8000  # Sudachi's input limit is ~49 KB; cut long text at line breaks

_HONORIFIC = ("様", "さま", "さん", "氏", "殿", "先生", "くん", "君", "ちゃん", "部長", "課長",
              "係長", "社長", "主任", "専務", "常務", "取締役", "会長", "所長", "支店長", "店長",
              "教授", "医師")
_FIELD = re.compile(r"(?:氏名|お名前|名前|フリガナ|ふりがな|口座名義|名義人?|受取人|申請者|"
                    r"代表者|担当者|本人|社員名|回答者|来訪者|ご予約者|対象|相手)"
                    r"[ \u3000]*[:：]?[ \u3000]*"
                    r"(?P<n>[ァ-ヶー]{1,10}(?:[ \u3000・][ァ-ヶー]{1,10})?)"
                    r"(?=[ \u3000]*(?:様|さん|氏)?[\n（(、,]|$)")

_PREF = (r"(?:北海道|東京都|(?:京都|大阪)府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬"
         r"|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良"
         r"|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎"
         r"|鹿児島|沖縄)県)")
_PREF_RX = re.compile(_PREF)
_PREF_END = re.compile("[都道府県]")
_KEN = """青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 神奈川 新潟 富山 石川 福井 山梨
長野 岐阜 静岡 愛知 三重 滋賀 兵庫 奈良 和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛 高知 福岡
佐賀 長崎 熊本 大分 宮崎 鹿児島 沖縄"""
_PREF_NAMES = frozenset(["北海道", "東京都", "京都府", "大阪府"] + [f"{p}県" for p in _KEN.split()])
_KANJI_NUM = "一二三四五六七八九十"
_NUM = (rf"(?:[0-9{_KANJI_NUM}]+(?:丁目|番地|番|号|-|の))+(?:[0-9]+)?(?:号|番地)?"
        r"|[0-9]+(?:-[0-9]+)+")
_BUILDING = (r"(?:[ \u3000]?[^\s、。,，「」()（）:：]{1,20}?(?:ビルディング|ビル|タワー|"
             r"マンション|ハイツ|コーポ|レジデンス|プラザ|センター|荘|館|棟|ヒルズ|フォレスト|スクエア)"
             r"(?:[ \u3000]?[0-9]+(?:階|F|号室|号))?|[ \u3000]?[0-9]+(?:階|F|号室))?")
_BUILDING_RUN = re.compile(r"[ \u3000]?[^\s、。,，「」()（）:：]{1,25}")
_BUILDING_WORD = re.compile(r"ビル|タワー|マンション|ハイツ|コーポ|レジデンス|プラザ|センター|"
                            r"ヒルズ|ヒカリエ|スクエア|荘|館|棟")
_FLOOR = re.compile(r"[0-9]+(?:階|F|号室)$")
_MIDDLE = r"[^\s0-9、。,，「」()（）:：・/]{0,30}?"
_ADDRESS_FROM = re.compile(rf"(?:{_PREF})?{_MIDDLE}(?:{_NUM}){_BUILDING}")
_NOT_PLACE = r"[^\s0-9、。,，「」()（）:：・/にでのはがをへと]"
_ADDRESS_PLAIN = re.compile(rf"{_PREF}{_NOT_PLACE}{{2,20}}?[市区町村郡]"
                            rf"(?:{_NOT_PLACE}{{1,8}}?[区町村])?")
_ADDRESS_CHARS = "都道府県市区町村郡"

_ORG_FORMS = (r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|"
              r"公益社団法人|公益財団法人|社会福祉法人|医療法人社団|医療法人財団|医療法人|学校法人|宗教法人|"
              r"特定非営利活動法人|NPO法人|独立行政法人|国立大学法人|（株）|\(株\)|㈱|（有）|\(有\)|㈲")
_ORG_SUFFIX = (r"銀行|信用金庫|信用組合|証券|生命保険|生命|損害保険|海上火災保険|大学病院|大学|"
               r"病院|クリニック|商事|物産|工業|製作所|電機|電気|建設|不動産|運輸|産業|食品|製薬|化学|"
               r"ホールディングス|グループ|商会|商店|法律事務所|会計事務所|税理士法人|監査法人|協会|"
               r"協同組合|研究所|学園|高等学校|市役所|区役所|町役場|県庁|システムズ|ソリューションズ|"
               r"テクノロジーズ|ジャパン|通信|航空|鉄道|ホテル|新聞社|出版")
_ORG = re.compile(rf"(?P<pre>{_ORG_FORMS})|(?P<suf>{_ORG_SUFFIX})")
_NOT_NAME_WORDS = """弊社 当社 御社 貴社 取引先 担当 顧客 新規 既存 各 同 本件 先方 元 前 旧 現
同社 私 わたし 弊行 貴行 全 大手 地元 宛 宛て 宛先 社名 会社 法人 勤務 勤務先 所属"""
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())


class _Morph(NamedTuple):
    begin: int
    end: int
    pos: tuple[str, ...]
    surface: str


def _tokenizer() -> tuple[Any, Any]:
    """This thread's tokenizer (mode C) and a cached part-of-speech lookup by id."""
    found = getattr(_local, "tok", None)
    if found is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        found = _local.tok = (dictionary.tokenizer(mode=SplitMode.C),
                              functools.lru_cache(maxsize=None)(dictionary.pos_of))
    return found


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + _MAX)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def find_ja(text: str) -> Iterator[Span]:
    """Person names, addresses and organisations in Japanese text."""
    morphs: list[_Morph] = []
    tok, pos_of = _tokenizer()
    for base, piece in _pieces(text):
        for m in tok.tokenize(piece):
            b, e = m.begin(), m.end()
            morphs.append(_Morph(base + b, base + e, pos_of(m.part_of_speech_id()), piece[b:e]))
    yield from _persons(morphs)
    for m in _FIELD.finditer(text):
        yield Span(m.start("n"), m.end("n"), "PERSON", 0.8, "rule")
    yield from _addresses(text, [(m.begin, m.end) for m in morphs if m.pos[2] == "地名"])
    yield from _orgs(text, morphs)


def _persons(morphs: list[_Morph]) -> Iterator[Span]:
    i = 0
    while i < len(morphs):
        pos = morphs[i].pos
        if pos[2] != "人名":
            i += 1
            continue
        j = i + 1
        while j < len(morphs):  # 姓 名, with or without a space between
            nxt = morphs[j].pos
            if nxt[2] == "人名":
                j += 1
            elif (nxt[0] == "空白" or morphs[j].surface == "・") and j + 1 < len(morphs) and \
                    morphs[j + 1].pos[2] == "人名":
                j += 2
            else:
                break
        after = morphs[j] if j < len(morphs) else None
        full = j - i > 1
        honor = after is not None and after.surface.startswith(_HONORIFIC)
        noun_after = after is not None and after.pos[0] == "名詞" and not honor
        if not full and pos[3] == "姓" and after is not None and after.pos[0] == "空白" \
                and "\n" not in after.surface:
            given = _given_name(morphs, j + 1)  # 斎藤 学, 小鳥遊 ひかり: a name Sudachi lacks
            if given is not None:
                j, full = given, True
                after = morphs[j] if j < len(morphs) else None
                honor = after is not None and after.surface.startswith(_HONORIFIC)
                noun_after = False
        lone_ok = pos[3] in ("姓", "一般") and (after is None or not noun_after and (
            after.pos[0] in ("助詞", "補助記号", "助動詞", "空白", "動詞")))
        if (full and not noun_after) or honor or lone_ok:
            yield Span(morphs[i].begin, morphs[j - 1].end, "PERSON",
                       0.85, "sudachi")
        i = j
    for k in range(len(morphs) - 1):  # 原田様: a proper noun Sudachi files as a place
        m, nxt = morphs[k], morphs[k + 1]
        if m.pos[1] == "固有名詞" and m.pos[2] != "人名" and nxt.surface.startswith(
                ("様", "さん", "氏", "殿", "くん", "ちゃん")) and len(m.surface) <= 4:
            yield Span(m.begin, m.end, "PERSON", 0.7, "sudachi")


def _given_name(morphs: list[_Morph], j: int) -> int | None:
    """End index of a short given name at morph j (up to the line end or a symbol), or None."""
    n, length = j, 0
    while n < len(morphs) and morphs[n].pos[0] in ("名詞", "形状詞", "動詞") and length < 4:
        length += len(morphs[n].surface)
        n += 1
    if n == j or length > 4:
        return None
    if n < len(morphs) and morphs[n].pos[0] not in ("空白", "補助記号", "接尾辞", "助詞", "助動詞"):
        return None
    return n


def _prefectures(text: str) -> set[int]:
    """Start offsets of prefecture names: found from their last character (都道府県)."""
    starts = set()
    for m in _PREF_END.finditer(text):
        end = m.end()
        for size in (2, 3, 4):
            if text[max(0, end - size):end] in _PREF_NAMES:
                starts.add(end - size)
    return starts


def _addresses(text: str, places: list[tuple[int, int]]) -> Iterator[Span]:
    starts = _prefectures(text)
    starts.update(s for s, _ in places)
    last_end = -1
    for start in sorted(starts):
        if start < last_end:
            continue
        m = _ADDRESS_FROM.match(text, start) or _ADDRESS_PLAIN.match(text, start)
        if m is None:
            continue
        found = m.group().rstrip("-の \u3000")
        tail = _BUILDING_RUN.match(text, start + len(found))
        if tail and any(c.isdigit() for c in found) and (
                _BUILDING_WORD.search(tail.group()) or _FLOOR.search(tail.group())):
            found += tail.group()
        has_number = any(c.isdigit() for c in found)
        if not any(c in found for c in _ADDRESS_CHARS) and not (
                has_number and re.search("丁目|番地|号", found)):
            continue
        if not has_number and not _PREF_RX.match(found):
            continue
        last_end = start + len(found)
        yield Span(start, last_end, "ADDRESS", 0.85, "rule")


def _is_name_part(m: _Morph) -> bool:
    if m.pos[0] == "名詞":
        return m.pos[1] not in ("数詞", "代名詞") and m.pos[2] != "副詞可能"
    return m.pos[0] in ("接頭辞", "形状詞") or (m.pos[0] == "補助記号" and m.surface in "・&＆")


def _proper(m: _Morph) -> bool:
    return m.pos[1] == "固有名詞" or bool(re.fullmatch("[ァ-ヶーA-Za-z0-9&・]+", m.surface))


def _containing(morphs: list[_Morph], begins: list[int], pos: int) -> int | None:
    k = bisect.bisect_right(begins, pos) - 1
    if k >= 0 and morphs[k].begin < pos < morphs[k].end and morphs[k].pos[0] == "名詞":
        return k
    return None


def _orgs(text: str, morphs: list[_Morph]) -> Iterator[Span]:
    by_end = {m.end: i for i, m in enumerate(morphs)}
    by_begin = {m.begin: i for i, m in enumerate(morphs)}
    begins = [m.begin for m in morphs]
    last_end = -1
    for match in _ORG.finditer(text):
        if match.start() < last_end:
            continue
        start, end = match.start(), match.end()
        i = by_end.get(start)  # name before the form or suffix: テック株式会社, 三菱商事
        inside = _containing(morphs, begins, start)
        if i is None and inside is not None and morphs[inside].end >= end \
                and morphs[inside].pos[1] == "固有名詞":
            i = inside  # one dictionary word: みずほ銀行, 三井住友銀行
            start = morphs[inside].end
        k = i
        while k is not None and k >= 0 and i - k < 4 and _is_name_part(morphs[k]) \
                and morphs[k].end <= start:
            k -= 1
        first = (k + 1) if k is not None else None
        while first is not None and first <= i and morphs[first].surface in _NOT_NAME:
            first += 1
        if first is not None and first <= i and (match.group("pre") or any(
                _proper(morphs[x]) for x in range(first, i + 1))):
            start = morphs[first].begin
        elif match.group("pre"):  # the form first: 株式会社テック
            j = by_begin.get(end)
            if j is not None and morphs[j].pos[0] == "空白":
                j += 1
            n = j
            while n is not None and n < len(morphs) and n - j < 4 and _is_name_part(morphs[n]):
                n += 1
            if n is None or n == j:
                continue
            end = morphs[n - 1].end
        else:
            continue  # a bare suffix (銀行, 大学) names nothing
        last_end = end
        yield Span(start, end, "ORGANIZATION", 0.85, "rule")
