"""/api/operator/runs: stored browser runs, their steps, and trajectory export (JSONL)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from cristal.app import operator as uc
from cristal.server._deps import Cristal, Me, TenantQuery

router = APIRouter(prefix="/api/operator", tags=["operator"])


@router.get("/runs")
def runs(app: Cristal, who: Me, tenant: TenantQuery = None, status: str | None = None,
         limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
    """Recent operator runs."""
    return {"runs": [r.to_dict() for r in uc.list_runs(app, who, tenant=tenant, limit=limit,
                                                         status=status)]}


@router.get("/runs/{run_id}")
def run(run_id: str, app: Cristal, who: Me, tenant: TenantQuery = None,
        snapshots: bool = False) -> dict[str, Any]:
    """One run and its steps (page snapshots only when asked)."""
    data = uc.get_run(app, who, run_id, tenant)
    exclude = set() if snapshots else {"snapshot_text"}
    steps = uc.steps(app, who, run_id, tenant)
    return {**data, "steps": [s.model_dump(mode="json", exclude=exclude) for s in steps]}


@router.get("/runs/{run_id}/export")
def export(run_id: str, app: Cristal, who: Me, tenant: TenantQuery = None,
           format: str = Query("steps", pattern="^(steps|chat)$")) -> Response:
    """The trajectory as JSON lines: step records, or chat training examples (audited)."""
    lines = list(uc.export(app, who, run_id, format, tenant))
    return Response("".join(line + "\n" for line in lines), media_type="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{run_id}.jsonl"'})
