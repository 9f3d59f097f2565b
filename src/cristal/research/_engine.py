"""The research loop: plan, search, read, follow references, select evidence, write, verify."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cristal.governance import Tenant
from cristal.knowledge import (
    Collection,
    Passage,
    Scope,
    detect_lang,
    document_passages,
    document_texts,
    query_terms,
)
from cristal.models import Gateway
from cristal.research._answerable import FOCUS_SHARE, Neighbour, judge, mark_contrasts
from cristal.research._evidence import Sentence, expand_block
from cristal.research._feedback import feedback_terms
from cristal.research._focus import focus
from cristal.research._plan import DEMONSTRATIVES, plan_rules
from cristal.research._refs import references
from cristal.research._search import Pool, SearchState
from cristal.research._terms import canonical
from cristal.research._types import Evidence, SubQuestion
from cristal.store import Store

__all__ = ["Findings", "ResearchOptions", "gather", "retrieved_documents"]

Progress = Callable[[str, str], None]
# A question that points back at the answer before it (「その会議」, "that committee"; not
# "this", which mostly means now: "this month"), and the phrase that points.
_THAT = "|".join(DEMONSTRATIVES)
_POINTED = re.compile(rf"(?:{_THAT})[\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9ー]*|"
                      r"\b(?:that|those|these) [a-z]+", re.I)
_ANAPHOR = re.compile(rf"^(?:じゃあ|では|で、)?\s*(?:{_THAT}|それ|そこ|そっち|そいつ)|"
                      r"\b(?:that|those|these) (?!is\b|was\b|means\b)[a-z]+", re.I)


@dataclass(frozen=True, slots=True)
class ResearchOptions:
    """Knobs of one research run."""

    max_steps: int = 16  # search queries, follow-ups included
    passages: int = 8  # passages read per sub-question and query
    evidence_per_question: int = 4
    follow_ups: int = 2  # reference hops per sub-question
    lexicon: bool = True  # also search with the lexicon's synonyms of the question's words
    names: bool = True  # lower-case words the collection writes as names count as names
    focus: bool = True  # the answer must carry what the question asks about (`_focus.py`)
    meaning: bool = True  # words no passage uses are looked up by meaning (`_meaning.py`)
    feedback: bool = True  # search again with the words of the best passages (`_feedback.py`)


@dataclass(slots=True)
class Findings:
    """What the search found: sub-questions, chosen evidence and the rankings seen."""

    lang: str
    sub_questions: list[SubQuestion]
    pools: dict[str, Pool]
    evidence: list[Evidence]
    state: SearchState
    neighbours: dict[str, list[Evidence]] = field(default_factory=dict)  # by sub-question
    candidates: dict[str, list[Evidence]] = field(default_factory=dict)  # unanswered ones


def _can_answer(s: Sentence) -> bool:
    """Whether a sentence may be an answer: no heading, placeholder or other slot value."""
    return not s.heading and not s.placeholder and s.contrast is None


def _lacks_focus(s: Sentence) -> bool:
    """Judged on the focus (same language) and without it."""
    return s.focus is not None and s.focus < FOCUS_SHARE


def _best_answer(ranked: list[Sentence]) -> Sentence | None:
    best = next((s for s in ranked if _can_answer(s)), None)
    # What the question asks about (「精算」 of 「交通費の精算っていつまで？」) is in the
    # answer: a sentence that scores close to the best and carries it comes first (the
    # telework rule's 交通費 does not say when travel costs are claimed).
    if best is not None and _lacks_focus(best):
        carrying = next((s for s in ranked if _can_answer(s) and s.focus is not None
                         and s.focus >= FOCUS_SHARE), None)
        if carrying is not None and carrying.score >= 0.75 * best.score:
            best = carrying
    # The table row whose range holds the amount asked is the answer when it scores
    # near the best: the sentence that leads into the table shares more of the words.
    in_range = next((s for s in ranked[:8] if _can_answer(s) and s.range_fit > 0), None)
    if best is not None and in_range is not None and in_range.score >= 0.75 * best.score:
        return in_range
    return best


def _select(ranked: list[Sentence], sub: SubQuestion, limit: int) -> list[Sentence]:
    """The best answer plus supporting sentences that score close to it.

    Up to `limit` sentences within 60% of the best score, and up to two more that
    score within 90% of it (lists and tables often hold the answer in several lines).
    For amounts, counts and times a supporting sentence must carry such a value or
    match the question's words well.
    """
    best = _best_answer(ranked)
    if best is None:
        return []
    chosen = [best]
    typed = sub.answer_type in ("amount", "count", "time")
    for s in ranked:
        if len(chosen) >= limit + 2 or s.score < 0.6 * best.score:
            break
        if len(chosen) >= limit and s.score < 0.9 * best.score:
            break
        if s is best or s.heading or s.placeholder or s.contrast is not None:
            continue
        if typed and not s.cue and s.lexical < 0.25:
            continue
        if any(_similar(s, c) for c in chosen):
            continue
        chosen.append(s)
    return chosen


def _deferred(chosen: list[Sentence], ranked: list[Sentence], pool: Pool, sub: SubQuestion,
              limit: int = 2) -> list[Sentence]:
    """What the document an answer defers to says (two hops).

    「精算は帰着後、経費精算規程（KR-101）の期限に従って行う。」 answers "by when?" only
    with the expense rule's own deadline (「翌月10日まで」): its best sentences in this
    ranking join the answer even below the score that supporting sentences need.
    """
    typed = sub.answer_type in ("amount", "count", "time")
    out: list[Sentence] = []
    refs = [(ref, c) for c in chosen[:2] if not _lacks_focus(c) for ref in references(c.text)]
    for ref, cited in refs:
        target = _referenced_document(pool.passages, ref)
        if target is None or target == cited.passage.document_id:
            continue
        usable = [s for s in ranked if s.passage.document_id == target and _can_answer(s)
                  and not (typed and not s.cue) and not _lacks_focus(s)]
        # "under section 5 of the Returns Policy": that section's best sentence first,
        # then the document's best wherever they are
        own = _section_heading(cited.text)
        first = next((s for s in usable if own is not None and any(
            own.search(h.lstrip("# ").strip()) for h in s.passage.heading_path)), None)
        for s in [first, *usable] if first is not None else usable:
            if len(out) >= limit + (first is not None):
                return out
            if not any(_similar(s, c) for c in [*chosen, *out]):
                out.append(s)
    return out


_SECTION = re.compile(r"\b(?:section|clause|article|paragraph)\s+(\d+)|第\s*(\d+)\s*条", re.I)


def _section_heading(text: str) -> re.Pattern[str] | None:
    """The heading of the numbered section a reference names (「第5条」, "section 5" →
    "5. Accidental…"), or None when it names none."""
    m = _SECTION.search(text)
    if m is None:
        return None
    number = next(g for g in m.groups() if g)
    return re.compile(rf"^(?:(?:section|clause|article)\s+)?{number}(?:[.．:、)\s]|$)|"
                      rf"第{number}条", re.I)


def _similar(a: Sentence, b: Sentence) -> bool:
    if a.passage.document_id == b.passage.document_id and a.start == b.start:
        return True
    union = a.terms | b.terms
    return bool(union) and len(a.terms & b.terms) / len(union) >= 0.8


def _referenced_document(found: list[Passage], ref: str) -> str | None:
    """The document a reference names: its title, headings or opening lines carry it.

    Policies state their own code near the top ("管理番号：FP-12"), while documents that
    cite them mention it further down.
    """
    for p in found:
        at = p.text.find(ref)
        if ref in (p.title or "") or any(ref in h for h in p.heading_path) or (
                at >= 0 and p.start + at < 400):
            return p.document_id
    return None


def _follow(state: SearchState, sub: SubQuestion, pool: Pool, options: ResearchOptions,
            progress: Progress | None, seeds: list[str] | None = None) -> None:
    """Follow references made by the best evidence to other documents (multi-hop).

    `seeds` are followed first: the references of the sentence a demonstrative points
    back to (「その会議」 after an answer that names the board and its rule, GA-001).
    """
    for _ in range(options.follow_ups):
        if not state.budget_left():
            return
        top = [s for s in pool.ranked[:4] if not s.placeholder]
        own_titles = {s.passage.title or "" for s in top}
        # Codes and names in the best sentences first, then those elsewhere in their passages.
        candidates = list(seeds or [])
        candidates += [r for s in top for r in references(s.text)]
        candidates += [r for s in top for r in references(s.passage.text)]
        refs = [r for r in candidates if r not in pool.followed and (
            r in (seeds or ()) or not any(r in t for t in own_titles))]
        refs = list(dict.fromkeys(refs))[:2]
        if not refs:
            return
        added = 0
        for ref in refs:
            if not state.budget_left():
                break
            pool.followed.add(ref)
            query = f"{ref} {sub.text}"
            sub.steps.append(query)
            if progress:
                progress("follow", ref)
            found = state.search(query, options.passages)
            added += pool.add(found, 3)
            # Open the document the reference names and read it whole: the fact it holds
            # may share no words with the question (another language, a table).
            target = _referenced_document(found, ref)
            if target is not None:
                added += pool.add(document_passages(state.store, target, 10), 10, rank=2)
        if not added:
            return
        state.rank(sub, pool)


def _read_across(state: SearchState, sub: SubQuestion, pool: Pool, lang: str) -> None:
    """Read whole the other-language document the question's glossed names lead to.

    Without vectors, a question in one language finds a document in the other only by
    the names it glosses (「白鷺建設（Shirasagi Construction）の購買管理規程（Procurement
    Policy）」), which stand in the document's first lines; the passage that answers
    ("Approval of purchase orders above ¥8,929,000…") shares no word with the question.
    """
    if state.collection.embedded or not state.budget_left():
        return
    documents: dict[str, str] = {}  # id -> file, the best first
    for s in pool.ranked[:10]:
        if s.passage.lang != lang and len(documents) < 2:
            documents.setdefault(s.passage.document_id, s.passage.doc)
    added = sum(pool.add(document_passages(state.store, d, 10), 10, rank=2) for d in documents)
    if added:
        sub.steps.append("read " + ", ".join(documents.values()))
        state.rank(sub, pool)


def _feedback(state: SearchState, sub: SubQuestion, pool: Pool, options: ResearchOptions,
              expanded: str | None) -> None:
    """Search once more with the words the best passages share and the question lacks."""
    if not state.budget_left():
        return
    top = list({s.passage.chunk_id: s.passage for s in pool.ranked[:12]
                if not s.heading}.values())
    asked = {canonical(t) for t in query_terms(f"{sub.text} {sub.context} {expanded or ''}")}
    extra = feedback_terms(top, asked, state.idf)
    if not extra:
        return
    query = f"{sub.query} {' '.join(extra)}"
    sub.steps.append(query)
    # Behind the question's own results: the expansion only adds candidates.
    if pool.add(state.search(query, options.passages, mode="lexical"), options.passages,
                offset=options.passages):
        state.rank(sub, pool)


def gather(
    store: Store,
    gateway: Gateway,
    collection: Collection | Scope,
    tenant: Tenant,
    question: str,
    *,
    options: ResearchOptions = ResearchOptions(),
    subs: list[SubQuestion] | None = None,
    progress: Progress | None = None,
    caller: str = "research",
) -> Findings:
    """Plan (by rules unless `subs` is given), search, read and pick evidence.

    Only the given collection (or the collections of the Scope) is searched and read.
    """
    lang = detect_lang(question)
    state = SearchState(store, gateway, collection, tenant.name, options.max_steps, caller)
    state.lang = lang
    state.options_focus, state.options_meaning = options.focus, options.meaning
    # "the silver zoom card" is planned and judged as the Silver Zoom Card.
    subs = subs or plan_rules(state.recase(question) if options.names else question, lang)
    if progress:
        progress("plan", f"{len(subs)} sub-question(s)")
    whole = state.search(question, options.passages * 2)
    pools: dict[str, Pool] = {}
    previous: Sentence | None = None  # the best answer to the sub-question before
    pointing: dict[str, tuple[str, int]] = {}  # sub-question -> the answer it points back at
    for sub in subs:
        pool = Pool()
        seeds: list[str] = []
        if previous is not None and _ANAPHOR.search(sub.text):
            # 「その会議っていつ？」 asks about what the answer before named: read that
            # answer as this question's context, and follow what it refers to.
            seeds = references(previous.text)
            sub.referent = " ".join(seeds) or previous.text
            pointing[sub.id] = (previous.passage.document_id, previous.start)
            sub.query = f"{sub.query} {sub.referent}"
            # 「会議」 of 「その会議」 is what the answer before called 取締役会: the answer
            # need not carry that word. The rest of the question keeps its focus (いつ).
            pointed = _POINTED.search(sub.text)
            sub.pointed = pointed.group(0) if pointed else ""
            sub.focus = focus(_POINTED.sub(" ", sub.text), lang, sub.answer_type) or ""
        if progress:
            progress("search", sub.text)
        if sub.query != question and state.budget_left():
            sub.steps.append(sub.query)
            pool.add(state.search(sub.query, options.passages), options.passages)
        pool.add(whole, options.passages // 2 if len(subs) > 1 else options.passages)
        expanded = state.expansion_query(sub) if options.lexicon else None
        if expanded and state.budget_left():
            # The lexicon's words for the question's (「PC」 → 「貸与端末」): documents may
            # use none of the words an employee asks with.
            sub.steps.append(expanded)
            # Lexical only: the words are the point, and the question's meaning was
            # already searched by vector.
            pool.add(state.search(expanded, options.passages, mode="lexical"),
                     options.passages)
        state.rank(sub, pool)
        _read_across(state, sub, pool, lang)
        if options.feedback:
            _feedback(state, sub, pool, options, expanded)
        _follow(state, sub, pool, options, progress, seeds)
        pools[sub.id] = pool
        previous = _best_answer(pool.ranked)
    evidence: list[Evidence] = []
    neighbours: dict[str, list[Evidence]] = {}
    candidates: dict[str, list[Evidence]] = {}
    texts: dict[str, str] = {}
    for sub in subs:
        ranked = pools[sub.id].ranked
        if sub.id in pointing:  # the answer pointed at is not the answer to this part
            ranked = [s for s in ranked
                      if (s.passage.document_id, s.start) != pointing[sub.id]]
        mark_contrasts(ranked, sub, state.lexicon, lang)
        ids = {s.passage.document_id for s in ranked[:6] if not s.heading}
        texts.update(document_texts(store, [d for d in ids if d not in texts]))
        verdict = judge(sub, ranked, lang, state.lexicon, texts)
        sub.found = verdict.found
        neighbour = verdict.neighbour
        best = _best_answer(ranked)
        if sub.found and best is not None and best.passage.lang == lang:
            absent = state.absent_subject(sub)
            if absent:  # the answer is about something else of the same kind
                sub.found = False
                sub.absent = list(dict.fromkeys([*sub.absent, *absent]))
        if not sub.found and neighbour is None and sub.absent and best is not None:
            # The thing asked about occurs in no document: say so, and show the closest.
            neighbour = Neighbour("absent", ", ".join(sub.absent),
                                  best.passage.title or best.passage.doc,
                                  [(best, best.start, best.end)])
        if neighbour is not None:
            sub.neighbour = {"kind": neighbour.kind, "asked": neighbour.asked,
                             "found": neighbour.found}
            neighbours[sub.id] = _neighbour_evidence(neighbour, sub, texts)
        if not sub.found:
            taken = {(e.document_id, e.start) for e in neighbours.get(sub.id, [])}
            near = [s for s in ranked if not s.heading and not s.placeholder
                    and (s.passage.document_id, s.start) not in taken][:3]
            candidates[sub.id] = _neighbour_evidence(
                Neighbour("candidate", "", "", [(s, s.start, s.end) for s in near]), sub,
                texts, prefix="C")
            continue
        limit = options.evidence_per_question + (1 if len(subs) == 1 else 0)
        seen: set[tuple[str, int, int]] = set()
        # A sentence about a sibling of the product asked about (the Blue account's fee
        # for a question about Beige) is never quoted as the answer.
        # The document an answer defers to is named by it, so its sentences need not
        # name the product (the returns policy's repair fee for Home Basic's damage).
        chosen = _select([s for s in ranked if s.passage.lang != lang or s.named >= 0.99]
                         or ranked, sub, limit)
        if chosen:  # what an answer defers to is shown next to it, and leads if typed
            chosen[1:1] = _deferred(chosen, ranked, pools[sub.id], sub)
        for s in chosen:
            p = s.passage
            start, end = expand_block(p.text, s.start - p.start, s.end - p.start)
            key = (p.document_id, p.start + start, p.start + end)
            if key in seen:
                continue
            seen.add(key)
            evidence.append(Evidence(
                id=f"E{len(evidence) + 1}", doc=p.doc, document_id=p.document_id,
                chunk_id=p.chunk_id, quote=p.text[start:end], start=key[1], end=key[2],
                page=p.page, heading_path=list(p.heading_path), score=round(s.score, 4),
                sub_question=sub.id, lang=p.lang, title=p.title, focus=(s.start, s.end),
            ))
    return Findings(lang, subs, pools, evidence, state, neighbours, candidates)


def _neighbour_evidence(neighbour: Neighbour, sub: SubQuestion, texts: dict[str, str],
                        prefix: str = "N") -> list[Evidence]:
    """The neighbour's passages as evidence (ids q1-N1…), offsets into the document."""
    out: list[Evidence] = []
    for s, start, end in neighbour.sentences:
        p = s.passage
        text = texts.get(p.document_id, "")
        if p.start <= start and end <= p.end:  # widen a table row to its table, as answers are
            a, b = expand_block(p.text, start - p.start, end - p.start)
            start, end = p.start + a, p.start + b
        if not text[start:end].strip() or any(
                e.document_id == p.document_id and e.start == start for e in out):
            continue
        out.append(Evidence(
            id=f"{sub.id}-{prefix}{len(out) + 1}", doc=p.doc, document_id=p.document_id,
            chunk_id=p.chunk_id, quote=text[start:end], start=start, end=end, page=p.page,
            heading_path=list(p.heading_path), score=round(s.score, 4), sub_question=sub.id,
            lang=p.lang, title=p.title))
    return out


def retrieved_documents(findings: Findings, limit: int = 20) -> list[dict]:
    """Distinct documents in research order: cited first, then each query's ranking in turn."""
    order: dict[str, float] = {}
    for e in findings.evidence:
        order.setdefault(e.doc, 1.0 + e.score)
    rankings = [[s.passage for s in pool.ranked[:12]] for pool in findings.pools.values()]
    rankings += findings.state.rankings
    depth = max((len(r) for r in rankings), default=0)
    for i in range(depth):  # round-robin keeps every sub-question's documents near the top
        for ranking in rankings:
            if i < len(ranking):
                order.setdefault(ranking[i].doc, ranking[i].score)
    docs = list(order.items())[:limit]
    return [{"doc": d, "rank": i, "score": round(float(s), 4)}
            for i, (d, s) in enumerate(docs, start=1)]

