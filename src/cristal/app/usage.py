"""Use cases of metering: budget positions, spend breakdowns and the model call log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cristal.app._access import tenant_for
from cristal.app._app import App
from cristal.errors import NotFound
from cristal.governance import Principal, Usage, current_usage, require
from cristal.models import CallRecord, get_call, list_calls, usage_by_day, usage_since

__all__ = ["breakdown", "call", "calls", "daily", "positions"]


def _scope(app: App, principal: Principal, tenant: str | None, all_tenants: bool,
           permission: str) -> str | None:
    """None means every tenant (an owner who named none and asked for all)."""
    require(principal, permission)
    if principal.is_owner and tenant is None and all_tenants:
        return None
    return tenant_for(app, principal, tenant, permission).name


def positions(app: App, principal: Principal, tenant: str | None = None, *,
              all_tenants: bool = False) -> list[Usage]:
    """Each tenant's budget position this period (all tenants for an owner who asks)."""
    return current_usage(app.store, _scope(app, principal, tenant, all_tenants, "usage.read"))


def breakdown(app: App, principal: Principal, since: datetime, tenant: str | None = None, *,
              all_tenants: bool = False) -> list[dict[str, Any]]:
    """Calls, tokens and cost per tenant, route, provider and model since a moment."""
    scope = _scope(app, principal, tenant, all_tenants, "usage.read")
    return usage_since(app.store, since, scope)


def daily(app: App, principal: Principal, since: datetime, until: datetime | None = None,
          tenant: str | None = None, *, all_tenants: bool = False) -> list[dict[str, Any]]:
    """Calls, tokens and cost per UTC day, tenant, route and model (for charts)."""
    scope = _scope(app, principal, tenant, all_tenants, "usage.read")
    return usage_by_day(app.store, since, until, scope)


def calls(app: App, principal: Principal, *, tenant: str | None = None,
          since: datetime | None = None, status: str | None = None, limit: int = 50,
          all_tenants: bool = False, until: datetime | None = None, route: str | None = None,
          model: str | None = None, offset: int = 0) -> list[CallRecord]:
    """Recent model calls, newest first (filters: time, status, route, model)."""
    scope = _scope(app, principal, tenant, all_tenants, "calls.read")
    return list_calls(app.store, tenant=scope, since=since, status=status, limit=limit,
                      until=until, route=route, model=model, offset=offset)


def call(app: App, principal: Principal, call_id: str) -> CallRecord:
    """One call, if it belongs to a tenant the principal may read."""
    require(principal, "calls.read")
    found = get_call(app.store, call_id)
    if not principal.is_owner and found.tenant != principal.tenant:
        raise NotFound(f"no call {call_id!r}; `cristal calls list` shows recent calls.",
                       call_id=call_id)
    return found
