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

__all__ = ["find_en", "known_name"]

_CAP = r"[A-Z][a-zA-Z'\-]+"
_TITLE = re.compile(
    rf"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame)\.?[ \t]+"
    rf"(?P<n>(?:[A-Z]\.[ \t])?{_CAP}(?:[ \t]+(?:[A-Z]\.[ \t]+)?{_CAP}){{0,2}})"
)
_RUN = re.compile(r"(?<![A-Za-z'\-])(?:[A-Z][a-zA-Z'\-]+|[A-Z]\.)"
                  r"(?:[ \t]+(?:[A-Z][a-zA-Z'\-]+|[A-Z]\.))+")
_WORD = re.compile(r"[A-Z][a-zA-Z'\-]+|[A-Z]\.")
_GREETING = re.compile(rf"(?:^|\n|\s)(?:Dear|Hi|Hello|Thanks|Thank you|Regards|Attn:?|Attention:?)"
                       rf",?[ \t]+(?P<n>{_CAP}(?:[ \t]+{_CAP})?)(?=[ \t]*[,.:!\n]|$)")
_SIGNOFF = re.compile(rf"(?:Regards|Best|Sincerely|Cheers|Thanks|Best wishes),?\s*\n\s*"
                      rf"(?P<n>{_CAP}(?:[ \t]+{_CAP}){{0,2}})[ \t]*(?:\n|$)")
_STREET_TYPES = (r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|"
                 r"Place|Pl|Parkway|Pkwy|Terrace|Highway|Hwy|Square|Sq|Circle|Cir|Trail|Row|Close|"
                 r"Crescent|Gardens|Plaza")
_UNIT = (r"(?:,?[ \t](?:Suite|Ste\.?|Apt\.?|Apartment|Unit|Floor|Fl\.?|Room|Rm\.?|#)"
         r"[ \t]?[A-Za-z0-9\-]+)")
_PLACE = r"[A-Z][a-zA-Z]+(?:[ \t\-][A-Z][a-zA-Z]+){0,2}"
_JP_PLACE = rf"{_PLACE}(?:-(?:ku|shi|cho|machi|gun|ken|dori))?"
_ADDRESS = re.compile(
    rf"(?<![A-Za-z0-9\-])(?:\d{{1,6}}[A-Za-z]?[ \t](?:[NSEW]\.?[ \t])?(?:{_CAP}[ \t]){{1,4}}"
    rf"(?:{_STREET_TYPES})\.?{_UNIT}?(?:,[ \t]{_PLACE}){{0,2}}"
    rf"(?:,[ \t](?:[A-Z]{{2}}|{_PLACE}))?"
    rf"|(?:\d{{1,4}}-\d{{1,4}}(?:-\d{{1,4}})?|\d{{1,5}}(?=[ \t][A-Z][a-z]+-(?:dori|cho|machi)))"
    rf"[ \t]{_JP_PLACE}(?:,[ \t]{_JP_PLACE}){{1,4}}"
    rf"|{_CAP}(?:strasse|straße|str\.|weg|platz|gasse|allee|laan|straat|gatan|vej)[ \t]\d{{1,4}}"
    rf"[a-z]?(?:,[ \t]{_PLACE})?)"
)
_ORG_ABBR = r"Inc|Corp|Co|Ltd|LLC|LLP|PLC|plc|GmbH|AG|KK|K\.K|S\.A|Pty"
_ORG_END = (r"Incorporated|Corporation|Company|Limited|Group|Holdings|Bank|"
            r"University|College|Hospital|Clinic|Partners|Associates|Technologies|Systems|"
            r"Solutions|Labs|Industries|Insurance|Trust|Foundation|Institute|Airlines|Motors|"
            r"Electric|Pharmaceuticals|Consulting|Logistics|Securities|Capital|Ventures|Traders|"
            r"Trading|Software|Foods|Health|Media|Studios|Agency|Bancorp|Financial")
_ORG = re.compile(
    rf"(?<![A-Za-z])(?:(?:{_CAP}|[A-Z]{{2,}}|&)[ \t]){{0,4}}?(?:{_CAP}|[A-Z]{{2,}})"
    rf"(?:,?[ \t](?:{_ORG_ABBR})\.?(?![A-Za-z])|,?[ \t](?:{_ORG_END})(?![A-Za-z]))+"
    rf"|(?<![A-Za-z])(?:Bank|University|Ministry|Department)[ \t]of(?:[ \t]{_CAP}){{1,3}}"
)
_ORG_LEAD_WORDS = ("The A An Our Your Their His Her Its My This That At With From For To And "
                      "Or Dear Hi Hello Thanks Re Fw Fwd Subject Company Bank Name Employer "
                      "Client Vendor Customer Supplier Legal")
