"""Two and four worker processes on one PostgreSQL queue: each run executes exactly once,
and the per-tenant concurrency limit holds across all of them."""

from __future__ import annotations

from collections import Counter

import pytest
from wfkit import Receiver, Worker, base_env, client_engine, stop_all, wait_until

from cristal.governance import create_tenant
from cristal.workflows import get_run, list_runs, parse_spec, start_run

TENANTS = ("acme", "globex", "initech")
PER_TENANT = 16
LIMIT = 2

SPEC = """\
name: shared
steps:
  - id: call
    type: http
    method: POST
    url: {url}/hold/0.15
    json: {{tenant: "{{{{ run.tenant }}}}"}}
  - id: note
    type: python
    function: record
    args: {{log: "{log}"}}
"""


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_workers_share_one_queue(workers, pg_db, tmp_path):
    db_url = pg_db
    receiver = Receiver().start()
    data_dir = tmp_path / "data"
    log = tmp_path / "notes.log"
    # Two runs at once per worker: no single worker can take all the work.
    env = base_env(db_url, data_dir,
                   CRISTAL_WORKFLOWS__QUEUES__DEFAULT__TENANT_CONCURRENCY=str(LIMIT),
                   CRISTAL_WORKFLOWS__QUEUES__DEFAULT__CONCURRENCY="2")
    eng = client_engine(db_url, data_dir)
    procs: list[Worker] = []
    try:
        for name in TENANTS:
            create_tenant(eng.app.store, name)
        spec = parse_spec(SPEC.format(url=receiver.url, log=log), "shared.yaml", eng.settings)
        procs = [Worker(env, tmp_path / f"w{i}.log", wait=False) for i in range(workers)]
        for proc in procs:
            proc.ready()
        runs = [start_run(eng, spec, {}, tenant=t).run_id
                for _ in range(PER_TENANT) for t in TENANTS]
        total = len(runs)
        wait_until(lambda: len(list_runs(eng, status="succeeded", limit=total + 1)) == total,
                   120, "every run to succeed")
        executors = Counter(get_run(eng, r, steps=False).executor for r in runs)
    finally:
        stop_all(procs)
        receiver.stop()
        eng.close()
        eng.app.close()

    # Exactly once: one request per run at the receiver, one side effect per run.
    assert receiver.keys("/hold") == Counter({f"{r}/call": 1 for r in runs})
    notes = Counter(line.split()[0] for line in log.read_text().splitlines())
    assert notes == Counter(dict.fromkeys(runs, 1))
    # The per-tenant limit held across every worker, and was actually reached.
    assert max(receiver.max_inflight.values()) == LIMIT
    assert set(receiver.max_inflight) == set(TENANTS)
    # The work was shared.
    assert set(executors) <= {p.id for p in procs} and len(executors) >= 2
