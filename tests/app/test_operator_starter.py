"""Operator runs record who started them, and `erase --user` removes that user's runs and
the export files holding them (real Chromium; SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from conftest import require
from cristal.app import App, Principal
from cristal.app import data as data_uc
from cristal.app import operator as uc
from cristal.config import load_settings
from cristal.lifecycle import erase
from cristal.operator import BrowserNotFound, RunHooks, RunRequest, find_chromium
from cristal.operator._tables import operator_runs

PAGE = b"""<!doctype html><html><body><h1>Orders</h1><p id=state>open</p>
<button onclick="document.getElementById('state').textContent='seen'">Mark seen</button>
</body></html>"""
PLAN = 'click "Mark seen"\n'


@pytest.fixture
def page():
    try:
        find_chromium()
    except BrowserNotFound:
        require(False, "Debian chromium (/usr/bin/chromium)")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/orders"
    server.shutdown()


def _starters(app: App) -> dict[str, str | None]:
    with app.store.read() as conn:
        return {r.id: r.started_by for r in conn.execute(
            sa.select(operator_runs.c.id, operator_runs.c.started_by))}


@pytest.mark.slow
def test_runs_record_their_starter_and_erase_user_removes_them(db_url, tmp_path, page):
    data = tmp_path / "data"
    app = App(load_settings(data_dir=str(data), database_url=db_url))
    builder = frozenset({"builder"})
    alice = Principal("user", "alice", "default", builder, "alice")
    bob = Principal("key", "key_bob", "default", builder, "bob")
    nobody = Principal("key", "key_robot", "default", builder)  # a key naming no user
    try:
        runs = {}
        for name, who in (("alice", alice), ("bob", bob), ("robot", nobody)):
            runs[name] = uc.operate(app, who, RunRequest(
                start_url=page, policy="plan", plan=PLAN, preapprove=True,
                instruction=f"Mark the open orders seen for {name}"), RunHooks()).id
        # the CLI path: the person at the terminal (identity.user)
        (tmp_path / "plan.txt").write_text(PLAN)
        env = {**os.environ, "CRISTAL_DATA_DIR": str(data), "CRISTAL_DATABASE_URL": db_url,
               "CRISTAL_IDENTITY__USER": "carol"}
        out = subprocess.run([sys.executable, "-m", "cristal", "operator", "run", "--start",
                              page, "--plan", str(tmp_path / "plan.txt"), "--yes", "--json"],
                             env=env, capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        runs["carol"] = json.loads(out.stdout.strip().splitlines()[-1])["run_id"]
        assert _starters(app) == {runs["alice"]: "user:default/alice",
                                  runs["bob"]: "user:default/bob", runs["robot"]: None,
                                  runs["carol"]: "local:carol"}

        # exports: each user's run as steps, and a dataset of every run (as the CLI does)
        owner = Principal.local_owner()
        for name in ("alice", "bob"):
            path = tmp_path / f"{name}.jsonl"
            path.write_text("\n".join(uc.export(app, owner, runs[name])) + "\n")
            data_uc.record_file(app, owner, path, fmt="jsonl steps", rows=1, source="test",
                                tenant="default")
        data_uc.export_dataset(app, owner, source="operator", fmt="sft",
                               out=tmp_path / "all.jsonl")

        record = erase(app, "user", "alice")
        assert record["counts"]["operator runs"] == 1 and record["residual"] == []
        assert sorted(record["files"]) == [str(tmp_path / "alice.jsonl"),
                                           str(tmp_path / "all.jsonl")]
        assert (tmp_path / "bob.jsonl").exists()
        record = erase(app, "user", "carol")
        assert record["counts"]["operator runs"] == 1
        assert set(_starters(app)) == {runs["bob"], runs["robot"]}
        with app.store.read() as conn:
            steps = conn.execute(sa.text("SELECT DISTINCT run_id FROM operator_steps")).all()
        assert {r[0] for r in steps} == {runs["bob"], runs["robot"]}
    finally:
        app.close()
