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
from cristal.governance.pii._contact import find_phones, find_postal_codes
from cristal.governance.pii._dates import find_dates_of_birth
from cristal.governance.pii._text import fold, near_before
from cristal.governance.pii._types import Span

__all__ = ["find_structured"]

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)

# Each pattern opens with a look-ahead on its first character: the engine then skips
# most positions at once, which keeps a 2,000-character prompt under a millisecond.
_MY_NUMBER = re.compile(r"(?=[0-9])(?<![0-9-])(?<![0-9][- ])(\d{4})([- ]?)(\d{4})\2(\d{4})"
                        r"(?![- ]?[0-9])")
_MY_NUMBER_WORDS = ("マイナンバー", "個人番号", "my number", "mynumber", "individual number")
# A label naming another number overrides the 4-4-4 grouping (伝票番号 5445-7592-4034).
_OTHER_NUMBER_WORDS = ("伝票", "追跡", "問い合わせ番号", "問合せ番号", "注文", "受付", "会員",
                       "顧客", "お客様番号", "管理番号", "契約", "証券", "保険", "予約", "tracking",
                       "order", "invoice", "member", "customer", "ticket", "reference", "ref",
                       "policy", "booking", "shipment", "parcel", "serial")
_CORPORATE = re.compile(r"(?=[T0-9])(?<![0-9A-Za-z-])(T-?)?(\d{13}|\d-\d{4}-\d{4}-\d{4})"
                        r"(?![0-9]|-\d)")
_CORPORATE_WORDS = ("法人番号", "登録番号", "corporate number", "registration number",
                    "インボイス", "invoice", "適格請求書")

_CARD = re.compile(r"(?=[0-9])(?<![0-9-])(?<![0-9][- ])\d(?:[- ]?\d){12,18}(?![- ]?[0-9])")

_IPV4 = re.compile(
    r"(?=[0-9])(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![0-9]|\.[0-9])"
)
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|"
                   r"(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Fa-f:])")
_HEX_COLON = re.compile(r"[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:")
_VERSION_WORDS = ("version", "ver.", "ver", "バージョン", "v")

_BANK_JA = re.compile(
    r"(?=[普当貯口])(?:普通|当座|貯蓄|口座番号|口座No\.?|口座)(?:預金)?[^0-9\n。]{0,12}?(?<![0-9])(\d{7,8})(?![0-9])"
)
_BANK_YUCHO = re.compile(r"(?=[0-9])(?<![0-9])(\d{5}-\d{6,8})(?![0-9]|-\d)")
_BANK_EN = re.compile(
    r"(?=[Aa])(?i:account|acct\.?|a/c)(?i:\s*(?:number|no\.?|#))?\s*[:#]?\s*(?<![0-9])(\d[\d-]{4,15}\d)"
    r"(?![0-9]|-\d)"
)
_IBAN = re.compile(r"(?=[A-Z])(?<![A-Za-z0-9])"
                   r"([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![A-Za-z0-9])")


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def find_structured(text: str) -> Iterator[Span]:
    """Every structured identifier in the text (may overlap; resolved later)."""
    folded = fold(text)
    low = folded.lower()
    for m in _EMAIL.finditer(folded) if "@" in folded else ():
        yield Span(m.start(), m.end(), "EMAIL")
    yield from find_phones(folded, low)
    yield from find_postal_codes(folded, low)
    yield from _numbers(folded, low)
    yield from _ips(folded, low)
    yield from _banks(folded)
    yield from find_dates_of_birth(folded, low)


def _numbers(folded: str, low: str) -> Iterator[Span]:
    for m in _MY_NUMBER.finditer(folded):
        digits = m.group(1) + m.group(3) + m.group(4)
        if not my_number_ok(digits):
            continue
        if near_before(low, m.start(), _MY_NUMBER_WORDS, 30) or m.group(2) and not near_before(
                low, m.start(), _OTHER_NUMBER_WORDS, 20):
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
