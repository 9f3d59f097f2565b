"""Workflows: parked runs (waiting runs that gave their queue slot back) and when to wake them.

Revision ID: 0011_core
Revises: 0010_envs
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from cristal.store import UTCDateTime

revision = "0011_core"
down_revision = "0010_envs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create workflow_parked."""
    op.create_table(
        "workflow_parked",
        sa.Column("run_id", sa.String(200), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("wake_at", sa.Float(), nullable=True),
        sa.Column("queue", sa.String(200), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_workflow_parked_wake_at", "workflow_parked", ["wake_at"])


def downgrade() -> None:
    """Drop workflow_parked."""
    op.drop_index("ix_workflow_parked_wake_at", "workflow_parked")
    op.drop_table("workflow_parked")
