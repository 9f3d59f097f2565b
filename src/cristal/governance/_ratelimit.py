"""Rate limits: fixed-window request counters in the database, shared by every server.

One `INSERT … ON CONFLICT DO UPDATE … RETURNING` per counter and request, on the
driver (this runs before every API call); the database serialises the increments,
so several `cristal serve` processes on several machines count together.
"""

from __future__ import annotations

import math
import random
import time

from cristal.config import RateLimit
from cristal.errors import RateLimited
from cristal.store import RawCursor, Store, raw_transaction

__all__ = ["count", "hit", "refusal"]

_HIT = """
INSERT INTO rate_counters (subject, window_start, count) VALUES (:subject, :start, 1)
ON CONFLICT (subject, window_start) DO UPDATE SET count = rate_counters.count + 1
RETURNING count
"""
_SWEEP = "DELETE FROM rate_counters WHERE window_start < :before"
_SETTING = {"key": "key_rate", "user": "user_rate", "ip": "failure_rate"}
_SWEEP_EVERY = 2000  # on average, one request in this many clears old windows


Over = tuple[float, str, RateLimit]  # (seconds until the window ends, subject, limit)


def count(cur: RawCursor, counters: list[tuple[str, RateLimit]], now: float) -> list[Over]:
    """Count one request against each (subject, limit) in the cursor's transaction; the
    counters now over their limit."""
    over: list[Over] = []
    for subject, limit in counters:
        period = float(limit.period_s)
        start = int(math.floor(now / period) * period)
        cur.execute(_HIT, {"subject": subject[:200], "start": start})
        if cur.fetchone()[0] > limit.limit:
            over.append((start + period - now, subject, limit))
    if counters and random.random() < 1 / _SWEEP_EVERY:
        longest = max(limit.period_s for _, limit in counters)
        cur.execute(_SWEEP, {"before": int(now - 2 * max(longest, 3600))})
    return over


def refusal(over: list[Over], what: str = "requests") -> RateLimited:
    """The error for the strictest counter over its limit (`retry_after` in whole seconds)."""
    wait, subject, limit = max(over)
    retry = max(1, math.ceil(wait))
    kind = subject.split(":", 1)[0]
    return RateLimited(
        f"too many {what} for this {kind}: the limit is {limit.limit} per "
        f"{limit.period_s:g} s; retry after {retry} s, or ask the administrator to raise "
        f"server.{_SETTING.get(kind, 'key_rate')}.",
        retry_after=retry, limit=limit.limit, period_s=limit.period_s)


def hit(store: Store, counters: list[tuple[str, RateLimit]], what: str = "requests",
        now: float | None = None) -> None:
    """Count one request against each (subject, limit); RateLimited if any is over its limit.

    The refusal says which limit, and `retry_after` is the whole seconds until its
    window ends (the `Retry-After` header).
    """
    if not counters:
        return
    with raw_transaction(store.engine) as cur:
        over = count(cur, counters, time.time() if now is None else now)
    if over:
        raise refusal(over, what)
