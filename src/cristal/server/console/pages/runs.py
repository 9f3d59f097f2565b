"""Console pages: workflow runs (list with status and workflow filters) and one run's
timeline (steps with status, duration, attempts, inputs, outputs, model calls, cost), with
cancel and resume (`cristal.app.workflows`)."""

from __future__ import annotations

from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import workflows as uc
from cristal.server.console._web import (
    Page,
    Pager,
    form_of,
    page,
    page_number,
    redirect,
    render,
)
from cristal.server.console.pages.approvals import pretty, workflow_names

__all__ = ["STATUSES", "router"]

router = APIRouter(include_in_schema=False)

SIZE = 25
STATUSES = ("queued", "running", "waiting", "succeeded", "failed", "cancelled")
_DONE = {"cancelled": "Run %(run)s was cancelled.", "resumed": "Run %(run)s was resumed."}


@router.get("/runs")
def run_list(request: Request, p: Page = Depends(page)) -> Response:
    """Recent runs the principal may see, filtered by status and workflow."""
    status = request.query_params.get("status") or None
    if status not in STATUSES:
        status = None
    workflow = (request.query_params.get("workflow") or "").strip()[:200] or None
    skip = (page_number(request) - 1) * SIZE
    rows = uc.runs(p.app, p.principal, status=status, workflow=workflow,
                   limit=skip + SIZE + 1)[skip:]
    return render(p, "runs/list.html", pager=Pager.of(request, rows, size=SIZE),
                  chosen=status or "", workflow=workflow or "", statuses=STATUSES,
                  workflows=workflow_names(p))


def _may_manage(p: Page, view: uc.RunView) -> bool:
    return p.can("runs.manage") or (view.started_by is not None
                                     and view.started_by == p.principal.subject)


@router.get("/runs/{run_id}")
def run_page(run_id: str, request: Request, p: Page = Depends(page)) -> Response:
    """One run: its facts and the timeline of its steps."""
    view = uc.run(p.app, p.principal, run_id)
    done = request.query_params.get("done")
    if done in _DONE:
        p.flash.append(p.gettext(_DONE[done], run=view.run_id))
    manage = _may_manage(p, view)
    waiting = view.waiting or {}
    # what `resume` accepts: cancelled, dead-lettered (a failed run whose worker kept dying)
    # or paused for budget; a failed step is retried, not resumed
    resumable = (view.status == "cancelled"
                 or (view.status == "failed" and (view.error or "").startswith("dead letter"))
                 or (view.status == "waiting" and waiting.get("kind") == "budget"))
    return render(p, "runs/run.html", run=view, pretty=pretty,
                  can_cancel=manage and not view.done, can_resume=manage and resumable,
                  decide=waiting.get("kind") == "approval" and p.can("approvals.decide"))


async def _change(run_id: str, request: Request, p: Page, verb: str) -> Response:
    await form_of(request, p)
    act = uc.cancel if verb == "cancel" else uc.resume
    await anyio.to_thread.run_sync(lambda: act(p.app, p.principal, run_id))
    done = "cancelled" if verb == "cancel" else "resumed"
    return redirect(f"/runs/{quote(run_id, safe='')}?done={done}")


@router.post("/runs/{run_id}/cancel")
async def cancel(run_id: str, request: Request, p: Page = Depends(page)) -> Response:
    """Cancel the run (its starter, or builders and admins)."""
    return await _change(run_id, request, p, "cancel")


@router.post("/runs/{run_id}/resume")
async def resume(run_id: str, request: Request, p: Page = Depends(page)) -> Response:
    """Resume a cancelled, failed or budget-paused run."""
    return await _change(run_id, request, p, "resume")
