"""Reading evidence: score the sentences of retrieved passages against a sub-question.

A sentence's score mixes four signals, each in [0, 1]:
- lexical: IDF-weighted share of the sub-question's terms found in the sentence
  (terms found only in its headings or document title count half);
- semantic: cosine similarity of the sentence to the sub-question (multilingual
  e5, so a Japanese question scores English sentences), scaled within the pool;
- type: the sentence carries what the question asks for (an amount for "how
  much", a duration for "how long", a role for "who"...);
- rank: how well its passage ranked in search;
- document: question terms found elsewhere in the same document (a policy names its
  company once at the top, not in every sentence).
Placeholders such as "[value not available]" never count as answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from cristal.knowledge import Passage, query_terms, split_sentences
from cristal.research._ranges import asked_amount as amount_in
from cristal.research._ranges import fit
from cristal.research._refs import defers
from cristal.research._terms import SYNONYM_WEIGHT, canonical
from cristal.research._types import SubQuestion

__all__ = [
    "Sentence", "candidate_sentences", "expand_block", "has_answer_cue", "score_sentences",
]

_CURRENCY = r"(?:usd|sgd|aud|nzd|cad|hkd|eur|gbp|chf|jpy|cny|rmb|krw|twd|thb|myr|idr|php|vnd|inr)"
_MONEY = (rf"[$¥€£]\s?\d|\b{_CURRENCY}\s?\d|\d[\d,]*(?:\.\d+)?\s?(?:円|万円|千円|億円|ドル|ユーロ|"
          rf"ポンド|元|ウォン|dollars?|euros?|pounds?|yen|{_CURRENCY}\b|%|％)")
_CUES = {
    "amount": re.compile(_MONEY + r"|\d[\d,.]*\s?(?:points?|点)", re.I),
    "count": re.compile(r"\d|[一二三四五六七八九十百千]+(?:件|回|日|台|点|人|名|文字|年|週)", re.I),
    "time": re.compile(
        r"\d+\s?(?:business\s+)?(?:days?|weeks?|months?|years?|hours?|minutes?)|"
        r"\d+\s?(?:営業日|日|週間|週|か月|ヶ月|カ月|年|時間|分)|\d{1,2}:\d{2}|翌月|翌日|即日|当日|"
        r"毎月|毎年|"
        r"以内|までに|まで|前|後|ごと|毎|within|before|after|by\s|until|immediately|same day",
        re.I),
    "person": re.compile(
        r"manager|director|officer|committee|board|department|team|head|president|ceo|cfo|"
        r"supervisor|approv\w*|contact|call|\d{2,4}-\d{2,4}-\d{3,4}|@|部長|課長|本部長|取締役|"
        r"社長|役員|委員会|部門|担当|承認|決裁|窓口|連絡|センター|係|内線|ヘルプデスク|help ?desk|"
        r"extension", re.I),
    "method": re.compile(r"via|through|using|use|must be sent|encrypted|system|portal|方法|経由|"
                         r"システム|使用|利用|送付|暗号|パスワード", re.I),
    "yesno": re.compile(r"\b(?:yes|no|not|only|free|covered|included|waived|eligible)\b|"
                        r"無償|有償|対象|できる|できない|不要|必要|可能|不可|含む|除く", re.I),
}
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|"
          r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_DATE = re.compile(
    rf"\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b|"
    r"\b\d{4}[-/]\d{1,2}[-/]\d{1,2}\b|(?:令和|平成)?\d{1,4}年\d{1,2}月(?:\d{1,2}日)?|"
    r"\d{1,2}月\d{1,2}日", re.I)
# A number that is part of a name: after a letter or katakana word (「Prism 185」, 「MX-2200」).
_PRODUCT_NUMBER = re.compile(r"[A-Za-z\u30a0-\u30ff][\w\u30a0-\u30ff・-]*?[\s-]?(\d+)(?![\d.,])")
_PLACEHOLDER = re.compile(r"\[\s*value not available\s*\]|\bN/A\b|\bTBD\b|未定|記載なし", re.I)
_HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]")


_TABLE_LINE = re.compile(r"^[ \t]*\|")
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*+•・]|\d{1,3}[.)）]|[①-⑳])[ \t]*")
# "the following …" (「次の方法で確認を行う。」, 「次の者の承認を得る。」): the list or table
# below is the content (widened only when one follows).
_LEADS_IN = re.compile(r"[:：]\s*$|次表|次の|以下の|下表|as follows|"
                       r"the following|table below", re.I)
_MAX_BLOCK = 1200
# A condition on what an English sentence states ("… with a premium subscription: 0%",
# "If you maintain the premium subscription, …"), up to the next punctuation.
_CONDITION = re.compile(r"\b(?:with|without|if|unless)\b[^,.;:()\n]*", re.I)


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def expand_block(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a quote to the whole table it is a row of, the table/list it introduces,
    or the items indented under the list item it is.

    A table row alone ("| G4 | 3,000円 |") loses its column names; a sentence such as
    "approvers are as in the following table" is only useful with the table. The block
    stays verbatim (offsets into `text`) and is kept only if it is not too long.
    """
    lines = _lines(text)
    here = next((i for i, (a, b) in enumerate(lines) if a <= start <= b), None)
    if here is None:
        return start, end
    first = last = here
    if _TABLE_LINE.match(text[lines[here][0]:lines[here][1]]):
        while first > 0 and _TABLE_LINE.match(text[slice(*lines[first - 1])]):
            first -= 1
        while last + 1 < len(lines) and _TABLE_LINE.match(text[slice(*lines[last + 1])]):
            last += 1
    elif _LEADS_IN.search(text[start:end]):
        nxt = here + 1
        while nxt < len(lines) and not text[slice(*lines[nxt])].strip():
            nxt += 1
        pattern = None
        if nxt < len(lines):
            line = text[slice(*lines[nxt])]
            pattern = _TABLE_LINE if _TABLE_LINE.match(line) else (
                _LIST_LINE if _LIST_LINE.match(line) else None)
        if pattern is not None:
            last = nxt
            while last + 1 < len(lines) and pattern.match(text[slice(*lines[last + 1])]):
                last += 1
        else:
            return start, end
    elif _LIST_LINE.match(text[slice(*lines[here])]):
        # "- Error 903 — Account closure request blocked" is a label; what to do about
        # it is in the items indented under it.
        line = text[slice(*lines[here])]
        indent = len(line) - len(line.lstrip())
        while last + 1 < len(lines):
            below = text[slice(*lines[last + 1])]
            if not below.strip() or len(below) - len(below.lstrip()) <= indent:
                break
            last += 1
        if last == here:
            return start, end
    else:
        return start, end
    block_start = start if first == here else lines[first][0]
    block_end = max(end, lines[last][1])
    block = text[block_start:block_end]
    stripped = len(block) - len(block.lstrip())
    block_start += stripped
    block_end = block_start + len(text[block_start:block_end].rstrip())
    if block_end - block_start > _MAX_BLOCK:
        return start, end
    return block_start, block_end


