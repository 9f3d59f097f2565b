"""`approval`: wait for a person (`cristal approve RUN STEP`), with timeout and escalation.

The wait is durable: a worker restart resumes it with the time that is left, and
a decision sent while no worker runs is delivered when one starts. While it
waits, the run shows as `waiting` with the message and the approvers; a long wait
is parked (the run gives its queue slot back) and continued by the decision, the
escalation or the timeout. Deadlines are counted from the recorded request time,
so a parked or restarted run keeps them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field

from cristal.config import Settings
from cristal.workflows._errors import ApprovalRejected, ApprovalTimedOut
from cristal.workflows._http import HttpPolicy, send
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec

__all__ = ["FOREVER_S", "ApprovalStep", "approval_topic"]

FOREVER_S = 10 * 365 * 86400.0


def approval_topic(step_id: str) -> str:
    """The message topic a decision for this step is sent on."""
    return f"cristal.approval.{step_id}"


class Escalation(Options):
    """After `after_s` without a decision: note `to`, and POST to `url` if given."""

    after_s: float = Field(gt=0)
    to: list[str] = []
    url: str | None = None


class ApprovalOptions(Options):
    """What to ask, who may decide, and what happens on timeout or rejection."""

    message: str = "Approve this run?"
    approvers: list[str] = []
    on_timeout: Literal["fail", "approve", "reject"] = "fail"
    on_reject: Literal["fail", "continue"] = "fail"
    escalate: Escalation | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _request(message: str, approvers: list[str]) -> dict[str, Any]:
    return {"requested_at": _now(), "message": message, "approvers": approvers}


def _escalate(url: str | None, key: str, policy: HttpPolicy, payload: dict[str, Any]) -> dict:
    if url:
        send("POST", url, key=key, policy=policy, json_body=payload)
    return {"escalated_at": _now(), "notified": bool(url)}


def _decision(decision: dict[str, Any]) -> dict[str, Any]:
    return decision


class ApprovalStep:
    """Pauses the run until a decision arrives or the timeout passes."""

    name = "approval"
    options = ApprovalOptions
    templated = frozenset({"message"})
    durable = True
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Escalation must come before the timeout."""
        esc = step.options.escalate
        if esc and step.timeout_s and esc.after_s >= step.timeout_s:
            raise StepProblem("escalate.after_s must be shorter than the step's timeout_s",
                              "escalate")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """{"approved": bool, "by": who, "comment": text, "decided_at": ISO time}."""
        flow = ctx.flow
        assert flow is not None and ctx.app is not None
        opts = step.options
        message = str(ctx.args.get("message", opts.message))
        request = flow.record(step.id, _request, message, opts.approvers)
        waiting = {"step": step.id, "kind": "approval", "message": message,
                   "approvers": opts.approvers, "since": request["requested_at"]}
        flow.set_waiting(waiting)
        topic = approval_topic(step.id)
        started = datetime.fromisoformat(request["requested_at"]).timestamp()
        deadline = started + (step.timeout_s or FOREVER_S)
        decision = None
        esc = opts.escalate
        if esc is not None and started + esc.after_s < deadline:
            decision = _receive(flow, topic, started + esc.after_s)
            if decision is None:
                payload = {"run_id": ctx.run_id, "step": step.id, "message": message,
                           "escalated_to": esc.to, "tenant": ctx.tenant}
                done = flow.record(step.id, _escalate, esc.url, f"{ctx.key}#escalate",
                                   HttpPolicy.of(ctx.app.settings.workflows), payload)
                flow.set_waiting({**waiting, "escalated_to": esc.to,
                                  "escalated_at": done["escalated_at"]})
        if decision is None:
            decision = _receive(flow, topic, deadline)
        flow.set_waiting(None)
        if decision is None:
            if opts.on_timeout == "fail":
                raise ApprovalTimedOut(f"approval `{step.id}` timed out after "
                                       f"{step.timeout_s:g} s without a decision.", step=step.id)
            decision = {"approved": opts.on_timeout == "approve", "by": "timeout",
                        "comment": f"no decision within {step.timeout_s:g} s"}
        decision.setdefault("decided_at", _now())
        result = flow.record(step.id, _decision, decision)
        if not result["approved"] and opts.on_reject == "fail":
            comment = f": {result['comment']}" if result.get("comment") else ""
            raise ApprovalRejected(f"approval `{step.id}` was rejected by "
                                   f"{result.get('by') or 'someone'}{comment}.", step=step.id)
        return result


def _receive(flow: Any, topic: str, deadline: float) -> dict[str, Any] | None:
    """A decision, or None once `deadline` (epoch seconds) passes; wake-ups (sent on
    cancel, or when the run is parked) are not decisions."""
    while True:
        # The timeout only matters live; a replay returns what each recv recorded.
        timeout_s = max(0.0, deadline - time.time())
        message = flow.receive(topic, timeout_s, wake_at=deadline)
        if message is None or not (isinstance(message, dict) and message.get("wake")):
            return message
