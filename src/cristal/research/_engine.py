"""The research loop: plan, search, read, follow references, select evidence, write, verify."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cristal.governance import Tenant
from cristal.knowledge import Collection, Passage, Scope, detect_lang, document_passages
from cristal.models import Gateway
from cristal.research._evidence import Sentence, expand_block
from cristal.research._plan import plan_rules
from cristal.research._search import Pool, SearchState, references
from cristal.research._types import Evidence, SubQuestion
from cristal.store import Store

__all__ = ["Findings", "ResearchOptions", "gather", "retrieved_documents"]

Progress = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class ResearchOptions:
    """Knobs of one research run."""

    max_steps: int = 16  # search queries, follow-ups included
    passages: int = 8  # passages read per sub-question and query
    evidence_per_question: int = 4
    follow_ups: int = 2  # reference hops per sub-question


@dataclass(slots=True)
class Findings:
    """What the search found: sub-questions, chosen evidence and the rankings seen."""

    lang: str
    sub_questions: list[SubQuestion]
    pools: dict[str, Pool]
    evidence: list[Evidence]
    state: SearchState


def _best_answer(ranked: list[Sentence]) -> Sentence | None:
    return next((s for s in ranked if not s.heading and not s.placeholder), None)


def _answers(sub: SubQuestion, s: Sentence, lang: str, other_subject: bool) -> bool:
    """Does this sentence plausibly answer the sub-question (not just resemble it)?

    `other_subject`: documents in the question's language say this for a different
    named subject, so a cross-lingual match must be closer to count.
    """
    if sub.answer_type in ("amount", "count", "time") and not s.cue:
        return False
    similarity = s.similarity or 0.0
    if s.entity < 0.5:
        return False  # about another company, product or project than the one asked
    if s.passage.lang != lang:  # cross-lingual: no shared words to count on
        return similarity >= (0.84 if other_subject else 0.80)
    # Words the sentence leaves to its document (the company named once at the top)
    # count for half.
    coverage = min(1.0, s.lexical + 0.5 * s.document)
    return (coverage >= 0.5 or (coverage >= 0.3 and s.cue > 0)
            or (similarity >= 0.86 and (coverage >= 0.15 or s.cue > 0)))


def _answered(sub: SubQuestion, ranked: list[Sentence], lang: str) -> bool:
    """True when some of the best evidence answers the sub-question.

    A placeholder ("[value not available]") that matches the question at least as
    well as any real answer means the documents do not give the value.
    """
    candidates = [s for s in ranked[:12] if not s.heading]
    other_subject = any(s.passage.lang == lang and s.entity < 0.5 and s.lexical >= 0.3
                        for s in ranked[:20])
    answers = [s for s in candidates[:6]
               if not s.placeholder and _answers(sub, s, lang, other_subject)]
    if not answers:
        return False
    best = max(s.lexical for s in answers)
    return not any(s.placeholder and s.lexical >= best - 0.05 for s in candidates)


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
        if s is best or s.heading or s.placeholder:
            continue
        if typed and not s.cue and s.lexical < 0.25:
            continue
        if any(_similar(s, c) for c in chosen):
            continue
        chosen.append(s)
    return chosen


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
            progress: Progress | None) -> None:
    """Follow references made by the best evidence to other documents (multi-hop)."""
    for _ in range(options.follow_ups):
        if not state.budget_left():
            return
        top = [s for s in pool.ranked[:4] if not s.placeholder]
        own_titles = {s.passage.title or "" for s in top}
        # Codes and names in the best sentences first, then those elsewhere in their passages.
        candidates = [r for s in top for r in references(s.text)]
        candidates += [r for s in top for r in references(s.passage.text)]
        refs = [r for r in candidates
                if r not in pool.followed and not any(r in t for t in own_titles)]
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
    subs = subs or plan_rules(question, lang)
    state = SearchState(store, gateway, collection, tenant.name, options.max_steps, caller)
    state.lang = lang
    if progress:
        progress("plan", f"{len(subs)} sub-question(s)")
    whole = state.search(question, options.passages * 2)
    pools: dict[str, Pool] = {}
    for sub in subs:
        pool = Pool()
        if progress:
            progress("search", sub.text)
        if sub.query != question and state.budget_left():
            sub.steps.append(sub.query)
            pool.add(state.search(sub.query, options.passages), options.passages)
        pool.add(whole, options.passages // 2 if len(subs) > 1 else options.passages)
        state.rank(sub, pool)
        _follow(state, sub, pool, options, progress)
        pools[sub.id] = pool
    evidence: list[Evidence] = []
    for sub in subs:
        ranked = pools[sub.id].ranked
        sub.found = _answered(sub, ranked, lang)
        best = _best_answer(ranked)
        if sub.found and best is not None and best.passage.lang == lang:
            absent = state.absent_subject(sub)
            if absent:  # the answer is about something else of the same kind
                sub.found = False
                sub.absent = absent
        if not sub.found:
            continue
        limit = options.evidence_per_question + (1 if len(subs) == 1 else 0)
        seen: set[tuple[str, int, int]] = set()
        for s in _select(ranked, sub, limit):
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
                sub_question=sub.id, lang=p.lang, title=p.title,
            ))
    return Findings(lang, subs, pools, evidence, state)


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

