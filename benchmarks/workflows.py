"""Workflow engine: Cristal on DBOS vs plain DBOS, measured in the same run.

1. Throughput of a 3-step workflow with no model calls (each step a checkpointed
   no-op): embedded SQLite with one worker, PostgreSQL with 1, 2 and 4 workers.
   Cristal runs a YAML spec (`python` steps calling `echo`, templated arguments);
   the reference is a plain DBOS workflow of the same shape on a plain DBOS queue
   with the same concurrency and polling interval. Runs are queued (delayed), the
   workers started, then the runs released at once; runs/s comes from the step
   checkpoints' own timestamps (first step start to last step end).
2. Recovery: N runs in flight (all in a 2 s durable sleep) when the worker is
   killed with SIGKILL; after the sleeps have ended, a worker restarts under the
   same id: seconds from restart until every run has finished.
3. Memory: a worker's resident memory while it processes 10,000 runs (sampled
   every 1,000); growth is the change from 2,000 runs to the end.

Usage: python benchmarks/workflows.py [--quick] [--json] [--concurrency 16] [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql://cristal:cristal@127.0.0.1:5432/postgres"
POLL_S = 0.05
SPEC = """\
name: bench
inputs: {i: integer}
steps:
  - {id: a, type: python, function: echo, args: {i: "{{ inputs.i }}"}}
  - {id: b, type: python, function: echo, args: {i: "{{ steps.a.output.i }}"}}
  - {id: c, type: python, function: echo, args: {i: "{{ steps.b.output.i }}"}}
"""
NAP_SPEC = """\
name: bench-nap
inputs: {i: integer}
steps:
  - {id: a, type: python, function: echo, args: {i: "{{ inputs.i }}"}}
  - {id: nap, type: sleep, seconds: 2}
  - {id: c, type: python, function: echo, args: {i: "{{ steps.a.output.i }}"}}
