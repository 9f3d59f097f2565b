"""Tables of identities and the service: users, role bindings, API keys, audit, rate counters.

Migration `0007_identity` creates them; these `Table`s are the source of their shape.
"""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("groups", JSON, nullable=False, server_default="[]"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("disabled_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("tenant_id", "name"),
)

# A role given to a user or to every member of a group, in one tenant.
role_bindings = sa.Table(
    "role_bindings",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("subject_kind", sa.String(10), nullable=False),  # user | group
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("tenant_id", "subject_kind", "subject", "role"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    # The public part of the key (`cr_<lookup>_<secret>`), so a request finds its row
    # without scanning; the secret itself is stored only as a SHA-256 digest.
    sa.Column("lookup", sa.String(20), nullable=False, unique=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("user_name", sa.String(200), nullable=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
)

# The audit chain: `seq` orders it, each `hash` covers the entry and the previous hash.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("id", sa.String(40), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),  # ISO text: hashed as stored
    sa.Column("tenant", sa.String(100), nullable=True),
    sa.Column("actor", sa.String(300), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("target", sa.Text(), nullable=True),
    sa.Column("details", sa.Text(), nullable=False),  # canonical JSON text
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_log_created_at", "created_at"),
    sa.Index("ix_audit_log_tenant_seq", "tenant", "seq"),
)

# One row (id = 1): the newest entry's seq and hash. Writers lock it to append, so the
# chain stays one line under concurrent writers, and a deleted last entry is noticed.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

rate_counters = sa.Table(
    "rate_counters",
    metadata,
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("window_start", sa.BigInteger(), primary_key=True),
    sa.Column("count", sa.Integer(), nullable=False),
)

# Console sign-in sessions: the cookie holds a random token; only its SHA-256 is stored.
# `basis` is what the session was opened with (`key:<id>` or `oidc:<sub>`), checked again
# on every request (a revoked key or a disabled user ends the session at once).
console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("basis", sa.String(240), nullable=False),
    sa.Column("user_name", sa.String(200), nullable=True),
    sa.Column("principal", JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)
