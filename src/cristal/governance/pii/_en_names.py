"""English-script person names by rules: titles, name lists, forms, chats, lists of people.

A name is found from its context (a title, a greeting or sign-off, a form field, a
chat speaker, a list after "Present:", a self-introduction such as "I'm …") or from
the bundled census lists (`data/names_en.txt`: a known given name before a
capitalised word, or a surname before a given name, as in romanised Japanese
"Tanaka Yumi" and "TAKAHASHI Ren"). Later mentions of a part of a name found, and
capitalised words spelled like the local part of an e-mail in the text
(farid.haddad@… names Farid), are names too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from cristal.governance.pii._text import word_spans
from cristal.governance.pii._types import Span

__all__ = ["NOT_NAME", "find_persons", "known_name"]

_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"  # letters of Western names, accents included (José)
_CAP = rf"[{_UP}][{_UP}{_LO}'\-]+"
_PARTICLE = r"(?:de|del|della|der|den|di|da|dos|das|du|la|le|van|von|ter|bin|ibn|al)"
_NAME = (rf"{_CAP}(?:[ \t]+(?:[A-Z]\.[ \t]+)?(?:{_PARTICLE}[ \t]+){{0,2}}{_CAP}){{0,2}}")
_TITLE = re.compile(
    rf"(?=[A-Z])(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame)\.?[ \t]+"
    rf"(?P<n>(?:[A-Z]\.[ \t])?{_CAP}(?:[ \t]+(?:[A-Z]\.[ \t]+)?{_CAP}){{0,2}})"
)
_RUN = re.compile(rf"(?=[{_UP}])(?<![A-Za-z{_LO}'\-])(?:{_CAP}|[A-Z]\.)"
                  rf"(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}(?:{_CAP}|[A-Z]\.))+")
_WORD = re.compile(rf"{_CAP}|[A-Z]\.")
_GREETING = re.compile(rf"(?:^|\n|\s)(?:Dear|Hi|Hello|Thanks|Thank you|Regards|Attn:?|Attention:?)"
                       rf",?[ \t]+(?P<n>{_CAP}(?:[ \t]+{_CAP})?)(?=[ \t]*[,.:!\n]|$)")
_SIGNOFF = re.compile(rf"(?:Regards|Best|Sincerely|Cheers|Thanks|Best wishes),?\s*\n\s*"
                      rf"(?P<n>{_CAP}(?:[ \t]+{_CAP}){{0,2}})[ \t]*(?:\n|$)")
_LABELS = (
    r"(?:[a-z]+ ){0,3}name(?: of [a-z]+(?: [a-z]+){0,3})?|reference|"
    r"cardholder|employee|applicant|patient|claimant|requester|requested by|candidate|referee|"
    r"caller|customer|contact|approver|approved by|host|agent|reviewer|emergency contact|"
    r"account holder|assigned to|assignee|signatory|ship to|deliver to|contractor|visitor|"
    r"spoke with|beneficiary|reporter|reported by|prepared by|submitted by|recipient|tenant|"
    r"landlord|guarantor|policyholder|insured|student|parent|guardian|spouse|interviewer|"
    r"supervisor|manager|recruiter|witness|signed by|chair|chairperson|secretary|owner|"
    r"driver|passenger|guest|cardholder name|(?:last|first|given|family|middle|sur|fore)[ ]?name")
_PART_LABEL = re.compile(r"(?i)(?:last|first|given|family|middle|sur|fore)[ ]?name")
# A field: at a line start or after a wide gap (form columns), a label, a colon, a value.
_FIELD = re.compile(
    rf"(?m)(?:^|[ \t]{{2,}}|\|)[ \t]*(?P<label>(?i:{_LABELS}))(?:[ \t]*\([^)\n]{{1,24}}\))?"
    rf"[ \t]*:[ \t]*(?P<n>{_CAP}(?:,[ ]{_CAP})?(?:[ ](?:[A-Z]\.[ ])?"  # one space: a gap
    rf"(?:{_PARTICLE}[ ]){{0,2}}{_CAP}){{0,2}})")                      # is the next column
_LIST = re.compile(r"(?m)^[ \t]*(?i:present|attendees|attendance|participants|apologies|"
                   r"absent|in attendance|cc)[ \t]*:[ \t]*(?P<items>[^\n]+)")
_ITEM = re.compile(rf"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?[ \t]+)?(?P<n>{_NAME})[ \t]*(?:\([^)\n]*\))?")
_SPEAKER = re.compile(
    rf"(?m)(?:^|\][ \t]*)(?i:agent|rep|representative|advisor|adviser|operator|engineer|"
    rf"support|technician|specialist|host|moderator)[ \t]+(?:\((?P<a>{_CAP})\)|(?P<b>{_CAP}))"
    rf"[ \t]*:")
_LINE_NAME = re.compile(r"(?m)^[ \t]*(?:[-•*][ \t]*)?(?P<n>[A-Z][a-z]+)[ \t]*:")
_INTRO = re.compile(r"(?=[iItTmMnN])(?i:(?<![a-z])(?:i'm|i am|this is|my name is|it's|it is|"
                    r"name's))[ \t]+"
                    r"(?P<n>[A-Za-z][a-z'\-]+|[A-Z][a-zA-Z'\-]+)"
                    r"(?:[ \t]+(?P<m>[A-Za-z][a-z'\-]+|[A-Z][a-zA-Z'\-]+))?")
_ALONE = re.compile(r"(?m)^[ \t]*(?P<n>[A-Z][a-z]+)[ \t]*$"
                    r"|(?=[TtAaFf])(?:[Tt]his is|[Aa]ssigned to|[Ff]rom)"
                    r"[ \t]+(?P<m>[A-Z][a-z]+)(?=[ \t.,]|$)")
# A given name alone in a sentence, when a verb (or "from") follows it: "Jennifer from legal
# will join; Hassan can't make it."
_LONE = re.compile(r"(?=[A-Z])(?<![A-Za-z'\-])(?P<n>[A-Z][a-z]{2,})[ \t]+"
                   r"(?:from|will|won't|can|can't|cannot|could|would|is|was|has|had|said|says|"
                   r"asked|wrote|called|agreed|joined|left|reported|confirmed|mentioned|"
                   r"suggested|replied|noted|thinks|thought|wants|needs|to)(?![a-z])")
# Who did something: "Reported by Nikolai Petrov", "spoke with Danielle Wright".
_BY = re.compile(
    rf"(?=[bBwWtT])(?<![A-Za-z])(?P<verb>by|with|to|By|With|To)[ \t]+"
    rf"(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?"
    rf"(?P<n>{_CAP}(?:[ ]{_CAP}){{0,2}})")
_BY_VERB_LIST = """reported processed approved prepared signed submitted handled reviewed written
requested verified created raised opened closed authorised authorized issued completed"""
_BY_VERBS = {"by": frozenset(_BY_VERB_LIST.split()), "with": frozenset(("spoke", "met")),
             "to": frozenset(("assigned", "escalated"))}
_WORD_END = re.compile(r"([A-Za-z]+)[ \t]+$")
# A chat export: "mike 9:41 AM: …", "sara.lee 9:43 AM"; the handle is a person.
_HANDLE = re.compile(r"(?m)^(?P<n>[a-z][a-z0-9]*(?:[._][a-z0-9]+)*)[ \t]+\d{1,2}:\d{2}"
                     r"(?:[ \t]?[AaPp]\.?[Mm]\.?)?(?![0-9])")
_NOT_HANDLE_LIST = """at from until to by till since before after error warn warning info debug
trace fatal start end meeting call lunch break open close opens closes departs arrives depart
arrive deadline due eta time doors check in out dinner breakfast session day pickup"""
_NOT_HANDLE = frozenset(_NOT_HANDLE_LIST.split())
# Given names that are also words, and so left out of the list: a name before a surname.
_WORD_NAMES_LIST = """Mark Will Bill Rose Jack Grant Hunter Chase Drew Lance Pat Don Guy Art Sue
Bob Ken Rich Ray Frank Dean Joy Hope Faith Iris Ivy Violet Pearl Ruby Amber Crystal Jade"""
_WORD_NAMES = frozenset(_WORD_NAMES_LIST.split())
_CHAT_WORDS_LIST = """and or but from here there calling speaking again the a an in on
at with for to of i my me just ok okay not so back now still also too please thanks thank
hi hello yes no sorry about regarding re and that this it is was"""
_CHAT_WORDS = frozenset(_CHAT_WORDS_LIST.split())
# Given names that are also places, kept out of the lone-name rule ("Virginia is a state").
_PLACES_LIST = """Virginia Georgia Carolina Dakota Jordan Florence Austin Dallas Chelsea
Sydney Victoria Lincoln Madison Charlotte Savannah Phoenix Orlando Aurora Eugene Salem Helena
Regina Adelaide Alexandria Augusta Brooklyn Camden Denver Houston Kent Israel Kenya Chad India
China Paris Nevada Montana Devon Memphis Troy Tyler"""
_PLACES = frozenset(_PLACES_LIST.split())
_WORD_BEFORE = re.compile(rf"({_CAP})[ ]$")
_EMAIL_LOCAL = re.compile(r"([A-Za-z][A-Za-z0-9._+\-]*)@[A-Za-z0-9\-]+\.")
_MAILBOXES_LIST = """info admin sales support help hello contact office team orders order
billing accounts account finance careers jobs press media noreply reply mail enquiries
service services hr legal privacy security webmaster marketing ap ar payroll desk
helpdesk it ops operations graduates recruiting recruitment shop store"""
_MAILBOXES = frozenset(_MAILBOXES_LIST.split())
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
Of With Regarding Re Fw Fwd Yes No Ok Okay Also Sorry Just All Any Some Each Every Dear
Professor Doctor Miss Mx Sir Dame Madam Lord Lady Rev Captain Chair Chairman President Agent
Officer Engineer Bot Customer Caller Store Shop Agent Action Actions Present Apologies Next
Total Amount Tax Due Ship Deliver Tracking Weight Priority Mail Subtotal Status Summary"""
_NOT_NAME = NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
_ORG_WORDS_LIST = """Inc Corp Co Ltd LLC LLP PLC GmbH AG KK Company Corporation Limited Group
Holdings Bank University College Hospital Clinic Partners Associates Technologies Systems
Solutions Labs Industries Insurance Trust Foundation Institute Services Parts Logistics
Trading Capital Studio Studios Market Foods Legal Department Team Office"""
_ORG_WORDS = frozenset(_ORG_WORDS_LIST.split())


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


