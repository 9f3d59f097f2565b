"""Data protection: per-tenant data policies (PII guard, retention) and erasure records.

Revision ID: 0008_data_protection
Revises: 0007b_access
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0008_data_protection"
down_revision = "0007b_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create data_policies and erasures."""
    op.create_table(
        "data_policies",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_data_policies_tenant_id_tenants"),
            primary_key=True),
        sa.Column("pii", JSON, nullable=True),
        sa.Column("retention", JSON, nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("selector", sa.String(20), nullable=False),
        sa.Column("value_sha256", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=True),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("residual", JSON, nullable=False),
    )
    op.create_index("ix_erasures_tenant_id", "erasures", ["tenant_id"])


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