# The counter a question asks for (「何年」「何kW」, "how many days"), and how a sentence
# in either language states a number of it. A number of something else (「15年間保管」
# for 「何時間」, "3 months" for "how many days") does not answer.
_KANJI_NUMBER = r"[一二三四五六七八九十百千]+"
# English documents also write numbers as words ("within thirty days").
_EN_NUMBER = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
              r"fourteen|fifteen|twenty|thirty|forty|forty-five|sixty|ninety|hundred)")
_COUNTERS: dict[str, str] = {
    "year": r"(?<![\d,])\d{1,3}\s?(?:年|か年|ヵ年|カ年)(?!\d{1,2}月)|" + _KANJI_NUMBER
            + rf"年|\b{_EN_NUMBER}\s?years?\b",
    "day": r"\d+\s?(?:営業日|日)|" + _KANJI_NUMBER
           + rf"日|\b{_EN_NUMBER}\s?(?:business\s+|calendar\s+)?days?\b",
    "month": r"\d+\s?(?:か月|ヶ月|カ月|ケ月|箇月|ヵ月)|" + _KANJI_NUMBER
             + rf"(?:か月|ヶ月|カ月)|\b{_EN_NUMBER}\s?months?\b",
    "week": r"\d+\s?週|" + _KANJI_NUMBER + rf"週|\b{_EN_NUMBER}\s?weeks?\b",
    "hour": r"\d+(?:\.\d+)?\s?(?:時間|h\b)|" + _KANJI_NUMBER
            + rf"時間|\b{_EN_NUMBER}\s?hours?\b",
    "minute": rf"\d+\s?分(?!の)|\b{_EN_NUMBER}\s?minutes?\b",
    "percent": r"\d+(?:\.\d+)?\s?[%％]|\d割|" + _KANJI_NUMBER + r"割|\bpercent",
    "times": r"\d+\s?回|" + _KANJI_NUMBER + rf"回|\b{_EN_NUMBER}\s?times\b|\b(?:once|twice)\b",
    "people": r"\d+\s?(?:人|名)|" + _KANJI_NUMBER
              + rf"(?:人|名)|\b{_EN_NUMBER}\s?(?:people|persons)\b",
}
_JA_COUNTER_KEYS = {"年": "year", "日": "day", "日間": "day", "か月": "month", "ヶ月": "month",
                    "カ月": "month", "ケ月": "month", "週": "week", "週間": "week",
                    "時間": "hour", "分": "minute", "%": "percent", "％": "percent",
                    "回": "times", "人": "people", "名": "people"}