_ORG_LEAD = frozenset(_ORG_LEAD_WORDS.split())
_FIELD = re.compile(
    r"(?m)^[ \t]*(?i:(?:full |legal |account |patient |employee )?name|cardholder|employee|"
    r"applicant|patient|claimant|requester|candidate|referee|caller|customer|contact|approver|"
    r"host|agent|reviewer|emergency contact|account holder|approved by|assigned to|attendees|"
    r"signatory|ship to|contractor|visitor|spoke with)[ \t]*:[ \t]*"
    r"(?P<n>[A-Z][a-zA-Z'\-]+(?:[ \t]+(?:[A-Z]\.[ \t]+)?[A-Z][a-zA-Z'\-]+){1,2})")
_ALONE = re.compile(r"(?m)^[ \t]*(?P<n>[A-Z][a-z]+)[ \t]*$|(?:[Tt]his is|[Aa]ssigned to|[Ff]rom)"
                    r"[ \t]+(?P<m>[A-Z][a-z]+)(?=[ \t.,]|$)")
_NOT_NAME_WORDS = """The This That These Those Our Your Their His Her Its My We You They It A An
And Or But If When Where What Which Who Why How Please Thank Thanks Dear Hi Hello Regards Best
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December Street Avenue Road Drive Lane Boulevard Suite
Inc Corp Ltd LLC Company Group Bank University Hospital Customer Service Support Team Sales
Account Manager Director Department Office Invoice Order Payment Ref Re Subject From To Cc Date
Tel Phone Email Fax Address Name Note Call Notes Mobile Meeting Project Client Policy Number
Japan Tokyo Osaka Kyoto Yokohama Kobe Nagoya Sapporo Fukuoka Sendai Chiba Saitama New York
London Paris Singapore Beijing Shanghai Seoul Sydney California Texas Washington Boston Chicago
Seattle Street Center Centre Tower Building Plaza Holdings Systems Solutions Technologies
Partners Associates Card Visa Mastercard Amex Dept Team Mr Mrs Ms Dr Prof Inc Corporation Co
Limited Labs Industries Insurance Trust Foundation Institute Airlines Motors Electric Kind
Best Warm Sincerely Cheers Yours Attn Attention Hope Looking Following Per As For On In At By
Of With Regarding Re Fw Fwd Yes No Ok Okay Also Sorry Just All Any Some Each Every Dear"""
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())


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


def known_name(word: str) -> bool:
    """True for a given name or surname of the bundled lists (not a common word)."""
    first, last = _names()
    return word not in _NOT_NAME and (word in first or word in last)


def find_en(text: str) -> Iterator[Span]:
    """Person names, addresses and organisations in English text."""
    persons = list(_persons(text))
    yield from persons
    yield from _mentions(text, persons)
    for m in _ADDRESS.finditer(text):
        yield Span(m.start(), m.end(), "ADDRESS", 0.8, "rule")
    orgs = []
    for m in _ORG.finditer(text):
        start = m.start()
        words = text[start:m.end()].split()
        while len(words) > 1 and words[0] in _ORG_LEAD and words[1] != "of":
            start = text.index(words[1], start + len(words[0]))
            words.pop(0)
        if len(words) > 1 or words[0] not in _NOT_NAME:
            orgs.append(Span(start, m.end(), "ORGANIZATION", 0.8, "rule"))
    yield from orgs
    yield from _org_mentions(text, orgs)


def _org_mentions(text: str, orgs: list[Span]) -> Iterator[Span]:
    """An organisation found with its legal form, mentioned again by its first word."""
    heads = {text[s.start:s.end].split()[0] for s in orgs}
    heads = {h for h in heads if len(h) > 3 and h not in _NOT_NAME and h not in _ORG_LEAD}
    if not heads:
        return
    rx = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, sorted(heads))) +
                    r")(?![A-Za-z])")
    for m in rx.finditer(text):
        yield Span(m.start(), m.end(), "ORGANIZATION", 0.7, "rule")


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
    for m in _FIELD.finditer(text):
        yield Span(m.start("n"), m.end("n"), "PERSON", 0.8, "rule")
    for m in _ALONE.finditer(text):
        key = "n" if m.group("n") else "m"
        if m.group(key) in first and m.group(key) not in _NOT_NAME:
            yield Span(m.start(key), m.end(key), "PERSON", 0.7, "rule")
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
