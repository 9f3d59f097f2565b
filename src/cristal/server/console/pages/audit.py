"""Console pages: the audit log — entries filtered by action, actor and dates, the chain's
status (`verify`), and an export of the matching entries as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from cristal.app import admin
from cristal.app import audit as uc
from cristal.server.console._web import Page, Pager, form_of, page, page_number, render
from cristal.server.console.pages.usage import parse_day

__all__ = ["as_json", "router"]

router = APIRouter(include_in_schema=False)

PER_PAGE = 50


def as_json(value: object) -> str:
    """Compact JSON for display (escaped by the template, so `<script>` shows as text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _filters(p: Page, values: dict[str, str]) -> dict:
    """Use-case arguments from the filter fields (dates are whole UTC days)."""
    since = parse_day(values.get("from"), "from")
    until = parse_day(values.get("to"), "to")
    tenant = (values.get("tenant") or None) if p.principal.is_owner else None
    return {"tenant": None if tenant == "*" else tenant,
            "since": datetime.combine(since, time(0), tzinfo=UTC) if since else None,
            "until": (datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC)
                      if until else None),
            "action": (values.get("action") or "").strip() or None,
            "actor": (values.get("actor") or "").strip() or None}


def _list(request: Request, p: Page, verification=None) -> Response:
    q = request.query_params
    args = _filters(p, dict(q))
    number = page_number(request)
    found = uc.list_entries(p.app, p.principal, limit=PER_PAGE + 1,
                            offset=(number - 1) * PER_PAGE, **args)
    pager = Pager.of(request, found, size=PER_PAGE)
    tenants = ([t.name for t in admin.list_tenants(p.app, p.principal)]
               if p.principal.is_owner else [])
    fields = {k: q.get(k, "") for k in ("action", "actor", "from", "to", "tenant")}
    if p.principal.is_owner and not fields["tenant"]:
        fields["tenant"] = "*"
    return render(p, "audit/index.html", pager=pager, fields=fields, tenants=tenants,
                  verification=verification, as_json=as_json)


@router.get("/audit")
def audit_page(request: Request, p: Page = Depends(page)) -> Response:
    """The newest entries first, filtered and paginated."""
    return _list(request, p)


@router.get("/audit/verify")
def verify_page(request: Request, p: Page = Depends(page)) -> Response:
    """The same page with the chain's status (reads the whole chain; changes nothing)."""
    return _list(request, p, uc.verify(p.app, p.principal))


@router.post("/audit/export")
async def export(request: Request, p: Page = Depends(page)) -> Response:
    """The matching entries in chain order as a JSON lines download (the export is audited,
    so it is a POST with the form's CSRF token)."""
    form = await form_of(request, p)
    args = _filters(p, {k: str(v) for k, v in form.items()})
    entries = await anyio.to_thread.run_sync(
        lambda: uc.export_entries(p.app, p.principal, **args))

    def lines() -> Iterator[str]:
        for entry in entries:
            yield json.dumps(entry.to_dict(), ensure_ascii=False) + "\n"

    name = f"audit-{args['tenant'] or p.principal.tenant}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    if p.principal.is_owner and args["tenant"] is None:
        name = f"audit-all-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    return StreamingResponse(lines(), media_type="application/x-ndjson", headers={
        "content-disposition": f'attachment; filename="{name}.jsonl"',
        "cache-control": "no-store"})