_JA_ASKED_COUNTER = re.compile(
    r"何(年|日間|日|か月|ヶ月|カ月|ケ月|週間|週|時間|分|%|％|回|人|名|歳|点|枚|社|台|件|"
    r"[A-Za-z]{1,3}(?![A-Za-z]))")
_EN_ASKED_COUNTER = re.compile(
    r"\bhow many (?:business )?(day|week|month|year|hour|minute)s?\b|"
    r"\bwhat (?:percent(?:age)?|%)", re.I)


# A noun that only completes the question word (「どのタイミング」 is when, 「どの程度」 how
# much): no answer carries it.
_QUESTION_PHRASE = re.compile(r"どの(?:タイミング|時期|時点|段階|程度|辺|へん)")


def asked_counter(question: str) -> re.Pattern[str] | None:
    """How a sentence states the counter `question` asks for (None: it asks for none)."""
    m = _JA_ASKED_COUNTER.search(question)
    if m is not None:
        unit = m.group(1)
        if unit in _JA_COUNTER_KEYS:
            return re.compile(_COUNTERS[_JA_COUNTER_KEYS[unit]], re.I)
        if unit.isascii():  # 「何kW」「何km」
            return re.compile(rf"\d[\d,.]*\s?{re.escape(unit)}(?![A-Za-z])", re.I)
        return re.compile(rf"\d+\s?{re.escape(unit)}|{_KANJI_NUMBER}{re.escape(unit)}")
    m = _EN_ASKED_COUNTER.search(question)
    if m is not None:
        return re.compile(_COUNTERS[(m.group(1) or "percent").lower()], re.I)
    return None


def has_answer_cue(text: str, kind: str) -> bool:
    """True when `text` carries the kind of content a question of type `kind` wants."""
    cue = _CUES.get(kind)
    if kind == "count":  # a calendar date ("Last updated 12 August 2021") counts nothing
        text = _DATE.sub(" ", text)
    return bool(cue.search(text)) if cue else False


@dataclass(slots=True)
class Sentence:
    """A candidate sentence: its absolute span in the document and its scores."""

    passage: Passage
    start: int
    end: int
    text: str
    rank: int  # the passage's rank for this sub-question (1 = best)
    heading: bool = False  # a heading, or a question (an FAQ's Q line): never an answer
    placeholder: bool = False
    terms: set[str] = field(default_factory=set)
    lexical: float = 0.0
    semantic: float = 0.0
    cue: float = 0.0
    document: float = 0.0  # share of the question's terms found elsewhere in the document
    entity: float = 1.0  # share of the question's names (company, product, code) in reach
    attribute: float = 1.0  # share of what is asked about those names, in the sentence
    focus: float | None = None  # share of the question's focus (「重さ」, "late fee") in reach
    named: float = 1.0  # share of the capitalised name words asked about, in reach
    script: float = 0.0  # lexical match counting only question words in the sentence's script
    similarity: float | None = None  # raw cosine similarity to the sub-question
    score: float = 0.0
    headings: frozenset[str] = frozenset()  # terms of its passage's headings and title
    lead: frozenset[str] = frozenset()  # terms of the heading or question line it answers
    contrast: tuple[str, str] | None = None  # (value asked, other value it names instead)
    range_fit: int = 0  # +1: its amount range holds the amount asked; -1: excludes it


