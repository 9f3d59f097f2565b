"""Dates of birth in 西暦 and 和暦 (and English forms): a valid date next to a birth cue.

A date alone is not personal data; it becomes a date of birth when a cue stands
just before it (生年月日, 誕生日, date of birth, DOB, born) or 生/生まれ follows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cristal.governance.pii._types import Span

__all__ = ["find_dates_of_birth"]

_ERAS = {"明治": (1868, 45), "大正": (1912, 15), "昭和": (1926, 64), "平成": (1989, 31),
         "令和": (2019, 99), "m": (1868, 45), "t": (1912, 15), "s": (1926, 64),
         "h": (1989, 31), "r": (2019, 99)}
_MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
_MON = r"(?P<mon>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"

_DATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<y1>(?:19|20)\d{2})\s?年\s?(?:\((?:明治|大正|昭和|平成|令和)\s?(?:\d{1,2}|元)\s?年\)\s?)?"
    r"(?P<m1>\d{1,2})\s?月\s?(?P<d1>\d{1,2})\s?日"     # 2001年（平成13年）3月3日 too
    r"|(?P<era>明治|大正|昭和|平成|令和)\s?(?P<ey>\d{1,2}|元)\s?年\s?(?:\((?:19|20)\d{2}\s?年?\)\s?)?"
    r"(?P<em>\d{1,2})\s?月"
    r"\s?(?P<ed>\d{1,2})\s?日"
    r"|(?P<ea>[MTSHRmtshr])\s?(?P<eay>\d{1,2})[./-](?P<eam>\d{1,2})[./-](?P<ead>\d{1,2})"
    r"|(?P<y2>(?:19|20)\d{2})(?P<sep>[/.-])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})"
    r"|(?P<m3>\d{1,2})(?P<sep3>[/.-])(?P<d3>\d{1,2})(?P=sep3)(?P<y3>(?:19|20)\d{2})"
    r"|" + _MON + r"\s(?P<d4>\d{1,2})(?:st|nd|rd|th)?,?\s(?P<y4>(?:19|20)\d{2})"
    r"|(?P<d5>\d{1,2})(?:st|nd|rd|th)?\s" + _MON.replace("mon>", "mon5>") +
    r",?\s(?P<y5>(?:19|20)\d{2})"
    r")(?![0-9])"
)
_CUES_BEFORE = ("生年月日", "誕生日", "出生", "生まれ", "date of birth", "birth date", "birthdate",
                "birthday", "dob", "d.o.b", "born on", "born")
_CUES_AFTER = ("生", "生まれ", "うまれ")


def _ymd(m: re.Match[str]) -> tuple[int, int, int] | None:
    g = m.groupdict()
    if g["y1"]:
        return int(g["y1"]), int(g["m1"]), int(g["d1"])
    if g["era"] or g["ea"]:
        era = g["era"] or g["ea"].lower()
        first, span = _ERAS[era]
        raw = g["ey"] or g["eay"]
        year = 1 if raw == "元" else int(raw)
        if not 1 <= year <= span:
            return None
        month, day = (g["em"], g["ed"]) if g["era"] else (g["eam"], g["ead"])
        return first + year - 1, int(month), int(day)
    if g["y2"]:
        return int(g["y2"]), int(g["m2"]), int(g["d2"])
    if g["y3"]:
        first, second = int(g["m3"]), int(g["d3"])
        if first > 12 >= second:  # day first: 22/11/1985, 14.03.1994
            first, second = second, first
        return int(g["y3"]), first, second
    mon = g["mon"] or g["mon5"]
    month = _MONTHS.get(mon[:3].lower())
    if month is None:
        return None
    return (int(g["y4"]), month, int(g["d4"])) if g["y4"] else (int(g["y5"]), month,
                                                                int(g["d5"]))


_CUE = re.compile("(?<![a-z])(?:" + "|".join(re.escape(c) for c in _CUES_BEFORE if c.isascii())
                  + ")|" + "|".join(re.escape(c) for c in _CUES_BEFORE if not c.isascii())
                  + "|生")


def _windows(low: str) -> list[tuple[int, int]]:
    """Stretches of text near a birth cue: dates are only looked for there."""
    spans = sorted((max(0, m.start() - 30), min(len(low), m.end() + 60))
                   for m in _CUE.finditer(low))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_dates_of_birth(folded: str, low: str) -> Iterator[Span]:
    """Dates (valid month and day) with a birth cue within a few characters."""
    for start, end in _windows(low):
        yield from _dates_in(folded, low, start, end)


def _dates_in(folded: str, low: str, start: int, end: int) -> Iterator[Span]:
    for m in _DATE.finditer(folded, start, end):
        ymd = _ymd(m)
        if ymd is None or not (1 <= ymd[1] <= 12 and 1 <= ymd[2] <= 31):
            continue
        after = folded[m.end():m.end() + 3]
        if after.startswith(_CUES_AFTER) or _cue_before(low, m.start()):
            yield Span(m.start(), m.end(), "DATE_OF_BIRTH")


def _cue_before(low: str, start: int) -> bool:
    """The nearest birth cue before the date, with no other number between them and on the
    same line (or alone on the line above): "Date of birth (MM/DD/YYYY): 03/14/1991",
    but not the hire date after a birth date."""
    window = low[max(0, start - 48):start]
    cues = [c for c in _CUE.finditer(window) if c.group() != "生"]
    if not cues:
        return False
    between = window[cues[-1].end():]
    if any(ch.isdigit() for ch in between):
        return False
    return "\n" not in between or not between.strip(" :：)）\t\n")
