"""The call log: one row per model call, which also holds its budget reservation."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

model_calls = sa.Table(
    "model_calls",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # chat | embed
    sa.Column("route", sa.String(60), nullable=False),
    sa.Column("provider", sa.String(60), nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    # pending (reserved, in flight) | ok | error | refused | abandoned (reservation expired)
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("period_start", sa.String(10), nullable=True),
    sa.Column("reserved_micros", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("reserved_tokens", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("input_tokens", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("output_tokens", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("cost_micros", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("latency_ms", sa.Float(), nullable=True),
    sa.Column("error_class", sa.String(60), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    sa.Column("caller", sa.String(200), nullable=True),  # e.g. research:res_01…
    sa.Column("meta", JSON, nullable=True),
    sa.Index("ix_model_calls_tenant_created", "tenant_id", "created_at"),
    sa.Index("ix_model_calls_status_created", "status", "created_at"),
)
