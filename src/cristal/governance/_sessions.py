"""Console sign-in sessions, kept in the database so that any server process can serve any
request (several `cristal serve` machines behind one load balancer).

The browser's cookie holds a random token; the table keeps only its SHA-256, the CSRF
token of the session, the principal it signed in as, and what it was opened with
(`basis`: `key:<id>` or `oidc:<sub>`). A session ends at its absolute expiry, after
`idle` without a request, on sign-out, or when what it was opened with stops being
valid (the key revoked or expired, the user disabled or erased): `load_session`
checks that on every request.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from cristal.errors import NotAuthenticated
from cristal.governance._identities import find_user
from cristal.governance._identity_tables import api_keys, console_sessions
from cristal.governance._rbac import Principal
from cristal.governance._tenants import get_tenant
from cristal.store import Store, new_id, utcnow

__all__ = ["Session", "delete_session", "load_session", "open_session", "purge_sessions"]

_TOUCH_S = 60  # write seen_at at most once a minute per session


@dataclass(frozen=True)
class Session:
    """A live console session: who, its CSRF token, and when it ends."""

    id: str
    principal: Principal
    csrf: str
    basis: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _dump(p: Principal) -> dict:
    return {"kind": p.kind, "id": p.id, "tenant": p.tenant, "roles": sorted(p.roles),
            "user": p.user, "groups": sorted(p.groups)}


def _load(data: dict | str) -> Principal:
    d = json.loads(data) if isinstance(data, str) else data
    return Principal(d["kind"], d["id"], d["tenant"], frozenset(d["roles"]), d.get("user"),
                     frozenset(d.get("groups") or ()))


def open_session(store: Store, principal: Principal, basis: str, *,
                 lifetime: timedelta) -> tuple[str, Session]:
    """Store a new session; returns the cookie's token (shown only here) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    tenant = get_tenant(store, principal.tenant)
    session = Session(new_id("ses"), principal, csrf, basis, now + lifetime)
    with store.write() as conn:
        conn.execute(console_sessions.insert().values(
            id=session.id, token_hash=_hash(token), csrf=csrf, tenant_id=tenant.id,
            basis=basis[:240], user_name=principal.user, principal=_dump(principal),
            created_at=now, seen_at=now, expires_at=session.expires_at))
    return token, session


def _ended(why: str) -> NotAuthenticated:
    return NotAuthenticated(f"your session {why}; sign in again.", reason="session")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_session(store: Store, token: str, *, idle: timedelta) -> Session:
    """The live session of a cookie token; NotAuthenticated (reason `session`) if none."""
    if not token or len(token) > 200:
        raise _ended("is missing")
    c = console_sessions.c
    with store.read() as conn:
        row = conn.execute(sa.select(console_sessions).where(
            c.token_hash == _hash(token))).first()
    if row is None:
        raise _ended("has ended or is unknown")
    m = row._mapping
    now = utcnow()
    expired = _aware(m["expires_at"]) <= now
    idle_out = _aware(m["seen_at"]) + idle <= now
    if expired or idle_out:
        delete_session(store, token)
        raise _ended("has expired" if expired else "timed out after a while without use")
    principal = _load(m["principal"])
    why = _basis_gone(store, m["basis"], principal)
    if why:
        delete_session(store, token)
        raise _ended(why)
    if (now - _aware(m["seen_at"])).total_seconds() > _TOUCH_S:
        with store.write() as conn:
            conn.execute(console_sessions.update().where(c.id == m["id"]).values(seen_at=now))
    return Session(m["id"], principal, m["csrf"], m["basis"], _aware(m["expires_at"]))


def _basis_gone(store: Store, basis: str, principal: Principal) -> str | None:
    """Why what the session was opened with is no longer valid, or None."""
    now = utcnow()
    if basis.startswith("key:"):
        with store.read() as conn:
            row = conn.execute(sa.select(api_keys.c.revoked_at, api_keys.c.expires_at).where(
                api_keys.c.id == basis[4:])).first()
        if row is None or row[0] is not None:
            return "ended: its API key was revoked"
        if row[1] is not None and _aware(row[1]) <= now:
            return "ended: its API key expired"
    if principal.user and (basis.startswith("oidc:") or principal.kind == "key"):
        try:
            tenant = get_tenant(store, principal.tenant)
        except Exception:  # noqa: BLE001 - tenant erased
            return "ended: its tenant no longer exists"
        user = find_user(store, tenant, principal.user)
        if user is not None and user.disabled:
            return f"ended: user {principal.user} is disabled"
        if user is None and principal.kind == "key":
            return f"ended: user {principal.user} no longer exists"
    return None


def delete_session(store: Store, token: str) -> bool:
    """End a session (sign-out); True if there was one."""
    with store.write() as conn:
        gone = conn.execute(console_sessions.delete().where(
            console_sessions.c.token_hash == _hash(token))).rowcount
    return bool(gone)


def purge_sessions(store: Store) -> int:
    """Delete every expired session; returns how many."""
    with store.write() as conn:
        return conn.execute(console_sessions.delete().where(
            console_sessions.c.expires_at <= utcnow())).rowcount
