"""Research sessions: every report is stored with its id, so it can be listed and shown."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

research_sessions = sa.Table(
    "research_sessions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("collection", sa.String(200), nullable=False),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("lang", sa.String(5), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("not_found", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("duration_ms", sa.Float(), nullable=False),
    sa.Column("model_calls", sa.Integer(), nullable=False),
    sa.Column("out_dir", sa.Text(), nullable=True),
    sa.Column("report", JSON, nullable=False),
    # The collections searched (ids): who cannot read all of them cannot see the session.
    sa.Column("collection_ids", JSON, nullable=True),
    sa.Column("asked_by", sa.String(300), nullable=True),  # Principal.subject
)
