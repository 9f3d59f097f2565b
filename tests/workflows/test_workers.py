"""The worker registry: heartbeats and recovery fail separately, a failed recovery is
reported as such and tried again with growing delays, and the DBOS recovery entry
point we rely on is the one pinned (it is private in DBOS 3.4)."""

from __future__ import annotations

import inspect
import logging
import time
from datetime import UTC, datetime
from importlib.metadata import version

import pytest
import sqlalchemy as sa
from wfkit import Worker, base_env, client_engine, wait_until

from cristal.store import Store
from cristal.workflows import list_runs, parse_spec, start_run
from cristal.workflows._tables import workflow_workers
from cristal.workflows._workers import Heartbeat

DEAD = {"id": "worker-gone-1", "kind": "worker", "host": "elsewhere", "pid": 1,
        "queues": None, "started_at": datetime(2026, 1, 1, tzinfo=UTC),
        "heartbeat_at": datetime(2026, 1, 1, tzinfo=UTC)}


def test_a_failed_recovery_is_reported_backed_off_and_tried_again(tmp_path, caplog):
    store = Store.open(f"sqlite:///{tmp_path / 'c.db'}")
    with store.write() as conn:
        conn.execute(workflow_workers.insert().values(**DEAD))
    attempts: list[float] = []

    def recover(ids: list[str]) -> list[str]:
        attempts.append(time.monotonic())
        assert ids == [DEAD["id"]]
        if len(attempts) < 4:
            raise RuntimeError("system database unavailable")
        return ["run_a", "run_b"]

    beat = Heartbeat(store, "worker-here-1", "worker", None, every_s=0.05, dead_after_s=5,
                     recover=recover)
    caplog.set_level(logging.WARNING, logger="cristal.workflows")
    beat.start()
    try:
        deadline = time.monotonic() + 20
        while len(attempts) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        beat.stop()
        store.close()
    assert len(attempts) == 4
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19 and gaps[2] >= 0.39, gaps  # doubling
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 3 and all(
        "recovering the unfinished runs of stopped worker worker-gone-1 failed" in m
        for m in failures), failures
    assert "attempt 3" in failures[-1] and "system database unavailable" in failures[-1]
    assert not any("heartbeat" in m for m in failures)
    assert any("recovered 2 unfinished run(s) of stopped worker worker-gone-1" in
               r.getMessage() for r in caplog.records)
    assert beat.recovery_failures == {}


def test_the_dbos_recovery_entry_point_is_the_pinned_private_one():
    """If this fails, DBOS changed the private API Cristal recovers dead workers with:
    see the comment in Engine.launch and the dbos pin in pyproject.toml."""
    from dbos import DBOS

    assert version("dbos").startswith("3.4."), version("dbos")
    method = DBOS._recover_pending_workflows
    assert list(inspect.signature(method).parameters) == ["executor_ids"]
    from dbos import error

    for name in ("DBOSMaxStepRetriesExceeded", "DBOSStepTimeoutError",
                 "DBOSAwaitedWorkflowCancelledError"):
        assert hasattr(error, name), name


SLEEPY = """\
name: sleepy
inputs: {n: integer}
steps:
  - id: nap
    type: sleep
    seconds: 2
  - id: after
    type: python
    function: echo
"""


@pytest.mark.slow
def test_a_new_worker_recovers_the_runs_of_a_killed_one_on_sqlite(tmp_path):
    """Through the private entry point: the dead worker's id differs from the new one's.
    The runs were in a short (plain DBOS) sleep that ended before the recovery."""
    url = f"sqlite:///{tmp_path / 'cristal.db'}"
    env = base_env(url, tmp_path / "data")
    eng = client_engine(url, tmp_path / "data")
    spec = parse_spec(SLEEPY, "sleepy.yaml", eng.settings)
    first = Worker(env, tmp_path / "w1.log", "--id", "first")
    second = None
    try:
        runs = [start_run(eng, spec, {"n": i}).run_id for i in range(5)]
        wait_until(lambda: len(list_runs(eng, status="running", limit=10)) == 5, 60,
                   "the runs to start")
        time.sleep(1)  # every run is inside its sleep (its deadline is recorded) ...
        first.kill()
        time.sleep(2)  # ... which ends before the recovery: replays must still agree
        second = Worker(env, tmp_path / "w2.log", "--id", "second")
        wait_until(lambda: len(list_runs(eng, status="succeeded", limit=10)) == 5, 90,
                   "the second worker to recover and finish every run")
        executors = {r.executor for r in list_runs(eng, limit=10)}
        assert executors == {"second"}, executors
        with eng.app.store.read() as conn:
            left = conn.execute(sa.select(workflow_workers.c.id)).scalars().all()
        assert "first" not in left
        assert sorted(runs) == sorted(r.run_id for r in list_runs(eng, limit=10))
    finally:
        if second is not None:
            second.stop()
        eng.close()
        eng.app.close()
