"""Episodes and eval runs on SQLite and on a real PostgreSQL database."""

from __future__ import annotations

import json

from cristal.app import App
from cristal.config import load_settings
from cristal.envs import export_dataset, get_episode, iter_episodes, list_eval_runs, run_eval
from cristal.governance import get_tenant


def test_eval_runs_and_episodes_round_trip(db_url, tmp_path):
    app = App(load_settings(data_dir=str(tmp_path / "data"), database_url=db_url))
    try:
        run = run_eval(app, "cristal/Tools-v0", policies=["oracle", "random"],
                       tasks=["banking/user_task_0", "banking/user_task_1"], episodes=1,
                       concurrency=2, env_kwargs={"suite": "banking"}, seed_base=2**31 - 5)
        tenant = get_tenant(app.store, "default")
        rows = list(iter_episodes(app.store, tenant.id, eval_run_id=run.id, batch=1))
        assert len(rows) == 4 and len({r["id"] for r in rows}) == 4
        oracle = [r for r in rows if r["policy"] == "oracle"]
        assert all(r["success"] and r["total_reward"] == 1.0 for r in oracle)
        full = get_episode(app.store, tenant.id, oracle[0]["id"])
        assert full["seed"] == 2**31 - 5 and full["transcript"][0]["role"] == "system"
        assert full["actions"][-1]["tool"] == "answer"
        assert list_eval_runs(app.store, tenant.id)[0]["episodes"] == 4
        report = export_dataset(app, tenant, source="episodes", fmt="kto",
                                out=tmp_path / "k.jsonl", eval_run=run.id)
        lines = (tmp_path / "k.jsonl").read_text().splitlines()
        assert len(lines) == sum(report.files.values()) == 4 - report.duplicates
        assert {json.loads(line)["label"] for line in lines} >= {True}
    finally:
        app.close()
