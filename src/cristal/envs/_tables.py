"""Environment tables: recorded episodes and the eval runs (scorecards) that group them."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

__all__ = ["env_episodes", "eval_runs"]

eval_runs = sa.Table(
    "eval_runs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("env_id", sa.String(80), nullable=False),
    sa.Column("policies", JSON, nullable=False),  # ["route-a", "route-b"] or ["skill"]
    sa.Column("status", sa.String(20), nullable=False),  # running | finished | failed
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("config", JSON, nullable=False),  # tasks, episodes, concurrency, env kwargs
    sa.Column("summary", JSON, nullable=True),  # per policy and task: reward, cost, ...
    sa.Column("error", sa.Text(), nullable=True),
)

env_episodes = sa.Table(
    "env_episodes",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("eval_run_id", sa.String(40), sa.ForeignKey("eval_runs.id", ondelete="CASCADE"),
              nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("env_id", sa.String(80), nullable=False),
    sa.Column("task_id", sa.String(300), nullable=False),
    sa.Column("seed", sa.BigInteger(), nullable=False),
    sa.Column("policy", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # ok | error | refused
    sa.Column("success", sa.Boolean(), nullable=False),
    sa.Column("total_reward", sa.Float(), nullable=False),
    sa.Column("steps", sa.Integer(), nullable=False),
    sa.Column("terminated", sa.Boolean(), nullable=False),
    sa.Column("truncated", sa.Boolean(), nullable=False),
    sa.Column("actions", JSON, nullable=False),
    sa.Column("observation_hashes", JSON, nullable=False),
    sa.Column("rewards", JSON, nullable=False),
    sa.Column("transcript", JSON, nullable=True),  # OpenAI chat messages with tool calls
    sa.Column("tools", JSON, nullable=True),  # the tool definitions the agent was given
    sa.Column("info", JSON, nullable=True),  # the final info (rubric, utility, ...)
    sa.Column("model_calls", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("input_tokens", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("output_tokens", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("cost_micros", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("latency_ms", sa.Float(), nullable=False, server_default="0"),
    sa.Column("error", sa.Text(), nullable=True),
)
sa.Index("ix_env_episodes_tenant_created", env_episodes.c.tenant_id, env_episodes.c.created_at)
sa.Index("ix_env_episodes_eval_run", env_episodes.c.eval_run_id)
sa.Index("ix_eval_runs_tenant_created", eval_runs.c.tenant_id, eval_runs.c.created_at)
