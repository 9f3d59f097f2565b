"""Japanese addresses: from a prefecture or a Sudachi place name through block and building."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cristal.governance.pii._sudachi import Morphs
from cristal.governance.pii._types import Span

__all__ = ["find_addresses"]

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
# The address stops at a space, a comma (not a thousands separator), a bracket or the line end.
_END = r"(?=[\s、。，)）]|,(?![0-9])|$)"
# Block numbers: 4丁目5番1号, 1-2-3, 北1条西2丁目 (Sapporo), 三十六番地, and a bare lot number
# after a kanji (脇田町105). Kanji numerals take 丁目/番地 only: 一番町 is a town name.
_BLOCK = (rf"(?:[東西南北]?[0-9]+(?:丁目|番地|番|号|条|線|地割|-|の)"
          rf"|[{_KANJI_NUM}]+(?:丁目|番地|番(?=[0-9{_KANJI_NUM}])|号))")
_NUM = (rf"{_BLOCK}+(?:[0-9]+)?(?:号|番地)?|[0-9]+(?:-[0-9]+)+"
        rf"|(?<=[\u4e00-\u9fff])[0-9]{{1,5}}{_END}")
_ROOM = rf"[ \u3000]?[0-9]+(?:階|F|号室|号|{_END})"
_BUILDING = (r"(?:[ \u3000]?[^\s、。,，「」()（）:：]{1,20}?(?:ビルディング|ビル|タワー|"
             r"マンション|ハイツ|コーポ|レジデンス|プラザ|センター|荘|館|棟|ヒルズ|フォレスト|スクエア)"
             rf"(?:{_ROOM})?|{_ROOM}"
             # a building by name only, then its room: ベイサイドコート804, Qiball 1201
             rf"|[ \u3000][^\s、。,，「」()（）:：0-9]{{2,20}}[ \u3000]?[0-9]{{1,4}}"
             rf"(?:号室|号|F|階)?{_END})?")
_BUILDING_RUN = re.compile(r"[ \u3000]?[^\s、。,，「」()（）:：]{1,25}")
_BUILDING_WORD = re.compile(r"ビル|タワー|マンション|ハイツ|コーポ|レジデンス|プラザ|センター|"
                            r"ヒルズ|ヒカリエ|スクエア|荘|館|棟")
_FLOOR = re.compile(r"[0-9]+(?:階|F|号室)$")
_TAIL_END = re.compile(r"[0-9]+(?:階|F|号室|号)?|ビル|タワー|マンション|ハイツ|コーポ|レジデンス|"
                       r"プラザ|センター|ヒルズ|ヒカリエ|スクエア|荘|館|棟")
_MIDDLE = r"[^\s0-9、。,，「」()（）:：・/]{0,30}?"
_ADDRESS_FROM = re.compile(rf"(?:{_PREF})?{_MIDDLE}(?:{_NUM}){_BUILDING}")
_NOT_PLACE = r"[^\s0-9、。,，「」()（）:：・/にでのはがをへと]"
_ADDRESS_PLAIN = re.compile(rf"{_PREF}{_NOT_PLACE}{{2,20}}?[市区町村郡]"
                            rf"(?:{_NOT_PLACE}{{1,8}}?[区町村])?")
_ADDRESS_CHARS = "都道府県市区町村郡"


def _prefectures(text: str) -> set[int]:
    """Start offsets of prefecture names: found from their last character (都道府県)."""
    starts = set()
    for m in _PREF_END.finditer(text):
        end = m.end()
        for size in (2, 3, 4):
            if text[max(0, end - size):end] in _PREF_NAMES:
                starts.add(end - size)
    return starts


def find_addresses(text: str, ms: Morphs) -> Iterator[Span]:
    """Addresses starting at a prefecture or a place name, with block numbers or a city."""
    starts = _prefectures(text)
    starts.update(ms.begins[i] for i, p in enumerate(ms.pos) if p[2] == "地名")
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
            # up to the room number (or the building word): not the particle after it (へ発送)
            ends = [m.end() for m in _TAIL_END.finditer(tail.group())]
            found += tail.group()[:ends[-1]] if ends else tail.group()
        has_number = any(c.isdigit() for c in found)
        if not any(c in found for c in _ADDRESS_CHARS) and not (
                has_number and re.search("丁目|番地|号", found)):
            continue
        if not has_number and not _PREF_RX.match(found):
            continue
        last_end = start + len(found)
        yield Span(start, last_end, "ADDRESS", 0.85, "rule")
