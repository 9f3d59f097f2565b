"""Use case of readiness: is the database reachable and its schema at this version's head."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cristal.app._app import App
from cristal.store._migrate import head_revision

__all__ = ["readiness"]


def readiness(app: App) -> dict[str, Any]:
    """`{"status": "ready"|"unavailable", "database", …}`: ready when the schema is current."""
    head = head_revision()
    try:
        with app.store.read() as conn:
            current = conn.execute(sa.text(
                "SELECT version_num FROM cristal_schema_version")).scalar()
    except Exception as exc:  # any database failure means "not ready"
        return {"status": "unavailable", "database": "unreachable",
                "detail": type(exc).__name__}
    if current != head:
        return {"status": "unavailable", "database": "ok", "schema": current,
                "expected": head}
    return {"status": "ready", "database": "ok", "schema": current}
