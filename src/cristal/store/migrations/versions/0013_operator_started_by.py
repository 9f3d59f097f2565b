"""Who started an operator run (so `cristal erase --user` finds a user's runs).

Revision ID: 0013_operator_started_by
Revises: 0012_sessions
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError

revision = "0013_operator_started_by"
down_revision = "0012_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add operator_runs.started_by (`user:<tenant>/<name>` or `local:<name>`; NULL before)."""
    op.add_column("operator_runs", sa.Column("started_by", sa.String(300), nullable=True))


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
