"""Runs on a real engine (this process is the worker), on SQLite and on PostgreSQL."""

from __future__ import annotations

import time

import pytest

from cristal.errors import PermissionDenied
from cristal.workflows import (
    approve,
    cancel_run,
    get_run,
    list_runs,
    resume_run,
    retry_run,
    start_run,
    wait_run,
)


def run(engine, spec, inputs=None, until_waiting=True, **kw):
    view = start_run(engine, spec, inputs or {}, **kw)
    return wait_run(engine, view.run_id, timeout_s=60, until_waiting=until_waiting)


def test_steps_branches_map_and_outputs(engine, spec, tenant, receiver):
    s = spec(f"""
name: flow
inputs: {{n: integer, label: string}}
steps:
  - id: classify
    type: model
    prompt: "Classify {{{{ inputs.label }}}}"
    fallback: {{kind: "{{{{ inputs.label }}}}"}}
  - id: route
    type: switch
    value: "{{{{ steps.classify.output.kind }}}}"
    cases: {{refund: [double], question: [never]}}
  - id: double
    type: python
    function: add
    args: {{a: "{{{{ inputs.n }}}}", b: "{{{{ inputs.n }}}}"}}
  - id: never
    type: python
    function: explode
  - id: small
    type: python
    function: echo
    when: "inputs.n > 100"
  - id: fan
    type: map
    items: "{{{{ range(inputs.n) | list }}}}"
    concurrency: 3
    step:
      type: http
      method: POST
      url: {receiver.url}/ok
      json: {{i: "{{{{ item }}}}"}}
outputs:
  total: "{{{{ steps.double.output }}}}"
  calls: "{{{{ steps.fan.output | length }}}}"
""")
    view = run(engine, s, {"n": "4", "label": "refund"}, tenant=tenant)
    assert view.status == "succeeded", view.error
    assert view.outputs == {"total": 8, "calls": 4}
    steps = {st.id: st for st in view.steps}
    assert steps["classify"].meta["fallback"] is True
    assert steps["never"].status == "skipped" and steps["small"].status == "skipped"
    assert steps["double"].input == {"args": {"a": 4, "b": 4}}
    fan = steps["fan"].output
    assert [item["status"] for item in fan] == [200] * 4
    keys = [item["body"]["key"] for item in fan]
    assert keys == [f"{view.run_id}/fan[{i}]" for i in range(4)]


def test_http_retries_with_backoff_keep_one_key(engine, spec, tenant, receiver):
    s = spec(f"""
name: flaky
steps:
  - id: call
    type: http
    method: POST
    url: {receiver.url}/fail/2
    retry: {{attempts: 4, backoff_s: 0.05, factor: 2}}
""")
    view = run(engine, s, tenant=tenant)
    assert view.status == "succeeded", view.error
    key = f"{view.run_id}/call"
    assert receiver.keys("/fail/2")[key] == 3  # two 500s, then 200, all with the same key
    assert view.outputs["call"]["body"]["seen"] == 3


def test_client_error_is_final_and_dead_letters_the_run(engine, spec, tenant, receiver):
    s = spec(f"""
name: rejected
steps:
  - id: call
    type: http
    url: {receiver.url}/status/422
    retry: {{attempts: 5, backoff_s: 0.01}}
  - id: after
    type: python
    function: echo
""")
    view = run(engine, s, tenant=tenant)
    assert view.status == "failed"
    assert "answered 422" in view.error and "step `call`" in view.error
    assert receiver.keys("/status/422")[f"{view.run_id}/call"] == 1  # not retried
    steps = {st.id: st.status for st in view.steps}
    assert steps == {"call": "failed", "after": "not_run"}
    assert view.run_id in {r.run_id for r in list_runs(engine, status="failed", tenant=tenant)}


def test_step_timeout_and_workflow_timeout(engine, spec, tenant, receiver):
    s = spec(f"""
name: slow
steps:
  - id: call
    type: http
    url: {receiver.url}/hold/2
    timeout_s: 0.3
    retry: {{attempts: 2, backoff_s: 0.01}}
""")
    view = run(engine, s, tenant=tenant)
    assert view.status == "failed" and "2 attempts" in view.error
    s2 = spec("""
name: long
timeout_s: 0.5
steps:
  - {id: nap, type: sleep, seconds: 3}
  - {id: after, type: python, function: echo}
""")
    started = time.monotonic()
    view = run(engine, s2, tenant=tenant)
    assert view.status == "failed" and "timed out" in view.error
    assert time.monotonic() - started < 20


