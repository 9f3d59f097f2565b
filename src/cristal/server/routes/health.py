"""/healthz (the process answers) and /readyz (database reachable, schema current)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cristal.app import health
from cristal.server._deps import Cristal

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, Any]:
    """200 while the process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(app: Cristal) -> Any:
    """200 when the database answers and its schema is at this version's head; else 503."""
    state = health.readiness(app)
    return state if state["status"] == "ready" else JSONResponse(state, status_code=503)
