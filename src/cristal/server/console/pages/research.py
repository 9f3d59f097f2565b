"""Console pages: research (ask, live progress, the report, history, downloads) and the
document view a citation opens, with the cited passage highlighted.

Asking: research.js posts the form with fetch() to `/research/ask`, which streams the
progress as server-sent events and ends with the new session's URL; without JavaScript
the same form posts to `/research`, which answers when the report is ready (303 to it).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import knowledge, research
from cristal.errors import InvalidInput, PermissionDenied
from cristal.server._sse import stream_work
from cristal.server.console._web import (
    Page,
    Pager,
    form_of,
    page,
    page_number,
    redirect,
    render,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

HISTORY_SIZE = 20
DOCUMENT_WINDOW = 150_000  # characters of a long document shown around the cited passage
MAX_QUESTION = 2000
_SAFE_NAME = re.compile(r"[^\w.-]+")


def _require_research(p: Page) -> None:
    if not p.can("research"):
        raise PermissionDenied(f"{p.principal.actor} may not ask research questions: that "
                               "needs the member, builder or admin role.")


def _stage_labels(p: Page) -> dict[str, str]:
    return {"plan": p.gettext("Planning"), "search": p.gettext("Searching"),
            "follow": p.gettext("Reading a document")}


def _asked(form: Any, p: Page) -> tuple[str, list[str]]:
    question = " ".join(str(form.get("question") or "").split())
    if not question:
        raise InvalidInput(p.gettext("Write a question first."))
    if len(question) > MAX_QUESTION:
        raise InvalidInput(p.gettext("The question is too long (at most %(n)s characters).",
                                     n=MAX_QUESTION))
    names = [str(n) for n in form.getlist("collections") if str(n).strip()]
    return question, names


@router.get("/research")
def research_page(request: Request, p: Page = Depends(page)) -> Response:
    """The question form, over the collections one may read, and one's past sessions."""
    _require_research(p)
    return _form_page(request, p)


def _form_page(request: Request, p: Page, *, error: str = "", question: str = "",
               chosen: list[str] | None = None, status: int = 200) -> Response:
    collections = knowledge.list_collections(p.app, p.principal)
    offset = (page_number(request) - 1) * HISTORY_SIZE
    rows = research.sessions(p.app, p.principal, limit=offset + HISTORY_SIZE + 1)
    pager = Pager.of(request, rows[offset:], size=HISTORY_SIZE)
    return render(p, "research/index.html", status=status, collections=collections,
                  history=pager, error=error, question=question,
                  chosen=set(chosen or []), labels=_stage_labels(p))


@router.post("/research")
async def ask_plain(request: Request, p: Page = Depends(page)) -> Response:
    """The form without JavaScript: research, then show the report (303)."""
    _require_research(p)
    form = await form_of(request, p)
    try:
        question, names = _asked(form, p)
    except InvalidInput as exc:
        message = exc.message
        return await anyio.to_thread.run_sync(lambda: _form_page(
            request, p, error=message, status=400,
            chosen=[str(n) for n in form.getlist("collections")]))
    report, _ = await anyio.to_thread.run_sync(lambda: research.ask(
        p.app, p.principal, question, collections=names or None, embed_seconds=60))
    return redirect(f"/research/{quote(report.id)}")


@router.post("/research/ask")
async def ask_stream(request: Request, p: Page = Depends(page)) -> Response:
    """The form sent by research.js: `progress` events, then `result` with the report's URL
    (or `error` with the message in plain words)."""
    _require_research(p)
    form = await form_of(request, p)
    question, names = _asked(form, p)
    labels = _stage_labels(p)

    def work(emit: Any) -> dict[str, Any]:
        def progress(stage: str, done: int, total: int, detail: str) -> None:
            emit("progress", {"stage": stage, "label": labels.get(stage, stage),
                              "detail": str(detail)[:300]})

        report, _ = research.ask(p.app, p.principal, question, collections=names or None,
                                 progress=progress, embed_seconds=60)
        return {"id": report.id, "url": f"/research/{quote(report.id)}"}

    return stream_work(work, headers={"Cache-Control": "no-store"})


def _document_url(document_id: str, start: int, end: int, page_no: int | None,
                  session_id: str) -> str:
    query: dict[str, Any] = {"start": start, "end": end, "session": session_id}
    if page_no:
        query["page"] = page_no
    return f"/documents/{quote(document_id)}?{urlencode(query)}#cited"


