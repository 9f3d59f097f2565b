"""Use cases of administration: tenants and budgets, users, role bindings and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cristal import governance as gov
from cristal.app._access import record, tenant_for
from cristal.app._app import App
from cristal.errors import PermissionDenied
from cristal.governance import (
    PERIODS,
    ROLES,
    ApiKey,
    Principal,
    RoleBinding,
    Tenant,
    User,
    parse_expiry,
    require,
)

__all__ = [
    "PERIODS",
    "ROLES",
    "Tenant",
    "bind_role",
    "create_key",
    "create_tenant",
    "create_user",
    "delete_user",
    "get_tenant",
    "get_user",
    "list_bindings",
    "list_keys",
    "list_tenants",
    "list_users",
    "parse_expiry",
    "revoke_key",
    "unbind_role",
    "update_tenant",
    "update_user",
]

_UNSET: Any = object()
_BUDGET = ("budget_usd", "budget_tokens", "period")
_POLICY = ("allowed_regions", "allowed_providers")


def _no_owner_grant(principal: Principal, role: str) -> None:
    if role == "owner" and not principal.is_owner:
        raise PermissionDenied(f"{principal.actor} may not give the owner role: only an owner "
                               "can (owner covers every tenant).", role=role)


# -- tenants and budgets --------------------------------------------------------


def create_tenant(app: App, principal: Principal, name: str, **policy: Any) -> Tenant:
    """Create a tenant (owner only) with optional budget, period, allow-lists and routes."""
    require(principal, "tenant.create", "create tenants")
    tenant = gov.create_tenant(app.store, name, **policy)
    record(app, principal, "tenant.create", tenant=tenant, target=tenant.name,
           details={k: v for k, v in policy.items() if v is not None})
    return tenant


def list_tenants(app: App, principal: Principal) -> list[Tenant]:
    """Every tenant for an owner; the principal's own tenant for anyone who may read it."""
    if principal.is_owner:
        return gov.list_tenants(app.store)
    return [tenant_for(app, principal, None, "tenant.read", "read the tenant")]


def get_tenant(app: App, principal: Principal, name: str | None = None) -> Tenant:
    """One tenant the principal may read."""
    return tenant_for(app, principal, name, "tenant.read", "read the tenant")


def update_tenant(app: App, principal: Principal, name: str | None, *,
                  routes: dict[str, Any] | None = None, **changes: Any) -> Tenant:
    """Change budget, period, allow-lists or route overrides; each kind is audited."""
    before = tenant_for(app, principal, name, "tenant.update", "change the tenant")
    after = gov.update_tenant(app.store, before.name, routes=routes, **changes)
    # None means "unlimited" for a budget but "unchanged" for the period.
    budget = [k for k in _BUDGET if k in changes and (k != "period" or changes[k])]
    if budget:
        record(app, principal, "budget.change", tenant=after, target=after.name,
               details={"before": {k: getattr(before, k) for k in budget},
                        "after": {k: getattr(after, k) for k in budget}})
    if routes:
        record(app, principal, "route.change", tenant=after, target=after.name,
               details={"changes": routes, "routes": after.routes})
    policy = [k for k in _POLICY if k in changes]
    if policy:
        record(app, principal, "tenant.policy", tenant=after, target=after.name,
               details={k: getattr(after, k) for k in policy})
    return after


# -- users and roles -----------------------------------------------------------


def create_user(app: App, principal: Principal, name: str, *, tenant: str | None = None,
                groups: list[str] | str | None = None) -> User:
    """Add a user (and their groups) to a tenant."""
    where = tenant_for(app, principal, tenant, "users.manage", "add users")
    user = gov.create_user(app.store, where, name, groups)
    record(app, principal, "user.create", tenant=where, target=name,
           details={"groups": list(user.groups)})
    return user


def list_users(app: App, principal: Principal, tenant: str | None = None) -> list[User]:
    """A tenant's users."""
    return gov.list_users(app.store, tenant_for(app, principal, tenant, "users.read",
                                                "list users"))


def get_user(app: App, principal: Principal, name: str, tenant: str | None = None) -> User:
    """One user of a tenant."""
    return gov.get_user(app.store, tenant_for(app, principal, tenant, "users.read",
                                              "read users"), name)


