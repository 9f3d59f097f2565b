"""Research sessions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the research_sessions table."""
    op.create_table(
        "research_sessions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_research_sessions_tenant_id_tenants"),
            nullable=False),
        sa.Column("collection", sa.String(200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("not_found", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("model_calls", sa.Integer(), nullable=False),
        sa.Column("out_dir", sa.Text(), nullable=True),
        sa.Column("report", JSON, nullable=False),
    )
    op.create_index("ix_research_sessions_tenant_created", "research_sessions",
                    ["tenant_id", "created_at"])


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
