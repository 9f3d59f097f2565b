"""Operator: runs, recorded steps (trajectories) and compiled skills.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create operator_runs, operator_steps and operator_skills."""
    op.create_table(
        "operator_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_operator_runs_tenant_id_tenants"),
            nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("start_url", sa.Text(), nullable=False),
        sa.Column("policy", sa.String(20), nullable=False),
        sa.Column("skill", sa.String(200), nullable=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("model_calls", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("steps", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("meta", JSON, nullable=True),
    )
    op.create_index("ix_operator_runs_tenant_created", "operator_runs",
                    ["tenant_id", "created_at"])
    op.create_table(
        "operator_steps",
        sa.Column("run_id", sa.String(40), sa.ForeignKey(
            "operator_runs.id", ondelete="CASCADE", name="fk_operator_steps_run_id_operator_runs"),
            primary_key=True),
        sa.Column("step", sa.Integer(), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("snapshot_hash", sa.String(64), nullable=False),
        sa.Column("snapshot_text", sa.Text(), nullable=False),
        sa.Column("snapshot_tokens", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("action", JSON, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("target", JSON, nullable=True),
        sa.Column("confirmation", JSON, nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("blocked", JSON, nullable=True),
        sa.Column("timings_ms", JSON, nullable=True),
        sa.Column("model_call_id", sa.String(40), nullable=True),
    )
    op.create_index("ix_operator_steps_snapshot_hash", "operator_steps", ["snapshot_hash"])
    op.create_table(
        "operator_skills",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_operator_skills_tenant_id_tenants"),
            nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("source_run_id", sa.String(40), sa.ForeignKey(
            "operator_runs.id", ondelete="SET NULL",
            name="fk_operator_skills_source_run_id_operator_runs"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", "version",
                            name="uq_operator_skills_tenant_id_name_version"),
    )


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
