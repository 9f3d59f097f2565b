"""/api/audit: list, export (JSON lines with hashes) and verify the chain."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from cristal.app import audit as uc
from cristal.server._deps import Cristal, Me, TenantQuery

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("")
def entries(app: Cristal, who: Me, tenant: TenantQuery = None, since: datetime | None = None,
            until: datetime | None = None, action: str | None = None,
            limit: int = Query(100, ge=1, le=5000)) -> dict[str, Any]:
    """Newest entries first (auditor, admin, owner)."""
    found = uc.list_entries(app, who, tenant=tenant, since=since, until=until, action=action,
                            limit=limit)
    return {"entries": [e.to_dict() for e in found]}


@router.get("/export")
def export(app: Cristal, who: Me, tenant: TenantQuery = None, since: datetime | None = None,
           until: datetime | None = None, action: str | None = None) -> Response:
    """Every matching entry in chain order as JSON lines (the export is audited)."""
    lines = [json.dumps(e.to_dict(), ensure_ascii=False)
             for e in uc.export_entries(app, who, tenant=tenant, since=since, until=until,
                                        action=action)]
    return Response("".join(line + "\n" for line in lines), media_type="application/x-ndjson")


@router.get("/verify")
def verify(app: Cristal, who: Me) -> dict[str, Any]:
    """Check the whole chain: `ok`, or the first bad entry and why (owner, auditor)."""
    return uc.verify(app, who).to_dict()
