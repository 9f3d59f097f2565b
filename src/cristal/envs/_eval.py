"""Scorecards: roll out policies on an environment's tasks in parallel, store and compare them.

Each policy plays the same tasks with the same seeds (episode i of a task uses seed
`seed_base + i`), `concurrency` episodes at a time; every worker thread has its own
environment (a browser each for Operator-v0). Model policies go through the gateway,
so budgets refuse calls before they are sent and every call is in the call log. A
budget refusal stops the run; what finished is stored.
"""

from __future__ import annotations

import queue
import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium
import sqlalchemy as sa

from cristal.envs._defended import DefendedPolicy
from cristal.envs._episodes import Rollout, save_episode
from cristal.envs._policies import (
    ModelPolicy,
    OperatorSkillPolicy,
    OraclePolicy,
    RandomPolicy,
    ResearchSkillPolicy,
    rollout,
)
from cristal.envs._tables import eval_runs
from cristal.errors import BudgetExceeded, ConfigError, InvalidInput, NotFound
from cristal.governance import get_tenant
from cristal.store import new_id, utcnow

__all__ = ["EvalRun", "frontier", "get_eval_run", "list_eval_runs", "run_eval", "summarize"]

BUILTIN = ("random", "skill", "oracle")
DEFENDED = "defended:"  # defended:ROUTE, Cristal's flow-controlled loop on ROUTE (Tools-v0)


