"""Identity and service: users, role bindings, API keys, the audit chain, rate counters.

Revision ID: 0007_identity
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0007_identity"
down_revision = "0005"
branch_labels = None
depends_on = None


def _tenant_fk(table: str) -> sa.Column:
    return sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
        "tenants.id", ondelete="CASCADE", name=f"fk_{table}_tenant_id_tenants"), nullable=False)


def upgrade() -> None:
    """Create users, role_bindings, api_keys, audit_log, audit_head and rate_counters."""
    op.create_table(
        "users",
        sa.Column("id", sa.String(40), primary_key=True),
        _tenant_fk("users"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("groups", JSON, nullable=False, server_default="[]"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("tenant_id", "name", name="uq_users_tenant_id_name"),
    )
    op.create_table(
        "role_bindings",
        sa.Column("id", sa.String(40), primary_key=True),
        _tenant_fk("role_bindings"),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "subject_kind", "subject", "role",
                            name="uq_role_bindings_tenant_id_subject_kind_subject_role"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("lookup", sa.String(20), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        _tenant_fk("api_keys"),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("lookup", name="uq_api_keys_lookup"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=True),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("id", name="uq_audit_log_id"),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    op.create_index("ix_audit_log_tenant_seq", "audit_log", ["tenant", "seq"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash")),
                   [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "rate_counters",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
