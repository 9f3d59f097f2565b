"""Environments: recorded episodes and eval runs.

Revision ID: 0010_envs
Revises: 0008_data_protection
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0010_envs"
down_revision = "0008_data_protection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create eval_runs and env_episodes."""
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_eval_runs_tenant_id_tenants"),
            nullable=False),
        sa.Column("env_id", sa.String(80), nullable=False),
        sa.Column("policies", JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("config", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_eval_runs_tenant_created", "eval_runs", ["tenant_id", "created_at"])
    op.create_table(
        "env_episodes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_env_episodes_tenant_id_tenants"),
            nullable=False),
        sa.Column("eval_run_id", sa.String(40), sa.ForeignKey(
            "eval_runs.id", ondelete="CASCADE", name="fk_env_episodes_eval_run_id_eval_runs"),
            nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("env_id", sa.String(80), nullable=False),
        sa.Column("task_id", sa.String(300), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("total_reward", sa.Float(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("terminated", sa.Boolean(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("actions", JSON, nullable=False),
        sa.Column("observation_hashes", JSON, nullable=False),
        sa.Column("rewards", JSON, nullable=False),
        sa.Column("transcript", JSON, nullable=True),
        sa.Column("tools", JSON, nullable=True),
        sa.Column("info", JSON, nullable=True),
        sa.Column("model_calls", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("input_tokens", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("output_tokens", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("latency_ms", sa.Float(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_env_episodes_tenant_created", "env_episodes",
                    ["tenant_id", "created_at"])
    op.create_index("ix_env_episodes_eval_run", "env_episodes", ["eval_run_id"])


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
