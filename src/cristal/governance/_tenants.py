"""Tenants: one per group company, each with a budget, a period and model policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.errors import Conflict, InvalidInput, NotFound
from cristal.governance._tables import tenants
from cristal.store import Store, new_id, utcnow

__all__ = [
    "PERIODS",
    "Tenant",
    "create_tenant",
    "get_tenant",
    "list_tenants",
    "update_tenant",
]

PERIODS = ("day", "week", "month", "total")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class Tenant:
    """A tenant and its policy. Budgets of None mean unlimited."""

    id: str
    name: str
    created_at: datetime
    budget_usd: float | None
    budget_tokens: int | None
    period: str
    allowed_regions: list[str] | None = None
    allowed_providers: list[str] | None = None
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def budget_micros(self) -> int | None:
        """The USD budget in micro-dollars."""
        return None if self.budget_usd is None else round(self.budget_usd * 1_000_000)


def _from_row(row: sa.Row) -> Tenant:
    m = row._mapping
    return Tenant(
        id=m["id"], name=m["name"], created_at=m["created_at"],
        budget_usd=None if m["budget_micros"] is None else m["budget_micros"] / 1_000_000,
        budget_tokens=m["budget_tokens"], period=m["period"],
        allowed_regions=m["allowed_regions"], allowed_providers=m["allowed_providers"],
        routes=m["routes"] or {},
    )


def _check(period: str | None, budget_usd: float | None, budget_tokens: int | None) -> None:
    if period is not None and period not in PERIODS:
        raise InvalidInput(f"period {period!r} is not one of {', '.join(PERIODS)}.")
    if budget_usd is not None and budget_usd < 0:
        raise InvalidInput("--budget-usd must be zero or more (omit it for no limit).")
    if budget_tokens is not None and budget_tokens < 0:
        raise InvalidInput("--budget-tokens must be zero or more (omit it for no limit).")


def _check_routes(routes: dict[str, Any]) -> None:
    for route, target in routes.items():
        if not isinstance(target, dict) or "provider" not in target:
            raise InvalidInput(
                f"route override {route!r} must name a provider, e.g. {route}=openai:gpt-4o-mini."
            )


def create_tenant(
    store: Store,
    name: str,
    *,
    budget_usd: float | None = None,
    budget_tokens: int | None = None,
    period: str = "month",
    allowed_regions: list[str] | None = None,
    allowed_providers: list[str] | None = None,
    routes: dict[str, dict[str, Any]] | None = None,
) -> Tenant:
    """Create a tenant; names are lower-case slugs and unique."""
    if not _NAME.match(name):
        raise InvalidInput(
            f"tenant name {name!r} is not valid: use 1-63 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )
    _check(period, budget_usd, budget_tokens)
    _check_routes(routes or {})
    tenant = Tenant(
        id=new_id("ten"), name=name, created_at=utcnow(), budget_usd=budget_usd,
        budget_tokens=budget_tokens, period=period, allowed_regions=allowed_regions,
        allowed_providers=allowed_providers, routes=routes or {},
    )
    with store.write() as conn:
        exists = conn.execute(sa.select(tenants.c.id).where(tenants.c.name == name)).first()
        if exists:
            raise Conflict(
                f"tenant {name!r} already exists; change it with `cristal tenant update {name}`."
            )
        conn.execute(tenants.insert().values(
            id=tenant.id, name=name, created_at=tenant.created_at,
            budget_micros=tenant.budget_micros, budget_tokens=budget_tokens, period=period,
            allowed_regions=allowed_regions, allowed_providers=allowed_providers,
            routes=tenant.routes,
        ))
    return tenant


_BY_NAME_OR_ID = sa.select(tenants).where(
    sa.or_(tenants.c.name == sa.bindparam("p_key"), tenants.c.id == sa.bindparam("p_key")))


def get_tenant(conn_or_store: Store | sa.Connection, name: str) -> Tenant:
    """The tenant with this name (or id); NotFound lists the tenants that exist."""
    params = {"p_key": name}
    if isinstance(conn_or_store, Store):
        with conn_or_store.read() as conn:
            row = conn.execute(_BY_NAME_OR_ID, params).first()
            names = [] if row else list(conn.execute(sa.select(tenants.c.name)).scalars())
    else:
        row = conn_or_store.execute(_BY_NAME_OR_ID, params).first()
        names = [] if row else list(conn_or_store.execute(sa.select(tenants.c.name)).scalars())
    if row is None:
        raise NotFound(
            f"no tenant named {name!r}; existing tenants: {', '.join(sorted(names))}. "
            f"Create it with `cristal tenant create {name}`.", tenant=name,
        )
    return _from_row(row)


def list_tenants(store: Store) -> list[Tenant]:
    """Every tenant, by name."""
    with store.read() as conn:
        rows = conn.execute(sa.select(tenants).order_by(tenants.c.name)).all()
    return [_from_row(r) for r in rows]


def update_tenant(
    store: Store,
    name: str,
    *,
    budget_usd: float | None = _UNSET,
    budget_tokens: int | None = _UNSET,
    period: str | None = None,
    allowed_regions: list[str] | None = _UNSET,
    allowed_providers: list[str] | None = _UNSET,
    routes: dict[str, dict[str, Any]] | None = None,
) -> Tenant:
    """Change a tenant's budget or policy; arguments left out stay as they are.

    `routes` entries are merged into the existing overrides; a value of None removes one.
    """
    changes: dict[str, Any] = {}
    _check(period, None if budget_usd is _UNSET else budget_usd,
           None if budget_tokens is _UNSET else budget_tokens)
    if budget_usd is not _UNSET:
        changes["budget_micros"] = None if budget_usd is None else round(budget_usd * 1_000_000)
    if budget_tokens is not _UNSET:
        changes["budget_tokens"] = budget_tokens
    if period is not None:
        changes["period"] = period
    if allowed_regions is not _UNSET:
        changes["allowed_regions"] = allowed_regions
    if allowed_providers is not _UNSET:
        changes["allowed_providers"] = allowed_providers
    with store.write() as conn:
        tenant = get_tenant(conn, name)
        if routes:
            merged = dict(tenant.routes)
            for route, target in routes.items():
                if target is None:
                    merged.pop(route, None)
                else:
                    merged[route] = target
            _check_routes(merged)
            changes["routes"] = merged
        if changes:
            conn.execute(tenants.update().where(tenants.c.id == tenant.id).values(**changes))
        return get_tenant(conn, tenant.id)
