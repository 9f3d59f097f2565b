"""API keys: `cr_<lookup>_<secret>`, shown once; only a SHA-256 of the secret is stored.

The secret is 32 random bytes, so a fast hash is enough (there is nothing to guess a
dictionary of, unlike a password); the lookup part finds the row without a scan.
A key has one role in one tenant, optionally acts as a user (whose groups then apply),
may expire, and can be revoked; `last_used_at` is kept to the minute.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cristal.errors import InvalidInput, NotFound
from cristal.governance._identities import check_role, get_user
from cristal.governance._identity_tables import api_keys
from cristal.governance._tables import tenants
from cristal.governance._tenants import Tenant
from cristal.store import Store, new_id, utcnow

__all__ = ["ApiKey", "authenticate_key", "create_key", "get_key", "list_keys",
           "parse_expiry", "revoke_key"]

PREFIX = "cr_"
_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"
_TOKEN = re.compile(r"cr_([a-z0-9]{12})_([A-Za-z0-9_-]{43})")
_SPAN = re.compile(r"^(\d+)\s*([mhdwy])$")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key (never its secret)."""

    id: str
    lookup: str
    tenant: str
    tenant_id: str
    role: str
    user: str | None
    name: str | None
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def status(self) -> str:
        """`active`, `revoked` or `expired`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the key's public prefix only)."""
        def iso(v: datetime | None) -> str | None:
            return v.isoformat() if v else None
        return {"id": self.id, "prefix": f"{PREFIX}{self.lookup}_…", "tenant": self.tenant,
                "role": self.role, "user": self.user, "name": self.name,
                "created_at": iso(self.created_at), "created_by": self.created_by,
                "expires_at": iso(self.expires_at), "revoked_at": iso(self.revoked_at),
                "last_used_at": iso(self.last_used_at), "status": self.status}


def parse_expiry(text: str | None, now: datetime | None = None) -> datetime | None:
    """`90d`, `12h`, `2w`, `1y`, an ISO date, or `never`/None: when a key stops working."""
    if text is None or text.strip().lower() in ("", "never"):
        return None
    now = now or utcnow()
    match = _SPAN.match(text.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if amount <= 0:
            raise InvalidInput("--expires must be in the future, e.g. 90d.")
        days = {"m": 1 / 1440, "h": 1 / 24, "d": 1, "w": 7, "y": 365}[unit] * amount
        if days > 3650:
            raise InvalidInput("--expires is limited to ten years (3650d).")
        return now + timedelta(days=days)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--expires {text!r}: use 90d, 12h, 2w, 1y, a date such as "
                           "2027-03-31, or never.") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
    if moment <= now:
        raise InvalidInput(f"--expires {text!r} is in the past.")
    return moment


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _columns() -> list[Any]:
    return [api_keys, tenants.c.name.label("tenant_name")]


def _key(row: Any) -> ApiKey:
    m = row._mapping
    return ApiKey(m["id"], m["lookup"], m["tenant_name"], m["tenant_id"], m["role"],
                  m["user_name"], m["name"], m["created_at"], m["created_by"], m["expires_at"],
                  m["revoked_at"], m["last_used_at"])


def create_key(store: Store, tenant: Tenant, role: str, *, user: str | None = None,
               expires_at: datetime | None = None, name: str | None = None,
               created_by: str | None = None) -> tuple[ApiKey, str]:
    """Make a key; returns the stored record and the key text (shown only this once)."""
    check_role(role)
    if user is not None:
        get_user(store, tenant, user)
    lookup = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    key = ApiKey(new_id("key"), lookup, tenant.name, tenant.id, role, user,
                 (name or "")[:200] or None, now, created_by, expires_at, None, None)
    with store.write() as conn:
        conn.execute(api_keys.insert().values(
            id=key.id, lookup=lookup, secret_hash=_digest(secret), tenant_id=tenant.id,
            role=role, user_name=user, name=key.name, created_at=now, created_by=created_by,
            expires_at=expires_at))
    return key, f"{PREFIX}{lookup}_{secret}"


def list_keys(store: Store, tenant: Tenant | None = None) -> list[ApiKey]:
    """Keys (of one tenant, or all), newest first."""
    query = sa.select(*_columns()).join(tenants, tenants.c.id == api_keys.c.tenant_id)
    if tenant is not None:
        query = query.where(api_keys.c.tenant_id == tenant.id)
    with store.read() as conn:
        rows = conn.execute(query.order_by(api_keys.c.created_at.desc())).all()
    return [_key(r) for r in rows]


def get_key(store: Store, key_id: str, tenant: Tenant | None = None) -> ApiKey:
    """One key by id (within a tenant when given); NotFound says how to list them."""
    query = sa.select(*_columns()).join(tenants, tenants.c.id == api_keys.c.tenant_id).where(
        api_keys.c.id == key_id)
    if tenant is not None:
        query = query.where(api_keys.c.tenant_id == tenant.id)
    with store.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no API key {key_id!r}; `cristal keys list` shows the keys.",
                       key_id=key_id)
    return _key(row)


def revoke_key(store: Store, key_id: str, tenant: Tenant | None = None) -> ApiKey:
    """Revoke a key now; it stops working on the next request, on every server."""
    key = get_key(store, key_id, tenant)
    if key.revoked_at is None:
        with store.write() as conn:
            conn.execute(api_keys.update().where(api_keys.c.id == key.id)
                         .values(revoked_at=utcnow()))
    return get_key(store, key_id, tenant)


def authenticate_key(store: Store, token: str) -> ApiKey:
    """The active key this bearer token is; NotAuthenticated (with the reason) if none."""
    from cristal.governance._signin import sign_in  # it builds on this module

    return sign_in(store, token, lambda key: [])[0]
