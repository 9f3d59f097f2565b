"""Foundation: tenants, budget usage per period, and the model call log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the foundation tables."""
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("budget_micros", sa.BigInteger(), nullable=True),
        sa.Column("budget_tokens", sa.BigInteger(), nullable=True),
        sa.Column("period", sa.String(10), nullable=False, server_default="month"),
        sa.Column("allowed_regions", JSON, nullable=True),
        sa.Column("allowed_providers", JSON, nullable=True),
        sa.Column("routes", JSON, nullable=False, server_default="{}"),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "budget_usage",
        sa.Column("tenant_id", sa.String(40),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                name="fk_budget_usage_tenant_id_tenants"),
                  primary_key=True),
        sa.Column("period_start", sa.String(10), primary_key=True),
        sa.Column("spent_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("spent_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("reserved_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("reserved_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("calls", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "model_calls",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.String(40),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                name="fk_model_calls_tenant_id_tenants"),
                  nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("route", sa.String(60), nullable=False),
        sa.Column("provider", sa.String(60), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("period_start", sa.String(10), nullable=True),
        sa.Column("reserved_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("reserved_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("error_class", sa.String(60), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("caller", sa.String(200), nullable=True),
        sa.Column("meta", JSON, nullable=True),
    )
    tenants = sa.table(
        "tenants", sa.column("id"), sa.column("name"), sa.column("created_at", UTCDateTime()),
        sa.column("period"), sa.column("routes", JSON),
    )
    op.bulk_insert(tenants, [{"id": "ten_default", "name": "default", "period": "month",
                              "created_at": datetime.now(UTC), "routes": {}}])
    op.create_index("ix_model_calls_tenant_created", "model_calls", ["tenant_id", "created_at"])
    op.create_index("ix_model_calls_status_created", "model_calls", ["status", "created_at"])


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
