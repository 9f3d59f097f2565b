"""Research sessions under erasure and retention: stored reports and their files on disk."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.governance import ErasureScope, RetentionScope, remove_stored_path
from cristal.research._tables import research_sessions as rs

__all__ = ["erase_sessions", "expire_sessions"]


def erase_sessions(scope: ErasureScope) -> None:
    """Delete sessions that hold, cite or (for --user) were asked by erased data, with files."""
    with scope.store.read() as conn:
        rows = conn.execute(sa.select(rs.c.id, rs.c.collection, rs.c.question, rs.c.report,
                                      rs.c.out_dir, rs.c.asked_by).where(
            rs.c.tenant_id == scope.tenant.id))
        # `asked_by` is the asker's subject: `user:<tenant>/<name>` (server) or `local:<name>`.
        asker = ({f"user:{scope.tenant.name}/{scope.value}", f"local:{scope.value}"}
                 if scope.selector == "user" else set())
        doomed = [r for r in rows if (scope.selector == "collection"
                                      and r.collection == scope.value)
                  or r.asked_by in asker
                  or scope.matches(r.question) or scope.matches(r.report)]
    # a user's questions mark exports of their sessions (`data export --from research`)
    scope.derived.update(r.question for r in doomed if r.asked_by in asker)
    _delete(scope, doomed)


def expire_sessions(scope: RetentionScope) -> None:
    """Delete sessions (and their report files) older than the cutoff."""
    with scope.store.read() as conn:
        doomed = conn.execute(sa.select(rs.c.id, rs.c.out_dir).where(
            rs.c.tenant_id == scope.tenant.id, rs.c.created_at < scope.cutoff)).all()
    _delete(scope, doomed)


def _delete(scope: ErasureScope | RetentionScope, rows: list) -> None:
    if not rows:
        return
    with scope.store.write() as conn:
        conn.execute(rs.delete().where(rs.c.id.in_([r.id for r in rows])))
    scope.counts["research sessions"] += len(rows)
    for r in rows:
        remove_stored_path(scope, r.out_dir, "report")