"""


# -- the plain DBOS reference worker (this file, run with --plain-worker) -----------

def plain_worker(url: str, concurrency: int, worker_id: str) -> None:
    """A plain DBOS worker: the same workflow shapes, written directly against DBOS."""
    from dbos import DBOS

    DBOS(config={"name": "plain", "system_database_url": url, "executor_id": worker_id,
                 "application_version": "plain-1", "log_level": "WARNING",
                 "notification_listener_polling_interval_sec": 0.1})

    @DBOS.step(name="echo")
    def echo(**values: object) -> dict:
        return values

    @DBOS.workflow(name="plain.bench")
    def bench(i: int) -> dict:
        a = echo(i=i)
        b = echo(i=a["i"])
        return {"a": a, "b": b, "c": echo(i=b["i"])}

    @DBOS.workflow(name="plain.nap")
    def nap(i: int) -> dict:
        a = echo(i=i)
        DBOS.sleep(2)
        return {"a": a, "c": echo(i=a["i"])}

    DBOS.launch()
    DBOS.register_queue("bench", worker_concurrency=concurrency, polling_interval_sec=POLL_S,
                        on_conflict="always_update")
    print(json.dumps({"worker": worker_id, "status": "started"}), flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.2)
    os._exit(0)


# -- processes, databases, measurements ------------------------------------------

class Worker:
    """A worker subprocess (Cristal's `cristal worker`, or the plain DBOS one)."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path) -> None:
        with open(log, "a") as err:
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err,
                                         text=True)
        self.log = log

    def ready(self) -> Worker:
        """Wait for its 'started' line."""
        if not self.proc.stdout or not self.proc.stdout.readline():
            raise RuntimeError(f"worker failed to start: {self.log.read_text()[-1500:]}")
        return self

    def rss_mb(self) -> float:
        """Resident memory in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def kill(self) -> None:
        """SIGKILL."""
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class Target:
    """One measurement's databases: a Cristal store and a plain DBOS system database."""

    def __init__(self, kind: str, tmp: Path, pg_admin: str | None) -> None:
        self.kind, self.tmp, self.pg_admin = kind, tmp, pg_admin
        self.dbs: list[str] = []
        tmp.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            self.cristal_url = f"sqlite:///{tmp / 'cristal.db'}"
            self.cristal_sys = f"sqlite:///{tmp / 'cristal.workflows.db'}"
            self.plain_url = f"sqlite:///{tmp / 'plain.db'}"
        else:
            self.cristal_url = self.cristal_sys = self._create()
            self.plain_url = self._create()

    def _admin(self) -> sa.Engine:
        assert self.pg_admin
        return sa.create_engine(self.pg_admin.replace("postgresql://", "postgresql+psycopg://"),
                                isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def _create(self) -> str:
        name = f"bench_wf_{uuid.uuid4().hex[:8]}"
        with self._admin().connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.dbs.append(name)
        return sa.make_url(self.pg_admin).set(database=name).render_as_string(False)

    def drop(self) -> None:
        """Remove the PostgreSQL databases."""
        for name in self.dbs:
            with self._admin().connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def env(self) -> dict[str, str]:
        """Environment of Cristal processes on this target."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRISTAL_")}
        env.update(CRISTAL_DATABASE_URL=self.cristal_url, CRISTAL_DATA_DIR=str(self.tmp),
                   CRISTAL_WORKFLOWS__POLLING_INTERVAL_S=str(POLL_S))
        return env

    def cristal_worker(self, concurrency: int, wid: str) -> Worker:
        """Start `cristal worker`."""
        cmd = [sys.executable, "-m", "cristal", "worker", "--json", "--id", wid,
               "--concurrency", str(concurrency), "--grace", "0"]
        return Worker(cmd, self.env(), self.tmp / f"{wid}.log")

    def plain_worker(self, concurrency: int, wid: str) -> Worker:
        """Start the plain DBOS worker."""
        cmd = [sys.executable, __file__, "--plain-worker", self.plain_url, "--concurrency",
               str(concurrency), "--id", wid]
        return Worker(cmd, self.env(), self.tmp / f"{wid}.log")


def _table(url: str, name: str) -> str:
    return name if url.startswith("sqlite") else f"dbos.{name}"


def _engine(url: str) -> sa.Engine:
    # No pool: the measurement's own queries must not hold connections open.
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"),
                            poolclass=sa.pool.NullPool)


def count_status(url: str, status: str) -> int:
    """Workflows in a status (excluding DBOS's own)."""
    with _engine(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {_table(url, 'workflow_status')} "
                                    "WHERE status = :s"), {"s": status}).scalar() or 0


def step_span_s(url: str) -> float:
    """Seconds from the first step's start to the last step's end, from the checkpoints."""
    with _engine(url).connect() as conn:
        first, last = conn.execute(sa.text(
            "SELECT MIN(started_at_epoch_ms), MAX(completed_at_epoch_ms) FROM "
            f"{_table(url, 'operation_outputs')}")).one()
    return (last - first) / 1000


def wait_for(url: str, status: str, n: int, timeout: float = 1800) -> None:
    """Poll until `n` workflows are in `status`."""
    deadline = time.monotonic() + timeout
    while count_status(url, status) < n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {n} workflows in {status}")
        time.sleep(0.25)


def release(url: str) -> None:
    """Make every delayed run ready now (what DBOS's delay job does, without waiting for it)."""
    with _engine(url).begin() as conn:
        conn.execute(sa.text(f"UPDATE {_table(url, 'workflow_status')} SET status = 'ENQUEUED' "
                             "WHERE status = 'DELAYED'"))


def enqueue_cristal(t: Target, n: int, spec_text: str, delay_s: float | None = None) -> None:
    """Queue n runs of a spec through the public API."""
    from cristal.app import App
    from cristal.config import load_settings
    from cristal.workflows import Engine, parse_spec, start_run

    settings = load_settings(database_url=t.cristal_url, data_dir=str(t.tmp))
    engine = Engine(App(settings))
    spec = parse_spec(spec_text, "bench.yaml", settings)
    for i in range(n):
        start_run(engine, spec, {"i": i}, delay_s=delay_s)
    engine.close()
    engine.app.close()


def enqueue_plain(t: Target, n: int, workflow: str, delay_s: float | None = None) -> None:
    """Queue n runs of the plain workflow with a DBOS client."""
    from dbos import DBOS, DBOSClient

    DBOS.migrate(t.plain_url)
    client = DBOSClient(system_database_url=t.plain_url, application_name="plain")
    options: dict = {"workflow_name": workflow, "queue_name": "bench", "app_version": "plain-1"}
    if delay_s:
        options["delay_seconds"] = delay_s
    for i in range(n):
        client.enqueue(options, i)
    client.destroy()


def throughput(t: Target, side: str, workers: int, n: int, conc: int) -> float:
    """Runs/s of n queued 3-step runs drained by `workers` worker processes.

    The runs are queued delayed, the workers started, and only once every worker is up
    are the runs released: start-up does not compete with the measured work.
    """
    url = t.cristal_sys if side == "cristal" else t.plain_url
    if side == "cristal":
        enqueue_cristal(t, n, SPEC, delay_s=3600)
        procs = [t.cristal_worker(conc, f"c{i}") for i in range(workers)]
    else:
        enqueue_plain(t, n, "plain.bench", delay_s=3600)
        procs = [t.plain_worker(conc, f"p{i}") for i in range(workers)]
    try:
        for proc in procs:
            proc.ready()
        time.sleep(1.2)  # each worker's queue thread picks up the queue within a second
        release(url)
        wait_for(url, "SUCCESS", n)
    finally:
        for proc in procs:
            proc.stop()
    return n / step_span_s(url)


def recovery(t: Target, side: str, n: int) -> dict:
    """Seconds for a restarted worker to finish n runs that were in flight at a SIGKILL."""
    if side == "cristal":
        enqueue_cristal(t, n, NAP_SPEC)
        start, url = (lambda: t.cristal_worker(n, "rc").ready()), t.cristal_sys
    else:
        enqueue_plain(t, n, "plain.nap")
        start, url = (lambda: t.plain_worker(n, "rp").ready()), t.plain_url
    worker = start()
    wait_for(url, "PENDING", n)
    time.sleep(0.5)  # let every run reach its sleep
    worker.kill()
    time.sleep(2.5)  # the sleeps' recorded deadlines pass: only recovery remains
    began = time.monotonic()
    worker = start()
    started = time.monotonic() - began
    try:
        wait_for(url, "SUCCESS", n)
    finally:
        worker.stop()
    return {"seconds": round(time.monotonic() - began, 2), "startup_s": round(started, 2)}


def memory(t: Target, side: str, n: int, conc: int) -> dict:
    """A worker's RSS (MB) every n/10 runs while it processes n runs in batches."""
    batch = n // 10
    worker = (t.cristal_worker(conc, "mc") if side == "cristal"
              else t.plain_worker(conc, "mp")).ready()
    url = t.cristal_sys if side == "cristal" else t.plain_url
    samples = []
    try:
        for done in range(batch, n + 1, batch):
            if side == "cristal":
                enqueue_cristal(t, batch, SPEC)
            else:
                enqueue_plain(t, batch, "plain.bench")
            wait_for(url, "SUCCESS", done)
            samples.append(round(worker.rss_mb(), 1))
    finally:
        worker.stop()
    return {"rss_mb": samples, "rss_end_mb": samples[-1],
            "growth_mb": round(samples[-1] - samples[1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--json", action="store_true", help="last line is one JSON object")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pg", default=os.environ.get("CRISTAL_TEST_PG_URL", PG_DEFAULT))
    parser.add_argument("--only-recovery", action="store_true",
                        help="measure recovery only (results/workflows-recovery.json)")
    parser.add_argument("--plain-worker", help=argparse.SUPPRESS)
    parser.add_argument("--id", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_worker:
        plain_worker(args.plain_worker, args.concurrency, args.id)
        return
    n, n_rec, n_mem = (150, 100, 300) if args.quick else (5000, 1000, 10000)
    if args.only_recovery:
        _recovery_only(n_rec, args.json)
        return
    pg = _pg_ok(args.pg)
    results: dict = {"runs": n, "concurrency": args.concurrency, "polling_interval_s": POLL_S,
                     "cpus": os.cpu_count(), "throughput": {}, "postgresql": bool(pg)}
    configs = [("sqlite", 1)] + ([("postgresql", 1), ("postgresql", 2), ("postgresql", 4)]
                                 if pg else [])
    with tempfile.TemporaryDirectory() as tmp:
        for idx, (kind, workers) in enumerate(configs):
            rates = {}
            # Alternate which side goes first, so drift in the machine hits both alike.
            for side in (("plain", "cristal") if idx % 2 == 0 else ("cristal", "plain")):
                t = Target(kind, Path(tmp) / f"{kind}{workers}-{side}", pg)
                try:
                    rates[side] = throughput(t, side, workers, n, args.concurrency)
                finally:
                    t.drop()
            results["throughput"][f"{kind}_{workers}w"] = {
                "plain_runs_s": round(rates["plain"], 1),
                "cristal_runs_s": round(rates["cristal"], 1),
                "ratio": round(rates["plain"] / rates["cristal"], 3)}
        results["recovery"] = {"runs": n_rec, "database": "sqlite"}
        results["memory"] = {"runs": n_mem, "database": "sqlite"}
        for side in ("plain", "cristal"):
            t = Target("sqlite", Path(tmp) / f"rec-{side}", None)
            results["recovery"][side] = recovery(t, side, n_rec)
            t = Target("sqlite", Path(tmp) / f"mem-{side}", None)
            results["memory"][side] = memory(t, side, n_mem, args.concurrency)
    results["targets"] = {"ratio_max": 1.15}
    _print(results)
    out = ROOT / "benchmarks" / "results" / "workflows.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))


def _recovery_only(n_rec: int, as_json: bool) -> None:
    """Recovery after kill -9 alone (plain DBOS first, then Cristal, then both again)."""
    rounds: dict[str, list[float]] = {"plain": [], "cristal": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i, side in enumerate(("plain", "cristal", "cristal", "plain")):
            t = Target("sqlite", Path(tmp) / f"rec-{side}-{i}", None)
            rounds[side].append(recovery(t, side, n_rec)["seconds"])
    best = {side: min(times) for side, times in rounds.items()}
    result = {"runs": n_rec, "database": "sqlite", "seconds": rounds,
              "best_s": best, "ratio": round(best["cristal"] / best["plain"], 2),
              "load_average": round(os.getloadavg()[0], 2)}
    print(f"recover {n_rec:,} in-flight runs after kill -9: plain DBOS {best['plain']:.1f} s, "
          f"Cristal {best['cristal']:.1f} s (best of 2 each): {result['ratio']:.2f} x")
    out = ROOT / "benchmarks" / "results" / "workflows-recovery.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    if as_json:
        print(json.dumps(result))


def _pg_ok(url: str) -> str | None:
    try:
        with _engine(url).connect():
            return url
    except Exception as exc:  # no server: measure SQLite only, and say so
        print(f"PostgreSQL at {url} is not reachable ({type(exc).__name__}); SQLite only.",
              file=sys.stderr)
        return None


def _print(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("measure", "plain DBOS", "Cristal", "ratio (plain/Cristal)",
                  title=f"Workflows: {r['runs']:,} runs of 3 no-op steps, concurrency "
                  f"{r['concurrency']}, polling {r['polling_interval_s']} s, {r['cpus']} CPUs")
    for key, row in r["throughput"].items():
        kind, workers = key.split("_")
        table.add_row(f"runs/s, {kind}, {workers[:-1]} worker(s)", f"{row['plain_runs_s']:,.1f}",
                      f"{row['cristal_runs_s']:,.1f}", f"{row['ratio']:.2f} (target ≤ 1.15)")
    rec, mem = r["recovery"], r["memory"]
    table.add_row(f"recover {rec['runs']:,} in-flight runs after kill -9 (s, incl. start-up)",
                  f"{rec['plain']['seconds']:.1f}", f"{rec['cristal']['seconds']:.1f}",
                  f"{rec['plain']['seconds'] / rec['cristal']['seconds']:.2f}")
    table.add_row(f"worker RSS after {mem['runs']:,} runs (MB)",
                  f"{mem['plain']['rss_end_mb']:.0f}", f"{mem['cristal']['rss_end_mb']:.0f}", "")
    table.add_row(f"RSS growth from {mem['runs'] // 5:,} to {mem['runs']:,} runs (MB)",
                  f"{mem['plain']['growth_mb']:+.1f}", f"{mem['cristal']['growth_mb']:+.1f}", "")
    Console().print(table)


if __name__ == "__main__":
    main()
