"""Stored episodes: save, list, read back, and replay from their recorded actions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.envs._base import Episode, obs_hash
from cristal.envs._tables import env_episodes
from cristal.errors import NotFound
from cristal.store import Store, utcnow

__all__ = ["ReplayResult", "Rollout", "get_episode", "iter_episodes", "list_episodes",
           "replay", "save_episode"]


@dataclass
class Rollout:
    """An episode with what the policy saw and said, and what it cost."""

    episode: Episode
    policy: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ok"  # ok | error | refused
    error: str | None = None
    model_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0

    @property
    def success(self) -> bool:
        """The environment's success flag, else a positive total reward."""
        flag = self.episode.info.get("success")
        return bool(flag) if flag is not None else self.episode.total_reward > 0


def save_episode(store: Store, tenant_id: str, rollout: Rollout,
                 eval_run_id: str | None = None) -> str:
    """Store a rollout; returns its episode id."""
    ep = rollout.episode
    row = {
        "id": ep.id, "tenant_id": tenant_id, "eval_run_id": eval_run_id,
        "created_at": utcnow(), "env_id": ep.env_id, "task_id": ep.task_id, "seed": ep.seed,
        "policy": rollout.policy, "status": rollout.status, "success": rollout.success,
        "total_reward": ep.total_reward, "steps": ep.steps, "terminated": ep.terminated,
        "truncated": ep.truncated, "actions": ep.actions,
        "observation_hashes": ep.observation_hashes, "rewards": ep.rewards,
        "transcript": rollout.transcript, "tools": rollout.tools, "info": ep.info,
        "model_calls": rollout.model_calls, "input_tokens": rollout.input_tokens,
        "output_tokens": rollout.output_tokens,
        "cost_micros": int(round(rollout.cost_usd * 1e6)),
        "latency_ms": rollout.latency_ms, "error": rollout.error,
    }
    with store.write() as conn:
        conn.execute(env_episodes.insert().values(**row))
    return ep.id


_SUMMARY = (env_episodes.c.id, env_episodes.c.created_at, env_episodes.c.env_id,
            env_episodes.c.task_id, env_episodes.c.seed, env_episodes.c.policy,
            env_episodes.c.status, env_episodes.c.success, env_episodes.c.total_reward,
            env_episodes.c.steps, env_episodes.c.eval_run_id)


def _plain(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    data.pop("tenant_id", None)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
    return data


def list_episodes(store: Store, tenant_id: str, *, env_id: str | None = None,
                  eval_run_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """A tenant's most recent episodes first (summary columns)."""
    query = sa.select(*_SUMMARY).where(env_episodes.c.tenant_id == tenant_id)
    if env_id:
        query = query.where(env_episodes.c.env_id == env_id)
    if eval_run_id:
        query = query.where(env_episodes.c.eval_run_id == eval_run_id)
    with store.read() as conn:
        rows = conn.execute(query.order_by(env_episodes.c.created_at.desc(),
                                           env_episodes.c.id.desc()).limit(limit)).all()
    return [_plain(r) for r in rows]


def get_episode(store: Store, tenant_id: str, episode_id: str) -> dict[str, Any]:
    """One stored episode in full; NotFound says how to list them."""
    with store.read() as conn:
        row = conn.execute(sa.select(env_episodes).where(
            env_episodes.c.tenant_id == tenant_id, env_episodes.c.id == episode_id)).first()
    if row is None:
        raise NotFound(f"no episode {episode_id!r} for this tenant; `cristal envs episodes "
                       "list` shows recent ones.", episode_id=episode_id)
    data = _plain(row)
    data["cost_usd"] = data.pop("cost_micros") / 1e6
    return data


def iter_episodes(store: Store, tenant_id: str, *, env_id: str | None = None,
                  eval_run_id: str | None = None, batch: int = 200) -> Iterator[dict[str, Any]]:
    """Every stored episode of a tenant (full rows), oldest first, read in batches."""
    last: tuple[Any, str] | None = None
    c = env_episodes.c
    while True:
        query = sa.select(env_episodes).where(c.tenant_id == tenant_id)
        if env_id:
            query = query.where(c.env_id == env_id)
        if eval_run_id:
            query = query.where(c.eval_run_id == eval_run_id)
        if last is not None:
            query = query.where(sa.or_(c.created_at > last[0],
                                       sa.and_(c.created_at == last[0], c.id > last[1])))
        with store.read() as conn:
            rows = conn.execute(query.order_by(c.created_at, c.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            data = _plain(row)
            data["cost_usd"] = data.pop("cost_micros") / 1e6
            yield data
        last = (rows[-1].created_at, rows[-1].id)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """How a replay compared with the recording."""

    matched: bool
    steps: int
    first_mismatch: int | None  # index into observation_hashes (0 is the reset observation)
    rewards: list[float]
    recorded_rewards: list[float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"matched": self.matched, "steps": self.steps,
                "first_mismatch": self.first_mismatch, "rewards": self.rewards,
                "recorded_rewards": self.recorded_rewards}


def replay(env: Any, episode: Episode | dict[str, Any], *,
           compare_rewards: bool = True) -> ReplayResult:
    """Reset `env` to the episode's seed and task, take its actions, compare what comes back.

    `compare_rewards=False` compares observations only (MiniWoB++ rewards decay with time).
    """
    data = episode.to_dict() if isinstance(episode, Episode) else episode
    obs, _ = env.reset(seed=int(data["seed"]), options={"task_id": data["task_id"]})
    hashes, rewards = [obs_hash(obs)], []
    for action in data["actions"]:
        obs, reward, terminated, truncated, _ = env.step(action)
        hashes.append(obs_hash(obs))
        rewards.append(float(reward))
        if terminated or truncated:
            break
    recorded = list(data["observation_hashes"])
    mismatch = next((i for i, (a, b) in enumerate(zip(hashes, recorded, strict=False))
                     if a != b), None)
    if mismatch is None and len(hashes) != len(recorded):
        mismatch = min(len(hashes), len(recorded))
    same_rewards = [round(r, 6) for r in rewards] == [round(float(r), 6)
                                                      for r in data["rewards"]]
    matched = mismatch is None and (same_rewards or not compare_rewards)
    return ReplayResult(matched=matched, steps=len(rewards), first_mismatch=mismatch,
                        rewards=rewards, recorded_rewards=[float(r) for r in data["rewards"]])