def update_user(app: App, principal: Principal, name: str, *, tenant: str | None = None,
                groups: list[str] | str | None = None, disabled: bool | None = None) -> User:
    """Replace a user's groups, or disable/enable them (audited as a role change)."""
    where = tenant_for(app, principal, tenant, "users.manage", "change users")
    before = gov.get_user(app.store, where, name)
    user = gov.update_user(app.store, where, name, groups=groups, disabled=disabled)
    record(app, principal, "user.update", tenant=where, target=name,
           details={"groups": {"before": list(before.groups), "after": list(user.groups)},
                    "disabled": user.disabled})
    return user


def delete_user(app: App, principal: Principal, name: str, tenant: str | None = None) -> User:
    """Remove a user, their role bindings, and revoke the keys that act as them."""
    where = tenant_for(app, principal, tenant, "users.manage", "remove users")
    user = gov.delete_user(app.store, where, name)
    revoked = [k.id for k in gov.list_keys(app.store, where)
               if k.user == name and k.status == "active"]
    for key_id in revoked:
        gov.revoke_key(app.store, key_id, where)
    record(app, principal, "user.delete", tenant=where, target=name,
           details={"revoked_keys": revoked})
    return user


def _role_change(app: App, principal: Principal, role: str, tenant: str | None,
                 user: str | None, group: str | None, bind: bool) -> RoleBinding:
    where = tenant_for(app, principal, tenant, "users.manage",
                       "give roles" if bind else "take roles away")
    _no_owner_grant(principal, role)
    change = gov.bind_role if bind else gov.unbind_role
    binding = change(app.store, where, role, user=user, group=group)
    record(app, principal, "role.bind" if bind else "role.unbind", tenant=where,
           target=f"{binding.subject_kind}:{binding.subject}", details={"role": role})
    return binding


def bind_role(app: App, principal: Principal, role: str, *, tenant: str | None = None,
              user: str | None = None, group: str | None = None) -> RoleBinding:
    """Give a role to a user or a group in a tenant (only an owner gives `owner`)."""
    return _role_change(app, principal, role, tenant, user, group, bind=True)


def unbind_role(app: App, principal: Principal, role: str, *, tenant: str | None = None,
                user: str | None = None, group: str | None = None) -> RoleBinding:
    """Take a role away from a user or group."""
    return _role_change(app, principal, role, tenant, user, group, bind=False)


def list_bindings(app: App, principal: Principal,
                  tenant: str | None = None) -> list[RoleBinding]:
    """A tenant's role bindings."""
    return gov.list_bindings(app.store, tenant_for(app, principal, tenant, "users.read",
                                                   "list role bindings"))


# -- API keys ----------------------------------------------------------------


def create_key(app: App, principal: Principal, role: str, *, tenant: str | None = None,
               user: str | None = None, expires_at: datetime | None = None,
               name: str | None = None) -> tuple[ApiKey, str]:
    """Make an API key; returns the record and the key text, which is shown only once."""
    where = tenant_for(app, principal, tenant, "keys.manage", "create API keys")
    gov.check_role(role)
    _no_owner_grant(principal, role)
    key, text = gov.create_key(app.store, where, role, user=user, expires_at=expires_at,
                               name=name, created_by=principal.actor)
    record(app, principal, "key.create", tenant=where, target=key.id,
           details={"role": role, "user": user, "name": key.name,
                    "expires_at": expires_at.isoformat() if expires_at else None})
    return key, text


def list_keys(app: App, principal: Principal, tenant: str | None = None) -> list[ApiKey]:
    """A tenant's keys (never their secrets)."""
    return gov.list_keys(app.store, tenant_for(app, principal, tenant, "keys.manage",
                                               "list API keys"))


def revoke_key(app: App, principal: Principal, key_id: str,
               tenant: str | None = None) -> ApiKey:
    """Revoke a key of the tenant; it stops working at once on every server."""
    require(principal, "keys.manage", "revoke API keys")
    # An owner may name a key of any tenant; anyone else only finds their own tenant's.
    where = None if principal.is_owner and tenant is None else tenant_for(
        app, principal, tenant, "keys.manage", "revoke API keys")
    key = gov.revoke_key(app.store, key_id, where)
    record(app, principal, "key.revoke", tenant=key.tenant, target=key.id,
           details={"role": key.role, "user": key.user})
    return key
