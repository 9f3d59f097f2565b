"""The one DBOS workflow behind every YAML spec: run the steps of a validated spec in order.

Workflow code here is deterministic: it only renders templates over inputs and
recorded step outputs. Everything else happens in checkpointed DBOS operations:
each operation step is one `DBOS.run_step` named after the step (retries,
backoff, timeout, idempotency key `run_id/step_id`); flow steps use recv/sleep.
A model call refused for budget pauses the run (`waiting`, reason budget) and is
tried again with growing delays, or at once on `cristal runs resume`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dbos import DBOS
from dbos._error import DBOSMaxStepRetriesExceeded, DBOSStepTimeoutError

from cristal.errors import BudgetExceeded, CristalError
from cristal.workflows._engine import current_app
from cristal.workflows._errors import StepError
from cristal.workflows._http import Secrets
from cristal.workflows._spec import Spec, spec_from_data
from cristal.workflows._steptypes import (
    RetryPolicy,
    StepContext,
    StepSpec,
    StepType,
    _current,
    get_step_type,
)
from cristal.workflows._templates import TemplateError, render_value

__all__ = ["RESUME_TOPIC", "WAKE_TOPIC", "WORKFLOW_NAME", "run_spec"]

WORKFLOW_NAME = "cristal.run"
RESUME_TOPIC = "cristal.resume"
WAKE_TOPIC = "cristal.wake"
_FIRST_RECHECK_S = 5.0


@DBOS.workflow(name=WORKFLOW_NAME)
def run_spec(spec: dict[str, Any], inputs: dict[str, Any], meta: dict[str, Any]) -> dict:
    """Run a validated spec (as data) with typed inputs; returns the run's outputs."""
    return _Runner(spec_from_data(spec, meta.get("digest")), inputs, meta).execute()


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, CristalError):
        return exc.retryable
    return True


def _invoke(step_type: StepType, step: StepSpec, ctx: StepContext) -> dict[str, Any]:
    """The body of one checkpointed operation: run the type, wrap output and facts."""
    ctx.meta = {}
    token = _current.set(ctx)
    try:
        output = step_type.run(step, ctx)
    except BudgetExceeded as exc:
        return {"output": None, "meta": ctx.meta,
                "refused": {"reason": "budget", "message": exc.message}}
    finally:
        _current.reset(token)
    return {"output": output, "meta": ctx.meta} if ctx.meta else {"output": output}


class _Refused:
    """An operation the budget refused (map items hand it back instead of pausing)."""

    def __init__(self, envelope: dict[str, Any]) -> None:
        self.message = envelope["refused"]["message"]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, DBOSMaxStepRetriesExceeded) and exc.errors:
        return f"{len(exc.errors)} attempts, last: {_describe(exc.errors[-1])}"
    if isinstance(exc, DBOSStepTimeoutError):
        return f"timed out after {exc.timeout_seconds:g} s"
    text = exc.message if isinstance(exc, CristalError) else str(exc)
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, StepError) else text


