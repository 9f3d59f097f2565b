"""Workflows over HTTP: register, start with Idempotency-Key, approvals decided only by the
approvers named, cancel; this test process is the worker (DBOS launched in-process)."""

from __future__ import annotations

import time

import pytest

from cristal.governance import audit_entries

SPEC = """name: expense
inputs: {amount: {type: number}}
steps:
  - id: check
    type: approval
    message: "Approve {{ inputs.amount }} yen?"
    approvers: [finance]
    timeout_s: 600
  - id: done
    type: sleep
    seconds: 0.1
"""


def _wait(site, who: str, run_id: str, status: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = site.call(who, "GET", f"/api/runs/{run_id}").json()
        if run["status"] == status or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


@pytest.mark.slow
def test_register_start_idempotently_approve_and_cancel(site):
    registered = site.call("builder", "POST", "/api/workflows", json={"source": SPEC})
    assert registered.status_code == 201 and registered.json()["version"] == 1
    bad = site.call("builder", "POST", "/api/workflows", json={"source": "name: x\nsteps: 3\n"})
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "SpecError"

    def start(key: str | None, amount: float = 1200) -> dict:
        headers = {"Idempotency-Key": key} if key else {}
        response = site.call("member", "POST", "/api/workflows/expense/runs",
                             json={"inputs": {"amount": amount}}, headers=headers)
        assert response.status_code == 202, response.text
        return response.json()

    first, again, other = start("claim-7"), start("claim-7", 99999), start("claim-8")
    assert first["run_id"] == again["run_id"] != other["run_id"]
    assert first["status"] == "queued"
    assert site.call("member", "POST", "/api/workflows/expense/runs",
                     headers={"Idempotency-Key": "bad key " + "x" * 300},
                     json={"inputs": {"amount": 1}}).status_code == 400

    engine = site.world.app.engine
    engine.launch()
    try:
        run_id = first["run_id"]
        waiting = _wait(site, "member", run_id, "waiting")
        assert waiting["waiting"]["approvers"] == ["finance"]
        _wait(site, "member", other["run_id"], "waiting")
        inbox = site.call("approver", "GET", "/api/approvals").json()["runs"]
        assert {r["run_id"] for r in inbox} == {run_id, other["run_id"]}
        assert all(r["waiting"]["step"] == "check" for r in inbox)
        assert site.call("member", "GET", "/api/approvals").status_code == 403
        decide = f"/api/runs/{run_id}/approvals/check"
        by_member = site.call("member", "POST", decide, json={"approved": True})
        assert by_member.status_code == 403  # her own run, but members do not decide
        by_reader = site.call("reader", "POST", decide, json={"approved": True})
        assert by_reader.status_code == 404  # another member's run: not even visible
        decided = site.call("approver", "POST", decide,
                            json={"approved": True, "comment": "within policy"})
        assert decided.status_code == 200, decided.text
        assert decided.json()["by"] == "paula"
        assert _wait(site, "member", run_id, "succeeded")["status"] == "succeeded"
        cancelled = site.call("member", "POST", f"/api/runs/{other['run_id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    finally:
        engine.shutdown(grace_s=5)
    actions = [e.action for e in audit_entries(site.world.app.store)]
    assert actions.count("run.start") == 3 and "workflow.register" in actions
    assert "approval.decide" in actions and "run.cancel" in actions
