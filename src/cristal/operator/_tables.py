"""Operator tables: runs, their recorded steps (trajectories) and compiled skills."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

__all__ = ["operator_runs", "operator_skills", "operator_steps"]

operator_runs = sa.Table(
    "operator_runs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("instruction", sa.Text(), nullable=False),
    sa.Column("start_url", sa.Text(), nullable=False),
    sa.Column("policy", sa.String(20), nullable=False),  # plan | model | skill
    sa.Column("skill", sa.String(200), nullable=True),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("result", JSON, nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("model_calls", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("steps", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("meta", JSON, nullable=True),  # allow-list, params, repairs, takeovers
    # who started it: `user:<tenant>/<name>` or `local:<name>` (None: no user, or older)
    sa.Column("started_by", sa.String(300), nullable=True),
)

operator_steps = sa.Table(
    "operator_steps",
    metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("operator_runs.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("step", sa.Integer(), primary_key=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("snapshot_hash", sa.String(64), nullable=False),
    sa.Column("snapshot_text", sa.Text(), nullable=False),
    sa.Column("snapshot_tokens", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # the action's name: click, type, ...
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

operator_skills = sa.Table(
    "operator_skills",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("body", JSON, nullable=False),
    sa.Column("source_run_id", sa.String(40),
              sa.ForeignKey("operator_runs.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("tenant_id", "name", "version"),
)
