"""Japanese organisations: a legal form (株式会社…) or an institution word (…銀行) and its name."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from cristal.governance.pii._sudachi import Morphs
from cristal.governance.pii._types import Span

__all__ = ["find_orgs"]

_ORG_FORMS = (r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|"
              r"公益社団法人|公益財団法人|社会福祉法人|医療法人社団|医療法人財団|医療法人|学校法人|宗教法人|"
              r"特定非営利活動法人|NPO法人|独立行政法人|国立大学法人|（株）|\(株\)|㈱|（有）|\(有\)|㈲")
_ORG_SUFFIX = (r"銀行|信用金庫|信用組合|証券|生命保険|生命|損害保険|海上火災保険|大学病院|大学|"
               r"病院|クリニック|商事|物産|工業|製作所|電機|電気|建設|不動産|運輸|産業|食品|製薬|化学|"
               r"ホールディングス|グループ|商会|商店|法律事務所|会計事務所|税理士法人|監査法人|協会|"
               r"協同組合|研究所|学園|高等学校|市役所|区役所|町役場|県庁|システムズ|ソリューションズ|"
               r"テクノロジーズ|ジャパン|通信|航空|鉄道|ホテル|新聞社|出版")
_FIRST_CHARS = "".join(sorted({w.replace("\\", "")[0] for w in
                               f"{_ORG_FORMS}|{_ORG_SUFFIX}".split("|")}))
# The look-ahead on the first character lets the engine skip most positions at once.
_ORG = re.compile(rf"(?=[{re.escape(_FIRST_CHARS)}])"
                  rf"(?:(?P<pre>{_ORG_FORMS})|(?P<suf>{_ORG_SUFFIX}))")
_NOT_NAME_WORDS = """弊社 当社 御社 貴社 取引先 担当 顧客 新規 既存 各 同 本件 先方 元 前 旧 現
同社 私 わたし 弊行 貴行 全 大手 地元 宛 宛て 宛先 社名 会社 法人 勤務 勤務先 所属"""
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
_PROPER_CHARS = re.compile("[ァ-ヶーA-Za-z0-9&・]+")


def _is_name_part(ms: Morphs, i: int) -> bool:
    p = ms.pos[i]
    if p[0] == "名詞":
        return p[1] not in ("数詞", "代名詞") and p[2] != "副詞可能"
    return p[0] in ("接頭辞", "形状詞") or (p[0] == "補助記号" and ms.surface(i) in "・&＆")


def _proper(ms: Morphs, i: int) -> bool:
    return ms.pos[i][1] == "固有名詞" or bool(_PROPER_CHARS.fullmatch(ms.surface(i)))


def _ending_at(ends: list[int], offset: int) -> int | None:
    """Index of the (last) morpheme ending at `offset`, or None."""
    k = bisect.bisect_right(ends, offset) - 1
    return k if k >= 0 and ends[k] == offset else None


def _containing(ms: Morphs, offset: int) -> int | None:
    k = bisect.bisect_right(ms.begins, offset) - 1
    if k >= 0 and ms.begins[k] < offset < ms.ends[k] and ms.pos[k][0] == "名詞":
        return k
    return None


def find_orgs(text: str, ms: Morphs) -> Iterator[Span]:
    """Organisation names around a legal form or an institution suffix."""
    last_end = -1
    for match in _ORG.finditer(text):
        if match.start() < last_end:
            continue
        start, end = match.start(), match.end()
        i = _ending_at(ms.ends, start)  # name before the form or suffix: テック株式会社, 三菱商事
        inside = _containing(ms, start)
        if i is None and inside is not None and ms.ends[inside] >= end \
                and ms.pos[inside][1] == "固有名詞":
            i = inside  # one dictionary word: みずほ銀行, 三井住友銀行
            start = ms.ends[inside]
        k = i
        while k is not None and k >= 0 and i - k < 4 and _is_name_part(ms, k) \
                and ms.ends[k] <= start:
            k -= 1
        first = (k + 1) if k is not None else None
        while first is not None and first <= i and ms.surface(first) in _NOT_NAME:
            first += 1
        if first is not None and first <= i and (match.group("pre") or any(
                _proper(ms, x) for x in range(first, i + 1))):
            start = ms.begins[first]
        elif match.group("pre"):  # the form first: 株式会社テック
            j = _ending_at(ms.begins, end)  # the morpheme that begins where the form ends
            if j is not None and ms.pos[j][0] == "空白":
                j += 1
            n = j
            while n is not None and n < len(ms) and n - j < 4 and _is_name_part(ms, n):
                n += 1
            if n is None or n == j:
                continue
            end = ms.ends[n - 1]
        else:
            continue  # a bare suffix (銀行, 大学) names nothing
        last_end = end
        yield Span(start, end, "ORGANIZATION", 0.85, "rule")
