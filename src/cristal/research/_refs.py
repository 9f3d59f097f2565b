"""References from one document to another: codes (KR-101), titled rules and policies."""

from __future__ import annotations

import re

__all__ = ["defers", "references"]

# A code (KR-102, MX-2200), also where Japanese follows without a break (「KR-101に定める」,
# 「MX-2200入れて」): \b would need one, since kana and kanji are word characters.
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,6}-[A-Z]?\d{1,5}[A-Z]?(?![A-Za-z0-9])")
_JA_NAME = re.compile(
    r"「([^」]{2,30})」|([^\s、。，,（(「」]{2,24}(?:規程|規則|細則|基準|要領|要綱|マニュアル|"
    r"ガイドライン|方針|ポリシー|一覧|表|FAQ))")
_EN_NAME = re.compile(
    r"((?:[A-Z][\w&'-]*\s+){1,5}(?:Policy|Schedule|Guide|Guidelines|Terms|Agreement|Handbook|"
    r"Procedure|Procedures|Standard|Table|Manual|Rules))\b")
# The words that hand a value over to another document.
_DEFERS = re.compile(r"に定め|で定め|に従|による|によって|を参照|参照のこと|に記載|に掲げ|"
                     r"\b(?:set\s+(?:out\s+)?in|governed\s+by|according\s+to|see|refer\s+to|"
                     r"under\s+(?:section|clause|article|paragraph|part)|"
                     r"(?:stated|specified|listed|given|described)\s+in)\b", re.I)


def references(text: str) -> list[str]:
    """Names of other documents a passage points to (codes, titled rules and policies)."""
    found = [m.group(0) for m in _CODE.finditer(text)]
    for m in _JA_NAME.finditer(text):
        found.append(m.group(1) or m.group(2))
    found += [m.group(1).strip() for m in _EN_NAME.finditer(text)]
    return list(dict.fromkeys(f for f in found if f))


def defers(text: str, question: str) -> bool:
    """True when `text` hands the value to another document the question does not name
    (a code, a titled rule): 「在宅勤務の日数は在宅勤務規程（HR-07）に定める」 answers "how
    many days" by pointing there, without a number of days of its own."""
    if not _DEFERS.search(text):
        return False
    named = [m.group(0) for m in _CODE.finditer(text)]
    named += [m.group(2) for m in _JA_NAME.finditer(text) if m.group(2)]
    named += [m.group(1).strip() for m in _EN_NAME.finditer(text)]
    return any(n not in question for n in named)