def test_same_key_returns_the_same_run(engine, spec, tenant):
    s = spec("name: once\ninputs: {x: integer}\nsteps:\n  - {id: a, type: python, function: "
             "echo, args: {x: '{{ inputs.x }}'}}\n")
    first = start_run(engine, s, {"x": "1"}, tenant=tenant, key="order-17")
    second = start_run(engine, s, {"x": "2"}, tenant=tenant, key="order-17")
    assert first.run_id == second.run_id
    assert wait_run(engine, first.run_id).outputs == {"a": {"x": 1}}
    other = start_run(engine, s, {"x": "3"}, tenant=tenant, key="order-18")
    assert other.run_id != first.run_id


def test_approval_approve_reject_and_timeout(engine, spec, tenant, receiver):
    s = spec(f"""
name: approve
inputs: {{amount: number}}
steps:
  - id: check
    type: approval
    when: "inputs.amount > 100"
    message: "Refund {{{{ inputs.amount }}}}?"
    approvers: [finance]
    timeout_s: 30
  - id: pay
    type: http
    method: POST
    url: {receiver.url}/ok
    json: {{amount: "{{{{ inputs.amount }}}}"}}
""")
    small = run(engine, s, {"amount": "5"}, tenant=tenant)
    assert small.status == "succeeded" and {st.id: st.status for st in small.steps}[
        "check"] == "skipped"
    big = run(engine, s, {"amount": "500"}, tenant=tenant)
    assert big.status == "waiting"
    assert big.waiting["kind"] == "approval" and big.waiting["message"] == "Refund 500?"
    assert {st.id: st.status for st in big.steps}["check"] == "waiting"
    with pytest.raises(Exception, match="not waiting for approval at step 'pay'"):
        approve(engine, big.run_id, "pay")
    with pytest.raises(PermissionDenied, match="may be decided by finance only"):
        approve(engine, big.run_id, "check", comment="ok", by="mallory")
    approve(engine, big.run_id, "check", comment="ok", by="alice", groups=["finance"])
    done = wait_run(engine, big.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "succeeded", done.error
    assert done.outputs["check"]["approved"] is True and done.outputs["check"]["by"] == "alice"
    no = run(engine, s, {"amount": "700"}, tenant=tenant)
    approve(engine, no.run_id, "check", approved=False, comment="too much", by="bob",
            groups=["finance"])
    no = wait_run(engine, no.run_id, timeout_s=30, until_waiting=False)
    assert no.status == "failed" and "rejected by bob: too much" in no.error
    assert receiver.keys("/ok")[f"{no.run_id}/pay"] == 0


def test_approval_escalates_then_times_out(engine, spec, tenant, receiver):
    s = spec(f"""
name: esc
steps:
  - id: ok
    type: approval
    timeout_s: 1.5
    on_timeout: reject
    on_reject: continue
    escalate: {{after_s: 0.5, to: [cfo], url: {receiver.url}/ok}}
""")
    view = run(engine, s, tenant=tenant, until_waiting=False)
    assert view.status == "succeeded", view.error
    assert view.outputs["ok"]["approved"] is False and view.outputs["ok"]["by"] == "timeout"
    assert receiver.keys("/ok")[f"{view.run_id}/ok#escalate"] == 1


def test_cancel_resume_and_retry_from_a_step(engine, spec, tenant, receiver):
    s = spec(f"""
name: manage
steps:
  - id: first
    type: http
    method: POST
    url: {receiver.url}/ok
  - id: gate
    type: approval
  - id: last
    type: http
    method: POST
    url: {receiver.url}/ok
""")
    view = run(engine, s, tenant=tenant)
    assert view.status == "waiting"
    cancelled = cancel_run(engine, view.run_id)
    assert cancelled.status == "cancelled"
    resumed = resume_run(engine, view.run_id)
    assert resumed.status in ("queued", "running", "waiting")
    assert wait_run(engine, view.run_id, timeout_s=30).status == "waiting"
    approve(engine, view.run_id, "gate")
    done = wait_run(engine, view.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "succeeded", done.error
    assert receiver.keys("/ok")[f"{view.run_id}/first"] == 1  # resume re-used the checkpoint
    again = retry_run(engine, view.run_id, "last")
    assert again.run_id != view.run_id
    again = wait_run(engine, again.run_id, timeout_s=30)
    assert again.status == "succeeded" and again.forked_from == view.run_id
    assert receiver.keys("/ok")[f"{again.run_id}/first"] == 0  # copied, not re-sent
    assert receiver.keys("/ok")[f"{again.run_id}/last"] == 1


def test_budget_pause_then_resume_when_raised(engine, spec, tenant):
    from cristal.governance import update_tenant

    update_tenant(engine.app.store, tenant, budget_tokens=5)
    s = spec("""
name: costly
steps:
  - id: ask
    type: model
    route: smart
    prompt: "Say hello"
""")
    view = start_run(engine, s, {}, tenant=tenant)
    view = wait_run(engine, view.run_id, timeout_s=30)
    assert view.status == "waiting" and view.waiting["kind"] == "budget"
    assert "nothing was sent" in view.waiting["reason"]
    update_tenant(engine.app.store, tenant, budget_tokens=100_000)
    resume_run(engine, view.run_id)
    done = wait_run(engine, view.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "succeeded", done.error
    assert done.outputs["ask"] == "echo: Say hello"
    [step] = done.steps
    assert step.attempts >= 2 and len(step.model_calls) == 1 and step.cost_usd > 0
    assert get_run(engine, view.run_id).model_calls == 1


def test_tenant_limits_rate_and_priority(engine, spec, tenant, receiver):
    s = spec(f"""
name: limited
queue: limited
inputs: {{n: integer}}
steps:
  - id: call
    type: http
    method: POST
    url: {receiver.url}/hold/0.05
    json: {{tenant: "{{{{ run.tenant }}}}", n: "{{{{ inputs.n }}}}"}}
""")
    started = time.monotonic()
    runs = [start_run(engine, s, {"n": str(i)}, tenant=tenant, priority=50).run_id
            for i in range(8)]
    urgent = start_run(engine, s, {"n": "99"}, tenant=tenant, priority=1).run_id
    for run_id in [*runs, urgent]:
        assert wait_run(engine, run_id, timeout_s=30).status == "succeeded"
    elapsed = time.monotonic() - started
    assert receiver.max_inflight[tenant] == 1  # tenant_concurrency: 1
    # tenant_rate: at most 3 starts per second, so 9 runs span three windows (> 1 s),
    # where one at a time they would take ~0.5 s. (DBOS on SQLite with Python 3.11
    # stamps starts to the whole second, so the window is a calendar second there.)
    assert elapsed >= 1.0
    order = [r["body"]["n"] for r in receiver.requests
             if isinstance(r["body"], dict) and r["body"].get("tenant") == tenant]
    assert order.index(99) < 4  # priority 1 overtook the queued priority-50 runs


def test_budget_pause_inside_a_map(engine, spec, tenant):
    from cristal.governance import update_tenant

    update_tenant(engine.app.store, tenant, budget_tokens=5)
    s = spec("""
name: fanout
steps:
  - id: ask
    type: map
    items: [one, two]
    step: {type: model, route: smart, prompt: "Say {{ item }}"}
""")
    view = wait_run(engine, start_run(engine, s, {}, tenant=tenant).run_id, timeout_s=30)
    assert view.status == "waiting" and view.waiting == {
        "step": "ask", "kind": "budget", "reason": view.waiting["reason"]}
    update_tenant(engine.app.store, tenant, budget_tokens=100_000)
    resume_run(engine, view.run_id)
    done = wait_run(engine, view.run_id, timeout_s=30, until_waiting=False)
    assert done.status == "succeeded", done.error
    assert done.outputs["ask"] == ["echo: Say one", "echo: Say two"]
    assert done.model_calls == 2


def test_runtime_template_error_fails_the_right_step(engine, spec, tenant):
    s = spec("""
name: typo
steps:
  - {id: a, type: python, function: echo, args: {x: 1}}
  - {id: b, type: python, function: echo, args: {y: "{{ steps.a.output.nope }}"}}
  - {id: c, type: python, function: explode}
""")
    view = run(engine, s, tenant=tenant)
    assert view.status == "failed" and "step `b`" in view.error and "nope" in view.error
    assert {st.id: st.status for st in view.steps} == {"a": "succeeded", "b": "failed",
                                                      "c": "not_run"}
    assert view.failed_step == "b"
