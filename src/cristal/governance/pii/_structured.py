"""Structured identifiers with validation: contact data, national and bank numbers, cards.

Every pattern runs on `fold(text)` (same length as the text) and is bounded by
look-arounds on ASCII digits and letters, never by `\\b`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cristal.governance.pii._checks import (
    corporate_number_ok,
    iban_ok,
    ip_ok,
    luhn_ok,
    my_number_ok,
)
from cristal.governance.pii._dates import find_dates_of_birth
from cristal.governance.pii._text import fold, fold_words, near_before
from cristal.governance.pii._types import Span

__all__ = ["find_structured"]

_NB = r"(?<![0-9A-Za-z])"  # not glued to a preceding ASCII digit or letter
_NA = r"(?![0-9A-Za-z])"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)

_PHONE = re.compile(
    r"(?<![0-9A-Za-z+-])(?:"
    r"\+\d{1,3}[- ]?(?:\(0\)[- ]?)?\d{1,4}(?:[- ]\d{1,4}){1,4}"        # +81 3 1234 5678
    r"|\(0\d{1,4}\)[- ]?\d{1,4}-?\d{4}"                                 # (03)1234-5678
    r"|0\d{1,4}\(\d{1,4}\)\d{4}"                                        # 03(1234)5678
    r"|0\d{1,4}[- ]\d{1,4}[- ]\d{3,4}"                                  # 03-1234-5678
    r"|0[1-9]\d{8,9}"                                                   # 0312345678
    r"|\(\d{3}\) ?\d{3}[-.]\d{4}"                                       # (415) 555-0132
    r"|[2-9]\d{2}[-.]\d{3}[-.]\d{4}"                                    # 415-555-0132
    r")(?![0-9A-Za-z]|-\d|\.\d)"
)
_PHONE_WORDS = ("tel", "phone", "電話", "携帯", "fax", "連絡先", "call", "mobile", "内線")

_POSTAL = re.compile(r"(?<![0-9-])(〒 ?)?(\d{3}-\d{4}|(?<=〒)\d{7}|(?<=〒 )\d{7})(?![0-9]|-\d)")
_POSTAL_WORDS = ("郵便番号", "postal", "post code", "postcode", "zip", "〒")
_PREFECTURE_NAMES = """北海道 青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 東京 神奈川
新潟 富山 石川 福井 山梨 長野 岐阜 静岡 愛知 三重 滋賀 京都 大阪 兵庫 奈良 和歌山 鳥取 島根 岡山
広島 山口 徳島 香川 愛媛 高知 福岡 佐賀 長崎 熊本 大分 宮崎 鹿児島 沖縄"""
_PREFECTURES = tuple(_PREFECTURE_NAMES.split())
_PREF_EN_NAMES = (
    "hokkaido aomori iwate miyagi akita yamagata fukushima ibaraki tochigi gunma saitama chiba "
    "tokyo kanagawa niigata toyama ishikawa fukui yamanashi nagano gifu shizuoka aichi mie shiga "
    "kyoto osaka hyogo nara wakayama tottori shimane okayama hiroshima yamaguchi tokushima kagawa "
    "ehime kochi fukuoka saga nagasaki kumamoto oita miyazaki kagoshima okinawa japan"
)
_PREF_EN = tuple(_PREF_EN_NAMES.split())
_US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
)
_US_STATES = _US_STATE_CODES.split()
_US = frozenset(_US_STATES)
_ZIP = re.compile(r"(?<![A-Za-z])([A-Z]{2}),? (\d{5}(?:-\d{4})?)(?![0-9-])")

_UK_POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}"
                          r"(?![A-Za-z0-9])")
_MY_NUMBER = re.compile(r"(?<![0-9-])(?<![0-9][- ])(\d{4})([- ]?)(\d{4})\2(\d{4})(?![- ]?[0-9])")
_MY_NUMBER_WORDS = ("マイナンバー", "個人番号", "my number", "mynumber", "individual number")
_CORPORATE = re.compile(r"(?<![0-9A-Za-z-])(T-?)?(\d{13}|\d-\d{4}-\d{4}-\d{4})(?![0-9]|-\d)")
_CORPORATE_WORDS = ("法人番号", "登録番号", "corporate number", "registration number",
                    "インボイス", "invoice", "適格請求書")

_CARD = re.compile(r"(?<![0-9-])(?<![0-9][- ])\d(?:[- ]?\d){12,18}(?![- ]?[0-9])")

_IPV4 = re.compile(
    r"(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![0-9]|\.[0-9])"
)
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|"
                   r"(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Fa-f:])")
_HEX_COLON = re.compile(r"[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:")
_VERSION_WORDS = ("version", "ver.", "ver", "バージョン", "v")

_BANK_JA = re.compile(
    r"(?:普通|当座|貯蓄|口座番号|口座No\.?|口座)(?:預金)?[^0-9\n。]{0,12}?(?<![0-9])(\d{7,8})(?![0-9])"
)
_BANK_YUCHO = re.compile(r"(?<![0-9])(\d{5}-\d{6,8})(?![0-9]|-\d)")
_BANK_EN = re.compile(
    r"(?i:account|acct\.?|a/c)(?i:\s*(?:number|no\.?|#))?\s*[:#]?\s*(?<![0-9])(\d[\d-]{4,15}\d)"
    r"(?![0-9]|-\d)"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)"
                   r"(?![A-Za-z0-9])")


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def find_structured(text: str) -> Iterator[Span]:
    """Every structured identifier in the text (may overlap; resolved later)."""
    folded, low = fold(text), fold_words(text)
    for m in _EMAIL.finditer(folded) if "@" in folded else ():
        yield Span(m.start(), m.end(), "EMAIL")
    yield from _phones(folded, low)
    yield from _postal(folded, low)
    yield from _numbers(folded, low)
    yield from _ips(folded, low)
    yield from _banks(folded)
    yield from find_dates_of_birth(folded, low)


def _phones(folded: str, low: str) -> Iterator[Span]:
    for m in _PHONE.finditer(folded):
        s = m.group()
        digits = _digits(s)
        if s.startswith("+"):
            ok = 9 <= len(digits) <= 15
        elif s.startswith(("0", "(0")):
            ok = len(digits) == 10 or (len(digits) == 11 and digits[:3] in
                                       {"070", "080", "090", "050", "060", "020"}) \
                or (len(digits) == 11 and digits.startswith("0800"))
            if ok and " " in s and not near_before(low, m.start(), _PHONE_WORDS, 20):
                ok = False  # space-separated digit groups are phones only when called so
        else:  # North American: (415) 555-0132, 415-555-0132
            ok = len(digits) == 10
        if ok:
            yield Span(m.start(), m.end(), "PHONE")


def _postal(folded: str, low: str) -> Iterator[Span]:
    for m in _POSTAL.finditer(folded):
        start, end = m.span(2)
        after = folded[end:end + 6].lstrip()
        ok = (m.group(1) is not None or near_before(low, start, _POSTAL_WORDS, 15)
              or any(after.startswith(p) for p in _PREFECTURES)
              or near_before(low, start, _PREF_EN, 4)
              or near_before(low, start, ("-ku", "-shi", "-ken", "-fu", "-to"), 25)
              and near_before(low, start, _PREF_EN, 25))
        if ok:
            yield Span(start, end, "POSTAL_CODE")
    for m in _UK_POSTCODE.finditer(folded):
        yield Span(m.start(), m.end(), "POSTAL_CODE")
    for m in _ZIP.finditer(folded):
        if m.group(1) in _US:
            yield Span(m.start(2), m.end(2), "POSTAL_CODE")


def _numbers(folded: str, low: str) -> Iterator[Span]:
    for m in _MY_NUMBER.finditer(folded):
        digits = m.group(1) + m.group(3) + m.group(4)
        if my_number_ok(digits) and (
                m.group(2) or near_before(low, m.start(), _MY_NUMBER_WORDS, 30)):
            yield Span(m.start(), m.end(), "MY_NUMBER")
    for m in _CORPORATE.finditer(folded):
        digits = _digits(m.group(2))
        if corporate_number_ok(digits) and (
                m.group(1) or near_before(low, m.start(), _CORPORATE_WORDS, 60)):
            yield Span(m.start(2), m.end(2), "CORPORATE_NUMBER")
    for m in _CARD.finditer(folded):
        s = m.group()
        digits = _digits(s)
        if luhn_ok(digits) and (len(digits) != 16 or " " not in s and "-" not in s
                                or _grouped(s)):
            yield Span(m.start(), m.end(), "CREDIT_CARD")


def _grouped(s: str) -> bool:
    parts = re.split(r"[- ]", s)
    return [len(p) for p in parts] in ([4, 4, 4, 4], [16])


def _ips(folded: str, low: str) -> Iterator[Span]:
    for m in _IPV4.finditer(folded):
        before = low[max(0, m.start() - 12):m.start()].rstrip()
        if before.endswith(_VERSION_WORDS) or before.endswith("v"):
            continue
        yield Span(m.start(), m.end(), "IP_ADDRESS")
    for m in _IPV6.finditer(folded) if _HEX_COLON.search(folded) else ():
        s = m.group()
        if s.count(":") >= 2 and ip_ok(s) and ("::" in s or s.count(":") == 7) and any(
                c.isalpha() for c in s) | ("::" in s and len(s) > 3):
            yield Span(m.start(), m.end(), "IP_ADDRESS")


def _banks(folded: str) -> Iterator[Span]:
    for m in _BANK_JA.finditer(folded):
        yield Span(m.start(1), m.end(1), "BANK_ACCOUNT")
    for m in _BANK_YUCHO.finditer(folded):
        if "ゆうちょ" in folded[max(0, m.start() - 40):m.start()] or "記号" in folded[
                max(0, m.start() - 12):m.start()]:
            yield Span(m.start(1), m.end(1), "BANK_ACCOUNT")
    for m in _BANK_EN.finditer(folded):
        yield Span(m.start(1), m.end(1), "BANK_ACCOUNT")
    for m in _IBAN.finditer(folded):
        if iban_ok(m.group(1)):
            yield Span(m.start(1), m.end(1), "BANK_ACCOUNT")
