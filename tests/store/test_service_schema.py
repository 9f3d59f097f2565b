"""The service tables made by migrations match their SQLAlchemy `Table`s (the source of shape)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import cristal.governance  # noqa: F401 - registers the governance tables
import cristal.knowledge  # noqa: F401
import cristal.research  # noqa: F401
import cristal.workflows  # noqa: F401
from cristal.store import Store, metadata

SERVICE_TABLES = {"users", "role_bindings", "api_keys", "audit_log", "audit_head",
                  "rate_counters", "collection_grants", "workflow_specs"}
# Columns the service added to an older table (whose other differences are not ours).
ADDED_COLUMNS = {("research_sessions", "collection_ids"), ("research_sessions", "asked_by")}


def _diffs(store: Store) -> list:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(ctx, metadata)
    out = []
    for diff in found:
        items = diff if isinstance(diff, list) else [diff]
        for item in items:
            names = {getattr(x, "name", None) for x in item[1:] if hasattr(x, "name")}
            names |= {x for x in item[1:] if isinstance(x, str)}
            tables = {getattr(getattr(x, "table", None), "name", None) for x in item[1:]}
            columns = {(x, getattr(y, "name", y)) for x, y in zip(item[2:], item[3:], strict=False)
                       if isinstance(x, str)}
            if (names | tables) & SERVICE_TABLES or columns & ADDED_COLUMNS:
                out.append(item)
    return out


def test_migrations_build_the_service_tables_as_declared(db_url):
    store = Store.open(db_url)
    try:
        assert _diffs(store) == []
    finally:
        store.close()
