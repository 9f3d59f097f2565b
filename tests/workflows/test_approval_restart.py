"""An approval step waits across a worker restart (kill -9) and continues after
`cristal approve`; everything through the real CLI and worker processes."""

from __future__ import annotations

import pytest
from wfkit import Receiver, Worker, base_env, cli, client_engine, last_json, wait_until

from cristal.workflows import get_run

SPEC = """\
name: refund
inputs: {{amount: number}}
steps:
  - id: check
    type: approval
    when: "inputs.amount > 100"
    message: "Refund {{{{ inputs.amount }}}} EUR?"
    approvers: [finance]
  - id: pay
    type: http
    method: POST
    url: {url}/ok
    json: {{amount: "{{{{ inputs.amount }}}}", approved_by: "{{{{ steps.check.output.by }}}}"}}
"""


@pytest.mark.slow
def test_approval_survives_worker_restart(any_db, tmp_path):
    receiver = Receiver().start()
    spec = tmp_path / "refund.yaml"
    spec.write_text(SPEC.format(url=receiver.url))
    env = base_env(any_db, tmp_path / "data")
    eng = client_engine(any_db, tmp_path / "data")
    worker = Worker(env, tmp_path / "w1.log")
    try:
        started = cli(env, "workflow", "run", str(spec), "--input", "amount=250", "--json")
        assert started.returncode == 0, started.stderr
        run_id = last_json(started)["run_id"]
        # queued for the worker, which may already have taken it (PostgreSQL: within 50 ms)
        assert last_json(started)["status"] in ("queued", "running", "waiting")

        def status() -> str:
            return get_run(eng, run_id, steps=False).status

        wait_until(lambda: status() == "waiting", 60, "the approval wait")
        worker.kill()
        worker = Worker(env, tmp_path / "w2.log")
        shown = last_json(cli(env, "runs", "show", run_id, "--json"))
        assert shown["status"] == "waiting" and shown["waiting"]["step"] == "check"
        assert shown["waiting"]["message"] == "Refund 250 EUR?"
        wrong = cli(env, "approve", run_id, "pay")
        assert wrong.returncode == 2 and "not waiting for approval at step 'pay'" in wrong.stderr
        alice = {**env, "CRISTAL_IDENTITY__USER": "alice",
                 "CRISTAL_IDENTITY__GROUPS": '["finance"]'}
        ok = cli(alice, "approve", run_id, "check", "--comment", "fine", "--json")
        assert ok.returncode == 0, ok.stderr
        assert last_json(ok)["decision"] == "approved"
        wait_until(lambda: status() == "succeeded", 60, "the run to finish")
    finally:
        worker.stop()
        receiver.stop()
        eng.close()
        eng.app.close()
    shown = last_json(cli(env, "runs", "show", run_id, "--json"))
    assert shown["outputs"]["check"]["approved"] is True
    assert shown["outputs"]["check"]["comment"] == "fine"
    steps = {s["id"]: s for s in shown["steps"]}
    assert steps["check"]["status"] == "succeeded" and steps["pay"]["status"] == "succeeded"
    [request] = [r for r in receiver.requests if r["key"] == f"{run_id}/pay"]
    assert request["body"] == {"amount": 250, "approved_by": "alice"}