def _norm(word: str) -> str:
    """TAKAHASHI → Takahashi, José → Jose: the form the name lists use."""
    word = word.title() if word.isupper() and len(word) > 1 else word
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word)
                       if not unicodedata.combining(c))
    return word


def _in(word: str, names: frozenset[str]) -> bool:
    w = _norm(word)
    return w not in _NOT_NAME and (w in names or "-" in w and any(
        p in names for p in w.split("-")))  # Anne-Marie


def known_name(word: str) -> bool:
    """True for a given name or surname of the bundled lists (not a common word)."""
    first, last = _names()
    return _in(word, first) or _in(word, last)


def find_persons(text: str) -> Iterator[Span]:
    """Person names in English script (also inside Japanese text), with later mentions."""
    persons = list(_persons(text))
    yield from persons
    yield from _mentions(text, persons)
    yield from _email_names(text)


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
    yield from _fields(text)
    for m in _ALONE.finditer(text):
        key = "n" if m.group("n") else "m"
        if _in(m.group(key), first):
            yield Span(m.start(key), m.end(key), "PERSON", 0.7, "rule")
    for rx in (_GREETING, _SIGNOFF):
        for m in rx.finditer(text):
            name = m.group("n")
            if name.split()[0] not in _NOT_NAME:
                yield Span(m.start("n"), m.end("n"), "PERSON", 0.75, "rule")
    yield from _chat(text, first, last)


