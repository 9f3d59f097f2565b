"""Use cases of the audit log: list, export (itself audited) and verify the chain.

Entries that name collections (research asked, documents cited, uploads…) are shown only
to a principal who can read every one of those collections, so the audit log is not a
way around collection permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from cristal.app._access import record, tenant_for
from cristal.app._app import App
from cristal.governance import AuditEntry, Principal, Verification, audit_entries, verify_chain
from cristal.governance import require as require_permission

__all__ = ["export_entries", "list_entries", "verify"]


def _scope(app: App, principal: Principal, tenant: str | None) -> str | None:
    if principal.is_owner and tenant is None:
        return None  # the whole platform
    return tenant_for(app, principal, tenant, "audit.read", "read the audit log").name


def _visible(app: App, principal: Principal) -> Callable[[AuditEntry], bool]:
    from cristal.app.knowledge import readable_ids

    cache: dict[str | None, set[str] | None] = {}

    def check(entry: AuditEntry) -> bool:
        ids = entry.details.get("collection_ids") if isinstance(entry.details, dict) else None
        if not ids:
            return True
        if entry.tenant not in cache:
            cache[entry.tenant] = readable_ids(app, principal, entry.tenant)
        readable = cache[entry.tenant]
        return readable is None or set(ids) <= readable

    return check


def list_entries(app: App, principal: Principal, *, tenant: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 action: str | None = None, limit: int = 100, actor: str | None = None,
                 offset: int = 0) -> list[AuditEntry]:
    """The newest entries first (of one tenant; an owner may see all). `actor` keeps
    entries whose actor contains that text (any case); `offset` skips that many."""
    require_permission(principal, "audit.read", "read the audit log")
    scope = _scope(app, principal, tenant)
    visible = _visible(app, principal)
    who = actor.casefold() if actor else None
    out: list[AuditEntry] = []
    skipped = 0
    for entry in audit_entries(app.store, tenant=scope, since=since, until=until,
                               action=action, newest_first=True):
        if who is not None and who not in entry.actor.casefold():
            continue
        if visible(entry):
            if skipped < offset:
                skipped += 1
                continue
            out.append(entry)
            if len(out) >= limit:
                break
    return out


def export_entries(app: App, principal: Principal, *, tenant: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   action: str | None = None, actor: str | None = None
                   ) -> Iterator[AuditEntry]:
    """Every matching entry in chain order; the export itself is recorded first. `actor`
    keeps entries whose actor contains that text (any case)."""
    require_permission(principal, "audit.read", "export the audit log")
    scope = _scope(app, principal, tenant)
    record(app, principal, "audit.export", tenant=scope or principal.tenant, target=scope,
           details={"since": since.isoformat() if since else None,
                    "until": until.isoformat() if until else None, "action": action,
                    **({"actor": actor} if actor else {})})
    visible = _visible(app, principal)
    who = actor.casefold() if actor else None
    return (e for e in audit_entries(app.store, tenant=scope, since=since, until=until,
                                     action=action)
            if (who is None or who in e.actor.casefold()) and visible(e))


def verify(app: App, principal: Principal,
           anchor: tuple[int, str] | None = None) -> Verification:
    """Check the whole chain (owners and auditors): intact, or the first bad entry."""
    require_permission(principal, "audit.verify", "verify the audit chain")
    return verify_chain(app.store, anchor)
