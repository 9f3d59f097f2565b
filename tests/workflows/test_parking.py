"""A run that waits (approval, budget, long sleep) gives its queue slot back.

The `limited` queue of the engine fixture lets one run per tenant in at a time. A
run waiting for approval used to keep that slot, so the tenant's next run stayed
queued until someone decided; parked, it lets the next run through, and the
decision, its timeout or `runs resume` continues it where it waited.
"""

from __future__ import annotations

import time

import pytest

from cristal.workflows import approve, cancel_run, get_run, resume_run, start_run, wait_run


def _until(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _parked(engine, run_id: str):
    view = get_run(engine, run_id, steps=False)
    return view if view.status == "waiting" and (view.waiting or {}).get("parked") else None


GATE = """
name: gate
queue: limited
steps:
  - id: sign
    type: approval
    message: "Go?"
    approvers: [ops]
"""
QUICK = """
name: quick
queue: limited
steps:
  - id: nap
    type: sleep
    seconds: 0
"""


def test_a_waiting_run_lets_the_next_run_of_its_tenant_through(engine, spec, tenant):
    waiting = start_run(engine, spec(GATE), {}, tenant=tenant)
    _until(lambda: get_run(engine, waiting.run_id, steps=False).status == "waiting", 30,
           "the approval wait")
    # the next run of the tenant on `limited` (one at a time) does not wait for a person
    quick = wait_run(engine, start_run(engine, spec(QUICK), {}, tenant=tenant).run_id,
                     timeout_s=30, until_waiting=False)
    assert quick.status == "succeeded"
    parked = _parked(engine, waiting.run_id)
    assert parked and parked.waiting["kind"] == "approval"
    assert parked.waiting["approvers"] == ["ops"]
    approve(engine, waiting.run_id, "sign", by="olga", groups=["ops"], comment="go")
    done = wait_run(engine, waiting.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "succeeded", done.error
    assert done.outputs["sign"]["approved"] is True and done.outputs["sign"]["by"] == "olga"
    steps = {s.id: s for s in get_run(engine, waiting.run_id).steps}
    assert steps["sign"].status == "succeeded"


def test_a_parked_approval_still_escalates_and_times_out(engine, spec, tenant, receiver):
    s = spec(f"""
name: slow-gate
queue: limited
steps:
  - id: sign
    type: approval
    timeout_s: 4
    escalate: {{after_s: 2, to: [boss], url: "{receiver.url}/ok"}}
""")
    run = start_run(engine, s, {}, tenant=tenant)
    _until(lambda: _parked(engine, run.run_id), 30, "the approval to park")
    escalated = _until(lambda: (get_run(engine, run.run_id, steps=False).waiting or {}).get(
        "escalated_at"), 30, "the escalation of the parked run")
    assert escalated
    assert receiver.keys("/ok")[f"{run.run_id}/sign#escalate"] == 1
    done = wait_run(engine, run.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "failed" and "timed out after 4 s" in done.error


def test_cancel_then_resume_a_parked_run(engine, spec, tenant):
    run = start_run(engine, spec(GATE), {}, tenant=tenant)
    _until(lambda: _parked(engine, run.run_id), 30, "the approval to park")
    assert cancel_run(engine, run.run_id).status == "cancelled"
    time.sleep(1.5)  # nothing wakes a cancelled run
    assert get_run(engine, run.run_id, steps=False).status == "cancelled"
    resume_run(engine, run.run_id)
    _until(lambda: _parked(engine, run.run_id), 30, "the resumed run to wait again")
    approve(engine, run.run_id, "sign", by="olga", groups=["ops"])
    assert wait_run(engine, run.run_id, timeout_s=30, until_waiting=False).status == "succeeded"


@pytest.mark.parametrize("race", [0.0, 0.2, 0.45, 0.55, 0.7])
def test_a_decision_racing_the_parker_is_not_lost(engine, spec, tenant, race):
    run = start_run(engine, spec(GATE), {}, tenant=tenant)
    _until(lambda: get_run(engine, run.run_id, steps=False).status == "waiting", 30,
           "the approval wait")
    time.sleep(race)  # park_after_s is 0.5 in the fixture: decide around that moment
    approve(engine, run.run_id, "sign", by="olga", groups=["ops"])
    done = wait_run(engine, run.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "succeeded", done.error