def _fields(text: str) -> Iterator[Span]:
    """Form fields (Name:, Last name:, Assignee:) and lists of people (Present: A, B)."""
    for m in _FIELD.finditer(text):
        value, start = m.group("n"), m.start("n")
        words = value.replace(",", " ").split()
        if words[0] in _NOT_NAME or "'" in words[0] or any(w in _ORG_WORDS for w in words):
            continue
        if "," in value and not known_name(words[-1]):
            value = value[:value.index(",")]  # "Smith, Acme Ltd": the comma ends the name
            words = value.split()
        if len(words) == 1 and not (_PART_LABEL.fullmatch(m.group("label").strip())
                                    or known_name(words[0])):
            continue
        yield Span(start, start + len(value), "PERSON", 0.8, "rule")
    for m in _LIST.finditer(text):
        for item in _ITEM.finditer(m.group("items")):
            words = item.group("n").split()
            if words[0] in _NOT_NAME or any(w in _ORG_WORDS for w in words) or (
                    len(words) == 1 and not known_name(words[0])):
                continue
            start = m.start("items") + item.start("n")
            yield Span(start, start + len(item.group("n")), "PERSON", 0.8, "rule")


def _chat(text: str, first: frozenset[str], last: frozenset[str]) -> Iterator[Span]:
    """Chat speakers (Agent Tom:), notes by name (- Marcus: …), self-introductions."""
    for m in _SPEAKER.finditer(text):
        key = "a" if m.group("a") else "b"
        if m.group(key) not in _NOT_NAME:
            yield Span(m.start(key), m.end(key), "PERSON", 0.8, "rule")
    for m in _LINE_NAME.finditer(text):
        if _in(m.group("n"), first):
            yield Span(m.start("n"), m.end("n"), "PERSON", 0.75, "rule")
    for m in _INTRO.finditer(text):
        given, family = m.group("n"), m.group("m")
        if given.islower() and (given in _CHAT_WORDS or not _in(given.title(), first)) \
                or not (_in(given.title(), first) or _in(given.title(), last)):
            continue  # "this is fine": a lower-case word must be a given name
        end = m.end("n")
        if family and (_in(family.title(), last) or _in(family.title(), first)
                       or family[0].isupper() and family not in _NOT_NAME
                       or given.islower() and family.islower() and family not in _CHAT_WORDS):
            end = m.end("m")  # "i'm priya sharma": a chat written in lower case
        yield Span(m.start("n"), end, "PERSON", 0.8, "rule")
    for m in _BY.finditer(text):
        verb = _WORD_END.search(text, max(0, m.start() - 16), m.start())
        if verb is None or verb.group(1).lower() not in _BY_VERBS[m.group("verb").lower()]:
            continue
        words = m.group("n").split()
        if words[0] not in _NOT_NAME and not any(w in _ORG_WORDS for w in words) and (
                len(words) > 1 or known_name(words[0])):
            yield Span(m.start("n"), m.end("n"), "PERSON", 0.8, "rule")
    yield from _handles(text)
    for m in _LONE.finditer(text):
        if _in(m.group("n"), first) and m.group("n") not in _PLACES:
            yield Span(m.start("n"), m.end("n"), "PERSON", 0.7, "rule")


