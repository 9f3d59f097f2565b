"""English names, addresses and organisations by rules: titles, name lists, street forms.

Names: a title (Mr., Ms., Dr.) before capitalised words; a given name from the
bundled census list (`data/names_en.txt`) followed by a capitalised word; a
greeting (Dear, Hi); and later mentions of a surname or given name already found.
Addresses: a street number, capitalised words and a street type (US/UK style), or
a Japanese block number written in English (`2-3-1 Minatomirai, Nishi-ku, ...`).
Organisations: capitalised words ending in a legal form or an institution word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

from cristal.governance.pii._types import Span

__all__ = ["find_en"]

_CAP = r"[A-Z][a-zA-Z'\-]+"
_TITLE = re.compile(
    rf"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame)\.?\s+"
    rf"(?P<n>(?:[A-Z]\.\s)?{_CAP}(?:\s+(?:[A-Z]\.\s+)?{_CAP}){{0,2}})"
)
_RUN = re.compile(r"(?<![A-Za-z'\-])(?:[A-Z][a-zA-Z'\-]+|[A-Z]\.)(?:[ \t]+(?:[A-Z][a-zA-Z'\-]+|[A-Z]\.))+")
_WORD = re.compile(r"[A-Z][a-zA-Z'\-]+|[A-Z]\.")
_GREETING = re.compile(rf"(?:^|\n|\s)(?:Dear|Hi|Hello|Thanks|Thank you|Regards|Attn:?|Attention:?)"
                       rf",?\s+(?P<n>{_CAP}(?:\s+{_CAP})?)(?=\s*[,.:!\n]|$)")
_SIGNOFF = re.compile(rf"(?:Regards|Best|Sincerely|Cheers|Thanks|Best wishes),?\s*\n\s*"
                      rf"(?P<n>{_CAP}(?:\s+{_CAP}){{0,2}})\s*(?:\n|$)")
_STREET_TYPES = (r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|"
                 r"Place|Pl|Parkway|Pkwy|Terrace|Highway|Hwy|Square|Sq|Circle|Cir|Trail|Row|Close|"
                 r"Crescent|Gardens|Plaza")
_UNIT = r"(?:,?\s(?:Suite|Ste\.?|Apt\.?|Apartment|Unit|Floor|Fl\.?|Room|Rm\.?|#)\s?[A-Za-z0-9\-]+)"
_PLACE = r"[A-Z][a-zA-Z]+(?:[\s\-][A-Z][a-zA-Z]+){0,2}"
_ADDRESS = re.compile(
    rf"(?<![A-Za-z0-9\-])(?:\d{{1,6}}[A-Za-z]?\s(?:[NSEW]\.?\s)?(?:{_CAP}\s){{1,4}}"
    rf"(?:{_STREET_TYPES})\.?{_UNIT}?(?:,\s{_PLACE}){{0,2}}"
    rf"(?:,\s(?:[A-Z]{{2}}|{_PLACE}))?"
    rf"|\d{{1,4}}-\d{{1,4}}(?:-\d{{1,4}})?\s{_PLACE}(?:,\s{_PLACE}(?:-(?:ku|shi|cho|machi|gun))?)"
    rf"{{1,4}})"
)
_ORG_END = (r"Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|LLP|PLC|plc|GmbH|AG|"
            r"KK|K\.K|S\.A|Group|Holdings|Bank|University|College|Hospital|Clinic|Partners|"
            r"Associates|Technologies|Systems|Solutions|Labs|Industries|Insurance|Trust|"
            r"Foundation|Institute|Airlines|Motors|Electric|Pharmaceuticals|Consulting|"
            r"Logistics|Securities|Capital|Ventures")
_ORG = re.compile(
    rf"(?<![A-Za-z])(?:(?:{_CAP}|[A-Z]{{2,}}|&)\s){{0,4}}?(?:{_CAP}|[A-Z]{{2,}})"
    rf"(?:,?\s(?:{_ORG_END})\.?(?:,?\s(?:Ltd|Inc|LLC)\.?)?)(?![A-Za-z])"
    rf"|(?<![A-Za-z])(?:Bank|University|Ministry|Department) of(?:\s{_CAP}){{1,3}}"
)
_NOT_NAME = frozenset("""The This That These Those Our Your Their His Her Its My We You They It A An
And Or But If When Where What Which Who Why How Please Thank Thanks Dear Hi Hello Regards Best
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December Street Avenue Road Drive Lane Boulevard Suite
Inc Corp Ltd LLC Company Group Bank University Hospital Customer Service Support Team Sales
Account Manager Director Department Office Invoice Order Payment Ref Re Subject From To Cc Date
Tel Phone Email Fax Address Name Note Call Notes Mobile Meeting Project Client Policy Number
Japan Tokyo Osaka Kyoto Yokohama Kobe Nagoya Sapporo Fukuoka Sendai Chiba Saitama New York
London Paris Singapore Beijing Shanghai Seoul Sydney California Texas Washington Boston Chicago
Seattle Street Center Centre Park Tower Building Plaza Holdings Systems Solutions Technologies
Partners Associates Card Visa Mastercard Amex Dept Team Mr Mrs Ms Dr Prof Inc Corporation Co
Limited Labs Industries Insurance Trust Foundation Institute Airlines Motors Electric Kind
Best Warm Sincerely Cheers Yours Attn Attention Hope Looking Following Per As For On In At By
Of With Regarding Re Fw Fwd Yes No Ok Okay Also Sorry Just All Any Some Each Every Dear""".split())


@functools.cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    first: set[str] = set()
    last: set[str] = set()
    section = first
    path = Path(__file__).parent / "data" / "names_en.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line == "[first]":
            section = first
        elif line == "[last]":
            section = last
        else:
            section.add(line)
    return frozenset(first), frozenset(last)


def find_en(text: str) -> Iterator[Span]:
    """Person names, addresses and organisations in English text."""
    persons = list(_persons(text))
    yield from persons
    yield from _mentions(text, persons)
    for m in _ADDRESS.finditer(text):
        yield Span(m.start(), m.end(), "ADDRESS", 0.8, "rule")
    for m in _ORG.finditer(text):
        start = m.start()
        words = text[start:m.end()].split()
        while words and words[0] in _NOT_NAME and len(words) > 2 and words[1] != "of":  # "The Acme Corp": drop The
            start = text.index(words[1], start + len(words[0]))
            words.pop(0)
        if words and (words[0] not in _NOT_NAME or words[1:2] == ["of"]):
            yield Span(start, m.end(), "ORGANIZATION", 0.8, "rule")


def _persons(text: str) -> Iterator[Span]:
    first, last = _names()
    for m in _TITLE.finditer(text):
        name = m.group("n")
        words = name.split()
        while words and words[-1].strip(".") in _NOT_NAME:
            words.pop()
        if words:
            end = m.start("n") + len(" ".join(words)) if len(words) == len(name.split()) \
                else m.start("n") + name.index(words[-1]) + len(words[-1])
            yield Span(m.start("n"), end, "PERSON", 0.9, "rule")
    for run in _RUN.finditer(text):
        words = [(w.start() + run.start(), w.group()) for w in _WORD.finditer(run.group())]
        i = 0
        while i < len(words) - 1:
            found = _pair(words, i, first, last)
            if found:
                yield Span(words[i][0], words[found][0] + len(words[found][1]), "PERSON", 0.8,
                           "rule")
                i = found + 1
            else:
                i += 1
    for rx in (_GREETING, _SIGNOFF):
        for m in rx.finditer(text):
            name = m.group("n")
            if name.split()[0] not in _NOT_NAME:
                yield Span(m.start("n"), m.end("n"), "PERSON", 0.75, "rule")


def _pair(words: list[tuple[int, str]], i: int, first: frozenset[str],
          last: frozenset[str]) -> int | None:
    """Index of the last word of a name starting at word i (John Smith, John Q. Smith,
    Taro Yamada, Yamada Taro), or None."""
    f = words[i][1]
    if f in _NOT_NAME or f.endswith("."):
        return None
    j = i + 1
    if j < len(words) - 1 and words[j][1].endswith("."):  # middle initial
        j += 1
    ln = words[j][1]
    if ln in _NOT_NAME or ln.endswith("."):
        return None
    if f in first or (f in last and ln in first):
        return j
    return None


def _mentions(text: str, persons: list[Span]) -> Iterator[Span]:
    """Surnames and given names of people already found, mentioned again alone."""
    parts = {w for s in persons for w in text[s.start:s.end].split()
             if len(w) > 2 and w[0].isupper() and not w.endswith(".") and w not in _NOT_NAME}
    if not parts:
        return
    rx = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, sorted(parts))) +
                    r")(?![A-Za-z])")
    for m in rx.finditer(text):
        yield Span(m.start(), m.end(), "PERSON", 0.7, "rule")
