"""Rate limits: counted in the database, per subject and window, refusals say when to retry."""

from __future__ import annotations

import pytest

from cristal.config import RateLimit
from cristal.errors import RateLimited
from cristal.governance import hit


def test_limit_per_subject_and_window(store):
    limit = RateLimit(limit=3, period_s=60)
    now = 60 * 16_667 + 20.0  # 20 s into a 60 s window
    for _ in range(3):
        hit(store, [("key:a", limit)], now=now)
    with pytest.raises(RateLimited) as refused:
        hit(store, [("key:a", limit)], now=now)
    assert refused.value.retry_after == 40  # until the window ends
    assert "3 per 60 s" in refused.value.message and "server.key_rate" in refused.value.message
    hit(store, [("key:b", limit)], now=now)  # another key has its own counter
    hit(store, [("key:a", limit)], now=now + 60)  # the next window starts fresh


def test_the_strictest_of_several_counters_refuses(store):
    per_key, per_user = RateLimit(limit=10, period_s=60), RateLimit(limit=2, period_s=60)
    now = 2_000_040.0
    hit(store, [("key:k1", per_key), ("user:acme:bob", per_user)], now=now)
    hit(store, [("key:k2", per_key), ("user:acme:bob", per_user)], now=now)
    with pytest.raises(RateLimited, match="user"):
        hit(store, [("key:k3", per_key), ("user:acme:bob", per_user)], now=now)
