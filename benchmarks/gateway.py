"""Gateway overhead: budgeted, logged calls vs direct `openai` SDK calls to the same server.

Measured in one run, against an OpenAI-compatible server on 127.0.0.1 running in
its own process (tests/fake_openai.py):

1. calls/s with N concurrent callers, direct SDK vs through the gateway (budget
   reserve + settle + call log on SQLite), with an instant server: the worst case,
   where the gateway's own CPU time is all that differs;
2. the same with a simulated model latency (default 50 ms; real models take longer);
3. the gateway's own cost per call (budget check + settle + log) with an in-process
   provider that answers instantly: p50/p95 in ms, one caller;
4. the PII guard's cost per call for a 2,000-character prompt (Japanese, English) of
   business text with personal data: the same in-process call with the tenant's
   policy on `redact` minus with `allow` (p50, ms), and detection alone (wall and CPU
   time), with its ratio to a reference taken in the same run: one SudachiPy
   tokenisation (mode C) of the same prompt, the least any dictionary-based Japanese
   detector pays (for English, the same tokenisation of the Japanese prompt).

On SQLite, concurrent reservations and settlements share transactions (group
commit, `store.grouped`): each caller still returns only once its row is committed.

Usage: python benchmarks/gateway.py [--quick] [--json] [--concurrency 8] [--pii-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [{"role": "user", "content": "Classify: the invoice total is wrong"}]
PRICES = {"echo": {"input_per_mtok": 0.15, "output_per_mtok": 0.60}}


def start_server(delay_ms: float) -> tuple[subprocess.Popen, str]:
    """The fake OpenAI server in its own process; returns it and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fake_openai.py"), "--delay-ms", str(delay_ms)],
        stdout=subprocess.PIPE, text=True,
    )
    return proc, proc.stdout.readline().strip()


def run_parallel(fn, calls: int, concurrency: int) -> float:
    """Run `fn` `calls` times on `concurrency` threads; return calls per second."""
    per_worker = calls // concurrency

    def worker(_: int) -> None:
        for _ in range(per_worker):
            fn()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - started)


def measure_pair(url: str, calls: int, concurrency: int, data_dir: Path,
                 rounds: int = 2) -> dict:
    """Direct SDK vs gateway calls/s against the server at `url`, interleaved twice."""
    import openai

    from cristal.config import load_settings
    from cristal.governance import create_tenant, get_tenant
    from cristal.models import Gateway
    from cristal.store import Store

    os.environ.update(OPENAI_BASE_URL=url, OPENAI_API_KEY="good-key")
    settings = load_settings(data_dir=str(data_dir), model="echo", max_retries=0,
                             prices=PRICES)
    store = Store.open(settings.db_url)
    try:
        get_tenant(store, "bench")
    except Exception:
        create_tenant(store, "bench", budget_usd=1_000_000, budget_tokens=10**12)
    gateway = Gateway(settings, store)
    client = openai.OpenAI(base_url=url, api_key="good-key", max_retries=0)

    def direct() -> None:
        client.chat.completions.create(model="echo", messages=MESSAGES, max_tokens=64)

    def through_gateway() -> None:
        gateway.chat(MESSAGES, tenant="bench", max_tokens=64)

    run_parallel(direct, concurrency * 5, concurrency)  # warm connections and caches
    run_parallel(through_gateway, concurrency * 5, concurrency)
    direct_rates, gateway_rates = [], []
    for _ in range(rounds):  # interleave so drift in the machine hits both sides alike
        direct_rates.append(run_parallel(direct, calls, concurrency))
        gateway_rates.append(run_parallel(through_gateway, calls, concurrency))
    store.close()
    d, g = max(direct_rates), max(gateway_rates)
    return {"direct_calls_s": round(d, 1), "gateway_calls_s": round(g, 1),
            "ratio": round(d / g, 3)}


