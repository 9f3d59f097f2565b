"""Console sign-in sessions (the cookie's token hashed; what it was opened with).

Revision ID: 0012_sessions
Revises: 0011_core
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from cristal.store import JSON, UTCDateTime

revision = "0012_sessions"
down_revision = "0011_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create console_sessions."""
    op.create_table(
        "console_sessions",
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
    op.create_index("ix_console_sessions_expires_at", "console_sessions", ["expires_at"])


def downgrade() -> None:
    """Drop console_sessions."""
    op.drop_index("ix_console_sessions_expires_at", "console_sessions")
    op.drop_table("console_sessions")
