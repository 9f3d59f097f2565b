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


def _operator_worker(episodes: int, times: dict[str, list[float]]) -> None:
    """One browser; each seeded episode is played by the raw loop, the harness and the env.

    Interleaving the three on the same seeds puts them under the same load, which on a
    shared 2-core machine moves far more than the differences being measured.
    """
    import gymnasium

    import cristal.envs  # noqa: F401
    from cristal.operator import (
        AllowList,
        Browser,
        Click,
        MiniWobTask,
        Runtime,
        take_snapshot,
    )
    from cristal.operator._miniwob import EXCLUDE

    with Browser() as browser:
        env = gymnasium.make("cristal/Operator-v0", task="click-button", browser=browser)
        raw_s = browser.new_session(allow=AllowList(allow_file=True))
        raw_task = MiniWobTask(raw_s.page, "click-button")
        try:
            for i in range(episodes):
                raw_task.open()  # raw: click by ref, read the reward, observe
                target = raw_task.reset(1000 + i).split('"')[1]
                snap = take_snapshot(raw_s.page, exclude=EXCLUDE)
                started = time.perf_counter()
                node = next(n for n in snap.nodes if n.name == target and n.ref)
                raw_s.page.locator(f'[data-cristal-ref="{node.ref}"]').click(timeout=2000)
                raw_task.status()
                take_snapshot(raw_s.page, exclude=EXCLUDE)
                times["raw"].append(time.perf_counter() - started)

                raw_task.open()  # the operator harness: Runtime.step (targeting, guards)
                target = raw_task.reset(1000 + i).split('"')[1]
                runtime = Runtime(raw_s, exclude=EXCLUDE, confirm=lambda request: True,
                                  timeout_s=2.0, wait_s=1.0)
                snap = runtime.snapshot()
                started = time.perf_counter()
                runtime.step(Click(target=target), snapshot=snap)
                raw_task.status()
                runtime.snapshot()
                times["harness"].append(time.perf_counter() - started)

                obs, _ = env.reset(seed=1000 + i)  # the environment
                started = time.perf_counter()
                env.step({"tool": "click", "args": {"target": obs.split('"')[1]}})
                times["env"].append(time.perf_counter() - started)
        finally:
            raw_s.close()
            env.close()


def operator(quick: bool) -> dict:
    """Operator-v0 against the raw Playwright/MiniWoB loop and the harness, 1 and 4 browsers."""
    episodes = 15 if quick else 60
    result = {}
    for workers in (1, 4):
        n = max(4, episodes // workers)
        per_thread = [{"raw": [], "harness": [], "env": []} for _ in range(workers)]
        threads = [threading.Thread(target=_operator_worker, args=(n, per_thread[i]))
                   for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Steps per second of the timed sections: each thread's steps over its busy time,
        # summed over the threads (they ran side by side).
        rate = {k: sum(len(t[k]) / sum(t[k]) for t in per_thread if t[k])
                for k in ("raw", "harness", "env")}
        result[f"browsers_{workers}"] = {"env_steps_per_s": round(rate["env"], 1),
                                         "raw_steps_per_s": round(rate["raw"], 1),
                                         "harness_steps_per_s": round(rate["harness"], 1),
                                         "overhead": round(rate["raw"] / rate["env"], 3),
                                         "overhead_vs_harness": round(
                                             rate["harness"] / rate["env"], 3)}
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
    for q in set(queries):  # warm every cache (term analysis, SQLite pages) for both paths
        search(app.store, None, inner.collection, q, k=5, mode="lexical")
    raw_s = env_s = 0.0
    for i, q in enumerate(queries):  # interleaved, alternating which goes first
        for kind in (("raw", "env") if i % 2 else ("env", "raw")):
            started = time.perf_counter()
            if kind == "raw":
                search(app.store, None, inner.collection, q, k=5, mode="lexical",
                       tenant=inner.tenant.name)
                raw_s += time.perf_counter() - started
            else:
                env.step({"tool": "search", "args": {"query": q}})
                env_s += time.perf_counter() - started
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
