"""Test kit for workflows: a receiver on 127.0.0.1, worker processes, the CLI, test functions.

Worker subprocesses import this module (`workflows.modules = ["wfkit"]`, with
tests/workflows on PYTHONPATH) to get the functions that `python` steps call.
It must not import pytest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cristal.app import App
from cristal.config import load_settings
from cristal.workflows import Engine, function, idempotency_key, step, workflow

HERE = Path(__file__).resolve().parent


# -- functions for `python` steps ------------------------------------------------

@function(name="whoami")
def whoami(tag: str = "") -> dict[str, Any]:
    """Which process ran the step."""
    return {"pid": os.getpid(), "tag": tag}


@function(name="add")
def add(a: int, b: int) -> int:
    """Typed arguments are validated (strings from templates become ints)."""
    return a + b


@function(name="explode")
def explode(message: str = "boom") -> None:
    """Always fails."""
    raise ValueError(message)


@function(name="record")
def record(log: str, ctx: Any = None) -> dict[str, Any]:
    """Append `run step key pid` to a file: a side effect we can count."""
    line = f"{ctx.run_id} {ctx.step_id} {ctx.key} {os.getpid()}\n"
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(line)
    return {"pid": os.getpid()}


# -- a workflow written in Python -------------------------------------------------

ATTEMPTS: Counter[str] = Counter()


@step(retries=3, backoff_s=0.01)
def charge(order: str, cents: int) -> dict[str, Any]:
    """Fails on its first attempt; every attempt sees the same idempotency key."""
    key = idempotency_key()
    ATTEMPTS[key] += 1
    if ATTEMPTS[key] == 1:
        raise ConnectionError("bank unreachable")
    return {"order": order, "cents": cents, "key": key}


@workflow(name="tests.charge_order")
def charge_order(order: str, cents: int) -> dict[str, Any]:
    """A typed Python workflow: one step with retries."""
    receipt = charge(order, cents)
    return {"receipt": receipt, "attempts": ATTEMPTS[receipt["key"]]}


# -- a receiver that counts requests by Idempotency-Key ---------------------------

class Receiver(ThreadingHTTPServer):
    """HTTP on 127.0.0.1 that records every request and can fail, stall or hold on cue.

    Paths: `/ok`; `/fail/N` (500 for the first N requests of each key, then 200);
    `/big/N` (N bytes, streamed without a Content-Length);
    `/status/CODE`; `/hold/SECONDS` (answers after a delay, tracking how many
    requests of each tenant are in flight at once; the tenant is the JSON body's
    `tenant`).
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.by_key: Counter[str] = Counter()
        self.inflight: Counter[str] = Counter()
        self.max_inflight: defaultdict[str, int] = defaultdict(int)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:41234."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> Receiver:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.shutdown()
        self.server_close()

    def keys(self, path_prefix: str = "") -> Counter[str]:
        """Requests per Idempotency-Key (optionally only for paths with a prefix)."""
        with self.lock:
            return Counter(r["key"] for r in self.requests if r["path"].startswith(path_prefix))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        key = self.headers.get("Idempotency-Key") or ""
        srv = self.server
        with srv.lock:
            srv.by_key[key] += 1
            seen = srv.by_key[key]
            srv.requests.append({"path": self.path, "key": key, "body": body, "t": time.time(),
                                 "method": self.command,
                                 "auth": self.headers.get("Authorization")})
        parts = self.path.strip("/").split("/")
        if parts[0] == "fail" and seen <= int(parts[1]):
            self._answer(500, {"error": "try again"})
        elif parts[0] == "big":  # N bytes of JSON-ish text, streamed without a length
            self._stream_bytes(int(parts[1]))
        elif parts[0] == "status":
            self._answer(int(parts[1]), {"status": int(parts[1])})
        elif parts[0] == "hold":
            tenant = (body or {}).get("tenant", "") if isinstance(body, dict) else ""
            with srv.lock:
                srv.inflight[tenant] += 1
                srv.max_inflight[tenant] = max(srv.max_inflight[tenant], srv.inflight[tenant])
            time.sleep(float(parts[1]))
            with srv.lock:
                srv.inflight[tenant] -= 1
            self._answer(200, {"ok": True, "pid": os.getpid()})
        else:
            self._answer(200, {"ok": True, "key": key, "seen": seen})

    def _stream_bytes(self, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"x" * 65536
        left = count
        while left > 0:
            piece = chunk[: min(left, len(chunk))]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            left -= len(piece)
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - http.server naming


# -- the CLI and worker processes -----------------------------------------------

def client_engine(db_url: str, data_dir: Path) -> Engine:
    """An engine used as a client only: this test process starts and inspects runs."""
    settings = load_settings(data_dir=str(data_dir), database_url=db_url,
                             workflows={"http_allow": ["127.0.0.1"], "modules": ["wfkit"]})
    return Engine(App(settings))


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    """Poll `predicate` until true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def base_env(db_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for Cristal subprocesses on this database, with quick workflow timings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CRISTAL_", "OPENAI_")) or k.startswith("CRISTAL_TEST_")}
    env.update({
        "CRISTAL_DATA_DIR": str(data_dir), "CRISTAL_DATABASE_URL": db_url,
        "CRISTAL_HTTP_ALLOW": "127.0.0.1", "CRISTAL_WORKFLOWS__MODULES": '["wfkit"]',
        "CRISTAL_WORKFLOWS__HEARTBEAT_S": "0.5", "CRISTAL_WORKFLOWS__DEAD_AFTER_S": "3",
        "CRISTAL_WORKFLOWS__POLLING_INTERVAL_S": "0.05",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        "COLUMNS": "200",
    })
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `cristal ARGS` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "cristal", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def last_json(proc: subprocess.CompletedProcess) -> dict[str, Any]:
    """The JSON object on the last line of stdout."""
    lines = proc.stdout.strip().splitlines()
    assert lines, f"no output; stderr: {proc.stderr}"
    return json.loads(lines[-1])


class Worker:
    """A `cristal worker --json` subprocess."""

    def __init__(self, env: dict[str, str], log: Path, *args: str, wait: bool = True) -> None:
        self.log = log
        self.info: dict[str, Any] = {}
        with open(log, "a", encoding="utf-8") as err:  # a file: a full pipe would stall it
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cristal", "worker", "--json", *args], env=env,
                stdout=subprocess.PIPE, stderr=err, text=True)
        if wait:
            self.ready()

    def ready(self) -> Worker:
        """Wait for the worker's first line (it has started taking runs)."""
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            raise RuntimeError(f"worker did not start: {self.log.read_text()[-2000:]}")
        self.info = json.loads(line)
        return self

    @property
    def id(self) -> str:
        """The worker's executor id."""
        return self.info["worker"]

    def kill(self) -> None:
        """kill -9."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM and wait."""
        stop_all([self], timeout)


def stop_all(workers: list[Worker], timeout: float = 30) -> None:
    """SIGTERM every worker at once, then wait for each (kill -9 if it hangs)."""
    for worker in workers:
        if worker.proc.poll() is None:
            worker.proc.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