class _Runner:
    """Executes one run; also the `Flow` that flow step types use."""

    def __init__(self, spec: Spec, inputs: dict[str, Any], meta: dict[str, Any]) -> None:
        self.spec = spec
        self.run_id = DBOS.workflow_id or ""
        self.tenant = meta.get("tenant") or "default"
        self.principal = meta.get("principal")
        self.app = current_app()
        self.steps: dict[str, dict[str, Any]] = {}
        self.scope = {"inputs": inputs, "steps": self.steps, "secrets": Secrets(),
                      "run": {"id": self.run_id, "tenant": self.tenant, "workflow": spec.name}}
        self._active: StepSpec | None = None

    # -- the run ------------------------------------------------------------

    def execute(self) -> dict[str, Any]:
        for sid in self.spec.order:
            step = self.spec.steps[sid]
            if not self._gate_open(sid) or (step.when is not None and not self._when(step)):
                self.steps[sid] = {"output": None, "status": "skipped"}
                continue
            self.steps[sid] = {"output": self._step(step), "status": "succeeded"}
        if self.spec.outputs is None:
            return {k: v["output"] for k, v in self.steps.items() if v["status"] == "succeeded"}
        try:
            return render_value(self.spec.outputs, self.scope)
        except TemplateError as exc:
            raise StepError(f"outputs: {exc}") from None

    def _gate_open(self, sid: str) -> bool:
        gate = self.spec.gates.get(sid)
        if gate is None:
            return True
        owner = self.steps.get(gate[0]) or {}
        return owner.get("status") == "succeeded" and (owner.get("output") or {}).get(
            "branch") == gate[1]

    def _when(self, step: StepSpec) -> bool:
        try:
            return bool(render_value(step.when, self.scope))
        except TemplateError as exc:
            raise StepError(f"step `{step.id}`.when: {exc}", step=step.id) from None

    def _step(self, step: StepSpec) -> Any:
        step_type = get_step_type(step.type)
        if step_type is None:
            raise StepError(f"step `{step.id}`: type `{step.type}` is not registered in this "
                            "worker; register it on every worker.", step=step.id)
        self._active = step
        args = self.render(step.templates)
        if not step_type.durable:
            return self._op(step, step_type, args, step.id)
        ctx = StepContext(self.run_id, self.tenant, step.id, f"{self.run_id}/{step.id}", args,
                          app=self.app, workflow=self.spec.name, flow=self,
                          principal=self.principal)
        return step_type.run(step, ctx)

    # -- operations -----------------------------------------------------------

    def _op(self, step: StepSpec, step_type: StepType, args: dict[str, Any], path: str,
            reservation: Any = None, pause: bool = True) -> Any:
        waited = False
        delay = _FIRST_RECHECK_S
        while True:
            envelope = self._attempt(step, step_type, args, path, reservation)
            reservation = None
            refused = envelope.get("refused")
            if refused is None:
                if waited:
                    self.set_waiting(None)
                return envelope["output"]
            if not pause:
                return _Refused(envelope)
            if not waited:
                self.set_waiting({"step": path, "kind": "budget", "reason": refused["message"]})
                waited = True
            DBOS.recv(RESUME_TOPIC, timeout_seconds=delay)
            delay = min(delay * 2, self.app.settings.workflows.budget_recheck_s)

    def _attempt(self, step: StepSpec, step_type: StepType, args: dict[str, Any], path: str,
                 reservation: Any) -> dict[str, Any]:
        ctx = StepContext(self.run_id, self.tenant, path, f"{self.run_id}/{path}", args,
                          app=self.app, workflow=self.spec.name,
                          principal=self.principal)
        policy = step.retry or RetryPolicy(attempts=step_type.attempts)
        options: dict[str, Any] = {"name": path}
        if policy.attempts > 1:
            options.update(retries_allowed=True, max_attempts=policy.attempts,
                           interval_seconds=policy.backoff_s, backoff_rate=policy.factor,
                           should_retry=_retryable)
        fn: Any = functools.partial(_invoke, step_type, step, ctx)
        if step.timeout_s:
            options["timeout_seconds"] = step.timeout_s
            sync_fn = fn

            async def fn() -> dict[str, Any]:
                return await asyncio.to_thread(sync_fn)
        try:
            if reservation is not None:
                return reservation.run(options, fn)
            return DBOS.run_step(options, fn)
        except (DBOSMaxStepRetriesExceeded, DBOSStepTimeoutError) as exc:
            message = f"step `{path}` failed ({_describe(exc)})"
        except StepError as exc:
            message = f"step `{path}` failed: {exc.message}"
        except Exception as exc:
            if type(exc).__module__.startswith("dbos"):
                raise  # the engine's own signals (cancelled, conflict) are not step failures
            message = f"step `{path}` failed: {_describe(exc)}"
        raise StepError(message, step=path.split("[")[0])

    # -- Flow: what flow step types use ----------------------------------------

    def render(self, value: Any, extra: dict[str, Any] | None = None) -> Any:
        """Render compiled templates over the run's scope (plus item/index in a map)."""
        scope = {**self.scope, **extra} if extra else self.scope
        try:
            return render_value(value, scope)
        except TemplateError as exc:
            name = self._active.id if self._active else "?"
            raise StepError(f"step `{name}`: {exc}", step=name) from None

    def record(self, name: str, fn: Any, *args: Any) -> Any:
        """Run `fn(*args)` once as a checkpointed step named `name`."""
        return DBOS.run_step({"name": name}, fn, *args)

    def sleep_until(self, until: float) -> None:
        """Durable sleep until an epoch time; `cristal runs cancel` can wake it."""
        while True:
            # A wake-up (sent on cancel) ends this wait; if the run is resumed later, the
            # loop sleeps what is left. Each pass is a recorded recv, so replays agree.
            if DBOS.recv(WAKE_TOPIC, timeout_seconds=max(0.0, until - time.time())) is None:
                return

    def receive(self, topic: str, timeout_s: float) -> Any:
        """Durable wait for a message."""
        return DBOS.recv(topic, timeout_seconds=timeout_s)

    def set_waiting(self, info: dict[str, Any] | None) -> None:
        """Mark (or clear) why the run waits; shown by `cristal runs`."""
        value = None if info is None else {**info, "run": self.run_id}
        DBOS.update_workflow_attributes(self.run_id, {"waiting": value}, merge=True)

    def run_ops(self, step: StepSpec, args: list[dict[str, Any]], concurrency: int,
                extras: list[dict[str, Any]]) -> list[Any]:
        """Each item as its own checkpointed step `<map id>[i]`, `concurrency` at a time."""
        assert self._active is not None
        owner = self._active
        step_type = get_step_type(step.type)
        assert step_type is not None
        results: list[Any] = [None] * len(args)
        pending = list(range(len(args)))
        delay = _FIRST_RECHECK_S
        waited = False
        while pending:
            # Step ids are drawn here, in item order, so a replay finds every item's record.
            reserved = [DBOS.reserve_step() for _ in pending]
            with ThreadPoolExecutor(max_workers=min(concurrency, len(pending))) as pool:
                futures = [pool.submit(contextvars.copy_context().run, self._op, step, step_type,
                                       args[i], f"{owner.id}[{i}]", res, False)
                           for i, res in zip(pending, reserved, strict=True)]
                outcomes = []
                for future in futures:
                    try:
                        outcomes.append(future.result())
                    except BaseException as exc:  # keep the others running to completion
                        outcomes.append(exc)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            refused = []
            for i, outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, _Refused):
                    refused.append(i)
                    if not waited:
                        self.set_waiting({"step": owner.id, "kind": "budget",
                                          "reason": outcome.message})
                        waited = True
                else:
                    results[i] = outcome
            pending = refused
            if pending:
                DBOS.recv(RESUME_TOPIC, timeout_seconds=delay)
                delay = min(delay * 2, self.app.settings.workflows.budget_recheck_s)
        if waited:
            self.set_waiting(None)
        return results
