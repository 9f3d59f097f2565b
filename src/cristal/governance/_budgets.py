"""Hard budgets: reserve before a call, settle after, atomically on SQLite and PostgreSQL.

A reservation is one conditional UPDATE on the tenant's usage row for the
current period: it only succeeds if spent + reserved + this call fits the
budget. The database serialises concurrent updates of that row (SQLite's write
lock, PostgreSQL's row lock with re-evaluation of the condition), so
concurrent callers can never overspend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from cristal.errors import BudgetExceeded
from cristal.governance._tables import budget_usage
from cristal.governance._tenants import Tenant, get_tenant, list_tenants
from cristal.store import RawCursor, Store, utcnow

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


_NO_LIMIT = 2**62
# Plain SQL on the driver (the gateway runs these around every model call). The limits
# are read inside the UPDATE itself, so a budget lowered a moment ago applies to the
# very next call; NULL (unlimited) becomes a huge number.
_RESERVE = """
UPDATE budget_usage
SET reserved_micros = reserved_micros + :micros, reserved_tokens = reserved_tokens + :tokens
WHERE tenant_id = :tenant AND period_start = :start
  AND spent_micros + reserved_micros + :micros
      <= COALESCE((SELECT budget_micros FROM tenants WHERE id = :tenant), :no_limit)
  AND spent_tokens + reserved_tokens + :tokens
      <= COALESCE((SELECT budget_tokens FROM tenants WHERE id = :tenant), :no_limit)
"""
_OPEN_PERIOD = """
INSERT INTO budget_usage
  (tenant_id, period_start, spent_micros, spent_tokens, reserved_micros, reserved_tokens, calls)
VALUES (:tenant, :start, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING
"""
_SETTLE = """
UPDATE budget_usage
SET reserved_micros = reserved_micros - :held_micros,
    reserved_tokens = reserved_tokens - :held_tokens,
    spent_micros = spent_micros + :micros, spent_tokens = spent_tokens + :tokens,
    calls = calls + 1
WHERE tenant_id = :tenant AND period_start = :start
"""
_POSITION = """
SELECT u.spent_micros, u.reserved_micros, u.spent_tokens, u.reserved_tokens,
       t.budget_micros, t.budget_tokens
FROM budget_usage u JOIN tenants t ON t.id = u.tenant_id
WHERE u.tenant_id = :tenant AND u.period_start = :start
"""


def _cursor(conn: sa.Connection | RawCursor) -> RawCursor:
    return conn if isinstance(conn, RawCursor) else RawCursor.of(conn)


def reserve(conn: sa.Connection | RawCursor, tenant: Tenant, micros: int, tokens: int,
            now: datetime | None = None) -> Reservation:
    """Hold `micros` and `tokens` for a call, or raise BudgetExceeded (nothing held)."""
    cur = _cursor(conn)
    start = period_start(tenant.period, now or utcnow())
    params = {"tenant": tenant.id, "start": start, "micros": micros, "tokens": tokens,
              "no_limit": _NO_LIMIT}
    if cur.execute(_RESERVE, params) == 1:
        return Reservation(tenant.id, start, micros, tokens)
    cur.execute(_OPEN_PERIOD, {"tenant": tenant.id, "start": start})  # first call of a period
    if cur.execute(_RESERVE, params) == 1:
        return Reservation(tenant.id, start, micros, tokens)
    cur.execute(_POSITION, {"tenant": tenant.id, "start": start})
    spent_m, held_m, spent_t, held_t, budget_m, budget_t = cur.fetchone()
    current = replace(tenant, budget_usd=None if budget_m is None else budget_m / 1e6,
                      budget_tokens=budget_t)
    raise _refusal(current, start, {"spent_micros": spent_m, "reserved_micros": held_m,
                                    "spent_tokens": spent_t, "reserved_tokens": held_t},
                   micros, tokens)


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


def settle(conn: sa.Connection | RawCursor, reservation: Reservation, micros: int,
           tokens: int) -> None:
    """Release a reservation and charge what the call really used."""
    _cursor(conn).execute(_SETTLE, {
        "tenant": reservation.tenant_id, "start": reservation.period_start,
        "held_micros": reservation.micros, "held_tokens": reservation.tokens,
        "micros": micros, "tokens": tokens,
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