def _handles(text: str) -> Iterator[Span]:
    """Chat-export speakers (a handle before a time) and @mentions of them."""
    speakers: dict[str, int] = {}
    for m in _HANDLE.finditer(text):
        if m.group("n") not in _NOT_HANDLE:
            speakers[m.group("n")] = speakers.get(m.group("n"), 0) + 1
    # a handle counts when it speaks twice, is @mentioned, or looks like a user name (sara.lee)
    handles = {h for h, n in speakers.items()
               if n > 1 or "@" + h in text or "." in h or "_" in h}
    for start, end in word_spans(text, handles, "A-Za-z0-9._", "A-Za-z0-9_"):
        if text.startswith(".", end) and end + 1 < len(text) and text[end + 1].isalnum():
            continue
        yield Span(start, end, "PERSON", 0.75, "rule")


def _pair(words: list[tuple[int, str]], i: int, first: frozenset[str],
          last: frozenset[str]) -> int | None:
    """Index of the last word of a name starting at word i (John Smith, John Q. Smith,
    Taro Yamada, Yamada Taro, TAKAHASHI Ren), or None."""
    f = words[i][1]
    if _norm(f) in _NOT_NAME or f.endswith("."):
        return None
    j = i + 1
    if j < len(words) - 1 and words[j][1].endswith("."):  # middle initial
        j += 1
    ln = words[j][1]
    if _norm(ln) in _NOT_NAME or ln.endswith("."):
        return None
    if not (_in(f, first) or _in(f, last) and _in(ln, first)
            or _norm(f) in _WORD_NAMES and _in(ln, last)):
        return None
    if j + 1 < len(words) and not words[j + 1][1].endswith(".") and (
            _in(words[j + 1][1], first) or _in(words[j + 1][1], last)):
        return j + 1  # Nguyen Thi Lan
    return j


def _mentions(text: str, persons: list[Span]) -> Iterator[Span]:
    """Surnames and given names of people already found, mentioned again alone."""
    parts = {w for s in persons for w in text[s.start:s.end].replace(",", " ").split()
             if len(w) > 2 and w[0].isupper() and not w.endswith(".") and w not in _NOT_NAME}
    for start, end in word_spans(text, parts):
        yield Span(start, end, "PERSON", 0.7, "rule")


def _email_names(text: str) -> Iterator[Span]:
    """Capitalised words spelled like a part of an e-mail's local part (Farid, farid.haddad@)."""
    if "@" not in text:
        return
    parts = {p for m in _EMAIL_LOCAL.finditer(text) for p in re.split(r"[._+\-0-9]+", m.group(1))
             if len(p) > 2 and p.lower() not in _MAILBOXES}
    for start, end in word_spans(text, {p.title() for p in parts} - _NOT_NAME, "A-Za-z@.",
                                 "A-Za-z@"):
        before = _WORD_BEFORE.search(text, max(0, start - 30), start)
        if before and before.group(1) not in _NOT_NAME:  # Priyanka Shah (p.shah@…)
            start = before.start(1)
        yield Span(start, end, "PERSON", 0.7, "rule")
