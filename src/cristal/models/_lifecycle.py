"""The call log under erasure and retention.

The log holds no prompts or replies, but an error message can quote what a
provider echoed back, and `caller`/`meta` name what made the call. Erasure scrubs
those text columns and keeps the row (tokens and cost stay for accounting);
retention deletes finished rows older than the cutoff (budget totals live in
`budget_usage` and do not change).
"""

from __future__ import annotations

import sqlalchemy as sa

from cristal.governance import ErasureScope, RetentionScope
from cristal.models._tables import model_calls as mc

__all__ = ["erase_calls", "expire_calls"]


def erase_calls(scope: ErasureScope) -> None:
    """Blank the text columns of calls that hold erased data."""
    with scope.store.read() as conn:
        ids = [r.id for r in conn.execute(sa.select(
            mc.c.id, mc.c.error_message, mc.c.caller, mc.c.meta).where(
            mc.c.tenant_id == scope.tenant.id, sa.or_(
                mc.c.error_message.is_not(None), mc.c.caller.is_not(None),
                mc.c.meta.is_not(None))))
            if scope.matches([r.error_message, r.caller, r.meta])]
    if not ids:
        return
    with scope.store.write() as conn:
        for start in range(0, len(ids), 500):
            conn.execute(mc.update().where(mc.c.id.in_(ids[start:start + 500])).values(
                error_message=sa.case((mc.c.error_message.is_(None), None),
                                      else_="[erased]"),
                caller=None, meta=None))
    scope.counts["model calls scrubbed"] += len(ids)


def expire_calls(scope: RetentionScope) -> None:
    """Delete finished calls created before the cutoff."""
    with scope.store.write() as conn:
        gone = conn.execute(mc.delete().where(
            mc.c.tenant_id == scope.tenant.id, mc.c.created_at < scope.cutoff,
            mc.c.status != "pending")).rowcount
    scope.counts["model calls"] += gone
