"""The model call log: one row per call, queryable by users (`cristal calls`, `cristal usage`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cristal.errors import NotFound
from cristal.governance import Reservation, settle
from cristal.governance._tables import tenants
from cristal.models._tables import model_calls
from cristal.store import Store, utcnow

__all__ = [
    "CallRecord", "count_calls", "get_call", "list_calls", "release_stale", "usage_by_day",
    "usage_since",
]


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One logged model call."""

    id: str
    created_at: datetime
    finished_at: datetime | None
    tenant: str
    kind: str
    route: str
    provider: str
    model: str
    status: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float | None
    error_class: str | None
    error_message: str | None
    caller: str | None
    meta: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data


def _record(row: sa.Row) -> CallRecord:
    m = row._mapping
    return CallRecord(
        id=m["id"], created_at=m["created_at"], finished_at=m["finished_at"],
        tenant=m["tenant_name"], kind=m["kind"], route=m["route"], provider=m["provider"],
        model=m["model"], status=m["status"], input_tokens=m["input_tokens"],
        output_tokens=m["output_tokens"], cost_usd=m["cost_micros"] / 1e6,
        latency_ms=m["latency_ms"], error_class=m["error_class"],
        error_message=m["error_message"], caller=m["caller"], meta=m["meta"],
    )


def _base_query() -> sa.Select:
    return sa.select(model_calls, tenants.c.name.label("tenant_name")).join(
        tenants, tenants.c.id == model_calls.c.tenant_id
    )


def list_calls(
    store: Store,
    *,
    tenant: str | None = None,
    since: datetime | None = None,
    status: str | None = None,
    limit: int = 50,
    until: datetime | None = None,
    route: str | None = None,
    model: str | None = None,
    offset: int = 0,
) -> list[CallRecord]:
    """The most recent calls first, filtered by tenant name, time (since ≤ t < until),
    status, route and model; `offset` skips that many (for pages of a list)."""
    c = model_calls.c
    query = (_base_query().order_by(c.created_at.desc(), c.id.desc()).limit(limit)
             .offset(max(0, offset)))
    if tenant:
        query = query.where(tenants.c.name == tenant)
    if since:
        query = query.where(c.created_at >= since)
    if until:
        query = query.where(c.created_at < until)
    if status:
        query = query.where(c.status == status)
    if route:
        query = query.where(c.route == route)
    if model:
        query = query.where(c.model == model)
    with store.read() as conn:
        return [_record(r) for r in conn.execute(query)]


def get_call(store: Store, call_id: str) -> CallRecord:
    """One call by id (a unique prefix of at least 8 characters also works)."""
    with store.read() as conn:
        row = conn.execute(_base_query().where(model_calls.c.id == call_id)).first()
        if row is None and len(call_id) >= 8:
            rows = conn.execute(
                _base_query().where(model_calls.c.id.startswith(call_id, autoescape=True)).limit(2)
            ).all()
            row = rows[0] if len(rows) == 1 else None
    if row is None:
        raise NotFound(f"no model call {call_id!r}; `cristal calls list` shows recent ones.")
    return _record(row)


def usage_since(store: Store, since: datetime, tenant: str | None = None) -> list[dict[str, Any]]:
    """Calls, tokens and cost since a time, per tenant, route, provider and model."""
    c = model_calls.c
    query = (
        sa.select(
            tenants.c.name.label("tenant"), c.route, c.provider, c.model,
            sa.func.count().label("calls"),
            sa.func.sum(sa.case((c.status == "ok", 1), else_=0)).label("ok"),
            sa.func.sum(c.input_tokens).label("input_tokens"),
            sa.func.sum(c.output_tokens).label("output_tokens"),
            sa.func.sum(c.cost_micros).label("cost_micros"),
        )
        .join(tenants, tenants.c.id == c.tenant_id)
        .where(c.created_at >= since)
        .group_by(tenants.c.name, c.route, c.provider, c.model)
        .order_by(tenants.c.name, c.route)
    )
    if tenant:
        query = query.where(tenants.c.name == tenant)
    with store.read() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        m = dict(r._mapping)
        m["cost_usd"] = int(m.pop("cost_micros") or 0) / 1e6  # PostgreSQL sums are Decimal
        for key in ("ok", "input_tokens", "output_tokens"):
            m[key] = int(m[key] or 0)
        out.append(m)
    return out


def usage_by_day(store: Store, since: datetime, until: datetime | None = None,
                 tenant: str | None = None) -> list[dict[str, Any]]:
    """Calls, tokens and cost per UTC day, tenant, route and model (days as YYYY-MM-DD)."""
    c = model_calls.c
    with store.read() as conn:
        moment = (sa.func.timezone("UTC", c.created_at) if conn.dialect.name == "postgresql"
                  else c.created_at)  # SQLite stores UTC already
        day = sa.func.date(moment).label("day")
        query = (
            sa.select(
                day, tenants.c.name.label("tenant"), c.route, c.model,
                sa.func.count().label("calls"),
                sa.func.sum(c.input_tokens).label("input_tokens"),
                sa.func.sum(c.output_tokens).label("output_tokens"),
                sa.func.sum(c.cost_micros).label("cost_micros"),
            )
            .join(tenants, tenants.c.id == c.tenant_id)
            .where(c.created_at >= since)
            .group_by(day, tenants.c.name, c.route, c.model)
            .order_by(day, tenants.c.name, c.route, c.model)
        )
        if until is not None:
            query = query.where(c.created_at < until)
        if tenant:
            query = query.where(tenants.c.name == tenant)
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        m = dict(r._mapping)
        m["day"] = str(m["day"])[:10]
        m["cost_usd"] = int(m.pop("cost_micros") or 0) / 1e6  # PostgreSQL sums are Decimal
        for key in ("calls", "input_tokens", "output_tokens"):
            m[key] = int(m[key] or 0)
        m["tokens"] = m["input_tokens"] + m["output_tokens"]
        out.append(m)
    return out


def release_stale(store: Store, older_than_s: float) -> int:
    """Release reservations of calls whose process died mid-call; return how many."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    c = model_calls.c
    released = 0
    with store.write() as conn:
        rows = conn.execute(
            sa.select(c.id, c.tenant_id, c.period_start, c.reserved_micros, c.reserved_tokens)
            .where(c.status == "pending", c.created_at < cutoff)
        ).all()
        for row in rows:
            reservation = Reservation(row.tenant_id, row.period_start, row.reserved_micros,
                                      row.reserved_tokens)
            settle(conn, reservation, 0, 0)
            conn.execute(
                model_calls.update().where(c.id == row.id).values(
                    status="abandoned", finished_at=utcnow(), error_class="Abandoned",
                    error_message="the calling process stopped before the call finished; "
                    "its reservation was released",
                )
            )
            released += 1
    return released


def count_calls(store: Store, caller: str, kind: str | None = None) -> int:
    """How many calls a caller (e.g. `research:res_…`) made, optionally of one kind."""
    query = sa.select(sa.func.count()).select_from(model_calls).where(
        model_calls.c.caller == caller)
    if kind:
        query = query.where(model_calls.c.kind == kind)
    with store.read() as conn:
        return int(conn.execute(query).scalar_one())
