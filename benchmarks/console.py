"""The web console: time to first byte and bytes transferred per page, on the examples data.

One `cristal serve` process on 127.0.0.1 over a fresh SQLite store with `examples/docs`
ingested into tenant `bench` (collection `examples`), one research session asked, and an
admin signed in with an API key. Every page the admin's menu links to (and a research
report, a document view, a run and a collection page where they exist) is fetched `--n`
times; the figure per page is the p50 and p95 time to the first byte of the response,
and the bytes of the page plus the CSS/JS/images it links to (what a first visit
transfers, uncompressed). The reference measured in the same run is `/healthz` (the
server's cheapest answer): each page's ratio to it shows what rendering costs over the
bare request path. Targets (issue 14): first byte ≤ 100 ms p50 and ≤ 300 KB per page.

Usage: python benchmarks/console.py [--n 30] [--json] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from server import free_port, spawn, wait_ready  # noqa: E402

_PREPARE = """
import json, pathlib
from cristal.app import App, Principal, admin, knowledge, research
me = Principal.local_owner()
app = App()
admin.create_tenant(app, me, "bench")
owner = me.with_tenant("bench")
knowledge.ingest(app, owner, "examples", [pathlib.Path("EXAMPLES")], embed=False)
key = admin.create_key(app, me, "admin", tenant="bench")[1]
report, _ = research.ask(app, owner, "What is the late-payment fee for business cards?",
                         collections=["examples"], tenant="bench")
print(json.dumps({"key": key, "session": report.id}))
"""

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Tenant, documents, an admin key and one research session (before the server starts)."""
    code = _PREPARE.replace("EXAMPLES", str(ROOT / "examples" / "docs"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"preparing the data failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sign_in(http: httpx.Client, key: str) -> None:
    """Sign in through the form, as a browser does."""
    form = http.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    answer = http.post("/signin", data={"key": key, "csrf": token.group(1) if token else ""})
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed ({answer.status_code}): {answer.text[:300]}")


def first_byte(http: httpx.Client, path: str) -> tuple[float, int, str]:
    """Seconds to the response headers, the status, and the body."""
    started = time.perf_counter()
    with http.stream("GET", path) as response:
        ttfb = time.perf_counter() - started
        body = response.read().decode("utf-8", "replace")
    return ttfb, response.status_code, body


def measure(http: httpx.Client, path: str, n: int) -> dict:
    """p50/p95 first byte over n requests, and the bytes of the page with its assets."""
    times, status, body = [], 0, ""
    first_byte(http, path)  # warm: templates compiled, caches filled
    for _ in range(n):
        ttfb, status, body = first_byte(http, path)
        times.append(ttfb * 1000)
    assets = sorted(set(ASSET.findall(body)))
    asset_bytes = sum(len(http.get(a).content) for a in assets)
    times.sort()
    return {"path": path, "status": status, "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "html_kb": round(len(body.encode()) / 1024, 1),
            "total_kb": round((len(body.encode()) + asset_bytes) / 1024, 1),
            "assets": len(assets)}


def pages(http: httpx.Client, session: str) -> list[str]:
    """The admin's menu, then one detail page of each kind that exists."""
    home = http.get("/").text
    nav = re.findall(r'<nav[^>]*>(.*?)</nav>', home, re.S)
    found = ["/"] + re.findall(r'href="(/[a-z]+)"', nav[0] if nav else "")
    found += [f"/research/{session}", "/collections/examples"]
    report = http.get(f"/research/{session}").text
    doc = re.search(r'href="(/documents/[^"#]+)', report)
    if doc:
        found.append(doc.group(1).replace("&amp;", "&"))
    runs = http.get("/runs").text
    run = re.search(r'href="(/runs/[^"?#]+)"', runs)
    if run:
        found.append(run.group(1))
    return list(dict.fromkeys(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="requests per page")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cristal-console-bench-") as name:
        tmp = Path(name)
        env = {**os.environ, "CRISTAL_DATA_DIR": str(tmp / "data"), "CRISTAL_TENANT": "bench",
               "PYTHONPATH": str(ROOT / "src"), "CRISTAL_CONSOLE__SECURE_COOKIES": "false",
               "CRISTAL_SERVER__ACCESS_LOG": "false"}
        for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISTAL_CONFIG"):
            env.pop(key, None)
        if args.database_url:
            env["CRISTAL_DATABASE_URL"] = args.database_url
        made = prepare(env)
        port = free_port()
        proc = spawn([sys.executable, "-m", "cristal", "serve", "--port", str(port)],
                     tmp / "serve.log", env=env)
        try:
            wait_ready(f"http://127.0.0.1:{port}/readyz", proc, "cristal serve")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                              headers={"accept": "text/html"}) as http:
                reference = measure(http, "/healthz", args.n)
                sign_in(http, made["key"])
                rows = [measure(http, path, args.n) for path in pages(http, made["session"])]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    for row in rows:
        row["ratio"] = round(row["p50_ms"] / max(reference["p50_ms"], 1e-6), 1)
    result = {"reference": reference, "pages": rows, "n": args.n,
              "worst_p50_ms": max(r["p50_ms"] for r in rows),
              "worst_total_kb": max(r["total_kb"] for r in rows),
              "targets": {"p50_ms": 100, "total_kb": 300},
              "load_average": round(os.getloadavg()[0], 2)}
    out = ROOT / "benchmarks" / "results" / "console.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
        if any(r["status"] != 200 for r in rows):
            raise SystemExit(1)
        return
    print(f"reference /healthz: p50 {reference['p50_ms']} ms (n={args.n}, load average "
          f"{result['load_average']})")
    print(f"{'page':44} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'x ref':>6} "
          f"{'html KB':>8} {'total KB':>9}")
    for r in rows:
        print(f"{r['path'][:44]:44} {r['status']:>6} {r['p50_ms']:>8} {r['p95_ms']:>8} "
              f"{r['ratio']:>6} {r['html_kb']:>8} {r['total_kb']:>9}")
    print(f"worst p50 {result['worst_p50_ms']} ms (target ≤ 100), worst page "
          f"{result['worst_total_kb']} KB (target ≤ 300)")
    failed = [r["path"] for r in rows if r["status"] != 200]
    if failed:
        raise SystemExit(f"pages that did not answer 200: {', '.join(failed)}")


if __name__ == "__main__":
    main()
