"""/api/research: ask (progress as server-sent events), list, show, and report files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from cristal.app import research as uc
from cristal.server._deps import Body, Cristal, Me, TenantQuery
from cristal.server._sse import stream_work, wants_events

router = APIRouter(prefix="/api", tags=["research"])


class ResearchIn(Body):
    """A question, over named collections or every collection the caller may read."""

    question: str
    collections: list[str] | None = None
    max_steps: int = Field(16, ge=1, le=100)
    model: bool | None = Field(None, description="force the model (true) or extractive path")


@router.post("/research", response_model=None)
async def ask(body: ResearchIn, app: Cristal, who: Me, tenant: TenantQuery = None,
              stream: bool | None = None,
              accept: Annotated[str | None, Header()] = None) -> Any:
    """Research a question; the report (DESIGN.md's contract) with its session id.

    With `Accept: text/event-stream` (or `?stream=true`): `progress` events (plan,
    search, follow…) and a last `result` event with the report.
    """
    def work(emit=None) -> dict[str, Any]:
        progress = None
        if emit is not None:
            def progress(stage: str, done: int, total: int, detail: str) -> None:
                emit("progress", {"stage": stage, "detail": detail})
        report, _ = uc.ask(app, who, body.question, collections=body.collections,
                           tenant=tenant, use_model=body.model, max_steps=body.max_steps,
                           progress=progress, embed_seconds=60)
        return report.to_contract()

    if wants_events(accept, stream):
        return stream_work(work)
    return await run_in_threadpool(work)


@router.get("/research")
def sessions(app: Cristal, who: Me, tenant: TenantQuery = None,
             limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
    """Recent sessions the caller may see."""
    return {"sessions": [s.to_dict() for s in uc.sessions(app, who, tenant, limit)]}


@router.get("/research/{session_id}")
def session(session_id: str, app: Cristal, who: Me, tenant: TenantQuery = None
            ) -> dict[str, Any]:
    """One stored report (JSON contract)."""
    data = uc.session(app, who, session_id, tenant)
    data.pop("out_dir", None)  # a path on the server
    return data


@router.get("/research/{session_id}/report")
def report(session_id: str, app: Cristal, who: Me, tenant: TenantQuery = None,
           format: str = Query("html", pattern="^(html|md|json)$")) -> Response:
    """The report as html, md or json (the export is audited)."""
    text, media = uc.export_report(app, who, session_id, format, tenant)
    name = f"{session_id}.{format}"
    return Response(text, media_type=media,
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
