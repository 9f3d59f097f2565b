"""Hard budgets: reserve before a call, settle after, atomically on SQLite and PostgreSQL.

A reservation is one conditional UPDATE on the tenant's usage row for the
current period: it only succeeds if spent + reserved + this call fits the
budget. The database serialises concurrent updates of that row (SQLite's write
lock, PostgreSQL's row lock with re-evaluation of the condition), so
concurrent callers can never overspend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cristal.errors import BudgetExceeded
from cristal.governance._tables import budget_usage, tenants
from cristal.governance._tenants import Tenant, get_tenant, list_tenants
from cristal.store import Store, utcnow

__all__ = ["Reservation", "Usage", "current_usage", "period_start", "reserve", "settle"]


def period_start(period: str, now: datetime) -> str:
    """The key of the budget period containing `now` (UTC): a date, or 'total'."""
    day = now.date()
    if period == "day":
        return day.isoformat()
    if period == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    if period == "month":
        return day.replace(day=1).isoformat()
    return "total"


def _next_period(period: str, start: str) -> str | None:
    if period == "total":
        return None
    first = datetime.fromisoformat(start).date()
    if period == "day":
        return (first + timedelta(days=1)).isoformat()
    if period == "week":
        return (first + timedelta(days=7)).isoformat()
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1).isoformat()


@dataclass(frozen=True, slots=True)
class Reservation:
    """Money and tokens held for one call until it settles."""

    tenant_id: str
    period_start: str
    micros: int
    tokens: int


@dataclass(frozen=True, slots=True)
class Usage:
    """A tenant's position in its current budget period."""

    tenant: str
    period: str
    period_start: str
    budget_usd: float | None
    budget_tokens: int | None
    spent_usd: float
    spent_tokens: int
    reserved_usd: float
    reserved_tokens: int
    calls: int

    @property
    def remaining_usd(self) -> float | None:
        """Budget left in dollars, None when unlimited."""
        if self.budget_usd is None:
            return None
        return max(0.0, self.budget_usd - self.spent_usd - self.reserved_usd)

    @property
    def remaining_tokens(self) -> int | None:
        """Tokens left, None when unlimited."""
        if self.budget_tokens is None:
            return None
        return max(0, self.budget_tokens - self.spent_tokens - self.reserved_tokens)


def _insert_ignore(conn: sa.Connection, tenant_id: str, start: str) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(budget_usage).values(tenant_id=tenant_id, period_start=start)
    conn.execute(stmt.on_conflict_do_nothing())


_u = budget_usage.c
_t = tenants.c
_ROW = (_u.tenant_id == sa.bindparam("p_tenant")) & (_u.period_start == sa.bindparam("p_start"))
_NO_LIMIT = 2**62


def _limit(column: sa.Column) -> sa.ColumnElement:
    # The limit is read inside the UPDATE itself, so a budget lowered a moment ago
    # applies to the very next call; NULL (unlimited) becomes a huge number.
    return sa.func.coalesce(
        sa.select(column).where(_t.id == sa.bindparam("p_tenant")).scalar_subquery(), _NO_LIMIT)


_MICROS = sa.bindparam("p_micros", type_=sa.BigInteger)
_TOKENS = sa.bindparam("p_tokens", type_=sa.BigInteger)
# Built once (hot path): no statement construction per call.
_RESERVE = budget_usage.update().where(
    _ROW,
    _u.spent_micros + _u.reserved_micros + _MICROS <= _limit(_t.budget_micros),
    _u.spent_tokens + _u.reserved_tokens + _TOKENS <= _limit(_t.budget_tokens),
).values(reserved_micros=_u.reserved_micros + _MICROS,
         reserved_tokens=_u.reserved_tokens + _TOKENS)
_SETTLE = budget_usage.update().where(_ROW).values(
    reserved_micros=_u.reserved_micros - sa.bindparam("p_held_micros", type_=sa.BigInteger),
    reserved_tokens=_u.reserved_tokens - sa.bindparam("p_held_tokens", type_=sa.BigInteger),
    spent_micros=_u.spent_micros + sa.bindparam("p_micros", type_=sa.BigInteger),
    spent_tokens=_u.spent_tokens + sa.bindparam("p_tokens", type_=sa.BigInteger),
    calls=_u.calls + 1,
)


