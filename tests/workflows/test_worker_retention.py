"""`cristal worker` enforces retention while it runs, and stops cleanly on SIGTERM.

The call log is filled with real calls from this process (a FunctionProvider behind
the real gateway), some backdated; a real worker process with
`CRISTAL_RETENTION__INTERVAL_S=0.3` must delete the expired rows of the tenant with a
retention rule, and only those, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from wfkit import Worker, base_env, wait_until

from cristal.app import App
from cristal.config import load_settings
from cristal.governance import create_tenant, set_retention
from cristal.models import FunctionProvider
from cristal.models._tables import model_calls
from cristal.store import utcnow


def _calls(app: App, tenant: str, n: int, days_old: int) -> set[str]:
    ids = {app.gateway.chat([{"role": "user", "content": "hi"}], tenant=tenant).call_id
           for _ in range(n)}
    with app.store.write() as conn:
        conn.execute(model_calls.update().where(model_calls.c.id.in_(ids)).values(
            created_at=utcnow() - timedelta(days=days_old)))
    return ids


def test_a_running_worker_deletes_expired_calls_and_keeps_fresh_ones(tmp_path, any_db):
    data_dir = tmp_path / "data"
    app = App(load_settings(data_dir=str(data_dir), database_url=any_db,
                            routes={"default": {"provider": "fn", "model": "fn"}}),
              providers={"fn": FunctionProvider(lambda r: "ok", name="fn")})
    try:
        create_tenant(app.store, "acme")
        create_tenant(app.store, "keeper")
        set_retention(app.store, "acme", {"calls": 30})
        old = _calls(app, "acme", 3, days_old=45)
        fresh = _calls(app, "acme", 2, days_old=5) | _calls(app, "keeper", 2, days_old=45)

        def left() -> set[str]:
            with app.store.read() as conn:
                return {r.id for r in conn.execute(sa.select(model_calls.c.id))}

        worker = Worker(base_env(any_db, data_dir, CRISTAL_RETENTION__INTERVAL_S="0.3"),
                        tmp_path / "worker.log")
        try:
            wait_until(lambda: not old & left(), 60, "the worker to expire old calls")
            assert fresh <= left()
            later = _calls(app, "acme", 1, days_old=31)  # the worker keeps at it
            wait_until(lambda: not later & left(), 30, "a later retention pass")
            assert fresh <= left()
        finally:
            worker.stop()
    finally:
        app.close()
    assert worker.proc.returncode == 0
    assert '"status": "stopped"' in worker.proc.stdout.read()
    assert "retention failed" not in worker.log.read_text()
