"""kill -9 of a worker in the middle of 200 runs: after a restart every run completes, no
checkpointed step runs again, and every repeated side effect carries the same key."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from wfkit import Receiver, Worker, base_env, client_engine, wait_until

from cristal.workflows import list_runs, parse_spec, start_run

RUNS = 200

SPEC = """\
name: crash
inputs: {{n: integer}}
steps:
  - id: one
    type: http
    method: POST
    url: {url}/hold/0.02
    json: {{n: "{{{{ inputs.n }}}}"}}
  - id: two
    type: python
    function: record
    args: {{log: "{log}"}}
  - id: three
    type: http
    method: POST
    url: {url}/hold/0.02
"""


@pytest.mark.slow
def test_kill_9_mid_runs_then_restart(any_db, tmp_path):
    receiver = Receiver().start()
    data_dir = tmp_path / "data"
    log = tmp_path / "side-effects.log"
    env = base_env(any_db, data_dir)
    eng = client_engine(any_db, data_dir)
    spec = parse_spec(SPEC.format(url=receiver.url, log=log), "crash.yaml", eng.settings)
    # SQLite: a restart under the same --id recovers at once (DBOS's own recovery).
    # PostgreSQL: the new worker has a new id and recovers the dead one's runs itself.
    same_id = ["--id", "w1"] if any_db.startswith("sqlite") else []
    worker = Worker(env, tmp_path / "worker1.log", "--concurrency", "16", *same_id)
    try:
        runs = [start_run(eng, spec, {"n": str(i)}).run_id for i in range(RUNS)]
        wait_until(lambda: len(receiver.keys("/hold")) >= RUNS // 2, 120, "half the requests")
        worker.kill()
        killed_at = time.time()
        in_flight = len(receiver.keys("/hold"))
        assert in_flight < 2 * RUNS, "the kill came too late to interrupt anything"
        worker = Worker(env, tmp_path / "worker2.log", "--concurrency", "16", *same_id)
        wait_until(lambda: len(list_runs(eng, status="succeeded", limit=RUNS + 1)) == RUNS,
                   180, "every run to succeed")
    finally:
        worker.stop()
        receiver.stop()

    keys = receiver.keys("/hold")
    assert set(keys) == {f"{r}/{s}" for r in runs for s in ("one", "three")}
    side = Counter(tuple(line.split()[:3]) for line in log.read_text().splitlines())
    assert {(r, "two") for r in runs} == {(run, step) for run, step, _ in side}
    assert all(key == f"{run}/{step}" for run, step, key in side)

    # A side effect seen twice must be a step that was in flight at the kill: its
    # checkpoint was written after the kill. Checkpointed steps never ran again.
    repeated = {k for k, n in keys.items() if n > 1} | {
        f"{run}/{step}" for (run, step, _), n in side.items() if n > 1}
    for key in repeated:
        run_id, step = key.split("/")
        [op] = [o for o in eng.client.list_workflow_steps(run_id) if o["function_name"] == step]
        assert op["completed_at_epoch_ms"] >= killed_at * 1000 - 5, key
    for request in receiver.requests:
        if request["t"] > killed_at:  # sent again after the restart
            run_id, step = request["key"].split("/")
            [op] = [o for o in eng.client.list_workflow_steps(run_id)
                    if o["function_name"] == step]
            assert op["completed_at_epoch_ms"] >= killed_at * 1000 - 5
    assert len(repeated) <= 16 * 3, "more repeats than steps that can be in flight"
    print(f"runs done before the kill: ~{in_flight // 2}, repeated side effects: {len(repeated)}")
    eng.close()
    eng.app.close()
