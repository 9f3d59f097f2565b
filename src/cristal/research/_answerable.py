"""Answerability: does the evidence answer *this* subject and *this* attribute?

A sentence can resemble a question without answering it. Three outcomes:
- answered: some of the best sentences carry what is asked (its words or the lexicon's
  synonyms, or its meaning across languages) for the value asked about;
- a neighbour only: the closest evidence states the fact for another value of the same
  slot (国内 for 海外, 課長 for 取締役, the late fee for the annual fee), or the evidence's
  own document says the asked value is dealt with elsewhere (「海外出張については別に
  定める」), or the subject named in the question occurs in no document;
- nothing: no sentence comes close.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cristal.knowledge import query_terms, split_sentences
from cristal.research._evidence import Sentence
from cristal.research._focus import focus_excluded
from cristal.research._lexicon import Lexicon
from cristal.research._plan import entities
from cristal.research._terms import canonical
from cristal.research._types import SubQuestion

__all__ = ["FOCUS_SHARE", "Neighbour", "Verdict", "answers", "judge", "mark_contrasts"]

FOCUS_SHARE = 0.6  # of the focus's weight the answering sentence (or its heading) carries

# A sentence that puts a case out of the document's scope or refers it elsewhere.
_EXCLUSION = re.compile(
    r"別に定め|別途定め|別途|対象外|適用しない|適用せず|除く|除き|含まない|"
    # a referral (「通勤手当規程（HR-330）による」), not a means (「公示仲値により換算する」)
    r"(?:規程|規則|規定|定め|ところ|要領|細則|基準|約款|契約|法令?|別表\d*|[」）)])によ(?:る|り)|"
    r"does not apply|do not apply|not covered|excluded|exclude|except|separate(?:ly)?|"
    r"governed by|not eligible|ineligible", re.I)


@dataclass(slots=True)
class Neighbour:
    """Evidence for a close neighbour of what was asked, shown as such, never as the answer."""

    kind: str  # contrast | excluded | absent
    asked: str
    found: str
    sentences: list[tuple[Sentence, int, int]] = field(default_factory=list)  # doc spans


@dataclass(slots=True)
class Verdict:
    """Whether a sub-question is answered, and the neighbour when only one exists."""

    found: bool
    neighbour: Neighbour | None = None


def answers(sub: SubQuestion, s: Sentence, lang: str, other_subject: bool,
            any_name: bool = False) -> bool:
    """Does this sentence plausibly answer the sub-question (not just resemble it)?

    `other_subject`: documents in the question's language say this for a different
    named subject, or speak of what is asked, so a cross-lingual match must be closer.
    `any_name`: judge as if the sentence named the product asked about (to find a
    sibling's answer).
    """
    if sub.answer_type in ("amount", "count", "time") and not s.cue:
        return False
    similarity = s.similarity or 0.0
    if s.entity < 0.5:
        return False  # about another company, product or project than the one asked
    if s.passage.lang != lang:  # cross-lingual: no shared words to count on
        if s.named < 0.99 and not any_name:
            return False  # another model's code ("SW-20" for 「S-200」)
        if s.similarity is None:  # no vectors yet: only words glossed in its language
            return s.script >= 0.5 or (s.script >= 0.3 and s.cue > 0)
        return similarity >= (0.84 if other_subject else 0.80)
    if s.named < 0.99 and not any_name:
        return False  # a sibling product ("Silver Rewards" for "Gold Rewards")
    if s.focus is not None:
        if s.focus < FOCUS_SHARE:
            return False  # about the product, but not what is asked of it (weight, late fee)
    elif s.attribute < 0.3 and similarity < 0.9:
        return False  # names the product asked about, but not what is asked of it
    # Words the sentence leaves to its document (the company named once at the top)
    # count for half.
    coverage = min(1.0, s.lexical + 0.5 * s.document)
    return (coverage >= 0.5 or (coverage >= 0.3 and s.cue > 0)
            or (similarity >= 0.86 and (coverage >= 0.15 or s.cue > 0)))


def question_terms(sub: SubQuestion) -> set[str]:
    """The canonical terms of a sub-question and its context."""
    return {canonical(t) for t in query_terms(f"{sub.text} {sub.context}")}


def mark_contrasts(ranked: list[Sentence], sub: SubQuestion, lexicon: Lexicon,
                   lang: str = "en") -> None:
    """Note on each sentence the contrast value it names instead of the one asked.

    A question about what a thing is not (「MXシリーズ以外の機械」, "other than the Gold
    card") has that thing as its contrast: a sentence about it is a neighbour.
    """
    asked = question_terms(sub)
    valued = bool(lexicon.values(asked))
    excluded = focus_excluded(sub.text)
    not_terms = frozenset(canonical(t) for t in query_terms(excluded or "", compounds=False))
    label = (f"{excluded}以外" if lang == "ja" else f"other than {excluded}") if excluded else ""
    for s in ranked:
        s.contrast = lexicon.contrast(asked, set(s.terms) | set(s.headings)) if valued else None
        if not_terms and s.contrast is None and not_terms <= (s.terms | s.headings | s.lead):
            s.contrast = (label, excluded)


def judge(sub: SubQuestion, ranked: list[Sentence], lang: str, lexicon: Lexicon,
          document_text: dict[str, str]) -> Verdict:
    """Answered, only a neighbour, or nothing (see the module docstring).

    A placeholder ("[value not available]") that matches the question at least as
    well as any real answer means the documents do not give the value.
    `document_text` maps document ids to their parsed text (for the exclusion check).
    """
    candidates = [s for s in ranked[:20] if not s.heading]
    # Documents in the question's language speak of another subject, or of what is asked
    # (for some other value, 役員 vs 課長): a match across languages must be closer.
    other_subject = any(s.passage.lang == lang and (
        (s.entity < 0.5 and s.lexical >= 0.3)
        or (s.focus is not None and s.focus >= FOCUS_SHARE and not s.heading))
        for s in ranked[:20])
    plain = [s for s in candidates if s.contrast is None][:6]
    good = [s for s in plain if not s.placeholder and answers(sub, s, lang, other_subject)]
    near = [s for s in candidates[:6] if s.contrast is not None and not s.placeholder
            and answers(sub, s, lang, other_subject)]
    if good and near and near[0].score > 1.2 * good[0].score:
        good = []  # the closest evidence is about another value; what is left is weaker
    if good:
        best = max(s.lexical for s in good)
        if any(s.placeholder and s.lexical >= best - 0.05 for s in plain):
            return Verdict(False)
        excluded = _excluded(sub, good[0], lexicon, document_text)
        return Verdict(False, excluded) if excluded else Verdict(True)
    if near:
        asked, found = near[0].contrast
        return Verdict(False, Neighbour("contrast", asked, found,
                                        [(s, s.start, s.end) for s in near[:2]]))
    # The fact is given, but for a sibling of the product asked about (the late fee of
    # the EcoCard, not of the Silver Zoom card; the MX-2200's warranty, not the MX-2000's).
    sibling = [s for s in plain if not s.placeholder and s.named < 0.99
               and s.passage.lang == lang and answers(sub, s, lang, other_subject, True)]
    asked = _names_asked(sub, lang)
    if sibling and asked:
        return Verdict(False, Neighbour("contrast", asked, _subject(sibling[0]),
                                        [(s, s.start, s.end) for s in sibling[:2]]))
    return Verdict(False)


def _names_asked(sub: SubQuestion, lang: str) -> str:
    """The product or code the sub-question names ("Silver Zoom card", 「MX-2000」)."""
    found = [e for e in entities(sub.text, lang)
             if any(c.isupper() or c.isdigit() for c in e)]
    return found[0].removeprefix("the ").strip() if found else ""


def _subject(s: Sentence) -> str:
    """What a sentence's document is about: its title, cut at a colon when long."""
    title = (s.passage.title or s.passage.doc).strip()
    if len(title) > 30:
        title = re.split(r"[:：|]", title)[0].strip() or title
    return title


def _excluded(sub: SubQuestion, best: Sentence, lexicon: Lexicon,
              document_text: dict[str, str]) -> Neighbour | None:
    """The best answer's document says the value asked about is dealt with elsewhere."""
    asked = question_terms(sub)
    reach = set(best.terms) | set(best.headings)
    text = document_text.get(best.passage.document_id)
    if not text:
        return None
    for i, named in lexicon.values(asked).items():
        phrases = [p for j in named for p in lexicon.contrasts[i][j]]
        if any(p.within(reach) for p in phrases):
            continue  # the answer is about the value asked
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if not _EXCLUSION.search(sentence):
                continue
            terms = {canonical(t) for t in query_terms(sentence)}
            if any(p.within(terms) for p in phrases):
                label = lexicon.label(i, named[0], asked)
                return Neighbour("excluded", label, label, [(best, start, end)])
    return None
