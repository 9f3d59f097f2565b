"""Use cases of Deep Research: ask (over the collections one may read), list, show, export.

Asking is audited (the question as text or only its SHA-256, by `audit.research_question`)
with the documents the answer cites; stored sessions are shown only to a principal who
can read every collection the session searched.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cristal.app._access import record, tenant_for
from cristal.app._app import App
from cristal.app.knowledge import Progress, readable_scope
from cristal.errors import InvalidInput, PermissionDenied
from cristal.governance import Principal, Tenant, allowed
from cristal.knowledge import document_texts
from cristal.research import (
    Report,
    ResearchOptions,
    ResearchRequest,
    get_session,
    list_sessions,
    render_html,
    render_markdown,
    report_from_contract,
    run_research,
)
from cristal.research._sessions import SessionSummary

__all__ = ["ask", "cited_documents", "export_report", "session", "sessions"]

FORMATS = {"json": "application/json", "md": "text/markdown; charset=utf-8",
           "html": "text/html; charset=utf-8"}


def cited_documents(report: Report) -> list[str]:
    """The documents the verified claims cite, in order of first citation."""
    return list(dict.fromkeys(x.doc for c in report.claims if c.verified for x in c.citations))


def ask(app: App, principal: Principal, question: str, *,
        collections: list[str] | None = None, docs: Path | None = None,
        tenant: str | None = None, use_model: bool | None = None, max_steps: int = 16,
        embed: bool = True, embed_seconds: float | None = None,
        progress: Progress | None = None,
        everywhere: bool = True) -> tuple[Report, dict[str, Any] | None]:
    """Research a question over the named collections, or over every one the asker may read.

    `docs` (a folder of this machine, ingested first) is for the command line only;
    `everywhere` False: naming no collection is an error instead of "all readable".
    """
    where = tenant_for(app, principal, tenant, "research", "ask research questions")
    if docs is not None and principal.kind != "local":
        raise PermissionDenied("only the command line can research a folder of the server; "
                               "name collections instead.")
    ids: list[str] = []
    names: tuple[str, ...] | None = None
    if docs is None and (collections or everywhere):
        scope = readable_scope(app, principal, collections, where)
        names, ids = tuple(c.name for c in scope.collections), list(scope.ids)
    request = ResearchRequest(
        question=question, docs=docs, collection=(collections or [None])[0] if docs else None,
        tenant=where.name, use_model=use_model, options=ResearchOptions(max_steps=max_steps),
        embed=embed, embed_seconds=embed_seconds, collections=names, reader=principal)
    report, ingested = run_research(app.store, app.gateway, request, progress)
    if docs is not None:
        ids = _session_ids(app, where, report.id)
    _audit(app, principal, where, report, ids)
    return report, ingested


def _session_ids(app: App, where: Tenant, session_id: str) -> list[str]:
    return list(get_session(app.store, where, session_id).get("collection_ids") or [])


def _audit(app: App, principal: Principal, where: Tenant, report: Report,
           ids: list[str]) -> None:
    how = app.settings.audit.research_question
    asked: dict[str, Any] = {"collection_ids": ids, "collections": report.collection,
                             "mode": report.mode, "not_found": report.not_found}
    if how == "hash":
        asked["question_sha256"] = hashlib.sha256(report.question.encode()).hexdigest()
    else:
        asked["question"] = report.question
    record(app, principal, "research.asked", tenant=where, target=report.id, details=asked)
    cited = cited_documents(report)
    if cited:
        record(app, principal, "research.cited", tenant=where, target=report.id,
               details={"collection_ids": ids, "documents": cited})


def _who(principal: Principal, doing: str) -> str | None:
    """None: every session the principal may read; else only the principal's own."""
    if allowed(principal, "research.read"):
        return None
    if allowed(principal, "research.read_own"):
        return principal.subject
    raise PermissionDenied(f"{principal.actor} may not {doing}: that needs the member role "
                           "(own sessions) or admin (all sessions).")


def sessions(app: App, principal: Principal, tenant: str | None = None,
             limit: int = 20) -> list[SessionSummary]:
    """Recent sessions the principal may see (their own, or all for admins)."""
    where = tenant_for(app, principal, tenant)
    return list_sessions(app.store, where, limit, reader=principal,
                         asked_by=_who(principal.with_tenant(where.name), "list research"))


def session(app: App, principal: Principal, session_id: str,
            tenant: str | None = None) -> dict[str, Any]:
    """One stored report (the JSON contract), if the principal may see it."""
    where = tenant_for(app, principal, tenant)
    return get_session(app.store, where, session_id, reader=principal,
                       asked_by=_who(principal.with_tenant(where.name), "read research"))


def export_report(app: App, principal: Principal, session_id: str, fmt: str,
                  tenant: str | None = None) -> tuple[str, str]:
    """A stored report as json, md or html, with its media type (the export is audited)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"report format {fmt!r} is not one of {', '.join(FORMATS)}.")
    data = session(app, principal, session_id, tenant)
    report = report_from_contract(data)
    if fmt == "json":
        text = json.dumps({k: v for k, v in data.items() if k != "out_dir"},
                          ensure_ascii=False)
    elif fmt == "md":
        text = render_markdown(report)
    else:
        texts = document_texts(app.store, [e.document_id for e in report.evidence])
        text = render_html(report, texts)
    record(app, principal, "research.export", tenant=report.tenant, target=session_id,
           details={"collection_ids": data.get("collection_ids") or [], "format": fmt})
    return text, FORMATS[fmt]