def reserve(conn: sa.Connection, tenant: Tenant, micros: int, tokens: int,
            now: datetime | None = None) -> Reservation:
    """Hold `micros` and `tokens` for a call, or raise BudgetExceeded (nothing held)."""
    start = period_start(tenant.period, now or utcnow())
    params = {"p_tenant": tenant.id, "p_start": start, "p_micros": micros, "p_tokens": tokens}
    if conn.execute(_RESERVE, params).rowcount == 1:
        return Reservation(tenant.id, start, micros, tokens)
    _insert_ignore(conn, tenant.id, start)  # first call of the period
    if conn.execute(_RESERVE, params).rowcount == 1:
        return Reservation(tenant.id, start, micros, tokens)
    row = conn.execute(sa.select(budget_usage).where(
        _u.tenant_id == tenant.id, _u.period_start == start)).one()._mapping
    raise _refusal(get_tenant(conn, tenant.id), start, row, micros, tokens)


def _refusal(tenant: Tenant, start: str, row, micros: int, tokens: int) -> BudgetExceeded:
    used_m = row["spent_micros"] + row["reserved_micros"]
    used_t = row["spent_tokens"] + row["reserved_tokens"]
    parts = []
    limit = "tokens"
    if tenant.budget_micros is not None and used_m + micros > tenant.budget_micros:
        limit = "usd"
        left = max(0, tenant.budget_micros - used_m) / 1e6
        parts.append(f"up to ${micros / 1e6:.4f} but ${left:.4f} of ${tenant.budget_usd:.2f} "
                     "remains")
    if tenant.budget_tokens is not None and used_t + tokens > tenant.budget_tokens:
        parts.append(f"up to {tokens:,} tokens but {max(0, tenant.budget_tokens - used_t):,} of "
                     f"{tenant.budget_tokens:,} remain")
    nxt = _next_period(tenant.period, start)
    when = f", or wait for the next period ({nxt})" if nxt else ""
    return BudgetExceeded(
        f"tenant {tenant.name}: this call needs {' and '.join(parts)} in the current "
        f"{tenant.period} budget; nothing was sent. Raise it with `cristal tenant update "
        f"{tenant.name} --budget-{'usd' if limit == 'usd' else 'tokens'} N`{when}.",
        tenant=tenant.name, limit=limit, period_start=start,
        needed_usd=micros / 1e6, needed_tokens=tokens,
    )


def settle(conn: sa.Connection, reservation: Reservation, micros: int, tokens: int) -> None:
    """Release a reservation and charge what the call really used."""
    conn.execute(_SETTLE, {
        "p_tenant": reservation.tenant_id, "p_start": reservation.period_start,
        "p_held_micros": reservation.micros, "p_held_tokens": reservation.tokens,
        "p_micros": micros, "p_tokens": tokens,
    })


def current_usage(store: Store, tenant: str | None = None) -> list[Usage]:
    """Each tenant's (or one tenant's) usage in its current period."""
    chosen = [get_tenant(store, tenant)] if tenant else list_tenants(store)
    now = utcnow()
    out = []
    with store.read() as conn:
        for t in chosen:
            start = period_start(t.period, now)
            row = conn.execute(sa.select(budget_usage).where(
                budget_usage.c.tenant_id == t.id, budget_usage.c.period_start == start)).first()
            m = row._mapping if row else {}
            out.append(Usage(
                tenant=t.name, period=t.period, period_start=start, budget_usd=t.budget_usd,
                budget_tokens=t.budget_tokens, spent_usd=m.get("spent_micros", 0) / 1e6,
                spent_tokens=m.get("spent_tokens", 0),
                reserved_usd=m.get("reserved_micros", 0) / 1e6,
                reserved_tokens=m.get("reserved_tokens", 0), calls=m.get("calls", 0),
            ))
    return out
