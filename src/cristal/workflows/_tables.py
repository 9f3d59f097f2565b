"""Tables of the workflows area. Runs, steps, queues and schedules live in DBOS's own
tables; Cristal adds only the worker registry that lets live workers recover the
runs of a worker that died (DBOS alone recovers a worker's runs only when that
same worker starts again).
"""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

__all__ = ["workflow_specs", "workflow_workers"]

workflow_workers = sa.Table(
    "workflow_workers",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("pid", sa.Integer(), nullable=False),
    sa.Column("queues", JSON, nullable=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("heartbeat_at", UTCDateTime(), nullable=False, index=True),
)

# Workflow specs registered through the server (`POST /api/workflows`): every version is
# kept; `allow_groups` limits which members may start it (empty: every member).
workflow_specs = sa.Table(
    "workflow_specs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("allow_groups", JSON, nullable=False, server_default="[]"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(300), nullable=True),
    sa.UniqueConstraint("tenant_id", "name", "version"),
)