_BARE_REPLY = re.compile(r"(?:yes|no|はい|いいえ|ええ|いえ)[.!,、。！]?", re.I)


def candidate_sentences(passages: list[Passage], ranks: dict[int, int] | None = None,
                        limit_per_passage: int = 40) -> list[Sentence]:
    """The sentences of passages; `ranks` gives each chunk's search rank (else list order)."""
    out: list[Sentence] = []
    for position, passage in enumerate(passages, start=1):
        rank = (ranks or {}).get(passage.chunk_id, position)
        text = passage.text
        lead: frozenset[str] = frozenset()
        for s, e in split_sentences(text)[:limit_per_passage]:
            quote = text[s:e]
            if len(quote.strip()) < 2:
                continue
            line_start = text.rfind("\n", 0, s) + 1
            # "Yes." alone says nothing of what it answers: the sentence after it does.
            bare = bool(_BARE_REPLY.fullmatch(quote.strip()))
            sentence = Sentence(
                passage=passage, start=passage.start + s, end=passage.start + e, text=quote,
                rank=rank, heading=bool(_HEADING_LINE.match(text[line_start:s + 1]))
                or quote.rstrip().endswith(("?", "？", "?**", "？**")) or bare,
                placeholder=bool(_PLACEHOLDER.search(quote)),
                terms={canonical(t) for t in query_terms(quote)}, lead=lead,
            )
            if sentence.heading and not bare:  # an FAQ's answer is about the question line
                lead = frozenset(sentence.terms)
            out.append(sentence)
    return out


def _lexical(sentence: Sentence, weights: dict[str, float], context: set[str],
             document: set[str], alternatives: dict[str, list[frozenset[str]]],
             ) -> tuple[float, float]:
    """(sentence-and-headings match, match found only elsewhere in the document).

    A term the sentence lacks still counts, at reduced weight, when a phrase of the
    lexicon that means the same stands there (「PC」 / 「貸与端末」).
    """
    total = sum(weights.values())
    if not total:
        return 0.0, 0.0
    got = doc = 0.0
    for term, weight in weights.items():
        others = alternatives.get(term, ())
        if term in sentence.terms:
            got += weight
        elif any(alt <= sentence.terms for alt in others):
            got += SYNONYM_WEIGHT * weight
        elif term in context or any(alt <= context for alt in others):
            got += 0.5 * weight
        elif term in document:
            doc += weight
    return got / total, doc / total


def _carried(weights: dict[str, float], near: set[str] | frozenset[str],
             alternatives: dict[str, list[frozenset[str]]]) -> float:
    """The weight of `weights`' terms found in `near` (a lexicon synonym at its weight)."""
    got = 0.0
    for t, w in weights.items():
        if t in near:
            got += w
        elif any(alt <= near for alt in alternatives.get(t, ())):
            got += SYNONYM_WEIGHT * w
    return got


