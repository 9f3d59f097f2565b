"""Use cases of the audit log: list, export (itself audited) and verify the chain."""

from __future__ import annotations

from collections.abc import Iterator
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


def list_entries(app: App, principal: Principal, *, tenant: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 action: str | None = None, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first (of one tenant; an owner may see all)."""
    require_permission(principal, "audit.read", "read the audit log")
    scope = _scope(app, principal, tenant)
    return list(audit_entries(app.store, tenant=scope, since=since, until=until,
                              action=action, limit=limit, newest_first=True))


def export_entries(app: App, principal: Principal, *, tenant: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   action: str | None = None) -> Iterator[AuditEntry]:
    """Every matching entry in chain order; the export itself is recorded first."""
    require_permission(principal, "audit.read", "export the audit log")
    scope = _scope(app, principal, tenant)
    record(app, principal, "audit.export", tenant=scope or principal.tenant, target=scope,
           details={"since": since.isoformat() if since else None,
                    "until": until.isoformat() if until else None, "action": action})
    return audit_entries(app.store, tenant=scope, since=since, until=until, action=action)


def verify(app: App, principal: Principal,
           anchor: tuple[int, str] | None = None) -> Verification:
    """Check the whole chain (owners and auditors): intact, or the first bad entry."""
    require_permission(principal, "audit.verify", "verify the audit chain")
    return verify_chain(app.store, anchor)
