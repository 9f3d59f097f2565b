"""Tables of the governance area: tenants and their budget usage per period."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # Money is stored in micro-dollars so budget arithmetic is exact on both databases.
    sa.Column("budget_micros", sa.BigInteger(), nullable=True),
    sa.Column("budget_tokens", sa.BigInteger(), nullable=True),
    sa.Column("period", sa.String(10), nullable=False, server_default="month"),
    sa.Column("allowed_regions", JSON, nullable=True),
    sa.Column("allowed_providers", JSON, nullable=True),
    sa.Column("routes", JSON, nullable=False, server_default="{}"),
)

budget_usage = sa.Table(
    "budget_usage",
    metadata,
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("period_start", sa.String(10), primary_key=True),
    sa.Column("spent_micros", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("spent_tokens", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("reserved_micros", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("reserved_tokens", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("calls", sa.BigInteger(), nullable=False, server_default="0"),
)