@dataclass
class EvalRun:
    """A finished (or stopped) scorecard run."""

    id: str
    env_id: str
    policies: list[str]
    rollouts: list[Rollout] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    status: str = "finished"
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `eval run --json` object."""
        return {"id": self.id, "env": self.env_id, "policies": self.policies,
                "status": self.status, "error": self.error, **self.summary}


def _check_policy(app: Any, name: str, env_id: str, tenant: str) -> None:
    if name.startswith(DEFENDED):
        if env_id != "cristal/Tools-v0":
            raise InvalidInput("--policy defended:ROUTE exists only for cristal/Tools-v0 (its "
                               "tools have declared policies).")
        name = name[len(DEFENDED):]
        if not name or name in BUILTIN:
            raise InvalidInput("defended: takes a model route (defended:ROUTE, e.g. "
                               "defended:default); the loop plans with a model.")
    if name in BUILTIN:
        if name == "oracle" and env_id != "cristal/Tools-v0":
            raise InvalidInput("--policy oracle exists only for cristal/Tools-v0 (AgentDojo's "
                               "ground truth).")
        if name == "skill" and env_id == "cristal/Tools-v0":
            raise InvalidInput("cristal/Tools-v0 has no skill policy; use a route, random, or "
                               "oracle (AgentDojo's ground truth).")
        return
    if not app.gateway.available(name, tenant):
        raise ConfigError(f"route {name!r} has no model for tenant {tenant} (offline or not "
                          f"configured), so nothing was run. Add [routes.{name}] to "
                          "cristal.toml (any OpenAI-compatible endpoint), or use --policy "
                          "skill or random.", route=name)


class _Workers:
    """One environment per worker thread, and the skills the skill policy needs."""

    def __init__(self, app: Any, env_id: str, env_kwargs: dict[str, Any]) -> None:
        self.app, self.env_id, self.env_kwargs = app, env_id, env_kwargs
        self.local = threading.local()
        self.lock = threading.Lock()
        self.envs: list[Any] = []
        self._skills: dict[str, list[Any]] | None = None

    def env(self) -> Any:
        env = getattr(self.local, "env", None)
        if env is None:
            kwargs = dict(self.env_kwargs)
            if self.env_id == "cristal/Research-v0":
                kwargs.setdefault("app", self.app)
            with self.lock:  # ingest and browser start-up one at a time
                env = gymnasium.make(self.env_id, **kwargs)
                self.envs.append(env)
            self.local.env = env
        return env

    def skills(self, task: str) -> list[Any]:
        from cristal.operator import DEMOS_DIR, Browser, parse_plan, skill_from_demo

        with self.lock:  # compile each task's demonstrations once, on first use
            if self._skills is None:
                self._skills = {}
            if task not in self._skills:
                paths = [p for p in sorted(DEMOS_DIR.glob("*.plan"))
                         if parse_plan(p.read_text(encoding="utf-8")).header("task") == task]
                with Browser() as browser:
                    self._skills[task] = [skill_from_demo(browser, p) for p in paths]
        found = self._skills[task]
        if not found:
            names = sorted({parse_plan(p.read_text(encoding="utf-8")).header("task") or p.stem
                            for p in DEMOS_DIR.glob("*.plan")})
            raise InvalidInput(f"the skill policy has no demonstration for {task!r}; tasks "
                               f"with one: {', '.join(names)}.")
        return found

    def policy(self, name: str, task: str, caller: str, tenant: str) -> Any:
        if name == "random":
            return RandomPolicy()
        if name == "oracle":
            return OraclePolicy()
        if name == "skill":
            if self.env_id == "cristal/Operator-v0":
                return OperatorSkillPolicy(self.skills(task))
            return ResearchSkillPolicy()
        if name.startswith(DEFENDED):
            return DefendedPolicy(self.app.gateway, name[len(DEFENDED):], tenant=tenant,
                                  caller=caller)
        return ModelPolicy(self.app.gateway, name, tenant=tenant, caller=caller)

    def close_own(self) -> None:
        # Called in the thread that made the environment (Playwright objects are bound to it).
        env = getattr(self.local, "env", None)
        if env is not None:
            self.local.env = None
            with self.lock:
                self.envs.remove(env)
            env.close()

    def close(self) -> None:
        for env in list(self.envs):
            env.close()


def _run_jobs(jobs: list[tuple[str, str, int]], one: Callable[[Any], Rollout | None],
              workers: _Workers, concurrency: int, run: EvalRun,
              progress: Callable[[str, int, int, str], None] | None) -> None:
    """Worker threads pull jobs from a queue; each closes its own environment at the end."""
    pending: queue.SimpleQueue[tuple[str, str, int]] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not errors:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                result = one(job)
                with lock:
                    if result is not None:
                        run.rollouts.append(result)
                        if progress:
                            progress("Episodes", len(run.rollouts), len(jobs),
                                     f"{result.policy} · {result.episode.task_id}")
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
        finally:
            workers.close_own()

    threads = [threading.Thread(target=work, name=f"eval-{i}", daemon=True)
               for i in range(min(concurrency, len(jobs)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def run_eval(app: Any, env_id: str, *, policies: list[str], tasks: list[str] | None = None,
             episodes: int = 1, concurrency: int = 1, env_kwargs: dict[str, Any] | None = None,
             tenant: str | None = None, seed_base: int = 0,
             progress: Callable[[str, int, int, str], None] | None = None) -> EvalRun:
    """Run `episodes` episodes of every task for every policy; store and summarize them."""
    if env_id not in gymnasium.registry:
        raise NotFound(f"no environment {env_id!r}; the Cristal ones are cristal/Research-v0, "
                       "cristal/Operator-v0 and cristal/Tools-v0.", env=env_id)
    if episodes < 1 or concurrency < 1:
        raise InvalidInput("--episodes and --concurrency must be at least 1.")
    owner = get_tenant(app.store, tenant or app.settings.tenant)
    for name in policies:
        _check_policy(app, name, env_id, owner.name)
    env_kwargs = dict(env_kwargs or {})
    workers = _Workers(app, env_id, env_kwargs)
    run = EvalRun(id=new_id("eval"), env_id=env_id, policies=list(policies))
    try:
        all_tasks = workers.env().unwrapped.task_ids()
        chosen = _select(tasks, all_tasks)
        config = {"tasks": chosen, "episodes": episodes, "concurrency": concurrency,
                  "seed_base": seed_base, "env_kwargs": {k: str(v) for k, v in
                                                         env_kwargs.items()}}
        with app.store.write() as conn:
            conn.execute(eval_runs.insert().values(
                id=run.id, tenant_id=owner.id, env_id=env_id, policies=list(policies),
                status="running", created_at=utcnow(), config=config))
        jobs = [(p, t, i) for p in policies for t in chosen for i in range(episodes)]
        stop = threading.Event()

        def one(job: tuple[str, str, int]) -> Rollout | None:
            name, task, i = job
            if stop.is_set():
                return None
            policy = workers.policy(name, task, f"eval:{run.id}", owner.name)
            result = rollout(workers.env(), policy, seed=seed_base + i, task_id=task)
            save_episode(app.store, owner.id, result, eval_run_id=run.id)
            if result.status == "refused":
                stop.set()
            return result

        _run_jobs(jobs, one, workers, concurrency, run, progress)
    except BaseException as exc:
        _finish(app, run, "failed", str(exc)[:2000])
        raise
    finally:
        workers.close()
    refused = [r for r in run.rollouts if r.status == "refused"]
    run.summary = summarize(run.rollouts, policies)
    if refused:
        run.status, run.error = "stopped", refused[0].error
    _finish(app, run, run.status, run.error)
    if refused:
        raise BudgetExceeded(f"eval run {run.id} stopped: {refused[0].error} The "
                             f"{len(run.rollouts)} finished episodes are stored (`cristal eval "
                             f"runs show {run.id}`).", eval_run=run.id)
    return run


def _select(tasks: list[str] | None, available: list[str]) -> list[str]:
    if not tasks:
        return available
    chosen: list[str] = []
    for name in tasks:
        if name in available:
            chosen.append(name)
            continue
        prefixed = [t for t in available if t.startswith(name + "/")]  # a whole suite
        if not prefixed:
            raise InvalidInput(f"no task {name!r} in this environment; for example "
                               f"{', '.join(available[:3])}.", task=name)
        chosen += prefixed
    return list(dict.fromkeys(chosen))


def _finish(app: Any, run: EvalRun, status: str, error: str | None) -> None:
    with app.store.write() as conn:
        conn.execute(eval_runs.update().where(eval_runs.c.id == run.id).values(
            status=status, finished_at=utcnow(), summary=run.summary or None, error=error))


def _stats(rollouts: list[Rollout]) -> dict[str, Any]:
    n = len(rollouts)
    latencies = sorted(r.latency_ms for r in rollouts)
    attacked = [r.episode.info["injection_success"] for r in rollouts
                if "injection_success" in r.episode.info]
    extra = {"attack_success": round(sum(attacked) / len(attacked), 4),
             "attacks_landed": sum(attacked)} if attacked else {}
    return {**extra,
        "episodes": n,
        "success": round(sum(r.success for r in rollouts) / n, 4),
        "reward": round(statistics.mean(r.episode.total_reward for r in rollouts), 4),
        "steps": round(statistics.mean(r.episode.steps for r in rollouts), 2),
        "tokens": sum(r.input_tokens + r.output_tokens for r in rollouts),
        "tokens_per_episode": round(sum(r.input_tokens + r.output_tokens
                                        for r in rollouts) / n, 1),
        "cost_usd": round(sum(r.cost_usd for r in rollouts), 6),
        "cost_per_episode_usd": round(sum(r.cost_usd for r in rollouts) / n, 8),
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "model_calls": sum(r.model_calls for r in rollouts),
        "errors": sum(r.status != "ok" for r in rollouts),
    }


def summarize(rollouts: list[Rollout], policies: list[str]) -> dict[str, Any]:
    """Per policy: overall figures and per-task rows; with several, the cost-quality frontier."""
    out: dict[str, Any] = {"by_policy": {}}
    for name in policies:
        mine = [r for r in rollouts if r.policy == name]
        if not mine:
            continue
        tasks = {t: _stats([r for r in mine if r.episode.task_id == t])
                 for t in sorted({r.episode.task_id for r in mine})}
        out["by_policy"][name] = {**_stats(mine), "tasks": tasks}
    if len(out["by_policy"]) > 1:
        out["frontier"] = frontier(out["by_policy"])
    return out


def frontier(by_policy: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Policies no other beats on both mean reward and cost per episode, cheapest first."""
    points = [(name, s["reward"], s["cost_per_episode_usd"]) for name, s in by_policy.items()]
    keep = []
    for name, reward, cost in points:
        dominated = any((r >= reward and c <= cost) and (r > reward or c < cost)
                        for other, r, c in points if other != name)
        if not dominated:
            keep.append({"policy": name, "reward": reward, "cost_per_episode_usd": cost})
    return sorted(keep, key=lambda p: (p["cost_per_episode_usd"], -p["reward"]))


