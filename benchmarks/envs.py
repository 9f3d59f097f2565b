"""Environment overhead and rollout throughput, each against its raw reference in the same run.

1. Operator-v0 (MiniWoB++ click-button, real Chromium): env steps/s with 1 and 4 parallel
   browsers, against (a) the raw loop doing the same work with Playwright and the MiniWoB
   page directly (click by ref, read the reward, snapshot) and (b) the operator's
   MiniWoB harness loop (`Runtime.step`: targeting by description, guards, settling), which
   is what the environment wraps. Resets are not timed.
2. Research-v0 (offline, lexical): `search` steps/s against the raw `knowledge.search` call.
3. Rollout throughput: `run_eval` with a model policy against a local OpenAI-compatible
   server (tests/agent_models.py, its own process): episodes/s and steps/s at
   concurrency 1 and 4, through the gateway (budget check and call log on SQLite).

Usage: python benchmarks/envs.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _operator_env(episodes: int, out: list[float]) -> None:
    import gymnasium

    import cristal.envs  # noqa: F401

    env = gymnasium.make("cristal/Operator-v0", task="click-button")
    try:
        for i in range(episodes):
            obs, _ = env.reset(seed=1000 + i)
            target = obs.split('"')[1]
            started = time.perf_counter()
            env.step({"tool": "click", "args": {"target": target}})
            out.append(time.perf_counter() - started)
    finally:
        env.close()


def _miniwob_loop(episodes: int, out: list[float], act) -> None:
    """Fresh seeded click-button episodes in one browser; `act` is the timed part."""
    from cristal.operator import AllowList, Browser, MiniWobTask

    with Browser() as browser, browser.new_session(allow=AllowList(allow_file=True)) as s:
        task = MiniWobTask(s.page, "click-button")
        for i in range(episodes):
            task.open()
            target = task.reset(1000 + i).split('"')[1]
            out.append(act(s, task, target))


def _operator_raw(episodes: int, out: list[float]) -> None:
    from cristal.operator import take_snapshot
    from cristal.operator._miniwob import EXCLUDE

    def act(session, task, target: str) -> float:
        snap = take_snapshot(session.page, exclude=EXCLUDE)  # the observation before acting
        started = time.perf_counter()
        node = next(n for n in snap.nodes if n.name == target and n.ref)
        session.page.locator(f'[data-cristal-ref="{node.ref}"]').click(timeout=2000)
        task.status()
        take_snapshot(session.page, exclude=EXCLUDE)
        return time.perf_counter() - started

    _miniwob_loop(episodes, out, act)


def _operator_harness(episodes: int, out: list[float]) -> None:
    from cristal.operator import Click, Runtime
    from cristal.operator._miniwob import EXCLUDE

    def act(session, task, target: str) -> float:
        runtime = Runtime(session, exclude=EXCLUDE, confirm=lambda request: True,
                          timeout_s=2.0, wait_s=1.0)
        snap = runtime.snapshot()
        started = time.perf_counter()
        runtime.step(Click(target=target), snapshot=snap)
        task.status()
        runtime.snapshot()
        return time.perf_counter() - started

    _miniwob_loop(episodes, out, act)


def _parallel(fn, workers: int, episodes: int) -> float:
    """Steps per second of the timed sections, summed over `workers` threads."""
    times: list[list[float]] = [[] for _ in range(workers)]
    threads = [threading.Thread(target=fn, args=(episodes, times[i])) for i in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    busy = max(sum(t) for t in times)
    steps = sum(len(t) for t in times)
    return steps / busy if workers == 1 else steps / wall


def operator(quick: bool) -> dict:
    """Operator-v0 against the raw Playwright/MiniWoB loop, 1 and 4 browsers."""
    episodes = 15 if quick else 60
    result = {}
    for workers in (1, 4):
        n = max(4, episodes // workers)
        raw = _parallel(_operator_raw, workers, n)
        harness = _parallel(_operator_harness, workers, n)
        env = _parallel(_operator_env, workers, n)
        result[f"browsers_{workers}"] = {"env_steps_per_s": round(env, 1),
                                         "raw_steps_per_s": round(raw, 1),
                                         "harness_steps_per_s": round(harness, 1),
                                         "overhead": round(raw / env, 3),
                                         "overhead_vs_harness": round(harness / env, 3)}
    return result


def research(quick: bool, db: str) -> dict:
    """Research-v0 search steps against the raw search call."""
    import gymnasium

    import cristal.envs  # noqa: F401
    from cristal.app import App
    from cristal.config import load_settings
    from cristal.knowledge import search
    from cristal.research import load_questions

    app = App(load_settings(database_url=db))
    env = gymnasium.make("cristal/Research-v0", set_dir=EXAMPLES, app=app, max_steps=10_000)
    inner = env.unwrapped
    queries = [q["question"] for q in load_questions(EXAMPLES)] * (3 if quick else 15)
    env.reset(seed=0)
    for q in queries[:5]:  # warm both paths
        search(app.store, None, inner.collection, q, k=5, mode="lexical")
    raw_s = env_s = 0.0
    for q in queries:  # interleaved, so load from other processes hits both alike
        started = time.perf_counter()
        search(app.store, None, inner.collection, q, k=5, mode="lexical",
               tenant=inner.tenant.name)
        middle = time.perf_counter()
        env.step({"tool": "search", "args": {"query": q}})
        raw_s, env_s = raw_s + middle - started, env_s + time.perf_counter() - middle
    raw, stepped = len(queries) / raw_s, len(queries) / env_s
    env.close()
    app.close()
    return {"env_steps_per_s": round(stepped, 1), "raw_search_per_s": round(raw, 1),
            "overhead": round(raw / stepped, 3), "queries": len(queries)}


def rollouts(quick: bool, tmp: str) -> dict:
    """Model-policy rollouts against a local OpenAI-compatible server in its own process."""
    from cristal.app import App
    from cristal.config import load_settings
    from cristal.envs import run_eval

    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "agent_models.py")],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        settings = load_settings(
            database_url=f"sqlite:///{tmp}/rollouts.db", data_dir=tmp,
            providers={"agents": {"type": "openai", "base_url": url}},
            routes={"careful": {"provider": "agents", "model": "careful"}},
            prices={"careful": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}})
        app = App(settings)
        import gymnasium

        gymnasium.make("cristal/Research-v0", set_dir=EXAMPLES, app=app).close()  # ingest once
        out = {}
        for concurrency in (1, 4):
            started = time.perf_counter()
            run = run_eval(app, "cristal/Research-v0", policies=["careful"],
                           episodes=1 if quick else 4, concurrency=concurrency,
                           env_kwargs={"set_dir": str(EXAMPLES)}, seed_base=concurrency)
            wall = time.perf_counter() - started
            s = run.summary["by_policy"]["careful"]
            out[f"concurrency_{concurrency}"] = {
                "episodes_per_s": round(s["episodes"] / wall, 2),
                "steps_per_s": round(s["episodes"] * s["steps"] / wall, 2),
                "model_calls": s["model_calls"], "reward": s["reward"]}
        app.close()
        return out
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    """Run the three measurements and print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {"research": research(args.quick, f"sqlite:///{tmp}/research.db"),
                   "operator": operator(args.quick),
                   "rollouts": rollouts(args.quick, tmp)}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "envs.json").write_text(json.dumps(results, indent=2) + "\n")
    if not args.json:
        r = results["research"]
        print(f"Research-v0 search: {r['env_steps_per_s']} steps/s vs raw search "
              f"{r['raw_search_per_s']}/s (overhead {r['overhead']})")
        for key, o in results["operator"].items():
            print(f"Operator-v0 {key}: {o['env_steps_per_s']} steps/s vs raw "
                  f"{o['raw_steps_per_s']}/s (overhead {o['overhead']}), vs the operator "
                  f"harness {o['harness_steps_per_s']}/s ({o['overhead_vs_harness']})")
        for key, o in results["rollouts"].items():
            print(f"Rollouts {key}: {o['episodes_per_s']} episodes/s, {o['steps_per_s']} "
                  f"steps/s, {o['model_calls']} model calls")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
