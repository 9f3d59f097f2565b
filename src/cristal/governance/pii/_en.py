"""English-script entities by rules: person names (`_en_names`), addresses, organisations.

Addresses: a street number, capitalised words and a street type (US/UK style, any
case), with a flat or unit before it, a floor or suite after it, and the town on
the same line or the next (when a ZIP or postcode follows); a street number,
words, town and US state before a ZIP (1650 Broadway, …, NY 10019); a PO Box; a
Japanese block number written in English (`2-3-1 Minatomirai, Nishi-ku, ...`).
Organisations: capitalised words ending in a legal form or an institution word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cristal.governance.pii._en_names import NOT_NAME, find_persons
from cristal.governance.pii._text import word_spans
from cristal.governance.pii._types import Span

__all__ = ["find_en"]

_CAP = r"[A-Z][a-zA-Z'\-]+"
_TYPE_WORD_LIST = """Street Avenue Road Boulevard Drive Lane Way Court Place Parkway Terrace
Highway Square Circle Trail Row Close Crescent Gardens Plaza Grove Mews Hill Walk Rise Green
Parade Gate Wharf Yard Heights Vale"""
_TYPE_WORDS = _TYPE_WORD_LIST.split()
_TYPE_ABBR_LIST = "St Ave Rd Blvd Dr Ln Ct Pl Pkwy Hwy Sq Cir"
_TYPE_ABBR = _TYPE_ABBR_LIST.split()
# Capitalised or all upper case (labels: 4410 W 7TH ST), never lower case ("statements close");
# an abbreviation may carry a full stop (St.); a full word's stop ends the sentence.
_STREET_TYPES = ("(?:" + "|".join(w for t in _TYPE_WORDS for w in (t, t.upper())) + ")"
                 "|(?:" + "|".join(w for t in _TYPE_ABBR for w in (t, t.upper())) + r")\.?")
_ORDINAL = r"\d{1,3}(?i:st|nd|rd|th)"
_STREET_WORD = rf"(?:{_CAP}|{_ORDINAL})"
_UNIT = (r"(?:,?[ \t](?i:Suite|Ste\.?|Apt\.?|Apartment|Unit|Floor|Fl\.?|Room|Rm\.?|#)"
         rf"[ \t]?[A-Za-z0-9\-]+|,[ \t]{_ORDINAL}[ \t]Floor)")
_UNIT_BEFORE = r"(?:(?:Flat|Unit|Apartment|Apt\.?|Suite|Room)[ \t][0-9A-Za-z/]+,[ \t])"
# A place word is never glued to a digit: "London NW1 8LH" is London, then a postcode.
_PLACE = r"[A-Z][a-zA-Z]+(?![0-9A-Za-z])(?:[ \t\-][A-Z][a-zA-Z]+(?![0-9A-Za-z])){0,2}"
_JP_PLACE = rf"{_PLACE}(?:-[a-z]{{2,8}})?(?:[ \t]\d{{1,2}}-chome)?"  # Hakata-ekimae, Minato-ku
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}(?![A-Za-z0-9])"
_POST_AFTER = (r"(?=[ \t]+\d{5}(?![0-9])|[ \t]*\n[ \t]*[A-Z]{1,2}\d|"
               r"[ \t]+[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2})")
_ADDRESS = re.compile(
    rf"(?=[0-9A-Z])(?<![A-Za-z0-9\-])(?:"
    rf"{_UNIT_BEFORE}?\d{{1,6}}[A-Za-z]?[ \t](?:[NSEW]\.?[ \t])?(?:{_STREET_WORD}[ \t]){{1,4}}"
    rf"(?:{_STREET_TYPES})(?![A-Za-z]){_UNIT}?"
    rf"(?:\n[ \t]*{_PLACE}(?:,?[ \t][A-Z]{{2}})?{_POST_AFTER}"  # the town on the next line
    rf"|(?:,[ \t]{_PLACE}){{0,2}}(?:,[ \t](?:[A-Z]{{2}}|{_PLACE}))?)"
    rf"|\d{{1,6}}[ \t](?:[NSEW]\.?[ \t])?(?:{_CAP}[ \t]){{0,3}}{_CAP}{_UNIT}?,[ \t]{_PLACE},"
    rf"[ \t][A-Z]{{2}}(?=[ \t]+\d{{5}}(?![0-9]))"  # no street type, but a state and a ZIP
    rf"|\d{{1,5}}[ \t](?:{_CAP}[ \t]){{0,2}}{_CAP},[ \t]{_PLACE}(?=[ \t]+{_UK_POSTCODE})"
    rf"|\d{{1,4}}(?:bis|ter)?,?[ \t](?:Rue|Avenue|Boulevard|Bd|Place|Quai|Allée|Chemin|Via|Viale|"
    rf"Piazza|Calle|Avenida|Rua)[ \t](?:(?:de|du|des|la|le|del|della|di|l')[ \t]?){{0,2}}{_CAP}"
    rf"(?:[ \t]{_CAP}){{0,2}}(?:,[ \t]{_PLACE})?"  # the type first: 9 Rue de Rivoli, Paris
    rf"|{_UNIT_BEFORE}(?:{_CAP}[ \t]){{1,3}}(?:Park|Estate|Centre|Center|House|Court|Building)"
    rf"(?:,[ \t]{_PLACE}){{1,2}}"
    rf"|P\.?[ \t]?O\.?[ \t]Box[ \t]\d{{1,6}}(?:,[ \t]{_PLACE}){{1,2}}(?:,[ \t][A-Z]{{2}})?"
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
            r"Trading|Software|Foods|Health|Media|Studios|Studio|Agency|Bancorp|Financial|"
            r"Services|Robotics|Analytics|Communications|Energy")
_ORG = re.compile(
    rf"(?=[A-Z])(?<![A-Za-z])(?:{_CAP}[ \t]){{0,3}}"  # (Tokyo) Institute of Technology
    rf"(?:Bank|University|Institute|College|School|Ministry|Department)[ \t]of"
    rf"(?:[ \t](?:the[ \t])?{_CAP}){{1,3}}"
    rf"|(?=[A-Z&])(?<![A-Za-z])(?:St\.[ \t])?(?:(?:{_CAP}|[A-Z]{{2,}}|&)[ \t]){{0,4}}?"
    rf"(?:{_CAP}|[A-Z]{{2,}})"
    rf"(?:,?[ \t](?:{_ORG_ABBR})\.?(?![A-Za-z])|(?:[ \t]&)?[ \t](?:{_ORG_END})(?![A-Za-z]))+"
)
_ORG_LEAD_WORDS = ("The A An Our Your Their His Her Its My This That At With From For To And "
                   "Or Dear Hi Hello Thanks Re Fw Fwd Subject Company Bank Name Employer "
                   "Client Vendor Customer Supplier Legal")
_ORG_LEAD = frozenset(_ORG_LEAD_WORDS.split())


def find_en(text: str) -> Iterator[Span]:
    """Person names, addresses and organisations in English text."""
    yield from find_persons(text)
    for m in _ADDRESS.finditer(text):
        yield Span(m.start(), m.end(), "ADDRESS", 0.8, "rule")
    orgs = []
    for m in _ORG.finditer(text):
        start = m.start()
        words = text[start:m.end()].split()
        while len(words) > 1 and words[0] in _ORG_LEAD and words[1] != "of":
            start = text.index(words[1], start + len(words[0]))
            words.pop(0)
        if len(words) > 1 or words[0] not in NOT_NAME:
            orgs.append(Span(start, m.end(), "ORGANIZATION", 0.8, "rule"))
    yield from orgs
    yield from _org_mentions(text, orgs)


def _org_mentions(text: str, orgs: list[Span]) -> Iterator[Span]:
    """An organisation found with its legal form, mentioned again by its first word."""
    heads = {text[s.start:s.end].split()[0] for s in orgs}
    heads = {h for h in heads if len(h) > 3 and h not in NOT_NAME and h not in _ORG_LEAD}
    for start, end in word_spans(text, heads):
        yield Span(start, end, "ORGANIZATION", 0.7, "rule")
