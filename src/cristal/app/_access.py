"""Shared steps of every use case: resolve the tenant once, check a permission, audit."""

from __future__ import annotations

from typing import Any

from cristal.app._app import App
from cristal.errors import NotFound
from cristal.governance import AuditEntry, Principal, Tenant, append_audit, get_tenant, require

__all__ = ["record", "tenant_for"]


def tenant_for(app: App, principal: Principal, name: str | None = None,
               permission: str | None = None, doing: str | None = None) -> Tenant:
    """The tenant a request acts in (the principal's own unless an owner names another).

    Anyone but an owner naming another tenant gets the same NotFound as for a tenant
    that does not exist, so tenants cannot be discovered. With `permission`, the
    principal must also hold it.
    """
    wanted = name or principal.tenant
    if wanted != principal.tenant and not principal.is_owner:
        raise NotFound(f"no tenant {wanted!r} that you can see; your key or sign-in belongs to "
                       f"tenant {principal.tenant}.", tenant=wanted)
    if permission is not None:
        require(principal.with_tenant(wanted), permission, doing)
    return get_tenant(app.store, wanted)


def record(app: App, principal: Principal, action: str, *, tenant: Tenant | str | None,
           target: str | None = None, details: dict[str, Any] | None = None) -> AuditEntry:
    """Append an audit entry for what this principal just did."""
    return append_audit(app.store, tenant=tenant, actor=principal.actor, action=action,
                        target=target, details=details)
