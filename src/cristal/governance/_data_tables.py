"""Tables of data protection: per-tenant data policies (PII, retention) and erasure records."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

__all__ = ["data_policies", "erasures"]

data_policies = sa.Table(
    "data_policies",
    metadata,
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              primary_key=True),
    # {"mode": "redact", "routes": {"default": "block"}, "regions": {"us": "redact"}}
    sa.Column("pii", JSON, nullable=True),
    # {"calls_days": 90, "research_days": 30, ...}
    sa.Column("retention", JSON, nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("selector", sa.String(20), nullable=False),  # document | collection | user | text
    # sha256 of the selector's value: the record proves what was erased without keeping it
    sa.Column("value_sha256", sa.String(64), nullable=False),
    sa.Column("requested_by", sa.String(200), nullable=True),
    sa.Column("counts", JSON, nullable=False),  # rows and files removed, per place
    sa.Column("residual", JSON, nullable=False),  # places still holding it afterwards (none)
)
