"""Stored research sessions: save, list and show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.errors import NotFound
from cristal.governance import Tenant
from cristal.research._tables import research_sessions
from cristal.research._types import Report
from cristal.store import Store, utcnow

__all__ = ["SessionSummary", "get_session", "list_sessions", "save_session", "set_out_dir"]


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One line of `cristal research list`."""

    id: str
    created_at: datetime
    question: str
    collection: str
    lang: str
    mode: str
    not_found: bool
    duration_ms: float
    model_calls: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "created_at": self.created_at.isoformat(),
                "question": self.question, "collection": self.collection, "lang": self.lang,
                "mode": self.mode, "not_found": self.not_found,
                "duration_ms": round(self.duration_ms, 1), "model_calls": self.model_calls}


def save_session(store: Store, tenant_id: str, report: Report, out_dir: str | None = None) -> None:
    """Store a finished report."""
    with store.write() as conn:
        conn.execute(research_sessions.insert().values(
            id=report.id, tenant_id=tenant_id, collection=report.collection,
            question=report.question, lang=report.lang, mode=report.mode,
            not_found=report.not_found, created_at=utcnow(),
            duration_ms=report.timings_ms.get("research", 0.0), model_calls=report.model_calls,
            out_dir=out_dir, report=report.to_contract(),
        ))


def set_out_dir(store: Store, session_id: str, out_dir: str) -> None:
    """Remember where a session's report files were written."""
    with store.write() as conn:
        conn.execute(research_sessions.update().where(research_sessions.c.id == session_id)
                     .values(out_dir=out_dir))


def list_sessions(store: Store, tenant: Tenant, limit: int = 20) -> list[SessionSummary]:
    """A tenant's most recent sessions first."""
    c = research_sessions.c
    with store.read() as conn:
        rows = conn.execute(sa.select(
            c.id, c.created_at, c.question, c.collection, c.lang, c.mode, c.not_found,
            c.duration_ms, c.model_calls).where(c.tenant_id == tenant.id)
            .order_by(c.created_at.desc()).limit(limit)).all()
    return [SessionSummary(*r) for r in rows]


def get_session(store: Store, tenant: Tenant, session_id: str) -> dict[str, Any]:
    """A stored report (the JSON contract) with where its files are."""
    c = research_sessions.c
    with store.read() as conn:
        row = conn.execute(sa.select(c.report, c.out_dir).where(
            c.tenant_id == tenant.id, c.id == session_id)).first()
    if row is None:
        raise NotFound(f"no research session {session_id!r} for tenant {tenant.name}; "
                       "`cristal research list` shows recent ones.")
    return {**row.report, "out_dir": row.out_dir}
