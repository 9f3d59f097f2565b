"""Signing in with an API key on the server's hot path: one short transaction on the driver.

The key's row, its user's groups, the rate-limit counters and (at most once a minute)
`last_used_at` are read and written together, so a request costs one round of
statements on the database instead of several through SQLAlchemy's pipeline.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cristal.config import RateLimit
from cristal.errors import NotAuthenticated
from cristal.governance._keys import _TOKEN, ApiKey, _digest
from cristal.governance._ratelimit import count, refusal
from cristal.store import Store, raw_transaction, utcnow

__all__ = ["sign_in"]

_KEY_ROW = """
SELECT k.id, k.lookup, k.secret_hash, k.tenant_id, t.name, k.role, k.user_name, k.name,
       k.created_at, k.created_by, k.expires_at, k.revoked_at, k.last_used_at
FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.lookup = :lookup
"""
_USER_ROW = "SELECT groups, disabled_at FROM users WHERE tenant_id = :tenant AND name = :name"
_TOUCH = "UPDATE api_keys SET last_used_at = :now WHERE id = :id"
_TOUCH_S = 60.0


def _moment(value: Any) -> datetime | None:
    """A timestamp as the driver returns it (SQLite: text; PostgreSQL: datetime), in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _refused(message: str, reason: str, **fields: Any) -> NotAuthenticated:
    return NotAuthenticated(message, reason=reason, **fields)


def sign_in(store: Store, token: str,
            counters: Callable[[ApiKey], list[tuple[str, RateLimit]]],
            ) -> tuple[ApiKey, tuple[str, ...]]:
    """The active key a bearer token is, and its user's groups; counts the request.

    NotAuthenticated says why a key is refused (malformed, unknown, revoked, expired,
    its user gone or disabled); RateLimited when a counter from `counters(key)` is over.
    """
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise _refused("the API key is malformed: keys look like cr_xxxxxxxxxxxx_… as printed "
                       "by `cristal keys create`.", "malformed")
    lookup, secret = match.groups()
    digest = _digest(secret)
    now = utcnow()
    with raw_transaction(store.engine) as cur:
        cur.execute(_KEY_ROW, {"lookup": lookup})
        row = cur.fetchone()
        if row is None or not hmac.compare_digest(digest, row[2]):
            raise _refused("the API key is not valid: check it, or ask an admin for a new one "
                           "(`cristal keys create`).", "unknown", lookup=lookup)
        key = ApiKey(row[0], row[1], row[4], row[3], row[5], row[6], row[7], _moment(row[8]),
                     row[9], _moment(row[10]), _moment(row[11]), _moment(row[12]))
        if key.status != "active":
            raise _refused(f"the API key {key.id} is {key.status}; ask an admin of tenant "
                           f"{key.tenant} for a new one.", key.status, key_id=key.id,
                           tenant=key.tenant)
        groups: tuple[str, ...] = ()
        if key.user:
            cur.execute(_USER_ROW, {"tenant": key.tenant_id, "name": key.user})
            user = cur.fetchone()
            if user is None or user[1] is not None:
                raise _refused(f"the API key {key.id} acts as user {key.user}, who is "
                               f"{'disabled' if user else 'no longer a user'} in tenant "
                               f"{key.tenant}.", "user", key_id=key.id, tenant=key.tenant)
            raw = user[0]
            groups = tuple(json.loads(raw) if isinstance(raw, str) else raw or ())
        over = count(cur, counters(key), time.time())
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > _TOUCH_S:
            cur.execute(_TOUCH, {"now": cur.timestamp(now), "id": key.id})
    if over:
        raise refusal(over)
    return key, groups
