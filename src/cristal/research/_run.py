"""One research session end to end: ingest if asked, research, write, verify, store."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from cristal.errors import BudgetExceeded, InvalidInput, ModelError
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
from cristal.research._llm import check_support, plan_with_model, write_with_model
from cristal.research._sessions import save_session
from cristal.research._types import Report
from cristal.research._verify import verify_quotes
from cristal.research._write import TEXT, answer_markdown, extractive_claims
from cristal.store import Store, new_id, utcnow

__all__ = ["ResearchRequest", "collection_for", "run_research"]


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
    embed_seconds: float | None = None  # stop embedding after this long; lexical still works
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
        except (ModelError, BudgetExceeded) as exc:
            notes.append(f"planning fell back to rules: {exc.message}")
    findings = gather(store, gateway, collection, tenant, request.question,
                      options=request.options, subs=subs, progress=say, caller=caller)
    lang = findings.lang
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
    verify_quotes(store, claims, findings.evidence)
    removed = sum(1 for c in claims if not c.verified)
    words = TEXT.get(lang, TEXT["en"])
    if removed:
        notes.append(words["unverified"].format(n=removed))
    cited = {x.evidence for c in claims if c.verified for x in c.citations}
    evidence = [e for e in findings.evidence if e.id in cited] if mode == "model" else \
        findings.evidence
    route_model = gateway.resolve("research", tenant.name).model if mode == "model" else ""
    mode_line = (words["model"].format(model=route_model or "the model") if mode == "model"
                 else words["extractive"])
    answer = answer_markdown(lang, findings.sub_questions, claims, findings.evidence,
                             mode_line, notes)
    research_ms = (time.perf_counter() - started) * 1000
    report = Report(
        id=session_id, question=request.question, lang=lang, answer=answer,
        not_found=not any(c.verified for c in claims), claims=claims,
        retrieved=retrieved_documents(findings), sub_questions=findings.sub_questions,
        evidence=evidence, timings_ms={"ingest": ingest_ms, "research": research_ms},
        model_calls=count_calls(store, caller, "chat"), mode=mode,
        collection=collection.name, tenant=tenant.name, created_at=utcnow().isoformat(),
        notes=notes, docs_root=str(request.docs.resolve()) if request.docs else None,
    )
    save_session(store, tenant.id, report, collection_ids=list(collection.ids),
                 asked_by=request.reader.subject if request.reader else None)
    return report, ingest_summary


def _lang(text: str) -> str:
    from cristal.knowledge import detect_lang

    return detect_lang(text)
