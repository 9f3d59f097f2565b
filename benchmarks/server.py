"""The server: Cristal's OpenAI-compatible proxy vs the model server direct vs LiteLLM's proxy.

Measured in one run, each server in its own process on 127.0.0.1:

1. chat completions at 1, 8 and 64 concurrent clients for a few seconds each, against a
   fast OpenAI-compatible model server (benchmarks/_fast_openai.py, with a simulated
   model latency, default 100 ms): direct, through `cristal serve` (API key check, rate
   limit counter, budget reserve/settle and call log on the database), and through the
   LiteLLM proxy (installed for this benchmark only, in benchmarks/.cache); calls/s,
   p50/p99 latency, errors, and the ratio to direct;
2. overspend: 64 clients spend a small tenant budget; the budget row must equal the sum
   of the logged calls and stay within the budget (refusals are 402s, not errors);
3. research requests/s over the examples collection with 8 clients (POST /api/research).

Usage: python benchmarks/server.py [--quick] [--json] [--latency-ms 100] [--workers 2]
       [--database-url postgresql://…] [--no-litellm]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
LITELLM_VERSION = "1.74.9"  # a release from mid-2025; never 1.82.7/1.82.8 or 1.107.0
MESSAGES = [{"role": "user", "content": "Classify: the invoice total is wrong"}]
PRICE = {"input_per_mtok": 0.15, "output_per_mtok": 0.60}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """A server process whose output goes to a file (a pipe nobody reads would block it)."""
    handle = log.open("w")
    return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, text=True, **kwargs)


def wait_ready(url: str, proc: subprocess.Popen, what: str, timeout: float = 180) -> None:
    """Poll `url` until it answers (any status below 500)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}: "
                               f"{Path(proc.stdout.name).read_text()[-400:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def start_model(tmp: Path, latency_ms: float) -> tuple[subprocess.Popen, str]:
    """The fast model server; returns it and its OpenAI base URL."""
    port = free_port()
    proc = spawn([sys.executable, str(ROOT / "benchmarks" / "_fast_openai.py"), "--port",
                  str(port), "--latency-ms", str(latency_ms)], tmp / "model.log")
    base = f"http://127.0.0.1:{port}/v1"
    wait_ready(f"http://127.0.0.1:{port}/", proc, "the model server")
    return proc, base


def start_cristal(tmp: Path, model_url: str, workers: int,
                  database_url: str | None) -> tuple[subprocess.Popen, str, dict]:
    """`cristal serve` with a `fast` route to the model server; a tenant and keys for it."""
    config = tmp / "cristal.toml"
    config.write_text(
        f'[providers.bench]\ntype = "openai"\nbase_url = "{model_url}"\n'
        'api_key_env = "BENCH_KEY"\n\n[routes.fast]\nprovider = "bench"\nmodel = "bench"\n'
        'max_output_tokens = 64\n\n[prices.bench]\ninput_per_mtok = 0.15\n'
        'output_per_mtok = 0.60\n\n[server]\naccess_log = true\n\n'
        '[server.key_rate]\nlimit = 100000000\nperiod_s = 60\n\n'
        '[server.user_rate]\nlimit = 100000000\nperiod_s = 60\n', encoding="utf-8")
    env = {**os.environ, "CRISTAL_CONFIG": str(config), "CRISTAL_DATA_DIR": str(tmp / "data"),
           "BENCH_KEY": "bench", "PYTHONPATH": str(ROOT / "src")}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    if database_url:
        env["CRISTAL_DATABASE_URL"] = database_url
    keys = _prepare(env)
    port = free_port()
    proc = spawn([sys.executable, "-m", "cristal", "serve", "--port", str(port),
                  "--workers", str(workers)], tmp / "cristal.log", env=env)
    wait_ready(f"http://127.0.0.1:{port}/readyz", proc, "cristal serve")
    return proc, f"http://127.0.0.1:{port}", {**keys, "env": env}


_PREPARE = """
import json
from cristal.app import App, Principal, admin, knowledge
me = Principal.local_owner()
app = App()
admin.create_tenant(app, me, "bench", budget_usd=1000000.0)
admin.create_tenant(app, me, "tight", budget_usd=0.002)
keys = {t: admin.create_key(app, me, "member", tenant=t)[1] for t in ("bench", "tight")}
knowledge.ingest(app, me.with_tenant("bench"), "examples", [__import__("pathlib").Path(
    "EXAMPLES")], embed=False)
print(json.dumps(keys))
"""


