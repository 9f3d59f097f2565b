"""One research session end to end: ingest if asked, research, write, verify, store."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from cristal.errors import BudgetExceeded, InvalidInput, ModelError, PiiBlocked
from cristal.governance import Principal, get_tenant
from cristal.knowledge import (
    Progress as IngestProgress,
)
from cristal.knowledge import (
    Scope,
    embed_pending,
    get_collection,
    ingest_paths,
)
from cristal.models import Gateway, count_calls
from cristal.research._engine import ResearchOptions, gather, retrieved_documents
from cristal.research._evidence import has_answer_cue
from cristal.research._llm import (
    check_support,
    judge_with_model,
    plan_with_model,
    write_with_model,
)
from cristal.research._model_answer import apply_verdicts, judged_evidence
from cristal.research._sessions import save_session
from cristal.research._types import Report
from cristal.research._verify import verify_quotes
from cristal.research._write import (
    TEXT,
    answer_markdown,
    direct_claims,
    extractive_claims,
    neighbour_claims,
    neighbour_line,
)
from cristal.store import Store, new_id, utcnow

__all__ = ["DEFAULT_EMBED_SECONDS", "ResearchRequest", "collection_for", "run_research"]

# Research answers from the lexical index after this long even when vectors are still
# missing (a large new folder); the rest fill in on the next ingest or research.
DEFAULT_EMBED_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class ResearchRequest:
    """What to research, where, and how."""

    question: str
    docs: Path | None = None
    collection: str | None = None
    tenant: str | None = None
    use_model: bool | None = None  # None: use one when the route has a model
    options: ResearchOptions = ResearchOptions()
    embed: bool = True
    embed_seconds: float | None = DEFAULT_EMBED_SECONDS  # None: embed everything first
    # Several collections searched together (instead of `collection`).
    collections: tuple[str, ...] | None = None
    # Who asks: only collections they may read are searched (None: the local owner).
    reader: Principal | None = None


def collection_for(docs: Path) -> str:
    """A stable collection name for a folder: its name plus a short hash of its path."""
    resolved = docs.resolve()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", resolved.name or "docs").strip("-.") or "docs"
    return f"{slug[:40]}-{hashlib.sha1(str(resolved).encode()).hexdigest()[:8]}"


def _ingest(store: Store, gateway: Gateway, request: ResearchRequest, tenant,
            progress: IngestProgress | None) -> tuple[str, float, dict | None]:
    started = time.perf_counter()
    name = request.collection or collection_for(request.docs)
    report = ingest_paths(store, tenant, name, [request.docs], progress=progress)
    if request.embed:
        embed_pending(store, gateway, tenant, get_collection(store, tenant, name),
                      progress=progress, seconds=request.embed_seconds)
    return name, (time.perf_counter() - started) * 1000, report.to_dict()


def run_research(store: Store, gateway: Gateway, request: ResearchRequest,
                 progress: IngestProgress | None = None) -> tuple[Report, dict | None]:
    """Research a question; returns the stored report and the ingest summary (if any)."""
    if not request.question.strip():
        raise InvalidInput("the question is empty: ask something, e.g. "
                           '`cristal research "What is the late fee?" --docs ./folder`.')
    if request.docs is None and request.collection is None and request.collections is None:
        raise InvalidInput("say where to look: --docs FOLDER or --collection NAME.")
    tenant = get_tenant(store, request.tenant or gateway.settings.tenant)
    ingest_ms, ingest_summary = 0.0, None
    if request.docs is not None:
        name, ingest_ms, ingest_summary = _ingest(store, gateway, request, tenant, progress)
        names = [name]
    else:
        names = [request.collection] if request.collection else list(request.collections or ())
    if not names:
        raise InvalidInput("there is no collection to research that you can read; ingest "
                           "documents first, or ask an admin to grant you a collection.")
    # The reader check happens here, at the bottom: a collection they may not read is
    # "not found", and nothing outside this scope is ever searched.
    collection = Scope(tuple(get_collection(store, tenant, n, reader=request.reader)
                             for n in dict.fromkeys(names)))
    session_id = new_id("res")
    pending_vectors = collection.chunks - collection.embedded
    caller = f"research:{session_id}"
    started = time.perf_counter()
    notes: list[str] = []
    use_model = request.use_model
    if use_model is None:
        use_model = gateway.available("research", tenant.name)
    say = (lambda stage, detail: progress(stage, 0, 0, detail)) if progress else None

    subs = None
    if use_model:
        try:
            subs = plan_with_model(gateway, request.question, _lang(request.question),
                                   tenant.name, caller) or None
        except PiiBlocked as exc:  # the question itself names a person, say
            use_model = False
            notes.append(_without_model(exc, "The research below was planned, judged and "
                                                 "written without the model."))
        except (ModelError, BudgetExceeded) as exc:
            notes.append(f"planning fell back to rules: {exc.message}")
    findings = gather(store, gateway, collection, tenant, request.question,
                      options=request.options, subs=subs, progress=say, caller=caller)
    lang = findings.lang
    if use_model and judged_evidence(findings):
        try:
            apply_verdicts(findings, judge_with_model(
                gateway, request.question, lang, findings.sub_questions,
                judged_evidence(findings), tenant.name, caller))
        except PiiBlocked as exc:
            # The evidence holds personal data the tenant's policy keeps from the model:
            # nothing was sent, and the answer is made here, from the documents alone.
            use_model = False
            notes.append(_without_model(exc))
        except (ModelError, BudgetExceeded) as exc:
            notes.append(f"the model could not judge answerability ({exc.message}); "
                         "the offline judgement stands")
    mode = "extractive"
    claims = extractive_claims(findings.evidence)
    if use_model and findings.evidence:
        try:
            written, model_not_found = write_with_model(
                gateway, request.question, lang, findings.sub_questions, findings.evidence,
                tenant.name, caller)
            if written or model_not_found:
                claims, mode = written, "model"
                check_support(gateway, claims, tenant.name, caller)
        except PiiBlocked as exc:
            claims, mode = extractive_claims(findings.evidence), "extractive"
            notes.append(_without_model(exc))
        except (ModelError, BudgetExceeded) as exc:
            notes.append(f"the model could not write the answer ({exc.message}); "
                         "the answer below is extractive")
    if pending_vectors and request.embed:
        notes.append(
            f"{collection.embedded} of {collection.chunks} passages have vectors so far; "
            "search used them where present. `cristal ingest` finishes the rest, which "
            "improves cross-lingual results." if lang != "ja" else
            f"{collection.chunks}件中{collection.embedded}件の箇所にベクトルがあります。"
            "`cristal ingest` で残りを計算すると、言語をまたぐ検索が改善します。")
    near_evidence = [e for found in findings.neighbours.values() for e in found]
    near = neighbour_claims(near_evidence)
    verify_quotes(store, claims, findings.evidence)
    removed = sum(1 for c in claims if not c.verified)
    words = TEXT.get(lang, TEXT["en"])
    if removed:
        notes.append(words["unverified"].format(n=removed))
    cited = {x.evidence for c in claims if c.verified for x in c.citations}
    evidence = [e for e in findings.evidence if e.id in cited] if mode == "model" else \
        findings.evidence
    direct = _direct(findings, claims, mode)
    verify_quotes(store, [*direct, *near], [*findings.evidence, *near_evidence])
    route_model = gateway.resolve("research", tenant.name).model if mode == "model" else ""
    mode_line = (words["model"].format(model=route_model or "the model") if mode == "model"
                 else words["extractive"])
    answer = answer_markdown(lang, findings.sub_questions, claims,
                             [*findings.evidence, *near_evidence], mode_line, notes,
                             direct=direct, neighbours=near)
    neighbour = _neighbour(findings, near, lang)
    research_ms = (time.perf_counter() - started) * 1000
    report = Report(
        id=session_id, question=request.question, lang=lang, answer=answer,
        not_found=not any(c.verified for c in claims), claims=claims,
        retrieved=retrieved_documents(findings), sub_questions=findings.sub_questions,
        evidence=[*evidence, *(e for e in near_evidence if any(
            x.evidence == e.id for c in near if c.verified for x in c.citations))],
        timings_ms={"ingest": ingest_ms, "research": research_ms},
        model_calls=count_calls(store, caller, "chat"), mode=mode,
        collection=collection.name, tenant=tenant.name, created_at=utcnow().isoformat(),
        notes=notes, docs_root=str(request.docs.resolve()) if request.docs else None,
        direct=direct, neighbour=neighbour,
    )
    save_session(store, tenant.id, report, collection_ids=list(collection.ids),
                 asked_by=request.reader.subject if request.reader else None)
    return report, ingest_summary


def _direct(findings, claims: list, mode: str) -> list:
    """The report's first lines: the model's first claim per sub-question, or the best
    extractive sentence (or table row) per sub-question."""
    if mode == "model":
        out = []
        for sub in findings.sub_questions:
            first = next((c for c in claims if c.sub_question == sub.id and c.verified), None)
            if first is not None:
                out.append(type(first)(text=first.text, citations=list(first.citations),
                                       sub_question=sub.id))
        return out
    kinds = {s.id: s.answer_type for s in findings.sub_questions}
    typed = {}
    for e in findings.evidence:
        start, end = e.focus or (e.start, e.end)
        focus = e.quote[max(0, start - e.start):max(0, end - e.start)]
        typed[e.id] = kinds.get(e.sub_question) in ("amount", "count", "time") and \
            has_answer_cue(focus, kinds[e.sub_question])
    return direct_claims(findings.sub_questions, claims, findings.evidence, typed)


def _without_model(exc: PiiBlocked, then: str = "The answer below is extractive, made "
                   "from the documents without the model.") -> str:
    """The note for a run the PII policy kept from the model (the policy's own words)."""
    return f"{exc.message} {then}"


def _neighbour(findings, near: list, lang: str) -> dict | None:
    """The contract's `neighbour`: what was asked, what the documents give instead, quotes."""
    for sub in findings.sub_questions:
        if sub.neighbour and not sub.found:
            cites = [x for c in near if c.verified and c.sub_question == sub.id
                     for x in c.citations]
            return {**sub.neighbour, "sub_question": sub.id,
                    "text": neighbour_line(lang, sub.neighbour),
                    "citations": [{"doc": x.doc, "quote": x.quote, "start": x.start,
                                   "end": x.end, "page": x.page} for x in cites]}
    return None


def _lang(text: str) -> str:
    from cristal.knowledge import detect_lang

    return detect_lang(text)
