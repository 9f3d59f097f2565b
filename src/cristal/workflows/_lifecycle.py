"""Workflow runs under erasure and retention, through DBOS's public client.

A run's inputs, outputs, errors and step results live in DBOS's system database
(its own file beside a SQLite store; the `dbos` schema of a PostgreSQL store).
Erasure reads them decoded (`list_workflows`, `list_workflow_steps`), deletes
the runs that hold erased data (`delete_workflows`, children included) and any
events, streams and messages left keyed to them; retention deletes finished runs
completed before the cutoff.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from cristal.governance import ErasureScope, RetentionScope

__all__ = ["erase_runs", "expire_runs"]

_FINISHED = ["SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]
_LEFTOVERS = (("workflow_events", "workflow_uuid"), ("workflow_events_history", "workflow_uuid"),
              ("streams", "workflow_uuid"), ("notifications", "destination_uuid"))


def _engine(app: Any) -> Any:
    from cristal.workflows._engine import Engine

    return Engine(app)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _tenant_of(status: Any) -> str | None:
    return (status.attributes or {}).get("tenant") or status.queue_partition_key


def erase_runs(scope: ErasureScope) -> None:
    """Delete the tenant's runs whose inputs, outputs or step results hold erased data."""
    engine = _engine(scope.app)
    client = engine.client
    try:
        kwargs = {"user": scope.value} if scope.selector == "user" else {}
        doomed = []
        for st in client.list_workflows(load_input=True, load_output=True, **kwargs):
            if _tenant_of(st) != scope.tenant.name:
                continue
            if scope.selector == "user" or scope.matches(_plain(
                    [st.input, st.output, str(st.error or ""), st.attributes])):
                doomed.append(st.workflow_id)
                continue
            steps = client.list_workflow_steps(st.workflow_id, load_output=True)
            if scope.matches(_plain([[s.output, str(s.error or "")] for s in steps])):
                doomed.append(st.workflow_id)
        if doomed:
            client.delete_workflows(doomed, delete_children=True)
            _delete_leftovers(engine.url, doomed)
        scope.counts["workflow runs"] += len(doomed)
    finally:
        engine.close()
    if engine.url.startswith("sqlite"):  # a separate file: scan and compact it too
        scope.engines.append(sa.create_engine(engine.url))


def expire_runs(scope: RetentionScope) -> None:
    """Delete the tenant's finished runs completed before the cutoff."""
    engine = _engine(scope.app)
    try:
        ids = [st.workflow_id for st in engine.client.list_workflows(
            status=_FINISHED, completed_before=scope.cutoff.isoformat(), load_input=False,
            load_output=False) if _tenant_of(st) == scope.tenant.name]
        if ids:
            engine.client.delete_workflows(ids, delete_children=True)
            _delete_leftovers(engine.url, ids)
        scope.counts["workflow runs"] += len(ids)
    finally:
        engine.close()


def _delete_leftovers(url: str, ids: list[str]) -> None:
    """Events, streams and messages keyed to deleted runs (not removed with the run)."""
    db = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    schema = None if db.dialect.name == "sqlite" else "dbos"
    try:
        present = set(sa.inspect(db).get_table_names(schema=schema))
        with db.begin() as conn:
            for table, column in _LEFTOVERS:
                if table in present:
                    t = sa.table(table, sa.column(column), schema=schema)
                    conn.execute(sa.delete(t).where(t.c[column].in_(ids)))
    finally:
        db.dispose()
