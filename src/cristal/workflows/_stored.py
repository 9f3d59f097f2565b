"""Workflow specs stored in the database (registered through the server), every version kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.config import Settings
from cristal.errors import NotFound
from cristal.governance import Tenant, parse_groups
from cristal.store import Store, new_id, utcnow
from cristal.workflows._spec import Spec, parse_spec
from cristal.workflows._tables import workflow_specs

__all__ = ["StoredSpec", "get_stored_spec", "list_stored_specs", "store_spec"]


@dataclass(frozen=True, slots=True)
class StoredSpec:
    """A registered version of a spec: its YAML, who may start it, who registered it."""

    id: str
    tenant: str
    name: str
    version: int
    source: str
    digest: str
    allow_groups: tuple[str, ...]
    created_at: datetime
    created_by: str | None

    def to_dict(self, source: bool = False) -> dict[str, Any]:
        """JSON-friendly form (the YAML only when asked)."""
        data = {"id": self.id, "tenant": self.tenant, "name": self.name,
                "version": self.version, "digest": self.digest,
                "allow_groups": list(self.allow_groups),
                "created_at": self.created_at.isoformat(), "created_by": self.created_by}
        if source:
            data["source"] = self.source
        return data


def _row(row: Any, tenant: Tenant) -> StoredSpec:
    m = row._mapping
    return StoredSpec(m["id"], tenant.name, m["name"], m["version"], m["source"], m["digest"],
                      tuple(m["allow_groups"] or ()), m["created_at"], m["created_by"])


def store_spec(store: Store, tenant: Tenant, text: str, *, settings: Settings | None = None,
               allow_groups: list[str] | None = None,
               created_by: str | None = None) -> StoredSpec:
    """Validate YAML and store it as the next version of its workflow (by `name:`)."""
    spec = parse_spec(text, "<registered spec>", settings)
    c = workflow_specs.c
    with store.write() as conn:
        latest = conn.execute(sa.select(sa.func.max(c.version)).where(
            c.tenant_id == tenant.id, c.name == spec.name)).scalar()
        version = (latest or 0) + 1
        record = StoredSpec(new_id("wfs"), tenant.name, spec.name, version, text,
                            hashlib.sha256(text.encode()).hexdigest(),
                            parse_groups(allow_groups), utcnow(), created_by)
        conn.execute(workflow_specs.insert().values(
            id=record.id, tenant_id=tenant.id, name=spec.name, version=version, source=text,
            digest=record.digest, allow_groups=list(record.allow_groups),
            created_at=record.created_at, created_by=created_by))
    return record


def list_stored_specs(store: Store, tenant: Tenant) -> list[StoredSpec]:
    """The newest version of each registered workflow of a tenant, by name."""
    c = workflow_specs.c
    newest = sa.select(c.name, sa.func.max(c.version).label("v")).where(
        c.tenant_id == tenant.id).group_by(c.name).subquery()
    query = sa.select(workflow_specs).join(newest, sa.and_(
        c.name == newest.c.name, c.version == newest.c.v)).where(
        c.tenant_id == tenant.id).order_by(c.name)
    with store.read() as conn:
        return [_row(r, tenant) for r in conn.execute(query)]


def get_stored_spec(store: Store, tenant: Tenant, name: str, version: int | None = None,
                    settings: Settings | None = None) -> tuple[StoredSpec, Spec]:
    """A registered workflow (newest version unless one is named), validated again."""
    c = workflow_specs.c
    query = sa.select(workflow_specs).where(c.tenant_id == tenant.id, c.name == name)
    query = query.where(c.version == version) if version else query.order_by(c.version.desc())
    with store.read() as conn:
        row = conn.execute(query.limit(1)).first()
    if row is None:
        raise NotFound(f"no registered workflow {name!r}"
                       f"{f' version {version}' if version else ''} in tenant {tenant.name}; "
                       "register it with POST /api/workflows.", workflow=name)
    record = _row(row, tenant)
    return record, parse_spec(record.source, f"{name} v{record.version}", settings)
