"""Phone numbers (Japan, North America, UK and international) and postal codes (JP, US, UK).

Patterns run on the folded text (`_text.fold`) and are bounded by look-arounds on
ASCII digits and letters, never by `\\b`. Digit groups separated by spaces are
phones only next to a phone cue; a bare 7-digit local number (555-0199) only right
after an English one; a 5-digit ZIP only after a state code or a ZIP cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cristal.governance.pii._text import cue_then_value, near_before
from cristal.governance.pii._types import Span

__all__ = ["find_phones", "find_postal_codes"]

_PHONE = re.compile(
    r"(?=[0-9+(])(?<![0-9A-Za-z+-])(?<![0-9]\.)(?:"
    r"\+\d{1,3}(?:[- .]?\(0\))?(?:[- .]?\(\d{1,4}\))?[- .]?\d{1,6}(?:[- .]\d{1,6}){1,4}"
    r"|\+[1-9]\d{9,13}"                                                  # +81 3 1234 5678
    r"|\(0\d{1,4}\)[- ]?\d{1,4}-?\d{4}"                                 # (03)1234-5678
    r"|0\d{1,4}\(\d{1,4}\)\d{4}"                                        # 03(1234)5678
    r"|0\d{1,4}(?P<sep>[- .])\d{1,4}(?P=sep)\d{3,4}"                    # 03-1234-5678
    r"|0\d{2,4}[- ]\d{6,8}"                                             # 07700 900461
    r"|0[1-9]\d{8,9}"                                                   # 0312345678
    r"|(?:1[-. ])?\(\d{3}\) ?\d{3}[-. ]\d{4}"                           # (415) 555-0132
    r"|(?:1(?P<sep1>[-. ]))?[2-9]\d{2}(?P<sep2>[-. ])\d{3}(?P=sep2)\d{4}"  # 1-800-555-0175
    r"|[2-9]\d{2}-\d{4}"                                                # 555-0199, with a cue
    r")(?![0-9A-Za-z]|-\d|\.\d)"
)
_PHONE_WORDS = ("tel", "phone", "電話", "携帯", "fax", "連絡先", "call", "mobile", "内線", "dial",
                "cell", "reach", "line", "contact", "でんわ")
_LOCAL_WORDS = ("tel", "phone", "call", "dial", "dial-in", "fax", "mobile", "cell", "ext")
_UK_MOBILE = re.compile(r"07\d{3} \d{6}")  # 07911 123456: a UK mobile, with or without a cue
_MOBILE_JP = frozenset({"070", "080", "090", "050", "060", "020"})

_POSTAL = re.compile(r"(?=[〒0-9])(?<![0-9-])(〒 ?)?(\d{3}-\d{4}|(?<=〒)\d{7}|(?<=〒 )\d{7})"
                     r"(?![0-9]|-\d)")
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
_US = frozenset(_US_STATE_CODES.split())
# A state code names a state after a comma or a place name, not after a label ("ID 20418").
_ZIP = re.compile(r"(?=[A-Z])(?<![A-Za-z(])([A-Z]{2}),? (\d{5}(?:-\d{4})?)(?![0-9-])")
_ZIP_BEFORE = re.compile(r"(?:,|[A-Za-z.][A-Za-z.'-]*)[ \t]$")
_LABELS = ("id", "no", "employee", "member", "user", "customer", "staff", "account", "order",
           "ticket", "case", "ref", "patient", "student", "policy", "number")
_ZIP_ALONE = re.compile(r"(?=[0-9])(?<![0-9A-Za-z-])\d{5}(?:-\d{4})?(?![0-9A-Za-z]|-\d)")
_UK_POSTCODE = re.compile(r"(?=[A-Z])(?<![A-Za-z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]"
                          r"[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])")


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _phone_ok(m: re.Match[str], low: str) -> bool:
    s = m.group()
    digits = _digits(s)
    if s.startswith("+"):
        return 9 <= len(digits) <= 15
    if s.startswith(("0", "(0")):
        ok = len(digits) == 10 or len(digits) == 11 and (
            digits[:3] in _MOBILE_JP or digits.startswith("0800")
            or " " in s)  # UK numbers have 11 digits: 020 7946 0958, 07700 900461
        if ok and " " in s and not near_before(low, m.start(), _PHONE_WORDS, 24) \
                and not _UK_MOBILE.fullmatch(s):
            return False  # space-separated digit groups are phones only when called so
        return ok
    if len(digits) == 7:  # a local number: only right after an English phone cue
        before = low[max(0, m.start() - 14):m.start()]
        return before.isascii() and any(w in before for w in _LOCAL_WORDS)
    if " " in s and "(" not in s and not near_before(low, m.start(), _PHONE_WORDS, 24):
        return False  # 213 555 0184: a phone when called so; (213) 555-0184 always
    return len(digits) == 10 or len(digits) == 11 and digits[0] == "1"


def find_phones(folded: str, low: str) -> Iterator[Span]:
    """Phone numbers: JP fixed, mobile and toll-free, North American, UK, international."""
    for m in _PHONE.finditer(folded):
        if _phone_ok(m, low):
            yield Span(m.start(), m.end(), "PHONE")


def find_postal_codes(folded: str, low: str) -> Iterator[Span]:
    """Japanese postal codes (with 〒, a cue or a prefecture after), US ZIP, UK postcodes."""
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
        before = folded[max(0, m.start() - 20):m.start()]
        word = before.rstrip(" ,").rsplit(None, 1)[-1].lower() if before.strip() else ""
        if m.group(1) in _US and _ZIP_BEFORE.search(before) and word not in _LABELS:
            yield Span(m.start(2), m.end(2), "POSTAL_CODE")
    if "zip" in low or "postal" in low or "postcode" in low:
        for m in _ZIP_ALONE.finditer(folded):
            if cue_then_value(low, m.start(), ("zip", "postal code", "postcode"), 40):
                yield Span(m.start(), m.end(), "POSTAL_CODE")
