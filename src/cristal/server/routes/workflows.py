"""/api/workflows (register specs, start runs with Idempotency-Key) and /api/runs."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from cristal.app import workflows as uc
from cristal.app.workflows import RunView
from cristal.errors import InvalidInput
from cristal.server._deps import Body, Cristal, Me, TenantQuery

router = APIRouter(prefix="/api", tags=["workflows"])
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _run(view: RunView, steps: bool = False) -> dict[str, Any]:
    """DESIGN.md's run contract (run_id, status, outputs), then the rest."""
    data = view.to_dict()
    if not steps:
        data.pop("steps", None)
    return {"run_id": view.run_id, "status": view.status, "outputs": view.outputs,
            **{k: v for k, v in data.items() if k not in ("run_id", "status", "outputs")}}


class SpecIn(Body):
    """A workflow spec (YAML text) and who among members may start it."""

    source: str
    allow_groups: list[str] = []


class StartIn(Body):
    """Inputs of a run, and optionally its queue and priority."""

    inputs: dict[str, Any] = {}
    version: int | None = None
    queue: str | None = None
    priority: int | None = None


class DecisionIn(Body):
    """An approval decision."""

    approved: bool
    comment: str | None = None


@router.post("/workflows", status_code=201)
def register(body: SpecIn, app: Cristal, who: Me, tenant: TenantQuery = None
             ) -> dict[str, Any]:
    """Validate and store a spec as the next version of its workflow (builder, admin)."""
    return uc.register(app, who, body.source, allow_groups=body.allow_groups,
                       tenant=tenant).to_dict()


@router.get("/workflows")
def list_specs(app: Cristal, who: Me, tenant: TenantQuery = None) -> dict[str, Any]:
    """Registered workflows (newest versions)."""
    return {"workflows": [s.to_dict() for s in uc.list_specs(app, who, tenant)]}


@router.get("/workflows/{name}")
def get_spec(name: str, app: Cristal, who: Me, tenant: TenantQuery = None,
             version: int | None = Query(None, ge=1)) -> dict[str, Any]:
    """One registered workflow with its YAML."""
    return uc.get_spec(app, who, name, version, tenant).to_dict(source=True)


@router.post("/workflows/{name}/runs", status_code=202)
def start(name: str, body: StartIn, app: Cristal, who: Me, tenant: TenantQuery = None,
          idempotency_key: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Start a run for the workers. The same `Idempotency-Key` returns the same run."""
    if idempotency_key is not None and not _KEY.fullmatch(idempotency_key):
        raise InvalidInput("Idempotency-Key must be 1-200 printable ASCII characters.")
    view = uc.start(app, who, name, body.inputs, key=idempotency_key, version=body.version,
                    tenant=tenant, queue=body.queue, priority=body.priority)
    return _run(view)


@router.get("/runs")
def runs(app: Cristal, who: Me, tenant: TenantQuery = None, status: str | None = None,
         workflow: str | None = None, limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    """Recent runs the caller may see."""
    found = uc.runs(app, who, status=status, workflow=workflow, limit=limit, tenant=tenant)
    return {"runs": [_run(v) for v in found]}


@router.get("/approvals")
def approvals(app: Cristal, who: Me, tenant: TenantQuery = None, workflow: str | None = None,
              limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)
              ) -> dict[str, Any]:
    """Runs waiting at an approval step that the caller may decide (the console's inbox)."""
    found = uc.approvals_waiting(app, who, workflow=workflow, limit=limit, offset=offset,
                                 tenant=tenant)
    return {"runs": [_run(v, steps=True) for v in found]}


@router.get("/runs/{run_id}")
def run(run_id: str, app: Cristal, who: Me) -> dict[str, Any]:
    """One run with its steps."""
    return _run(uc.run(app, who, run_id), steps=True)


@router.post("/runs/{run_id}/cancel")
def cancel(run_id: str, app: Cristal, who: Me) -> dict[str, Any]:
    """Cancel a run."""
    return _run(uc.cancel(app, who, run_id))


@router.post("/runs/{run_id}/resume")
def resume(run_id: str, app: Cristal, who: Me) -> dict[str, Any]:
    """Resume a cancelled, dead-lettered or budget-paused run."""
    return _run(uc.resume(app, who, run_id))


@router.post("/runs/{run_id}/approvals/{step}")
def decide(run_id: str, step: str, body: DecisionIn, app: Cristal, who: Me
           ) -> dict[str, Any]:
    """Approve or reject a run waiting at an approval step (approver of its tenant)."""
    return uc.decide(app, who, run_id, step, approved=body.approved, comment=body.comment)
