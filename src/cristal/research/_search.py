"""Iterative search: retrieve for each sub-question, read, follow references, stop.

Each sub-question starts from its own query and the whole question. After reading
the best sentences, references they make to other documents (control numbers
such as KR-101, names such as 「出張旅費規程」 or "Fee Waiver Policy") become
follow-up queries, so a fact held by a second document is found (multi-hop).
The search stops when every sub-question has evidence, or the step budget ends.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cristal.errors import CristalError
from cristal.knowledge import (
    Collection,
    Passage,
    Scope,
    as_scope,
    document_texts,
    passage_text,
    search,
)
from cristal.knowledge.ja import noun_spans, query_terms
from cristal.models import Gateway
from cristal.research._evidence import Sentence, candidate_sentences, score_sentences
from cristal.research._focus import focus
from cristal.research._lexicon import Lexicon, load_lexicon
from cristal.research._meaning import said_by_meaning, unseen_meanings
from cristal.research._names import recase
from cristal.research._plan import _en_entities, entities
from cristal.research._refs import _CODE
from cristal.research._terms import canonical
from cristal.research._types import SubQuestion
from cristal.store import Store

__all__ = ["Pool", "SearchState"]

_CAPITAL = re.compile(r"\b[A-Z][A-Za-z]+")
_ALNUM_CODE = re.compile(r"(?=.*\d)(?=.*[a-z])[a-z0-9]+")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA_ONLY = re.compile(r"[\u30a0-\u30ff]+")
_POINTING = re.compile(r"そういう|そういった|そんな|こういう|こういった|こんな")
# A compound ending in one of these asks for an attribute (申請期限: the deadline of an
# application), which documents phrase their own way (「30日以内に申請」); it is not a
# subject such as 「住宅ローン」 whose absence means the documents are about something else.
_ATTRIBUTE_HEADS = (  # matched as endings: 額 covers 金額, 料 covers 手数料, 日 covers 期日
    "期限", "締切", "締め切り", "額", "上限", "下限", "方法", "手続", "手続き",
    "手順", "条件", "期間", "日数", "回数", "承認者", "担当者", "責任者", "申請者", "決裁者",
    "先", "費用", "料金", "割合", "率", "時期", "時間", "日", "基準", "要件", "対象",
    "範囲", "理由", "目的", "窓口", "可否", "場所", "単位", "頻度", "様式", "書式", "内容",
    "規定", "ルール", "代", "代金", "費", "料",  # ホテル代, 交通費, 宿泊料: the cost of X
)
_vector_cache: dict[tuple[str, int, int], np.ndarray] = {}
_document_cache: dict[str, set[str]] = {}
_opening_cache: dict[str, set[str]] = {}
_codes_cache: dict[str, set[str]] = {}  # document id -> the lines of the codes it names (MX)
_DOCUMENT_CUT = 200_000  # characters of a document read for its terms
_OPENING = 300  # characters: a title, a header line with the company, the scope
_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309f]+")
UNSEEN_WEIGHT = 0.5  # of its IDF, for a noun no passage uses and nothing relates
_POSSESSIVE = re.compile(r"['’]s\b")
# A sentence that says who is asking: 「CSです」「経理の者です」, "I'm in IT", "I work in HR".
_SELF = re.compile(r"(?:(?:私|僕|わたし|自分)は)?[^、。\sの\d]{1,10}(?:の者|所属|担当)?"
                   r"(?:です|だよ)|"
                   r"(?i:i'?m|i am|i work)\s+(?:in|on|with|from|at|for)\s+(?:the\s+)?\S+"
                   r"(?:\s+(?:team|department|dept))?")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])\s*|(?<=\.)\s+")
_GLOSS_AFTER = re.compile(r"\s*[（(]([^（）()]+)[）)]")
_GLOSS = re.compile(r"[（(][^（）()]*[）)]")


def _terms_of(text: str, compounds: bool) -> set[str]:
    return {canonical(t) for t in query_terms(text, compounds=compounds)}


@dataclass(slots=True)
class Pool:
    """The passages gathered for one sub-question, best first, and its scored sentences."""

    passages: list[Passage] = field(default_factory=list)
    ranks: dict[int, int] = field(default_factory=dict)  # chunk id -> best rank in any query
    ranked: list[Sentence] = field(default_factory=list)
    followed: set[str] = field(default_factory=set)

    def add(self, found: list[Passage], limit: int, rank: int | None = None,
            offset: int = 0) -> int:
        """Pool the first `limit` passages of a result list; return how many were new.

        A passage keeps the best rank it had in any query (or `rank` when given), so
        evidence found by a targeted follow-up is not discounted for arriving late;
        `offset` places a whole result list behind the others (an expansion's).
        """
        new = 0
        for position, p in enumerate(found[:limit], start=1):
            if p.chunk_id not in self.ranks:
                self.passages.append(p)
                new += 1
            mine = rank if rank is not None else position + offset
            self.ranks[p.chunk_id] = min(mine, self.ranks.get(p.chunk_id, mine))
        return new


class SearchState:
    """Search, scoring and follow-up for all sub-questions of one research session."""

    def __init__(self, store: Store, gateway: Gateway, collection: Collection | Scope,
                 tenant: str, max_steps: int, caller: str) -> None:
        self.store = store
        self.gateway = gateway
        self.collection = as_scope(collection)  # only these collections are ever read
        self.tenant = tenant
        self.max_steps = max_steps
        self.caller = caller
        self.lang: str | None = None  # the question's language, set by the caller
        self.steps = 0
        self.rankings: list[list[Passage]] = []
        self._idf: dict[str, float] = {}
        self._df: dict[str, int] = {}
        self._totals: list[int] = []
        self._qvec: dict[str, np.ndarray] = {}
        self.lexicon: Lexicon = load_lexicon(gateway.settings.research.lexicon)
        self.options_focus = True  # judge the focus of each question (see `_focus.py`)
        self.options_meaning = True  # look up unused words by meaning (see `_meaning.py`)

    # -- retrieval --------------------------------------------------------

    def search(self, query: str, k: int, mode: str = "hybrid") -> list[Passage]:
        """One search step (counted against the step budget)."""
        self.steps += 1
        found = search(self.store, self.gateway, self.collection, query, k=k,
                       tenant=self.tenant, mode=mode)
        self.rankings.append(found)
        return found

    def expansion_query(self, sub: SubQuestion) -> str | None:
        """The sub-question's query plus the lexicon's other words for its terms, if any."""
        terms = {canonical(t) for t in query_terms(f"{sub.text} {sub.context}")}
        extra = self.lexicon.expansion(terms)
        return f"{sub.query} {' '.join(extra)}" if extra else None

    def alternatives(self, sub: SubQuestion) -> dict[str, list[frozenset[str]]]:
        """The lexicon's other phrases for each term of the sub-question."""
        terms = {canonical(t) for t in query_terms(f"{sub.text} {sub.context}")}
        return self.lexicon.alternatives(terms)

    def recase(self, question: str) -> str:
        """The question with lower-case words the collection writes as names capitalised."""
        return recase(question, self.store, self.collection, self.lexicon, self.chunk_share)

    def chunk_share(self, terms: list[str]) -> dict[str, float]:
        """The share of the collection's chunks that hold each term."""
        self.idf(terms)
        total = max(1, self._totals[0] if self._totals else 1)
        return {t: self._df.get(t, 0) / total for t in terms}

    def budget_left(self) -> bool:
        """True while the step budget allows another search."""
        return self.steps < self.max_steps

    # -- scoring ----------------------------------------------------------

    def df(self, term: str) -> int | None:
        """How many chunks hold `term` (None until `idf` has looked it up)."""
        return self._df.get(term)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse document frequency (over chunks) of each term."""
        missing = [t for t in terms if t not in self._idf]
        if missing:
            total, df = self.collection.term_stats(self.store, missing)
            self._totals = [total]
            for term in missing:
                self._df[term] = df.get(term, 0)
                self._idf[term] = math.log((total + 1) / (df.get(term, 0) + 0.5))
        return {t: self._idf[t] for t in terms}

    def absent_subject(self, sub: SubQuestion) -> list[str]:
        """Names the sub-question is about that occur nowhere in the collection.

        Only subject-like terms count, not everyday words a document may phrase
        differently: English capitalised words and codes ("Platinum", "C3"), Japanese
        compound nouns written in kanji (「住宅ローン」, 「変動金利」).
        """
        full = query_terms(sub.text)
        self.idf(full)
        base = set(query_terms(sub.text, compounds=False))
        capitals = {w.lower() for w in _CAPITAL.findall(sub.text)[1:]}
        # "Project Lotus 601 (プロジェクト・ロータス601)": the documents may use the name
        # the question glosses it with; its words then say nothing of absence.
        names = _en_entities(sub.text)
        glossed = [name for _, end, name in names
                   if (gloss := _GLOSS_AFTER.match(sub.text, end))
                   and self.collection.phrase_count(self.store, gloss.group(1).strip())]
        vouched = {canonical(t) for name in glossed for t in query_terms(name)}
        out = []
        for term in full:
            if self._df.get(term, 1) != 0 or canonical(term) in vouched:
                continue
            code = bool(_ALNUM_CODE.fullmatch(term))
            compound = (term not in base and not _HIRAGANA.search(term)
                        and not _KATAKANA_ONLY.fullmatch(term) and not term.startswith(("何", "幾"))
                        and not term.endswith((*_ATTRIBUTE_HEADS, "的")))  # 最終的: a manner
            if compound and self.collection.phrase_count(self.store, " ".join(
                    query_terms(term, compounds=False))):
                continue  # 「契約書」 within 「売買契約書」: its parts stand together
            if (term in capitals or code or compound) and not self._said_otherwise(term):
                out.append(term)
        for _, _, name in names:
            if name in glossed:
                continue
            # "Summit Track 585": every word may occur somewhere, the name nowhere.
            core = _POSSESSIVE.sub("", name).removeprefix("the ").strip(" .,")
            words = core.split()
            named = sum(w[:1].isupper() for w in words) >= 2 or any(c.isdigit() for c in core)
            # The name proper is its capitalised words: "Silver Zoom business card" is
            # absent only if "Silver Zoom" is (documents say "the Silver Zoom Card").
            proper = " ".join(w for w in words if w[:1].isupper() or any(c.isdigit() for c in w))
            if len(words) >= 2 and named and not any(
                    self.collection.phrase_count(self.store, phrase)
                    for phrase in dict.fromkeys([core, proper]) if phrase):
                out.append(core)
        return out

    def _said_otherwise(self, term: str) -> bool:
        """True when the lexicon has another word for `term` that the collection uses
        (「電話番号」 absent, 「フリーダイヤル」 present): a missing word is not a missing
        subject."""
        words = {canonical(t) for t in query_terms(term, compounds=False)} | {term}
        alternatives = [a for found in self.lexicon.alternatives(words).values()
                        for a in found]
        if not alternatives:
            return False
        self.idf([t for a in alternatives for t in a])
        return any(all(self._df.get(t, 0) > 0 for t in a) for a in alternatives)

    def entity_terms(self, sub: SubQuestion) -> set[str]:
        """Rare terms of the proper names a sub-question mentions (company, product, code).

        Only capitalised words, codes and katakana or company names count, not the
        common nouns around them ("Beige" of "Beige business checking", not "business").
        """
        # Who is asking (「CSです。」, "I'm in IT.") is no subject the evidence must name.
        context = " ".join(c for c in _SENTENCE_END.split(sub.context)
                           if not _SELF.fullmatch(c.strip().rstrip("。！？!?.")))
        names = entities(f"{sub.text} {context}", self.lang or "en")
        words = [w for n in names for w in re.split(r"[\s,.()（）「」『』]+", n)
                 if w and (w[:1].isupper() or any(c.isdigit() for c in w)
                           or _KATAKANA_ONLY.fullmatch(w.replace("・", "")) or "株式会社" in w)]
        terms = query_terms(" ".join(words), compounds=False)
        if not terms:
            return set()
        idf = self.idf(terms)
        total = self._totals[0] if self._totals else 1
        rare = math.log((total + 1) / (0.05 * total + 0.5))  # in at most ~5% of chunks
        return {canonical(t) for t in terms
                if idf[t] >= rare and not self.lexicon.knows(canonical(t))}

    def name_terms(self, sub: SubQuestion) -> set[str]:
        """Terms of the capitalised words and codes the sub-question names ("Gold", "C3"),
        however common: evidence must name the same product, not a sibling of it."""
        # A gloss in parentheses (「青葉損害保険（Aoba Insurance）」) names the same thing
        # in the other language; documents in one language rarely carry both.
        names = entities(_GLOSS.sub(" ", sub.text), self.lang or "en")
        terms = self._capitalised_terms(names)
        # A product lent by the rest of the question ("how much per claim?" after "does
        # the EcoCard come with …") binds the part as if it said it; a place lent
        # ("… in Singapore, and who approves?") is a value of a slot, not a product.
        lent = self._capitalised_terms([_GLOSS.sub(" ", n) for n in sub.lent])
        terms |= {t for t in lent if not self.lexicon.is_value(t)}
        return {t for t in terms if not self.lexicon.knows(t)}  # PC, USB, OK: common words

    @staticmethod
    def _capitalised_terms(names: list[str]) -> set[str]:
        words = [w for n in names for w in re.split(r"[\s,.()（）「」『』]+", n)
                 if w and w.isascii() and (w[:1].isupper() or any(c.isdigit() for c in w))]
        return {canonical(t) for t in query_terms(" ".join(words), compounds=False)}

    def document_terms(self, document_ids: set[str]) -> dict[str, set[str]]:
        """The terms of whole documents (cached per process; ids change on re-ingest)."""
        return self._cached(_document_cache, document_ids, lambda text: _terms_of(
            text[:_DOCUMENT_CUT], compounds=False))

    def background_codes(self, sub: SubQuestion, document_ids: set[str]
                         ) -> tuple[set[str], dict[str, set[str]]]:
        """The terms of product codes only the question's background names, and per
        document that names no code of the same line, those it counts as naming.

        「MX-2200入れて1年半のお客さん。…訪問修理ってタダ？」: the customer's machine binds
        the documents about machines as a name does (the MX-2200's FAQ answers, not the
        MX-2000's), while the service manual's visit fee, which names no machine, holds
        for every one of them. A company or product named by words binds as before.
        """
        own = set(_CODE.findall(sub.text))
        codes = [c for c in dict.fromkeys(_CODE.findall(sub.context)) if c not in own]
        if not codes:
            return set(), {}
        lines = self._cached(_codes_cache, document_ids, lambda text: {
            c.split("-")[0] for c in _CODE.findall(text)})
        bound: set[str] = set()
        out: dict[str, set[str]] = {}
        for code in codes:
            terms = _terms_of(code, compounds=False)
            bound |= terms
            line = code.split("-")[0]
            for doc_id in document_ids:
                if line not in lines.get(doc_id, {line}):  # unread: as if it named one
                    out.setdefault(doc_id, set()).update(terms)
        return bound, out

    def opening_terms(self, document_ids: set[str]) -> dict[str, set[str]]:
        """The terms of each document's title and first lines (what it says it is about)."""
        return self._cached(_opening_cache, document_ids, lambda text: _terms_of(
            text[:_OPENING], compounds=True))

    def _cached(self, cache: dict[str, set[str]], document_ids: set[str],
                read: Callable[[str], set[str]]) -> dict[str, set[str]]:
        """`read(text)` of each document (cached per process); ids without text are left out."""
        missing = [d for d in document_ids if d not in cache]
        if missing:
            if len(cache) > 2_000:
                cache.clear()
            for doc_id, text in document_texts(self.store, missing).items():
                cache[doc_id] = read(text)
        return {d: cache[d] for d in document_ids if d in cache}

    def focus_weights(self, sub: SubQuestion, alternatives: dict[str, list[frozenset[str]]],
                      names: set[str]) -> dict[str, float]:
        """The terms of what the sub-question asks about, weighted by IDF (see `_focus.py`).

        A term no passage uses counts through the lexicon's words for it, else through
        a phrase of the collection that means it (the vector side, `_meaning.py`); with
        neither, it stays as it is and no sentence can carry it: the documents do not
        speak of the thing asked about, and `sub.absent` names it. Colloquial words in
        hiragana and one-character endings (代 of ホテル代) are left out.
        """
        if self.options_focus is False:
            return {}
        if sub.focus is None:  # "" when the planner found none (a pointing phrase only)
            sub.focus = focus(sub.text, self.lang or "en", sub.answer_type)
        if not sub.focus:
            return {}
        terms = [canonical(t) for t in query_terms(sub.focus, compounds=False)]
        terms = [t for t in dict.fromkeys(terms) if t not in names
                 and not (_HIRAGANA_ONLY.fullmatch(t))]
        if len(terms) > 1:
            terms = [t for t in terms if len(t) > 1 or t.isascii()] or terms
        if not terms:
            return {}
        absent = [t for t in terms if not self._said(t, alternatives)]
        # 「不妊治療で通院が要る。そういうのに使える休暇ってある？」: the pointing word makes
        # the background what the leave is for; a noun of it no document speaks of is
        # missing from the question's subject as much as the focus would be.
        pointed = []
        if self.lang == "ja" and sub.context and _POINTING.search(sub.text):
            for a, b in noun_spans(sub.context):
                words = [canonical(t) for t in query_terms(sub.context[a:b], compounds=False)]
                words = [t for t in words if len(t) > 1 and not _HIRAGANA_ONLY.fullmatch(t)]
                unsaid = [t for t in words if not self._said(t, alternatives)]
                # all of it, or a word that says which (不妊 of 不妊治療, with 治療 said)
                if unsaid and (len(unsaid) == len(words) or words.index(unsaid[0]) <
                               max(i for i, t in enumerate(words) if t not in unsaid)):
                    pointed.append(sub.context[a:b])
                    terms = [*terms, *(t for t in unsaid if t not in terms)]
                    absent += [t for t in unsaid if t not in absent]
        idf = self.idf(terms)
        # 「ハラスメント研修」 with only 研修 in the documents: the word that says which
        # training is missing, so the documents speak of other training, not this one.
        # 「合格ライン」 with 合格 in the documents: the missing word is the head, a
        # manner of speech for what 合格 already says.
        last_used = max((i for i, t in enumerate(terms) if t not in absent), default=-1)
        modifier = any(terms.index(t) < last_used for t in absent)
        if pointed:
            sub.absent = list(dict.fromkeys([*sub.absent, *pointed]))
        elif absent and (len(absent) == len(terms) or (self.lang == "ja" and modifier)):
            sub.absent = list(dict.fromkeys([*sub.absent, sub.focus]))
        else:
            terms = [t for t in terms if t not in absent]
        return {t: max(idf[t], 0.1) for t in terms}

    def _said(self, term: str, alternatives: dict[str, list[frozenset[str]]]) -> bool:
        """Does some passage use `term`, a lexicon word for it or a phrase that means it
        (the vector side)? What means it is added to `alternatives`."""
        if self._df.get(term, 0) or alternatives.get(term):
            return True
        meant = said_by_meaning(term, self.store, self.gateway, self.collection, self.tenant,
                                self.caller, self.lang or "en") if self.options_meaning else []
        if meant:
            alternatives[term] = meant
        return bool(meant)

    def query_vector(self, text: str) -> np.ndarray | None:
        """The embedding of a sub-question (None when no vectors are available)."""
        if not self.collection.embedded:
            return None
        if text not in self._qvec:
            try:
                result = self.gateway.embed([text], kind="query", tenant=self.tenant,
                                            caller=self.caller)
            except CristalError:
                return None
            self._qvec[text] = result.vectors[0]
        return self._qvec[text]

    def sentence_vectors(self, sentences: list[Sentence]) -> dict[tuple[str, int], np.ndarray]:
        """Embeddings of sentences (cached per process); empty without vectors."""
        if not self.collection.embedded:
            return {}
        out: dict[tuple[str, int], np.ndarray] = {}
        todo: list[Sentence] = []
        for s in sentences:
            key = (s.passage.document_id, s.start, s.end)
            if key in _vector_cache:
                out[(s.passage.document_id, s.start)] = _vector_cache[key]
            else:
                todo.append(s)
        if todo:
            texts = [passage_text(s.passage.title, list(s.passage.heading_path), s.text)
                     for s in todo]
            try:
                result = self.gateway.embed(texts, kind="passage", tenant=self.tenant,
                                            caller=self.caller)
            except CristalError:
                return out
            if len(_vector_cache) > 50_000:
                _vector_cache.clear()
            for s, vec in zip(todo, result.vectors, strict=True):
                _vector_cache[(s.passage.document_id, s.start, s.end)] = vec
                out[(s.passage.document_id, s.start)] = vec
        return out

    def rank(self, sub: SubQuestion, pool: Pool, semantic_budget: int = 40) -> list[Sentence]:
        """Score the pool's sentences for `sub` (embedding only the most promising ones)."""
        sentences = candidate_sentences(pool.passages, pool.ranks)
        raw = self.idf(query_terms(sub.text) + query_terms(sub.context)
                       + query_terms(sub.referent))
        alternatives = self.alternatives(sub)
        names = self.entity_terms(sub)
        named = self.name_terms(sub)
        focus_terms = self.focus_weights(sub, alternatives, names | named)
        if self.options_meaning:
            alternatives.update(unseen_meanings(self, sub, raw, alternatives, names | named))
        idf: dict[str, float] = {}
        for term, value in raw.items():
            key = canonical(term)
            if self._df.get(term) == 0 and not alternatives.get(key):
                # A colloquial word no passage uses (「ばっか」, 「いきなり」) cannot tell
                # evidence apart; an unseen noun (「シュレッダー」, "refinancing") counts
                # at a reduced weight: whether the thing asked about is absent is the
                # focus's to decide (`focus_weights`).
                value = 0.0 if _HIRAGANA.search(term) else UNSEEN_WEIGHT * value
            idf[key] = max(value, idf.get(key, 0.0))
        qvec = self.query_vector(sub.query)
        ids = {p.document_id for p in pool.passages}
        documents, openings = self.document_terms(ids), self.opening_terms(ids)
        background, reached = self.background_codes(sub, ids)
        named |= background
        first = score_sentences(sentences, sub, idf, None, {}, self.lang, documents, names,
                                alternatives, named, focus_terms, openings, reached)
        if qvec is not None:
            # Embed the lexically best sentences plus the leading sentences of the best
            # passages, so cross-lingual evidence (no shared words) is still read.
            chosen = first[:semantic_budget] + [s for s in sentences if s.rank <= 6]
            unique = list({id(s): s for s in chosen}.values())
            vectors = self.sentence_vectors(unique)
            first = score_sentences(sentences, sub, idf, qvec, vectors, self.lang, documents,
                                    names, alternatives, named, focus_terms, openings, reached)
        pool.ranked = first
        return first
