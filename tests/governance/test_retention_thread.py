"""The retention thread that `cristal worker` runs: it expires old rows on each pass,
keeps fresh ones, survives a failed pass, and stops when told to.

Call-log rows are made by real calls (a FunctionProvider behind the real gateway),
then some are backdated; the thread runs every 0.2 s on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from cristal.app import App
from cristal.config import load_settings
from cristal.governance import create_tenant, get_tenant, set_retention
from cristal.governance._data_tables import data_policies
from cristal.lifecycle import start_retention_thread
from cristal.models import FunctionProvider
from cristal.models._tables import model_calls
from cristal.store import utcnow


def _app(tmp_path, db_url: str, interval_s: float = 0.2) -> App:
    settings = load_settings(data_dir=str(tmp_path / "data"), database_url=db_url,
                             routes={"default": {"provider": "fn", "model": "fn"}},
                             retention={"interval_s": interval_s})
    return App(settings, providers={"fn": FunctionProvider(lambda r: "ok", name="fn")})


def _calls(app: App, tenant: str, n: int, days_old: int = 0) -> set[str]:
    """Make `n` real calls for `tenant`; backdate their rows by `days_old` days."""
    ids = {app.gateway.chat([{"role": "user", "content": "hi"}], tenant=tenant).call_id
           for _ in range(n)}
    if days_old:
        with app.store.write() as conn:
            conn.execute(model_calls.update().where(model_calls.c.id.in_(ids)).values(
                created_at=utcnow() - timedelta(days=days_old)))
    return ids


def _left(app: App) -> set[str]:
    with app.store.read() as conn:
        return {r.id for r in conn.execute(sa.select(model_calls.c.id))}


def _wait(predicate, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_thread_expires_old_calls_on_every_pass_and_stops(tmp_path, db_url):
    app = _app(tmp_path, db_url)
    create_tenant(app.store, "acme")
    create_tenant(app.store, "keeper")
    set_retention(app.store, "acme", {"calls": 7})
    old, fresh = _calls(app, "acme", 2, days_old=10), _calls(app, "acme", 2, days_old=3)
    kept = _calls(app, "keeper", 1, days_old=400)  # no retention rule: kept for ever
    stop, logged = threading.Event(), []
    thread = start_retention_thread(app, stop, logged.append)
    try:
        assert _wait(lambda: not old & _left(app)), "the expired calls were not deleted"
        assert fresh | kept <= _left(app)
        later = _calls(app, "acme", 1, days_old=8)  # made after the first pass
        assert _wait(lambda: not later & _left(app)), "a later pass did not run"
        assert fresh | kept <= _left(app)
    finally:
        stop.set()
        thread.join(timeout=5)
        app.close()
    assert not thread.is_alive() and thread.daemon
    assert logged == []


def test_a_failed_pass_is_logged_and_the_next_one_runs(tmp_path, db_url):
    app = _app(tmp_path, db_url)
    create_tenant(app.store, "acme")
    set_retention(app.store, "acme", {"calls": 7})
    with app.store.write() as conn:  # a hand-edited policy the pass cannot use
        conn.execute(data_policies.update().where(
            data_policies.c.tenant_id == get_tenant(app.store, "acme").id).values(
            retention={"calls": "a week"}))
    old = _calls(app, "acme", 2, days_old=10)
    stop, logged = threading.Event(), []
    thread = start_retention_thread(app, stop, logged.append)
    try:
        assert _wait(lambda: len(logged) >= 2), "failed passes were not logged"
        assert logged[0].startswith("retention failed: TypeError")
        assert old <= _left(app) and thread.is_alive()
        set_retention(app.store, "acme", {"calls": 7})
        assert _wait(lambda: not old & _left(app)), "no pass ran after the failure"
    finally:
        stop.set()
        thread.join(timeout=5)
        app.close()
    assert not thread.is_alive()


def test_the_first_pass_runs_at_once_and_a_stop_ends_the_long_wait(tmp_path, sqlite_url):
    app = _app(tmp_path, sqlite_url, interval_s=3600)
    create_tenant(app.store, "acme")
    set_retention(app.store, "acme", {"calls": 7})
    old = _calls(app, "acme", 1, days_old=10)
    stop = threading.Event()
    thread = start_retention_thread(app, stop, print)
    try:
        assert _wait(lambda: not old & _left(app)), "the first pass did not run at start"
    finally:
        stop.set()
        thread.join(timeout=5)  # not an hour: the wait ends when `stop` is set
        app.close()
    assert not thread.is_alive()
