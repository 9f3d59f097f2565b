"""Access: collection readers, who asked a research session and what it searched,
workflow specs registered through the server.

Revision ID: 0007b_access
Revises: 0007_identity
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0007b_access"
down_revision = "0007_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create collection_grants and workflow_specs; add columns to research_sessions."""
    op.create_table(
        "collection_grants",
        sa.Column("collection_id", sa.String(40), sa.ForeignKey(
            "collections.id", ondelete="CASCADE",
            name="fk_collection_grants_collection_id_collections"), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.add_column("research_sessions", sa.Column("collection_ids", JSON, nullable=True))
    op.add_column("research_sessions", sa.Column("asked_by", sa.String(300), nullable=True))
    op.create_table(
        "workflow_specs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_workflow_specs_tenant_id_tenants"),
            nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("allow_groups", JSON, nullable=False, server_default="[]"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(300), nullable=True),
        sa.UniqueConstraint("tenant_id", "name", "version",
                            name="uq_workflow_specs_tenant_id_name_version"),
    )


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