def measure_overhead(calls: int, data_dir: Path) -> dict:
    """Per-call cost of budget check + settle + call log, with an instant provider."""
    from cristal.config import load_settings
    from cristal.governance import create_tenant
    from cristal.models import FunctionProvider, Gateway
    from cristal.store import Store

    settings = load_settings(data_dir=str(data_dir), routes={"default": {"provider": "fn",
                             "model": "echo"}}, prices=PRICES)
    store = Store.open(settings.db_url)
    create_tenant(store, "overhead", budget_usd=1_000_000)
    gateway = Gateway(settings, store, providers={"fn": FunctionProvider(
        lambda r: "ok", local=False)})
    samples = []
    for i in range(calls + 50):
        started = time.perf_counter()
        gateway.chat(MESSAGES, tenant="overhead", max_tokens=64)
        if i >= 50:
            samples.append((time.perf_counter() - started) * 1000)
    store.close()
    samples.sort()
    return {"budget_log_ms_p50": round(statistics.median(samples), 3),
            "budget_log_ms_p95": round(samples[int(len(samples) * 0.95)], 3)}


def _prompt(lang: str, chars: int = 2000) -> str:
    """Business text with personal data from the PII eval set, cut to `chars` characters."""
    items = [json.loads(line) for line in
             (ROOT / "eval" / "pii" / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    text = "\n\n".join(i["text"] for i in items if i["lang"] == lang)
    return text[:chars]


def measure_pii(calls: int, data_dir: Path) -> dict:
    """PII guard cost per call: redact minus allow (p50), and detection alone, JA and EN."""
    from cristal.config import load_settings
    from cristal.governance import create_tenant, set_pii_policy
    from cristal.governance.pii import detect
    from cristal.models import FunctionProvider, Gateway
    from cristal.store import Store

    settings = load_settings(data_dir=str(data_dir), routes={"default": {"provider": "fn",
                             "model": "echo"}}, prices=PRICES)
    store = Store.open(settings.db_url)
    create_tenant(store, "plain")
    create_tenant(store, "guarded")
    set_pii_policy(store, "guarded", "redact")
    gateway = Gateway(settings, store, providers={"fn": FunctionProvider(
        lambda r: r.messages[-1]["content"][:200], local=False)})
    out: dict = {}
    reference = _tokenise_reference(_prompt("ja", 1980), calls)
    for lang in ("ja", "en"):
        base = _prompt(lang, 1980)
        timings: dict[str, list[float]] = {"plain": [], "guarded": [], "detect": [],
                                           "detect_cpu": []}
        for i in range(calls + 20):
            # A new text every call: the guard caches texts it has seen (a conversation
            # resends its history), and this measures the uncached path.
            prompt = f"{base}\n(#{i:06d})"
            messages = [{"role": "user", "content": prompt}]
            for tenant in ("plain", "guarded"):
                started = time.perf_counter()
                gateway.chat(messages, tenant=tenant, max_tokens=64)
                if i >= 20:
                    timings[tenant].append((time.perf_counter() - started) * 1000)
            text = f"{base}\n[#{i:06d}]"
            started, cpu = time.perf_counter(), time.process_time()
            found = detect(text)
            if i >= 20:
                timings["detect"].append((time.perf_counter() - started) * 1000)
                timings["detect_cpu"].append((time.process_time() - cpu) * 1000)
        guard = statistics.median(timings["guarded"]) - statistics.median(timings["plain"])
        cpu = statistics.median(timings["detect_cpu"])
        out[lang] = {"chars": len(prompt), "entities": len(found),
                     "guard_ms_p50": round(guard, 3),
                     "detect_ms_p50": round(statistics.median(timings["detect"]), 3),
                     "detect_ms_p95": round(sorted(timings["detect"])[
                         int(len(timings["detect"]) * 0.95)], 3),
                     "detect_cpu_ms_p50": round(cpu, 3),
                     "tokenise_cpu_ms_p50": round(reference, 3),
                     "detect_vs_tokenise": round(cpu / reference, 2)}
    store.close()
    return out


def _tokenise_reference(text: str, calls: int) -> float:
    """CPU ms (p50) of one SudachiPy mode C tokenisation of `text`, on a fresh text each time."""
    from sudachipy import Dictionary, SplitMode

    tokenizer = Dictionary(dict="core").tokenizer(SplitMode.C)
    samples = []
    for i in range(calls + 20):
        prompt = f"{text}\n(#{i:06d})"
        cpu = time.process_time()
        list(tokenizer.tokenize(prompt))
        if i >= 20:
            samples.append((time.process_time() - cpu) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--json", action="store_true", help="last line is one JSON object")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--pii-only", action="store_true", help="only the PII guard figures")
    args = parser.parse_args()
    if args.pii_only:
        _pii_only(args)
        return
    calls = 800 if args.quick else 4000
    rounds = 3 if args.quick else 5
    results: dict = {"concurrency": args.concurrency, "calls": calls,
                     "database": "sqlite", "latency_ms": args.latency_ms}
    with tempfile.TemporaryDirectory() as tmp:
        for label, delay in (("instant", 0.0), ("latency", args.latency_ms)):
            server, url = start_server(delay)
            try:
                n = calls if delay == 0 else max(args.concurrency * 20, calls // 10)
                results[label] = measure_pair(url, n, args.concurrency, Path(tmp) / label,
                                              rounds)
            finally:
                server.terminate()
                server.wait()
        results.update(measure_overhead(1000 if args.quick else 5000, Path(tmp) / "overhead"))
        results["pii"] = measure_pii(100 if args.quick else 400, Path(tmp) / "pii")
    results["targets"] = {"ratio_max": 1.15, "budget_log_ms_p50_max": 2.0,
                          "pii_guard_ms_p50_max": 5.0}
    results["load_average"] = round(os.getloadavg()[0], 1)
    _print(results)
    out = ROOT / "benchmarks" / "results" / "gateway.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))


def _pii_only(args: argparse.Namespace) -> None:
    """The PII guard figures alone (seconds instead of minutes), in results/gateway-pii.json."""
    with tempfile.TemporaryDirectory() as tmp:
        results = {"pii": measure_pii(100 if args.quick else 400, Path(tmp) / "pii"),
                   "targets": {"pii_guard_ms_p50_max": 5.0},
                   "load_average": round(os.getloadavg()[0], 1)}
    _print_pii(results)
    out = ROOT / "benchmarks" / "results" / "gateway-pii.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))


def _print_pii(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("prompt", "guard per call p50", "detect p50 (p95)", "detect CPU p50",
                  "ratio to one Sudachi pass", title="PII guard, 2,000-character prompt")
    for lang, row in r["pii"].items():
        table.add_row(f"{row['chars']} chars {lang.upper()}, {row['entities']} entities",
                      f"{row['guard_ms_p50']:.2f} ms", f"{row['detect_ms_p50']:.2f} "
                      f"({row['detect_ms_p95']:.2f}) ms", f"{row['detect_cpu_ms_p50']:.2f} ms",
                      f"{row['detect_vs_tokenise']:.2f} x {row['tokenise_cpu_ms_p50']:.2f} ms")
    Console().print(table)
    Console().print(f"target ≤ 5 ms p50; load average during the run: {r['load_average']} "
                    "(2 cores shared)")


def _print(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("measure", "direct SDK", "gateway", "ratio (direct/gateway)",
                  title=f"Gateway overhead, {r['concurrency']} concurrent callers, SQLite")
    for label, name in (("instant", "calls/s, instant server"),
                        ("latency", f"calls/s, {r['latency_ms']:.0f} ms model latency")):
        row = r[label]
        table.add_row(name, f"{row['direct_calls_s']:,.0f}", f"{row['gateway_calls_s']:,.0f}",
                      f"{row['ratio']:.2f} (target ≤ 1.15)")
    table.add_row("budget check + settle + log, p50", "", f"{r['budget_log_ms_p50']:.2f} ms",
                  "target ≤ 2 ms")
    table.add_row("budget check + settle + log, p95", "", f"{r['budget_log_ms_p95']:.2f} ms", "")
    for lang, row in r["pii"].items():
        table.add_row(f"PII guard per call, {row['chars']} chars {lang.upper()}, p50", "",
                      f"{row['guard_ms_p50']:.2f} ms (detect {row['detect_ms_p50']:.2f} ms, "
                      f"CPU {row['detect_cpu_ms_p50']:.2f} ms = {row['detect_vs_tokenise']:.2f}"
                      f" x one Sudachi pass; {row['entities']} entities)", "target ≤ 5 ms")
    Console().print(table)
    Console().print(f"load average during the run: {r['load_average']} (2 cores shared)")


if __name__ == "__main__":
    main()
