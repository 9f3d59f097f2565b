"""Cron schedules fire once per moment: across several workers and across kill -9 restarts."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from wfkit import Worker, base_env, client_engine, stop_all

from cristal.workflows import add_schedule, list_runs, parse_spec, remove_schedule

SPEC = "name: tick\nsteps:\n  - {id: t, type: python, function: whoami}\n"


def scheduled_runs(eng) -> Counter:
    """Runs started by the schedule, per moment they were fired for."""
    runs = eng.client.list_workflows(name="cristal.run", load_output=False)
    return Counter(st.input["args"][2].get("scheduled_at") for st in runs)


@pytest.mark.slow
def test_schedule_fires_once_per_moment_across_restarts(any_db, tmp_path):
    env = base_env(any_db, tmp_path / "data", CRISTAL_WORKFLOWS__SCHEDULER_POLL_S="1")
    eng = client_engine(any_db, tmp_path / "data")
    spec = parse_spec(SPEC, "tick.yaml", eng.settings)
    # On PostgreSQL two workers run the scheduler at once; SQLite has one worker.
    count = 2 if any_db.startswith("postgresql") else 1
    workers = [Worker(env, tmp_path / f"a{i}.log") for i in range(count)]
    try:
        add_schedule(eng, "every-second", spec, "* * * * * *", {})
        time.sleep(4)
        workers[0].kill()
        workers[0] = Worker(env, tmp_path / "b0.log")
        time.sleep(4)
        remove_schedule(eng, "every-second")
        time.sleep(1.5)
    finally:
        stop_all(workers)
    fired = scheduled_runs(eng)
    print(f"moments fired: {len(fired)}")
    assert len(fired) >= 4, fired
    assert set(fired.values()) == {1}, "a moment was fired twice"
    trampolines = eng.client.list_workflows(name="cristal.scheduled", load_input=False)
    # Every moment fired has its trampoline; a trampoline cut off by the kill or the final
    # stop before it started its run stays unfinished (a restart recovers it), never done
    # without a run.
    finished = [t for t in trampolines if t.status == "SUCCESS"]
    assert len(finished) <= len(fired) <= len(trampolines)
    assert len(trampolines) - len(fired) <= len(workers) + 1
    assert {r.status for r in list_runs(eng, limit=100)} <= {"succeeded", "queued", "running"}
    eng.close()
    eng.app.close()
