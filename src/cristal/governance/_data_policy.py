"""Per-tenant data policy: the PII guard's mode per route/region, and retention periods.

Precedence for the PII mode of one call, most specific first: the tenant's mode
for the route, for the provider's region, the tenant's own mode; then the same
three levels from the `[pii]` config. Retention: the tenant's days per category,
else `[retention]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cristal.config import PiiSettings, RetentionSettings
from cristal.errors import InvalidInput
from cristal.governance._data_tables import data_policies
from cristal.governance._tenants import get_tenant
from cristal.store import Store, utcnow

__all__ = [
    "PII_MODES",
    "RETENTION_CATEGORIES",
    "DataPolicy",
    "get_data_policy",
    "pii_mode",
    "retention_days",
    "set_pii_policy",
    "set_retention",
]

PII_MODES = ("allow", "redact", "block")
RETENTION_CATEGORIES = ("calls", "research", "operator", "workflows", "envs")
_SELECT = sa.select(data_policies.c.pii, data_policies.c.retention).where(
    data_policies.c.tenant_id == sa.bindparam("p_tenant"))


@dataclass(frozen=True, slots=True)
class DataPolicy:
    """A tenant's overrides: PII modes ({'mode', 'routes', 'regions'}) and retention days."""

    pii: dict[str, Any] = field(default_factory=dict)
    retention: dict[str, int | None] = field(default_factory=dict)


def get_data_policy(conn_or_store: Store | sa.Connection, tenant_id: str) -> DataPolicy:
    """The tenant's data policy (empty when it has none)."""
    if isinstance(conn_or_store, Store):
        with conn_or_store.read() as conn:
            row = conn.execute(_SELECT, {"p_tenant": tenant_id}).first()
    else:
        row = conn_or_store.execute(_SELECT, {"p_tenant": tenant_id}).first()
    if row is None:
        return DataPolicy()
    return DataPolicy(pii=row.pii or {}, retention=row.retention or {})


def pii_mode(config: PiiSettings, policy: DataPolicy, route: str, region: str) -> str:
    """The mode (allow, redact, block) for a call on `route` to a provider in `region`."""
    own = policy.pii
    for found in ((own.get("routes") or {}).get(route), (own.get("regions") or {}).get(region),
                  own.get("mode"), config.routes.get(route), config.regions.get(region)):
        if found:
            return found
    return config.mode


def retention_days(config: RetentionSettings, policy: DataPolicy, category: str) -> int | None:
    """Days to keep `category` for this tenant (None: keep)."""
    if category in policy.retention:
        return policy.retention[category]
    return getattr(config, f"{category}_days")


def _save(store: Store, tenant: str, column: str, update: Any) -> DataPolicy:
    with store.write() as conn:
        found = get_tenant(conn, tenant)
        current = get_data_policy(conn, found.id)
        value = update(dict(getattr(current, column)))
        exists = conn.execute(sa.select(data_policies.c.tenant_id).where(
            data_policies.c.tenant_id == found.id)).first()
        if exists:
            conn.execute(data_policies.update().where(data_policies.c.tenant_id == found.id)
                         .values(**{column: value, "updated_at": utcnow()}))
        else:
            conn.execute(data_policies.insert().values(
                tenant_id=found.id, **{column: value}, updated_at=utcnow()))
        return get_data_policy(conn, found.id)


def set_pii_policy(store: Store, tenant: str, mode: str | None, *, route: str | None = None,
                   region: str | None = None) -> DataPolicy:
    """Set the tenant's PII mode (for one route or region when given); None removes it."""
    if mode is not None and mode not in PII_MODES:
        raise InvalidInput(f"PII mode {mode!r} is not one of {', '.join(PII_MODES)}.")
    if route and region:
        raise InvalidInput("give --route or --region, not both: a mode applies to one of them.")

    def update(pii: dict[str, Any]) -> dict[str, Any]:
        key, name = ("routes", route) if route else ("regions", region) if region else (None, "")
        if key is None:
            if mode is None:
                pii.pop("mode", None)
            else:
                pii["mode"] = mode
            return pii
        level = dict(pii.get(key) or {})
        if mode is None:
            level.pop(name, None)
        else:
            level[name] = mode
        pii[key] = level
        return pii

    return _save(store, tenant, "pii", update)


def set_retention(store: Store, tenant: str, days: dict[str, int | None]) -> DataPolicy:
    """Set the tenant's retention days per category (None removes the tenant's own value)."""
    unknown = [k for k in days if k not in RETENTION_CATEGORIES]
    if unknown:
        raise InvalidInput(f"unknown retention categories {', '.join(unknown)}; use "
                           f"{', '.join(RETENTION_CATEGORIES)}.")
    if any(v is not None and v <= 0 for v in days.values()):
        raise InvalidInput("retention days must be 1 or more (omit a category to keep its "
                           "data).")

    def update(retention: dict[str, Any]) -> dict[str, Any]:
        for key, value in days.items():
            if value is None:
                retention.pop(key, None)
            else:
                retention[key] = value
        return retention

    return _save(store, tenant, "retention", update)
