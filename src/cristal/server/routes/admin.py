"""/api/me, tenants and budgets, usage and calls, users, role bindings and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import Field

from cristal.app import admin, usage
from cristal.errors import InvalidInput
from cristal.governance import Tenant, parse_expiry
from cristal.server._deps import Body, Cristal, Me, TenantQuery

router = APIRouter(prefix="/api", tags=["admin"])


def _tenant(t: Tenant) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(),
            "budget_usd": t.budget_usd, "budget_tokens": t.budget_tokens, "period": t.period,
            "allowed_regions": t.allowed_regions, "allowed_providers": t.allowed_providers,
            "routes": t.routes}


@router.get("/me")
def me(who: Me) -> dict[str, Any]:
    """Who the caller is: kind, tenant, roles, groups and what they may do."""
    return {**who.to_dict(), "permissions": sorted(who.permissions())}


class TenantIn(Body):
    """A new tenant."""

    name: str
    budget_usd: float | None = None
    budget_tokens: int | None = None
    period: str = "month"
    allowed_regions: list[str] | None = None
    allowed_providers: list[str] | None = None
    routes: dict[str, dict[str, Any]] = {}


class TenantPatch(Body):
    """Changes to a tenant: only the fields sent change (null: unlimited / any)."""

    budget_usd: float | None = None
    budget_tokens: int | None = None
    period: str | None = None
    allowed_regions: list[str] | None = None
    allowed_providers: list[str] | None = None
    routes: dict[str, dict[str, Any] | None] | None = None


@router.get("/tenants")
def list_tenants(app: Cristal, who: Me) -> dict[str, Any]:
    """Tenants the caller may see (all for an owner)."""
    return {"tenants": [_tenant(t) for t in admin.list_tenants(app, who)]}


@router.post("/tenants", status_code=201)
def create_tenant(body: TenantIn, app: Cristal, who: Me) -> dict[str, Any]:
    """Create a tenant (owner)."""
    data = body.model_dump()
    return _tenant(admin.create_tenant(app, who, data.pop("name"), **data))


@router.get("/tenants/{name}")
def get_tenant(name: str, app: Cristal, who: Me) -> dict[str, Any]:
    """One tenant with its current-period usage."""
    tenant = admin.get_tenant(app, who, name)
    position = usage.positions(app, who, tenant.name)[0]
    return {**_tenant(tenant), "usage": {
        "period_start": position.period_start, "spent_usd": position.spent_usd,
        "spent_tokens": position.spent_tokens, "remaining_usd": position.remaining_usd,
        "remaining_tokens": position.remaining_tokens, "calls": position.calls}}


@router.patch("/tenants/{name}")
def update_tenant(name: str, body: TenantPatch, app: Cristal, who: Me) -> dict[str, Any]:
    """Change budgets, period, allow-lists or route overrides (admin of the tenant, owner)."""
    changes = body.model_dump(exclude_unset=True)
    routes = changes.pop("routes", None)
    return _tenant(admin.update_tenant(app, who, name, routes=routes, **changes))


@router.get("/usage")
def get_usage(app: Cristal, who: Me, tenant: TenantQuery = None,
              since: datetime | None = None) -> dict[str, Any]:
    """Budget position this period; with `since`, calls and cost per route and model."""
    positions = usage.positions(app, who, tenant)
    data: dict[str, Any] = {"tenants": [{
        "tenant": u.tenant, "period": u.period, "period_start": u.period_start,
        "budget_usd": u.budget_usd, "budget_tokens": u.budget_tokens, "spent_usd": u.spent_usd,
        "spent_tokens": u.spent_tokens, "reserved_usd": u.reserved_usd,
        "reserved_tokens": u.reserved_tokens, "remaining_usd": u.remaining_usd,
        "remaining_tokens": u.remaining_tokens, "calls": u.calls} for u in positions]}
    if since is not None:
        data["breakdown"] = usage.breakdown(app, who, since, tenant)
    return data


@router.get("/calls")
def list_calls(app: Cristal, who: Me, tenant: TenantQuery = None,
               since: datetime | None = None, status: str | None = None,
               limit: int = Query(50, ge=1, le=1000)) -> dict[str, Any]:
    """The model call log, newest first."""
    found = usage.calls(app, who, tenant=tenant, since=since, status=status, limit=limit)
    return {"calls": [c.to_dict() for c in found]}


@router.get("/calls/{call_id}")
def get_call(call_id: str, app: Cristal, who: Me) -> dict[str, Any]:
    """One model call."""
    return usage.call(app, who, call_id).to_dict()


class UserIn(Body):
    """A new user of a tenant."""

    name: str
    groups: list[str] = []


class UserPatch(Body):
    """New groups and/or disabled state."""

    groups: list[str] | None = None
    disabled: bool | None = None


@router.get("/users")
def list_users(app: Cristal, who: Me, tenant: TenantQuery = None) -> dict[str, Any]:
    """A tenant's users."""
    return {"users": [u.to_dict() for u in admin.list_users(app, who, tenant)]}


