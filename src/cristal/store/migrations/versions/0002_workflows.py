"""Workflows: the worker registry (heartbeats) used to recover runs of dead workers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from cristal.store import JSON, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the worker registry."""
    op.create_table(
        "workflow_workers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("queues", JSON, nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_workflow_workers_heartbeat_at", "workflow_workers", ["heartbeat_at"])


def downgrade() -> None:
    """Drop the worker registry."""
    op.drop_index("ix_workflow_workers_heartbeat_at", "workflow_workers")
    op.drop_table("workflow_workers")
