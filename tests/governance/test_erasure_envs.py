"""Training-environment data (episodes, eval runs) under erasure and retention (`envs`).

Runs on SQLite and PostgreSQL; what is left is checked with plain SQL over every
table and column of the database's own catalogue.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from cristal.app import App
from cristal.config import load_settings
from cristal.envs import Episode, Rollout, save_episode
from cristal.envs._tables import eval_runs
from cristal.governance import get_tenant, set_retention
from cristal.lifecycle import erase, retention
from cristal.store import new_id, utcnow
from governance.test_erasure import _catalogue_hits

SECRET = "ZQX7731KAPPA"


def _episode(app: App, tenant_id: str, task: str, said: str, run: str | None = None) -> str:
    return save_episode(app.store, tenant_id, Rollout(
        Episode("cristal/Tools-v0", task, 0, actions=[{"tool": "lookup", "q": said}],
                rewards=[1.0], info={"success": True}), policy="route:default",
        transcript=[{"role": "assistant", "content": said}]), eval_run_id=run)


def _eval_run(app: App, tenant_id: str, tasks: list[str], status: str = "finished") -> str:
    run_id = new_id("eval")
    with app.store.write() as conn:
        conn.execute(eval_runs.insert().values(
            id=run_id, tenant_id=tenant_id, env_id="cristal/Tools-v0",
            policies=["route:default"], status=status, created_at=utcnow(),
            config={"tasks": tasks}))
    return run_id


def _count(app: App, table: str) -> int:
    with app.store.read() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()


def test_episodes_and_eval_runs_holding_a_value_are_erased(tmp_path, db_url):
    app = App(load_settings(data_dir=str(tmp_path / "d"), database_url=db_url))
    try:
        tid = get_tenant(app.store, "default").id
        _episode(app, tid, "t1", f"The code is {SECRET}.")  # a lone rollout
        quoted = _eval_run(app, tid, [f"look up {SECRET}"])  # the task list names it
        _episode(app, tid, "t2", "nothing here", run=quoted)  # goes with its run
        clean = _eval_run(app, tid, ["t3"])
        _episode(app, tid, "t3", "nothing here", run=clean)
        before = _catalogue_hits(db_url, SECRET)
        assert all(any(f'"{t}"' in h for h in before) for t in ("env_episodes", "eval_runs"))

        assert erase(app, "user", "alice")["counts"].get("episodes") is None  # none record one
        record = erase(app, "text", SECRET)
        assert record["residual"] == []
        assert record["counts"]["episodes"] == 2 and record["counts"]["eval runs"] == 1
        app.close()
        assert _catalogue_hits(db_url, SECRET) == []
        assert _count(app, "env_episodes") == 1 and _count(app, "eval_runs") == 1
    finally:
        app.close()


def test_envs_retention_keeps_running_eval_runs(tmp_path, db_url):
    app = App(load_settings(data_dir=str(tmp_path / "d"), database_url=db_url))
    try:
        tid = get_tenant(app.store, "default").id
        _episode(app, tid, "t1", "a")
        done = _eval_run(app, tid, ["t2"])
        _episode(app, tid, "t2", "b", run=done)
        running = _eval_run(app, tid, ["t3"], status="running")
        _episode(app, tid, "t3", "c", run=running)
        later = utcnow() + timedelta(days=8)
        assert retention(app, now=later)["tenants"]["default"]["removed"] == {}  # no period
        set_retention(app.store, "default", {"envs": 7})
        assert retention(app)["tenants"]["default"]["removed"] == {}  # nothing old yet
        removed = retention(app, now=later)["tenants"]["default"]["removed"]
        assert removed == {"eval runs": 1, "episodes": 2}
        assert _count(app, "env_episodes") == 1 and _count(app, "eval_runs") == 1
    finally:
        app.close()

