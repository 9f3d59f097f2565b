"""Console pages: stored Operator runs (list with a status filter) and one run's steps with
the snapshot text and screenshot of each step and the confirmations asked
(`cristal.app.operator`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import operator as uc
from cristal.errors import NotFound
from cristal.server.console._web import CSP, Page, Pager, page, page_number, render
from cristal.server.console.pages.approvals import pretty

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

SIZE = 25
STATUSES = ("running", "succeeded", "failed", "rejected", "needs_confirmation", "needs_input",
            "step_budget", "loop_detected", "unverified", "invalid_output", "error",
            "interrupted")


@router.get("/operator")
def run_list(request: Request, p: Page = Depends(page)) -> Response:
    """The tenant's recent Operator runs."""
    status = request.query_params.get("status") or None
    if status not in STATUSES:
        status = None
    skip = (page_number(request) - 1) * SIZE
    rows = uc.list_runs(p.app, p.principal, status=status, limit=skip + SIZE + 1)[skip:]
    return render(p, "operator/list.html", pager=Pager.of(request, rows, size=SIZE),
                  chosen=status or "", statuses=STATUSES)


@router.get("/operator/{run_id}")
def run_page(run_id: str, p: Page = Depends(page)) -> Response:
    """One Operator run: what it was asked, each step, the confirmations and their answers."""
    run = uc.get_run(p.app, p.principal, run_id)
    records = uc.steps(p.app, p.principal, run_id)
    return render(p, "operator/run.html", run=run, steps=records,
                  shots=uc.screenshot_steps(p.app, p.principal, run_id),
                  started_by=uc.started_by(p.app, p.principal, run_id), pretty=pretty)


@router.get("/operator/{run_id}/steps/{step}.png")
def screenshot(run_id: str, step: int, p: Page = Depends(page)) -> Response:
    """The screenshot kept after one step (the run's tenant and operator.read checked)."""
    data = uc.screenshot(p.app, p.principal, run_id, step)
    if data is None:
        raise NotFound(f"operator run {run_id} kept no screenshot of step {step}.",
                       run_id=run_id, step=step)
    return Response(data, media_type="image/png",
                    headers={"content-security-policy": CSP, "cache-control": "private",
                             "x-content-type-options": "nosniff"})
