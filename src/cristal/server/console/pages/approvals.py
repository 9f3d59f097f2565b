"""Console pages: the approvals inbox (runs waiting at an approval step this principal may
decide) and the approve/reject form (`cristal.app.workflows.decide`)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import workflows as uc
from cristal.errors import InvalidInput
from cristal.server.console._web import (
    Page,
    Pager,
    form_of,
    page,
    page_number,
    redirect,
    render,
)

__all__ = ["pretty", "router", "run_link", "workflow_names"]

router = APIRouter(include_in_schema=False)

SIZE = 20


def pretty(value: Any) -> str:
    """A run's inputs or outputs as indented JSON text (escaped by the template)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def workflow_names(p: Page) -> list[str]:
    """The registered workflows' names, for a filter (none when the principal may not list)."""
    if not p.can("workflows.read"):
        return []
    return sorted({s.name for s in uc.list_specs(p.app, p.principal)})


_RUN_ID = re.compile(r"[A-Za-z0-9_.:-]{1,80}")


def _done_message(p: Page, request: Request) -> None:
    done, run_id = request.query_params.get("done"), request.query_params.get("run", "")
    if not _RUN_ID.fullmatch(run_id):  # never echo other text from the address
        return
    if done == "approved":
        p.flash.append(p.gettext("You approved run %(run)s.", run=run_id))
    elif done == "rejected":
        p.flash.append(p.gettext("You rejected run %(run)s.", run=run_id))


@router.get("/approvals")
def inbox(request: Request, p: Page = Depends(page)) -> Response:
    """What waits for the signed-in principal's decision."""
    workflow = request.query_params.get("workflow") or None
    rows = uc.approvals_waiting(p.app, p.principal, workflow=workflow, limit=SIZE + 1,
                                offset=(page_number(request) - 1) * SIZE)
    pager = Pager.of(request, rows, size=SIZE)
    for once in ("done", "run"):  # the status message is not repeated on other pages
        pager.query.pop(once, None)
    _done_message(p, request)
    return render(p, "approvals/inbox.html", pager=pager, workflow=workflow or "",
                  workflows=workflow_names(p), pretty=pretty)


@router.post("/approvals/{run_id}/{step}")
async def decide(run_id: str, step: str, request: Request,
                 p: Page = Depends(page)) -> Response:
    """Approve or reject, with a comment; back to the inbox with a status message."""
    form = await form_of(request, p)
    choice = str(form.get("decision") or "")
    if choice not in ("approve", "reject"):
        raise InvalidInput("choose Approve or Reject.")
    comment = str(form.get("comment") or "").strip()[:2000] or None
    await anyio.to_thread.run_sync(lambda: uc.decide(
        p.app, p.principal, run_id, step, approved=choice == "approve", comment=comment))
    query = {"done": "approved" if choice == "approve" else "rejected", "run": run_id}
    workflow = str(form.get("workflow") or "")
    if workflow:
        query["workflow"] = workflow
    return redirect(f"/approvals?{urlencode(query)}")


def run_link(run_id: str) -> str:
    """The URL of a run's timeline."""
    return f"/runs/{quote(run_id, safe='')}"
