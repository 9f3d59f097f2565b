"""/healthz (the process answers) and /readyz (database reachable, schema current)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cristal.server._deps import Cristal
from cristal.store._migrate import head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, Any]:
    """200 while the process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(app: Cristal) -> Any:
    """200 when the database answers and its schema is at this version's head; else 503."""
    head = head_revision()
    try:
        with app.store.read() as conn:
            current = conn.execute(sa.text(
                "SELECT version_num FROM cristal_schema_version")).scalar()
    except Exception as exc:  # any database failure means "not ready"
        return JSONResponse({"status": "unavailable", "database": "unreachable",
                             "detail": type(exc).__name__}, status_code=503)
    if current != head:
        return JSONResponse({"status": "unavailable", "database": "ok", "schema": current,
                             "expected": head}, status_code=503)
    return {"status": "ready", "database": "ok", "schema": current}