@router.post("/users", status_code=201)
def create_user(body: UserIn, app: Cristal, who: Me, tenant: TenantQuery = None
                ) -> dict[str, Any]:
    """Add a user (admin)."""
    return admin.create_user(app, who, body.name, tenant=tenant, groups=body.groups).to_dict()


@router.get("/users/{name}")
def get_user(name: str, app: Cristal, who: Me, tenant: TenantQuery = None) -> dict[str, Any]:
    """One user."""
    return admin.get_user(app, who, name, tenant).to_dict()


@router.patch("/users/{name}")
def update_user(name: str, body: UserPatch, app: Cristal, who: Me,
                tenant: TenantQuery = None) -> dict[str, Any]:
    """Replace a user's groups, or disable/enable them (admin)."""
    return admin.update_user(app, who, name, tenant=tenant, groups=body.groups,
                             disabled=body.disabled).to_dict()


@router.delete("/users/{name}")
def delete_user(name: str, app: Cristal, who: Me, tenant: TenantQuery = None
                ) -> dict[str, Any]:
    """Remove a user; keys acting as them are revoked (admin)."""
    return {"deleted": admin.delete_user(app, who, name, tenant).to_dict()}


class BindingIn(Body):
    """A role for a user or a group."""

    role: str
    user: str | None = None
    group: str | None = None


@router.get("/roles")
def list_roles(app: Cristal, who: Me, tenant: TenantQuery = None) -> dict[str, Any]:
    """A tenant's role bindings."""
    return {"bindings": [b.to_dict() for b in admin.list_bindings(app, who, tenant)]}


@router.post("/roles", status_code=201)
def bind_role(body: BindingIn, app: Cristal, who: Me, tenant: TenantQuery = None
              ) -> dict[str, Any]:
    """Give a role to a user or group (admin; only an owner gives `owner`)."""
    return admin.bind_role(app, who, body.role, tenant=tenant, user=body.user,
                           group=body.group).to_dict()


@router.delete("/roles/{role}/{kind}/{subject}")
def unbind_role(role: str, kind: str, subject: str, app: Cristal, who: Me,
                tenant: TenantQuery = None) -> dict[str, Any]:
    """Take a role from a user (`kind` users) or group (`kind` groups)."""
    if kind not in ("user", "users", "group", "groups"):
        raise InvalidInput(f"{kind!r}: use /api/roles/ROLE/users/NAME or /groups/NAME.")
    user, group = (subject, None) if kind in ("user", "users") else (None, subject)
    return {"removed": admin.unbind_role(app, who, role, tenant=tenant, user=user,
                                         group=group).to_dict()}


class KeyIn(Body):
    """A new API key."""

    role: str
    user: str | None = None
    expires: str | None = Field(None, description="90d, 12h, 2w, 1y, a date, or never")
    name: str | None = None


@router.get("/keys")
def list_keys(app: Cristal, who: Me, tenant: TenantQuery = None) -> dict[str, Any]:
    """A tenant's keys (never their secrets) — admin."""
    return {"keys": [k.to_dict() for k in admin.list_keys(app, who, tenant)]}


@router.post("/keys", status_code=201)
def create_key(body: KeyIn, app: Cristal, who: Me, tenant: TenantQuery = None
               ) -> dict[str, Any]:
    """Create a key (admin, owner); `key` is in this response only."""
    key, text = admin.create_key(app, who, body.role, tenant=tenant, user=body.user,
                                 expires_at=parse_expiry(body.expires), name=body.name)
    return {**key.to_dict(), "key": text}


@router.delete("/keys/{key_id}")
def revoke_key(key_id: str, app: Cristal, who: Me, tenant: TenantQuery = None
               ) -> dict[str, Any]:
    """Revoke a key now, on every server."""
    return admin.revoke_key(app, who, key_id, tenant).to_dict()
