"""Operator trajectories under erasure and retention: runs, steps, skills, screenshots."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.governance import ErasureScope, RetentionScope, remove_stored_path
from cristal.operator._tables import operator_runs as runs
from cristal.operator._tables import operator_skills as skills
from cristal.operator._tables import operator_steps as steps

__all__ = ["erase_trajectories", "expire_trajectories"]

_STEP_TEXT = (steps.c.url, steps.c.snapshot_text, steps.c.action, steps.c.target,
              steps.c.confirmation, steps.c.result, steps.c.blocked)


def erase_trajectories(scope: ErasureScope) -> None:
    """Delete runs whose instruction, pages, actions or results hold erased data, or (for
    --user) that the user started; skills compiled from them lose their source run."""
    tenant = scope.tenant.id
    if scope.selector == "user":  # `started_by` is `Principal.subject`, as research's asker
        starter = {f"user:{scope.tenant.name}/{scope.value}", f"local:{scope.value}"}
        with scope.store.read() as conn:
            found = conn.execute(sa.select(runs.c.id, runs.c.meta, runs.c.instruction).where(
                runs.c.tenant_id == tenant, runs.c.started_by.in_(starter))).all()
        # exports of these runs hold their ids (steps, chat) or instructions (datasets)
        scope.derived.update(t for r in found for t in (r.id, r.instruction))
        _delete(scope, {r.id: r.meta for r in found})
        return
    with scope.store.read() as conn:
        doomed = {r.id: r.meta for r in conn.execute(sa.select(
            runs.c.id, runs.c.instruction, runs.c.start_url, runs.c.result, runs.c.error,
            runs.c.meta).where(runs.c.tenant_id == tenant))
            if scope.matches([r.instruction, r.start_url, r.result, r.error, r.meta])}
        for row in conn.execute(sa.select(steps.c.run_id, runs.c.meta, *_STEP_TEXT).join(
                runs, runs.c.id == steps.c.run_id).where(runs.c.tenant_id == tenant)):
            if row.run_id not in doomed and scope.matches([row[i + 2] for i in
                                                           range(len(_STEP_TEXT))]):
                doomed[row.run_id] = row.meta
        bad_skills = [s.id for s in conn.execute(sa.select(skills.c.id, skills.c.body).where(
            skills.c.tenant_id == tenant)) if scope.matches(s.body)]
    with scope.store.write() as conn:
        if bad_skills:
            conn.execute(skills.delete().where(skills.c.id.in_(bad_skills)))
    scope.counts["operator skills"] += len(bad_skills)
    _delete(scope, doomed)


def expire_trajectories(scope: RetentionScope) -> None:
    """Delete runs (steps, screenshots) created before the cutoff."""
    with scope.store.read() as conn:
        doomed = {r.id: r.meta for r in conn.execute(sa.select(runs.c.id, runs.c.meta).where(
            runs.c.tenant_id == scope.tenant.id, runs.c.created_at < scope.cutoff,
            runs.c.status != "running"))}
    _delete(scope, doomed)


def _delete(scope: ErasureScope | RetentionScope, doomed: dict) -> None:
    if not doomed:
        return
    ids = list(doomed)
    with scope.store.write() as conn:
        conn.execute(steps.delete().where(steps.c.run_id.in_(ids)))
        conn.execute(skills.update().where(skills.c.source_run_id.in_(ids))
                     .values(source_run_id=None))
        conn.execute(runs.delete().where(runs.c.id.in_(ids)))
    scope.counts["operator runs"] += len(ids)
    for meta in doomed.values():
        remove_stored_path(scope, (meta or {}).get("screenshots"), "screenshot")
