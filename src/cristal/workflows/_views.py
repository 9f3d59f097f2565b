"""What `cristal runs` shows: DBOS statuses and checkpoints turned into runs and step timelines.

Run status: queued (ENQUEUED, DELAYED) · running (PENDING) · waiting (PENDING and
waiting for a person, a budget or a long sleep) · succeeded · failed (ERROR, a
timeout, or the dead letter MAX_RECOVERY_ATTEMPTS_EXCEEDED) · cancelled.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from cristal.errors import CristalError
from cristal.workflows._spec import Spec, spec_from_data
from cristal.workflows._steptypes import get_step_type
from cristal.workflows._templates import TemplateError, render_value

__all__ = ["RunView", "StepView", "run_status", "run_view"]

WORKFLOW_NAME = "cristal.run"
_ITEM = re.compile(r"^(?P<base>[A-Za-z_][A-Za-z0-9_]*)\[(?P<index>\d+)\]$")
_TERMINAL = ("succeeded", "failed", "cancelled")


@dataclass
class StepView:
    """One step of a run: status, timing, attempts, input, output, model calls and cost."""

    id: str
    type: str
    status: str
    started_at: str | None = None
    finished_at: str | None = None
    duration_ms: float | None = None
    attempts: int = 0
    input: Any = None
    output: Any = None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    model_calls: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0.0


@dataclass
class RunView:
    """One run as the CLI and API show it (the contract's `run_id`, `status`, `outputs`)."""

    run_id: str
    status: str
    outputs: dict[str, Any]
    workflow: str
    tenant: str | None
    queue: str | None
    created_at: str | None
    finished_at: str | None
    error: str | None = None
    failed_step: str | None = None
    waiting: dict[str, Any] | None = None
    attempts: int = 0
    forked_from: str | None = None
    executor: str | None = None
    cost_usd: float = 0.0
    model_calls: int = 0
    inputs: dict[str, Any] | None = None
    started_by: str | None = None
    steps: list[StepView] | None = None
    withheld: str | None = None  # why inputs and outputs are not shown to this viewer

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form; `steps` only when loaded."""
        data = asdict(self)
        if self.steps is None:
            data.pop("steps")
        if self.withheld is None:
            data.pop("withheld")
        return data

    @property
    def done(self) -> bool:
        """True once the run will not change by itself (terminal)."""
        return self.status in _TERMINAL


def _iso(ms: int | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _waiting(st: Any) -> dict[str, Any] | None:
    waiting = (st.attributes or {}).get("waiting")
    if isinstance(waiting, dict) and waiting.get("run") == st.workflow_id:
        return {k: v for k, v in waiting.items() if k != "run"}
    return None


def _timed_out(st: Any) -> bool:
    deadline = st.workflow_deadline_epoch_ms
    ended = st.completed_at or st.updated_at
    # SQLite stamps whole seconds, so the cancel may read up to 1 s before the deadline.
    return bool(deadline and ended and ended >= deadline - 1000)


def run_status(st: Any) -> str:
    """The contract status of a DBOS workflow status."""
    s = st.status
    if s in ("ENQUEUED", "DELAYED"):
        return "queued"
    if s == "PENDING":
        return "waiting" if _waiting(st) else "running"
    if s == "SUCCESS":
        return "succeeded"
    if s == "CANCELLED":
        return "failed" if _timed_out(st) else "cancelled"
    return "failed"


def _error_text(st: Any) -> str | None:
    if st.status == "MAX_RECOVERY_ATTEMPTS_EXCEEDED":
        return (f"dead letter: the run was started {st.recovery_attempts} times without "
                "finishing (its worker kept dying); fix the cause, then `cristal runs resume "
                f"{st.workflow_id}`.")
    if st.status == "CANCELLED" and _timed_out(st):
        return (f"timed out after {st.workflow_timeout_ms / 1000:g} s (the spec's timeout_s); "
                f"`cristal runs retry {st.workflow_id}` starts it again.")
    err = st.error
    if err is None:
        return None
    return err.message if isinstance(err, CristalError) else f"{type(err).__name__}: {err}"


def run_view(st: Any, ops: list[dict[str, Any]] | None = None, loaded: bool = True) -> RunView:
    """A RunView from a DBOS status; with `ops` (its checkpoints), the step timeline too.

    `loaded` False: the status was read without inputs and outputs (listings).
    """
    attrs = st.attributes or {}
    status = run_status(st)
    spec, inputs = _spec_and_inputs(st)
    view = RunView(
        run_id=st.workflow_id, status=status, outputs={}, workflow=attrs.get("workflow")
        or st.name, tenant=attrs.get("tenant") or st.queue_partition_key,
        queue=attrs.get("queue") or st.queue_name, created_at=_iso(st.created_at),
        finished_at=_iso(st.completed_at) if status in _TERMINAL else None,
        error=_error_text(st) if status in ("failed", "cancelled") else None,
        failed_step=getattr(st.error, "step", None) if status == "failed" else None,
        waiting=_waiting(st) if status == "waiting" else None,
        attempts=st.recovery_attempts or 0, forked_from=st.forked_from, executor=st.executor_id,
        inputs=inputs, started_by=attrs.get("started_by"),
    )
    if status == "succeeded" and loaded:
        view.outputs = st.output if isinstance(st.output, dict) else {"result": st.output}
    if ops is not None:
        view.steps = _timeline(spec, inputs or {}, ops, view)
        view.cost_usd = round(sum(s.cost_usd for s in view.steps), 6)
        view.model_calls = sum(len(s.model_calls) for s in view.steps)
        if status != "succeeded":
            view.outputs = {s.id: s.output for s in view.steps if s.status == "succeeded"}
    return view


def _spec_and_inputs(st: Any) -> tuple[Spec | None, dict[str, Any] | None]:
    args = (st.input or {}).get("args") if isinstance(st.input, dict) else None
    if st.name != WORKFLOW_NAME or not args or len(args) < 3:
        return None, None
    try:
        return spec_from_data(args[0], args[2].get("digest")), args[1]
    except CristalError:
        return None, args[1]


def _timeline(spec: Spec | None, inputs: dict[str, Any], ops: list[dict[str, Any]],
              run: RunView) -> list[StepView]:
    groups: dict[str, list[dict[str, Any]]] = {}
    current = None
    for op in ops:
        name = op["function_name"]
        match = _ITEM.match(name)
        base = match.group("base") if match else name
        if (spec is not None and base in spec.steps) or (spec is None and "DBOS." not in name):
            current = base
            groups.setdefault(base, []).append(op)
        elif current is not None:
            groups[current].append(op)
    order = spec.order if spec is not None else list(groups)
    views = []
    scope = {"inputs": inputs, "steps": {}, "run": {"id": run.run_id, "tenant": run.tenant,
                                                    "workflow": run.workflow}}
    touched = [sid for sid in order if sid in groups]
    for sid in order:
        step = spec.steps[sid] if spec is not None else None
        view = _step_view(sid, step, groups.get(sid), run, sid != (touched or [None])[-1])
        if step is not None and view.status != "not_run":
            view.input = _input(step, scope)
        scope["steps"][sid] = {"output": view.output, "status": view.status}
        views.append(view)
    return views


def _step_view(sid: str, step: Any, ops: list[dict[str, Any]] | None, run: RunView,
               passed: bool) -> StepView:
    type_name = step.type if step is not None else "python"
    if not ops:
        if run.failed_step == sid:  # failed before its first checkpoint (a template)
            return StepView(sid, type_name, "failed", error=run.error)
        status = ("skipped" if run.status == "succeeded" else "not_run") if run.done else (
            "pending")
        return StepView(sid, type_name, status)
    named = [op for op in ops if op["function_name"] == sid or _ITEM.match(op["function_name"])]
    started = min(op["started_at_epoch_ms"] or 0 for op in ops)
    ends = [op["completed_at_epoch_ms"] for op in ops if op["completed_at_epoch_ms"]]
    view = StepView(sid, type_name, "succeeded", _iso(started), _iso(max(ends) if ends else None))
    if ends:
        view.duration_ms = float(max(ends) - started)
    items = [op for op in named if _ITEM.match(op["function_name"])]
    last = named[-1] if named else ops[-1]
    # Several records under the step's own name: an operation tried again after a budget
    # pause. A flow step (approval, sleep) records more than one by design.
    durable = step is not None and _durable(step)
    view.attempts = 1 if durable else sum(1 for op in named if op["function_name"] == sid) or 1
    envelopes = [op["output"] for op in (items or [last]) if isinstance(op["output"], dict)]
    for env in envelopes:
        call = (env.get("meta") or {}).get("model_call")
        if call:
            view.model_calls.append(call)
            view.cost_usd += call.get("cost_usd") or 0.0
    if items:
        latest: dict[int, Any] = {}
        for op in items:
            latest[int(_ITEM.match(op["function_name"]).group("index"))] = op
        view.output = [_value(latest[i]) for i in sorted(latest)]
        view.meta = {"items": len(latest)}
    else:
        view.output = _value(last)
        view.meta = (last["output"] or {}).get("meta") or {} if isinstance(
            last["output"], dict) else {}
    errors = [op for op in ops if op["error"] is not None]
    if errors or run.failed_step == sid:
        view.status = "failed"
        err = errors[-1]["error"] if errors else None
        view.error = (err.message if isinstance(err, CristalError) else str(err)) if err else (
            run.error)
    elif run.waiting and str(run.waiting.get("step", "")).split("[")[0] == sid:
        view.status = "waiting"
    elif not passed and not run.done and (step is None or durable):
        view.status = "running"
    return view


def _durable(step: Any) -> bool:
    step_type = get_step_type(step.type)
    return bool(step_type and step_type.durable)


def _value(op: dict[str, Any]) -> Any:
    out = op["output"]
    if isinstance(out, dict) and "output" in out and set(out) <= {"output", "meta", "refused"}:
        return out["output"]
    return out


def _input(step: Any, scope: dict[str, Any]) -> Any:
    """The step's arguments, re-rendered from recorded data (headers shown as written)."""
    shown = {k: v for k, v in step.templates.items() if k != "headers"}
    try:
        return render_value(shown, scope) or None
    except TemplateError:
        return None
