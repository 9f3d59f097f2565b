"""Training-environment data under erasure and retention: episodes and eval runs.

An episode keeps what the agent saw and said (transcript, tool definitions, actions,
final info, error) and its task id; an eval run keeps its task list, environment
arguments and per-task summary. Erasure deletes the episodes that hold erased data,
and the eval runs whose own columns hold it (with all their episodes). Episodes and
eval runs record no user, so `--user` finds none of them. Retention (category `envs`)
deletes eval runs created before the cutoff that are no longer running, with their
episodes, and episodes of no eval run created before it. Datasets exported from
episodes are files, found through the audit log (`governance.erase_exports`).
"""

from __future__ import annotations

import sqlalchemy as sa

from cristal.envs._tables import env_episodes as ep
from cristal.envs._tables import eval_runs as ev
from cristal.governance import ErasureScope, RetentionScope

__all__ = ["erase_episodes", "expire_episodes"]

_EPISODE_TEXT = (ep.c.task_id, ep.c.policy, ep.c.actions, ep.c.transcript, ep.c.tools,
                 ep.c.info, ep.c.error)
_RUN_TEXT = (ev.c.policies, ev.c.config, ev.c.summary, ev.c.error)
_BATCH = 500


def erase_episodes(scope: ErasureScope) -> None:
    """Delete episodes (and eval runs) whose stored text holds erased data."""
    if scope.selector == "user":
        return  # episodes and eval runs record no user
    tenant = scope.tenant.id
    with scope.store.read() as conn:
        runs = [r.id for r in conn.execute(sa.select(ev.c.id, *_RUN_TEXT).where(
            ev.c.tenant_id == tenant)) if scope.matches(list(r[1:]))]
        episodes = [r.id for r in conn.execute(sa.select(ep.c.id, *_EPISODE_TEXT).where(
            ep.c.tenant_id == tenant)) if scope.matches(list(r[1:]))]
    _delete(scope, runs, episodes)


def expire_episodes(scope: RetentionScope) -> None:
    """Delete finished eval runs and lone episodes created before the cutoff."""
    tenant = scope.tenant.id
    with scope.store.read() as conn:
        runs = list(conn.execute(sa.select(ev.c.id).where(
            ev.c.tenant_id == tenant, ev.c.created_at < scope.cutoff,
            ev.c.status != "running")).scalars())
        episodes = list(conn.execute(sa.select(ep.c.id).where(
            ep.c.tenant_id == tenant, ep.c.created_at < scope.cutoff,
            ep.c.eval_run_id.is_(None))).scalars())
    _delete(scope, runs, episodes)


def _delete(scope: ErasureScope | RetentionScope, runs: list[str], episodes: list[str]) -> None:
    if not runs and not episodes:
        return
    gone = 0
    with scope.store.write() as conn:
        for start in range(0, len(runs), _BATCH):
            part = runs[start:start + _BATCH]
            gone += conn.execute(ep.delete().where(ep.c.eval_run_id.in_(part))).rowcount
            conn.execute(ev.delete().where(ev.c.id.in_(part)))
        for start in range(0, len(episodes), _BATCH):
            gone += conn.execute(ep.delete().where(
                ep.c.id.in_(episodes[start:start + _BATCH]))).rowcount
    scope.counts["eval runs"] += len(runs)
    scope.counts["episodes"] += gone