def _prepare(env: dict[str, str]) -> dict[str, str]:
    code = _PREPARE.replace("EXAMPLES", str(ROOT / "examples" / "docs"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_litellm(tmp: Path, model_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """The LiteLLM proxy from its own virtualenv (installed on first use)."""
    venv = CACHE / "litellm-venv"
    exe = venv / "bin" / "litellm"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                        f"litellm[proxy]=={LITELLM_VERSION}"], check=True)
    config = tmp / "litellm.yaml"
    config.write_text(f"model_list:\n  - model_name: fast\n    litellm_params:\n"
                      f"      model: openai/bench\n      api_base: {model_url}\n"
                      f"      api_key: bench\n", encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CRISTAL_"))}
    proc = spawn([str(exe), "--config", str(config), "--port", str(port), "--host",
                  "127.0.0.1", "--num_workers", str(workers)], tmp / "litellm.log",
                 env={**env, "LITELLM_LOG": "ERROR"})
    wait_ready(f"http://127.0.0.1:{port}/health/liveliness", proc, "the LiteLLM proxy", 300)
    return proc, f"http://127.0.0.1:{port}/v1"


async def load(url: str, key: str, clients: int, seconds: float, body: dict,
               path: str = "/chat/completions") -> dict:
    """`clients` loops posting `body` for `seconds`: calls/s, p50/p99 ms, errors, statuses."""
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120,
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        stop = time.perf_counter() + seconds

        async def one() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    response = await client.post(url + path, json=body)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code >= 400 and response.status_code != 402:
                        errors += 1
                    else:
                        latencies.append((time.perf_counter() - started) * 1000)
                except httpx.HTTPError as exc:
                    errors += 1
                    name = type(exc).__name__
                    statuses[name] = statuses.get(name, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*[one() for _ in range(clients)])
        elapsed = time.perf_counter() - began
    latencies.sort()
    ok = statuses.get(200, 0)
    return {"calls_s": round(ok / elapsed, 1), "ok": ok, "errors": errors,
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1)
            if latencies else None, "statuses": statuses}


async def warm(url: str, key: str, body: dict, calls: int = 32) -> None:
    """A fixed number of calls, 8 at a time, so every server worker has loaded everything."""
    async with httpx.AsyncClient(timeout=300,
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(calls // 8):
            await asyncio.gather(*[client.post(url + "/chat/completions", json=body)
                                   for _ in range(8)])


def proxy_rounds(targets: dict[str, tuple[str, str]], levels: list[int], seconds: float) -> dict:
    """Each concurrency level twice, the targets interleaved so machine drift hits all
    alike; the better of the two rounds counts for each target."""
    body = {"model": "fast", "messages": MESSAGES, "max_tokens": 64}
    for url, key in targets.values():
        asyncio.run(warm(url, key, body))
    out: dict[str, dict] = {}
    for clients in levels:
        row: dict[str, dict] = {}
        for _ in range(2):
            for name, (url, key) in targets.items():
                measured = asyncio.run(load(url, key, clients, seconds, body))
                if name not in row or measured["calls_s"] > row[name]["calls_s"]:
                    row[name] = measured
        direct = row["direct"]["calls_s"] or 1
        for name in row:
            row[name]["ratio_to_direct"] = round(row[name]["calls_s"] / direct, 3)
        out[str(clients)] = row
    return out


def overspend(url: str, key: str, env: dict[str, str], calls: int) -> dict:
    """64 clients spend the `tight` tenant's budget; compare the budget row with the log."""
    body = {"model": "fast", "messages": MESSAGES, "max_tokens": 64}

    async def burst() -> dict:
        statuses: dict[int, int] = {}
        async with httpx.AsyncClient(timeout=120, headers={"Authorization": f"Bearer {key}"},
                                     limits=httpx.Limits(max_connections=64)) as client:
            async def one(_: int) -> None:
                response = await client.post(url + "/chat/completions", json=body)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            await asyncio.gather(*[one(i) for i in range(calls)])
        return statuses

    statuses = asyncio.run(burst())
    code = ("import json; from cristal.app import App; import sqlalchemy as sa\n"
            "s = App().store\nwith s.read() as c:\n"
            "    spent, held = c.execute(sa.text(\"SELECT spent_micros, reserved_micros FROM "
            "budget_usage u JOIN tenants t ON t.id = u.tenant_id WHERE t.name = 'tight'\")).one()\n"
            "    logged = c.execute(sa.text(\"SELECT coalesce(sum(cost_micros), 0) FROM "
            "model_calls m JOIN tenants t ON t.id = m.tenant_id WHERE t.name = 'tight'\"))"
            ".scalar()\n    budget = c.execute(sa.text(\"SELECT budget_micros FROM tenants "
            "WHERE name = 'tight'\")).scalar()\n"
            "print(json.dumps([spent, held, int(logged), budget]))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    spent, held, logged, budget = json.loads(done.stdout.strip().splitlines()[-1])
    return {"requests": calls, "ok": statuses.get(200, 0), "refused_402": statuses.get(402, 0),
            "errors": sum(n for s, n in statuses.items() if s not in (200, 402)),
            "budget_usd": budget / 1e6, "spent_usd": spent / 1e6, "logged_usd": logged / 1e6,
            "reserved_left_usd": held / 1e6,
            "overspend_usd": max(0, spent - budget) / 1e6, "row_matches_log": spent == logged}


def research_rate(url: str, key: str, seconds: float) -> dict:
    """8 clients asking the examples collection questions in turn (offline, extractive)."""
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "examples" / "questions.jsonl").read_text("utf-8").splitlines()
                 if line.strip()]

    async def run() -> dict:
        index = {"i": 0}
        latencies, errors, done = [], 0, 0
        async with httpx.AsyncClient(timeout=300,
                                     headers={"Authorization": f"Bearer {key}"}) as client:
            stop = time.perf_counter() + seconds

            async def one() -> None:
                nonlocal errors, done
                while time.perf_counter() < stop:
                    question = questions[index["i"] % len(questions)]
                    index["i"] += 1
                    started = time.perf_counter()
                    response = await client.post(url + "/api/research", json={
                        "question": question, "collections": ["examples"], "model": False})
                    if response.status_code == 200:
                        done += 1
                        latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        errors += 1

            began = time.perf_counter()
            await asyncio.gather(*[one() for _ in range(8)])
            elapsed = time.perf_counter() - began
        latencies.sort()
        return {"clients": 8, "requests_s": round(done / elapsed, 2), "done": done,
                "errors": errors, "p50_ms": round(statistics.median(latencies)) if latencies
                else None, "p99_ms": round(latencies[int(len(latencies) * 0.99)]) if latencies
                else None}

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--json", action="store_true", help="last line is one JSON object")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--database-url", default=None, help="PostgreSQL (default: SQLite)")
    parser.add_argument("--no-litellm", action="store_true", help="skip the LiteLLM proxy")
    args = parser.parse_args()
    seconds = 2.5 if args.quick else 8.0
    results: dict = {"latency_ms": args.latency_ms, "workers": args.workers,
                     "seconds_per_level": seconds, "litellm": None,
                     "database": "postgresql" if args.database_url else "sqlite"}
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            model, model_url = start_model(Path(tmp), args.latency_ms)
            procs.append(model)
            cristal, cristal_url, keys = start_cristal(Path(tmp), model_url, args.workers,
                                                       args.database_url)
            procs.append(cristal)
            targets = {"direct": (model_url, "bench"),
                       "cristal": (f"{cristal_url}/v1", keys["bench"])}
            if not args.no_litellm:
                try:
                    litellm, litellm_url = start_litellm(Path(tmp), model_url, args.workers)
                    procs.append(litellm)
                    targets["litellm"] = (litellm_url, "unused")
                    results["litellm"] = LITELLM_VERSION
                except (RuntimeError, subprocess.CalledProcessError) as exc:
                    results["litellm_error"] = str(exc)[:500]
            results["proxy"] = proxy_rounds(targets, [1, 8, 64], seconds)
            results["overspend"] = overspend(f"{cristal_url}/v1", keys["tight"], keys["env"],
                                             200 if args.quick else 600)
            results["research"] = research_rate(cristal_url, keys["bench"], seconds * 2)
        finally:
            for proc in procs:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    results["targets"] = {"cristal_ratio_at_64_min": 0.8, "ahead_of_litellm": True,
                          "errors": 0, "overspend_usd": 0}
    _print(results)
    out = ROOT / "benchmarks" / "results" / "server.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))


def _print(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("clients", "target", "calls/s", "× direct", "p50 ms", "p99 ms", "errors",
                  title=f"OpenAI-compatible proxy ({r['latency_ms']:.0f} ms model latency, "
                  f"{r['workers']} workers, {r['database']})")
    for clients, row in r.get("proxy", {}).items():
        for name, m in row.items():
            table.add_row(clients, name, f"{m['calls_s']:,.1f}", f"{m['ratio_to_direct']:.2f}",
                          str(m["p50_ms"]), str(m["p99_ms"]), str(m["errors"]))
    console = Console()
    console.print(table)
    if "litellm_error" in r:
        console.print(f"LiteLLM could not run: {r['litellm_error']}")
    o = r.get("overspend")
    if o:
        console.print(f"overspend: {o['ok']} ok, {o['refused_402']} refused (402), "
                      f"{o['errors']} errors; budget ${o['budget_usd']:.6f}, spent "
                      f"${o['spent_usd']:.6f}, logged ${o['logged_usd']:.6f}, overspend "
                      f"${o['overspend_usd']:.6f}, row matches log: {o['row_matches_log']}")
    q = r.get("research")
    if q:
        console.print(f"research over examples, 8 clients: {q['requests_s']} requests/s, "
                      f"p50 {q['p50_ms']} ms, p99 {q['p99_ms']} ms, {q['errors']} errors")


if __name__ == "__main__":
    main()