def score_sentences(
    sentences: list[Sentence],
    sub: SubQuestion,
    idf: dict[str, float],
    query_vector: np.ndarray | None,
    sentence_vectors: dict[tuple[str, int], np.ndarray],
    lang: str | None = None,
    documents: dict[str, set[str]] | None = None,
    entity_terms: set[str] | None = None,
    alternatives: dict[str, list[frozenset[str]]] | None = None,
    name_terms: set[str] | None = None,
    focus_terms: dict[str, float] | None = None,
    openings: dict[str, set[str]] | None = None,
    reached: dict[str, set[str]] | None = None,
) -> list[Sentence]:
    """Score every sentence for `sub`; return them best first.

    `focus_terms` weighs the terms of what the question asks about (see `_focus.py`);
    `openings` holds the terms of each document's title and first lines, where a
    document says what it is about (names asked about must be within that reach).
    `reached` maps a document to entity terms it counts as naming although it does not
    (a product code of the question's background, for a rule that names no product).
    """
    # A phrase pointing back (「その会議」) stands for what the answer before named
    # (「取締役会規程」, GA-001): the answer carries those words, not the pointing ones.
    asking = sub.text.replace(sub.pointed, f" {sub.referent} ") if sub.pointed else sub.text
    own = [canonical(t) for t in query_terms(_QUESTION_PHRASE.sub(" ", asking))]
    extra = [canonical(t) for t in query_terms(sub.context)] if sub.context else []
    extra = [t for t in extra if t not in own]
    weights = {t: idf.get(t, 1.0) for t in own}
    # Background counts for half, unless the question itself names at most one thing
    # (「仕入先の評価っていつ？点数低かったらどうなるの？」: the second asks about the first's
    # topic, which it leaves out).
    share = 0.5 if sum(1 for t in own if idf.get(t, 1.0) > 0) > 1 else 1.0
    weights.update({t: share * idf.get(t, 1.0) for t in extra})
    heading_terms: dict[int, set[str]] = {}
    counter = asked_counter(sub.text)
    typed = sub.answer_type in ("amount", "count", "time")
    for s in sentences:
        p = s.passage
        if p.chunk_id not in heading_terms:
            heading_terms[p.chunk_id] = {canonical(t) for t in query_terms(
                " ".join([p.title or "", *p.heading_path]))}
        s.headings = frozenset(heading_terms[p.chunk_id])
        s.lexical, s.document = _lexical(s, weights, heading_terms[p.chunk_id],
                                         (documents or {}).get(p.document_id, set()),
                                         alternatives or {})
        # A sentence that hands the value to another document answers by pointing there
        # (the second hop reads it): "a charge applies under section 5 of the Returns
        # Policy (SWS-W01)", 「日数は在宅勤務規程（HR-07）に定める」.
        s.cue = 1.0 if (has_answer_cue(s.text, sub.answer_type) and (
            counter is None or counter.search(s.text))) or (
            typed and s.passage.lang == lang and defers(s.text, sub.text)) else 0.0
    # A question may gloss its names in the other language (「青葉損害保険（Aoba
    # Insurance）」): without vectors, a sentence in that language is matched on those
    # words alone.
    numbers = {m.group(1) for m in _PRODUCT_NUMBER.finditer(sub.text)}
    for s in sentences:
        if lang and s.passage.lang != lang and query_vector is None:
            ascii_side = s.passage.lang == "en"
            # The question's words in the sentence's script, and those the lexicon
            # writes in it (発注 → purchase, 承認 → approval).
            mine = {t: w for t, w in weights.items() if t.isascii() == ascii_side or any(
                all(x.isascii() == ascii_side for x in alt)
                for alt in (alternatives or {}).get(t, ()))}
            near = s.terms | heading_terms[s.passage.chunk_id]
            reach = near | (documents or {}).get(s.passage.document_id, set())
            # Product numbers read the same in both languages ("Prism 185", 「プリズム185」),
            # and for a quantity, the lexicon must carry what is asked across (予算 → budget).
            bridged = not typed or any(alt <= near for t in weights if t.isascii() != ascii_side
                                       for alt in (alternatives or {}).get(t, ()))
            if sum(mine.values()) and bridged and numbers <= reach:
                # Names the document states once at the top count for half, as in the
                # question's own language.
                here, elsewhere = _lexical(s, mine, heading_terms[s.passage.chunk_id],
                                           (documents or {}).get(s.passage.document_id, set()),
                                           alternatives or {})
                s.script = min(1.0, here + 0.5 * elsewhere)
    sims = {}
    if query_vector is not None:
        for s in sentences:
            vec = sentence_vectors.get((s.passage.document_id, s.start))
            if vec is not None:
                s.similarity = sims[id(s)] = float(vec @ query_vector)
    if sims:
        # Scale within each language: cross-lingual similarities run lower than
        # same-language ones, and would otherwise always lose.
        for group in {s.passage.lang for s in sentences}:
            members = [s for s in sentences if s.passage.lang == group and id(s) in sims]
            if not members:
                continue
            low = min(sims[id(s)] for s in members)
            spread = max(max(sims[id(s)] for s in members) - low, 1e-6)
            for s in members:
                s.semantic = (sims[id(s)] - low) / spread
    names = {t: weights[t] for t in (entity_terms or ()) if t in weights}
    if names:
        # A template shared by many documents (one policy per company) only answers
        # for the company the question names: gate on the names being within reach.
        total = sum(names.values())
        for s in sentences:
            if lang and s.passage.lang != lang:
                continue  # names are written differently in the other language
            reach = s.terms | heading_terms[s.passage.chunk_id] | \
                (documents or {}).get(s.passage.document_id, set()) | \
                (reached or {}).get(s.passage.document_id, set())
            s.entity = sum(w for t, w in names.items() if t in reach or any(
                alt <= reach for alt in (alternatives or {}).get(t, ()))) / total
    alternatives = alternatives or {}
    named = {t for t in (name_terms or ()) if t in weights}
    # A code ("S-200", "KR-101") is written the same in both languages.
    coded = {t for t in named if any(c.isdigit() for c in t)}
    for s in sentences:
        asked = coded if lang and s.passage.lang != lang else named
        if asked:
            # Every name word asked about ("Gold" of "Gold Rewards Card") within reach:
            # the Silver Rewards Card's annual fee does not answer for the Gold one, nor
            # does a FAQ about the MX-2200 that mentions the MX-2000 further down.
            about = (openings if openings is not None else documents or {}).get(
                s.passage.document_id, set())
            reach = s.terms | heading_terms[s.passage.chunk_id] | s.lead | about | \
                (reached or {}).get(s.passage.document_id, set())
            s.named = sum(1 for t in asked if t in reach or any(
                alt <= reach for alt in alternatives.get(t, ()))) / len(asked)
    if focus_terms:
        focus_total = sum(focus_terms.values())
        focus_words = set(focus_terms).union(
            *(alt for t in focus_terms for alt in alternatives.get(t, ())))
        for s in sentences:
            if lang and s.passage.lang != lang:
                continue  # judged by meaning: the words differ across languages
            near = s.terms | heading_terms[s.passage.chunk_id] | s.lead
            if s.passage.lang == "en" and focus_words & s.terms and \
                    _CONDITION.search(s.text):
                # "Foreign transaction fee with a premium subscription: 0%" gives the fee
                # under a condition, not the subscription's price: words only the
                # condition holds do not carry the focus.
                plain = {canonical(t) for t in query_terms(_CONDITION.sub(" ", s.text))}
                near = (s.terms & plain) | heading_terms[s.passage.chunk_id] | s.lead
            s.focus = _carried(focus_terms, near, alternatives) / focus_total
    # What is asked about the names (the "annual fee" of "the Gold Rewards Card"):
    # the sentence or its headings must carry it, not just the names.
    asked = {t: w for t, w in weights.items()
             if t in own and t not in names and t not in named}
    asked_total = sum(asked.values())
    for s in sentences:
        # Only for amounts, counts and times: the quantity asked has a name of its own
        # ("annual fee"); other questions about a product word ("USB") ask it freely.
        # A name lent by the rest of the question binds the evidence, but the part's
        # own words ("how much does he have to put in?") are not a named quantity.
        if not asked_total or not (names or (named and not sub.lent)) or \
                sub.answer_type not in ("amount", "count", "time"):
            break
        near = s.terms | heading_terms[s.passage.chunk_id]
        s.attribute = _carried(asked, near, alternatives) / asked_total
    asked_amount = amount_in(f"{sub.text} {sub.context}")
    for s in sentences:
        rank_prior = 1.0 / math.sqrt(s.rank)
        lexical = s.lexical
        if lang and s.passage.lang != lang and s.similarity is None:
            lexical = max(lexical, 0.75 * s.script)  # no vectors: the glossed words
        if lang and s.passage.lang != lang and s.similarity is not None:
            # Another language shares no words with the question: let meaning stand in,
            # judged on the absolute similarity (a pool's best match may still be poor).
            lexical = max(lexical, 0.75 * min(1.0, max(0.0, (s.similarity - 0.78) / 0.08)))
        s.score = (0.45 * lexical + 0.15 * s.document + 0.30 * s.semantic + 0.15 * s.cue
                   + 0.10 * rank_prior) * (0.4 + 0.6 * s.entity)
        # A row of an amount table answers only when its range holds the amount asked.
        s.range_fit = fit(asked_amount, s.text)
        if s.range_fit:
            s.score *= 1.1 if s.range_fit > 0 else 0.6
        if s.heading or s.placeholder:
            s.score *= 0.3
    return sorted(sentences, key=lambda s: -s.score)
