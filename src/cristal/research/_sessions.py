"""Stored research sessions: save, list and show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.errors import NotFound
from cristal.governance import Principal, Tenant
from cristal.knowledge import list_collections
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


def save_session(store: Store, tenant_id: str, report: Report, out_dir: str | None = None,
                 collection_ids: list[str] | None = None, asked_by: str | None = None) -> None:
    """Store a finished report with the collections it searched and who asked."""
    with store.write() as conn:
        conn.execute(research_sessions.insert().values(
            id=report.id, tenant_id=tenant_id, collection=report.collection[:200],
            collection_ids=collection_ids, asked_by=asked_by,
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


class _Visibility:
    """Which sessions a reader may see: all the collections a session searched readable."""

    def __init__(self, store: Store, tenant: Tenant, reader: Principal | None,
                 asked_by: str | None) -> None:
        # Owners and the tenant's admins read every collection, deleted ones included.
        self.open = reader is None or reader.is_owner or (
            "admin" in reader.roles and reader.tenant == tenant.name)
        self.asked_by = asked_by
        if not self.open:
            self.readable = {c.id for c in list_collections(store, tenant, reader)}
            self.by_name = {c.name: c.id for c in list_collections(store, tenant)}

    def __call__(self, row: Any) -> bool:
        if self.asked_by is not None and row.asked_by != self.asked_by:
            return False
        if self.open:
            return True
        # Sessions stored before collection ids were kept name their collection.
        ids = row.collection_ids or [self.by_name.get(n, "?") for n in row.collection.split(", ")]
        return bool(ids) and set(ids) <= self.readable


def list_sessions(store: Store, tenant: Tenant, limit: int = 20,
                  reader: Principal | None = None,
                  asked_by: str | None = None) -> list[SessionSummary]:
    """A tenant's most recent sessions first (only those `reader` may see; of one asker)."""
    c = research_sessions.c
    visible = _Visibility(store, tenant, reader, asked_by)
    out: list[SessionSummary] = []
    offset = 0
    while len(out) < limit:
        with store.read() as conn:
            rows = conn.execute(sa.select(
                c.id, c.created_at, c.question, c.collection, c.lang, c.mode, c.not_found,
                c.duration_ms, c.model_calls, c.collection_ids, c.asked_by)
                .where(c.tenant_id == tenant.id).order_by(c.created_at.desc(), c.id.desc())
                .offset(offset).limit(max(limit * 2, 50))).all()
        out += [SessionSummary(*r[:9]) for r in rows if visible(r)]
        if len(rows) < max(limit * 2, 50):
            break
        offset += len(rows)
    return out[:limit]


def get_session(store: Store, tenant: Tenant, session_id: str,
                reader: Principal | None = None, asked_by: str | None = None) -> dict[str, Any]:
    """A stored report (the JSON contract) with where its files are.

    A session `reader` may not see is not found, exactly like one that does not exist.
    """
    c = research_sessions.c
    with store.read() as conn:
        row = conn.execute(sa.select(c.report, c.out_dir, c.collection, c.collection_ids,
                                     c.asked_by).where(
            c.tenant_id == tenant.id, c.id == session_id)).first()
    if row is not None and not _Visibility(store, tenant, reader, asked_by)(row):
        row = None
    if row is None:
        raise NotFound(f"no research session {session_id!r} for tenant {tenant.name}; "
                       "`cristal research list` shows recent ones.")
    return {**row.report, "out_dir": row.out_dir, "collection_ids": row.collection_ids}