def list_eval_runs(store: Any, tenant_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """A tenant's most recent eval runs first."""
    c = eval_runs.c
    with store.read() as conn:
        rows = conn.execute(sa.select(c.id, c.env_id, c.policies, c.status, c.created_at,
                                      c.finished_at, c.summary)
                            .where(c.tenant_id == tenant_id)
                            .order_by(c.created_at.desc(), c.id.desc()).limit(limit)).all()
    out = []
    for r in rows:
        by = (r.summary or {}).get("by_policy", {})
        out.append({"id": r.id, "env": r.env_id, "policies": r.policies, "status": r.status,
                    "created_at": r.created_at.isoformat(),
                    "reward": {p: s["reward"] for p, s in by.items()},
                    "episodes": sum(s["episodes"] for s in by.values())})
    return out


def get_eval_run(store: Any, tenant_id: str, run_id: str) -> dict[str, Any]:
    """One eval run with its summary; NotFound says how to list them."""
    with store.read() as conn:
        row = conn.execute(sa.select(eval_runs).where(eval_runs.c.tenant_id == tenant_id,
                                                      eval_runs.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"no eval run {run_id!r} for this tenant; `cristal eval runs list` "
                       "shows recent ones.", eval_run=run_id)
    data = dict(row._mapping)
    data.pop("tenant_id")
    for key in ("created_at", "finished_at"):
        data[key] = data[key].isoformat() if data[key] else None
    data.update(data.pop("summary") or {})
    return data