def _report_view(data: dict[str, Any]) -> dict[str, Any]:
    """The stored contract as the page shows it: numbered sources, claims with their
    numbers (the numbering of the downloadable report)."""
    evidence = {e["id"]: e for e in data.get("evidence") or []}
    numbers: dict[str, int] = {}
    sources: list[dict[str, Any]] = []
    for claim in data.get("claims") or []:
        if not claim.get("verified", True):
            continue
        for cite in claim.get("citations") or []:
            key = cite.get("evidence") or cite.get("quote") or ""
            if key in numbers:
                continue
            numbers[key] = len(numbers) + 1
            found = evidence.get(cite.get("evidence") or "")
            source = {"number": numbers[key], "doc": cite.get("doc") or "",
                      "quote": cite.get("quote") or "", "page": cite.get("page"),
                      "heading": [], "url": None}
            if found is not None:
                source.update(doc=found.get("title") or found.get("doc") or source["doc"],
                              path=found.get("doc"), quote=found.get("quote") or source["quote"],
                              page=found.get("page"))
                heading = [h for h in found.get("heading_path") or [] if h != source["doc"]]
                source["heading"] = heading
                source["url"] = _document_url(found["document_id"], found["start"],
                                              found["end"], found.get("page"), data["id"])
            sources.append(source)
    by_number = {s["number"]: s for s in sources}

    def refs(claim: dict[str, Any]) -> list[dict[str, Any]]:
        keys = [c.get("evidence") or c.get("quote") or "" for c in claim.get("citations") or []]
        return [by_number[numbers[k]] for k in dict.fromkeys(keys) if k in numbers]

    direct = [{"text": " ".join(c["text"].split()), "refs": refs(c)}
              for c in data.get("direct") or [] if c.get("verified", True)]
    groups = []
    subs = data.get("sub_questions") or []
    claims = data.get("claims") or []
    for sub in subs:
        mine = [{"text": c["text"].strip(), "verified": c.get("verified", True),
                 "note": c.get("note"), "refs": refs(c) if c.get("verified", True) else []}
                for c in claims if c.get("sub_question") == sub.get("id")]
        groups.append({"title": sub.get("text") if len(subs) > 1 else None, "claims": mine,
                       "found": any(c["verified"] for c in mine)})
    loose = [c for c in claims if c.get("sub_question") not in {s.get("id") for s in subs}]
    if loose:
        groups.append({"title": None, "found": any(c.get("verified", True) for c in loose),
                       "claims": [{"text": c["text"].strip(), "verified": c.get("verified", True),
                                   "note": c.get("note"),
                                   "refs": refs(c) if c.get("verified", True) else []}
                                  for c in loose]})
    answered = any(c.get("verified", True) for c in claims)
    return {"direct": direct, "groups": groups, "sources": sources, "answered": answered}


@router.get("/research/{session_id}")
def report_page(session_id: str, p: Page = Depends(page)) -> Response:
    """One report: the answer with numbered citations, then the sources."""
    data = research.session(p.app, p.principal, session_id)
    return render(p, "research/report.html", report=data, view=_report_view(data),
                  formats=("md", "html", "json"))


@router.get("/research/{session_id}/download/{fmt}")
def download(session_id: str, fmt: str, p: Page = Depends(page)) -> Response:
    """The report as a file (md, html or json); the export is audited."""
    text, media = research.export_report(p.app, p.principal, session_id, fmt)
    name = f"research-{_SAFE_NAME.sub('_', session_id)[:80]}.{fmt}"
    csp = ("default-src 'none'; style-src 'unsafe-inline'" if fmt == "html"
           else "default-src 'none'")
    return Response(text, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store"})


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


@router.get("/documents/{document_id}")
def document_page(document_id: str, request: Request, p: Page = Depends(page)) -> Response:
    """A document's text with the cited passage (`?start=&end=`) marked and scrolled to."""
    doc = knowledge.read_document(p.app, p.principal, document_id)
    text: str = doc["text"]
    start, end = _int(request.query_params.get("start")), _int(request.query_params.get("end"))
    cited = start is not None and end is not None and 0 <= start < end <= len(text)
    lo, hi = 0, len(text)
    if len(text) > DOCUMENT_WINDOW:
        centre = start if cited and start is not None else 0
        lo = max(0, min(centre - DOCUMENT_WINDOW // 2, len(text) - DOCUMENT_WINDOW))
        hi = lo + DOCUMENT_WINDOW
        if cited and end is not None and end > hi:
            hi = min(len(text), end)
    if cited and start is not None and end is not None:
        parts = (text[lo:start], text[start:end], text[end:hi])
    else:
        parts = (text[lo:hi], "", "")
    session_id = request.query_params.get("session") or ""
    back = f"/research/{quote(session_id)}" if re.fullmatch(r"[\w.-]{1,100}", session_id) \
        else None
    return render(p, "research/document.html", doc=doc, parts=parts, cited=cited,
                  page_no=_int(request.query_params.get("page")), window=(lo, hi),
                  length=len(text), back=back)
