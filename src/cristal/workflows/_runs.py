"""Runs: start, wait, list, show, cancel, resume, retry, approve.

Starting enqueues the run on its queue, keyed by tenant (per-tenant limits apply);
any worker takes it. With an idempotency key the run id is derived from tenant +
key, so starting the same key twice returns the same run. `run_here` executes a
run in this process instead (the embedded path, when no worker is running).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from dbos import (
    DBOS,
    SetWorkflowAttributes,
    SetWorkflowID,
    SetWorkflowTimeout,
    make_pydantic_args_validator,
)

from cristal.errors import InvalidInput, NotFound, PermissionDenied
from cristal.governance import get_tenant
from cristal.store import new_id
from cristal.workflows._engine import Engine, app_version
from cristal.workflows._inputs import coerce_inputs
from cristal.workflows._interpreter import RESUME_TOPIC, WAKE_TOPIC, WORKFLOW_NAME, run_spec
from cristal.workflows._parking import forget_parked, wake_run
from cristal.workflows._spec import Spec
from cristal.workflows._views import RunView, run_view
from cristal.workflows.steps.approval import approval_topic

__all__ = [
    "DEFAULT_PRIORITY",
    "approve",
    "cancel_run",
    "check_approver",
    "get_run",
    "list_runs",
    "resume_run",
    "retry_run",
    "run_here",
    "start_run",
    "start_workflow",
    "wait_run",
]

DEFAULT_PRIORITY = 10  # lower runs sooner; 1 is the most urgent
_STATUSES = {"queued": ["ENQUEUED", "DELAYED"], "running": ["PENDING"],
             "waiting": ["PENDING", "CANCELLED"],  # parked runs are CANCELLED in DBOS
             "succeeded": ["SUCCESS"], "cancelled": ["CANCELLED"],
             "failed": ["ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED", "CANCELLED"]}


def _run_id(tenant: str, key: str | None) -> str:
    if not key:
        return new_id("run")
    digest = hashlib.sha256(f"{tenant}\x00{key}".encode()).hexdigest()[:26]
    return f"run_{digest}"


def _prepare(engine: Engine, spec: Spec, inputs: dict[str, Any], tenant: str | None,
             key: str | None, queue: str | None, priority: int | None,
             principal: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = engine.settings
    tenant_name = get_tenant(engine.app.store, tenant or settings.tenant).name
    queue = queue or spec.queue or "default"
    if queue not in settings.workflows.queues:
        raise InvalidInput(f"queue {queue!r} is not configured; use one of: "
                           f"{', '.join(sorted(settings.workflows.queues))} (workflows.queues).")
    priority = priority or spec.priority or DEFAULT_PRIORITY
    if not 1 <= priority <= 1_000_000:
        raise InvalidInput("--priority must be between 1 (most urgent) and 1000000.")
    values = coerce_inputs(spec.inputs, inputs, from_text=True)
    meta: dict[str, Any] = {"tenant": tenant_name, "digest": spec.digest}
    attributes = {"tenant": tenant_name, "workflow": spec.name, "queue": queue}
    if principal is not None:  # who started it: its steps read only what they may read
        meta["principal"] = principal
        attributes["started_by"] = principal.get("subject")
    return {"run_id": _run_id(tenant_name, key), "tenant": tenant_name, "queue": queue,
            "priority": priority, "inputs": values, "meta": meta, "attributes": attributes}


def start_run(engine: Engine, spec: Spec, inputs: dict[str, Any], *, tenant: str | None = None,
              key: str | None = None, queue: str | None = None, priority: int | None = None,
              delay_s: float | None = None, principal: dict[str, Any] | None = None) -> RunView:
    """Enqueue a run for the workers (not before `delay_s` seconds from now); returns it,
    queued, or as it is if the key was used before.

    `principal` (`Principal.to_dict()` plus `subject`): who started it; its research steps
    then read only the collections that principal may read."""
    p = _prepare(engine, spec, inputs, tenant, key, queue, priority, principal)
    options: dict[str, Any] = {
        "workflow_name": WORKFLOW_NAME, "queue_name": p["queue"],
        "queue_partition_key": p["tenant"], "workflow_id": p["run_id"],
        "app_version": app_version(engine.settings), "priority": p["priority"],
        "attributes": p["attributes"]}
    if spec.timeout_s:
        options["workflow_timeout"] = float(spec.timeout_s)
    if delay_s:
        options["delay_seconds"] = float(delay_s)
    engine.client.enqueue(options, spec.data, p["inputs"], p["meta"])
    return get_run(engine, p["run_id"], steps=False)


def start_workflow(engine: Engine, fn: Any, *args: Any, tenant: str | None = None,
                   key: str | None = None, queue: str = "default", priority: int | None = None,
                   **kwargs: Any) -> RunView:
    """Enqueue a Python `@workflow` for the workers (arguments checked against its types)."""
    name = getattr(fn, "__cristal_workflow__", None)
    if name is None:
        raise InvalidInput(f"{fn!r} is not a workflow: decorate it with "
                           "@cristal.workflows.workflow.")
    try:
        args, kwargs = make_pydantic_args_validator(fn)(args, kwargs)
    except ValueError as exc:  # pydantic's ValidationError, wrapped by DBOS
        raise InvalidInput(f"workflow {name}: invalid arguments: {exc}; nothing was "
                           "started.") from None
    tenant_name = get_tenant(engine.app.store, tenant or engine.settings.tenant).name
    if queue not in engine.settings.workflows.queues:
        raise InvalidInput(f"queue {queue!r} is not configured (workflows.queues).")
    run_id = _run_id(tenant_name, key)
    engine.client.enqueue({
        "workflow_name": name, "queue_name": queue, "queue_partition_key": tenant_name,
        "workflow_id": run_id, "app_version": app_version(engine.settings),
        "priority": priority or DEFAULT_PRIORITY,
        "attributes": {"tenant": tenant_name, "workflow": name, "queue": queue}}, *args, **kwargs)
    return get_run(engine, run_id, steps=False)


def run_here(engine: Engine, spec: Spec, inputs: dict[str, Any], *, tenant: str | None = None,
             key: str | None = None, principal: dict[str, Any] | None = None) -> str:
    """Start a run in this process (the engine must be launched); returns its id."""
    p = _prepare(engine, spec, inputs, tenant, key, None, None, principal)
    if _status(engine, p["run_id"]) is None:
        with SetWorkflowID(p["run_id"]), SetWorkflowAttributes(p["attributes"]), \
                SetWorkflowTimeout(float(spec.timeout_s) if spec.timeout_s else None):
            DBOS.start_workflow(run_spec, spec.data, p["inputs"], p["meta"])
    return p["run_id"]


def wait_run(engine: Engine, run_id: str, *, timeout_s: float | None = None,
             until_waiting: bool = True, poll_s: float = 0.05) -> RunView:
    """Poll until the run finishes (or waits for a person/budget); returns it with steps."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        st = _status(engine, run_id, load=False)
        if st is None:
            raise _missing(run_id)
        view = run_view(st, loaded=False)
        if view.done or (until_waiting and view.status == "waiting"):
            return get_run(engine, run_id)
        if deadline is not None and time.monotonic() > deadline:
            return get_run(engine, run_id)
        time.sleep(poll_s)
        poll_s = min(poll_s * 1.5, 0.5)


def _status(engine: Engine, run_id: str, load: bool = True) -> Any:
    found = engine.client.list_workflows(workflow_ids=[run_id], load_input=load,
                                         load_output=load)
    return found[0] if found else None


def _missing(run_id: str) -> NotFound:
    return NotFound(f"no run {run_id}; `cristal runs list` shows the runs that exist.",
                    run_id=run_id)


def get_run(engine: Engine, run_id: str, steps: bool = True) -> RunView:
    """One run; with `steps`, its step timeline (durations, outputs, model calls, cost)."""
    st = _status(engine, run_id)
    if st is None:
        raise _missing(run_id)
    ops = engine.client.list_workflow_steps(run_id) if steps else None
    return run_view(st, ops)


def list_runs(engine: Engine, *, status: str | None = None, tenant: str | None = None,
              workflow: str | None = None, limit: int = 50) -> list[RunView]:
    """Newest runs first, filtered by contract status, tenant and workflow name."""
    if status is not None and status not in _STATUSES:
        raise InvalidInput(f"--status {status!r}: use one of {', '.join(_STATUSES)}.")
    found: list[RunView] = []
    offset, page = 0, max(limit * 2, 100)
    # PostgreSQL filters by attribute in SQL; DBOS on SQLite cannot, so filter below.
    attributes = {"tenant": tenant} if tenant and engine.url.startswith("postgresql") else None
    while len(found) < limit:
        batch = engine.client.list_workflows(
            status=_STATUSES[status] if status else None, sort_desc=True, limit=page,
            offset=offset, load_input=False, load_output=False, attributes=attributes)
        for st in batch:
            if st.name == "cristal.scheduled":
                continue
            view = run_view(st, loaded=False)
            if status and view.status != status:
                continue
            if tenant and view.tenant != tenant:
                continue
            if workflow and view.workflow != workflow:
                continue
            found.append(view)
        if len(batch) < page:
            break
        offset += page
    return found[:limit]


def cancel_run(engine: Engine, run_id: str) -> RunView:
    """Cancel a run; one waiting for a person or budget is woken so it stops at once."""
    view = get_run(engine, run_id, steps=False)
    if view.done:
        raise InvalidInput(f"run {run_id} already ended ({view.status}); nothing to cancel.")
    engine.client.cancel_workflow(run_id)
    if (view.waiting or {}).get("parked"):  # nothing may wake it now; it shows as cancelled
        forget_parked(engine, run_id)
        engine.client.update_workflow_attributes(run_id, {"waiting": None}, merge=True)
    else:
        # A run blocked in a wait holds a worker thread until the wait ends: wake it, and
        # it stops at its next checkpoint (it is cancelled). A parked run holds no thread,
        # and a wake message sent to it would stay in its topic and be read as a decision
        # check when it is resumed (it then woke and parked again, racing `approve`).
        engine.client.send(run_id, {"wake": True}, _topic(view.waiting or {}))
    return get_run(engine, run_id, steps=False)


def _topic(waiting: dict[str, Any]) -> str:
    kind = waiting.get("kind")
    if kind == "approval":
        return approval_topic(waiting["step"])
    return RESUME_TOPIC if kind == "budget" else WAKE_TOPIC


def resume_run(engine: Engine, run_id: str) -> RunView:
    """Continue a run: one paused for budget checks again now; a cancelled or dead-lettered
    run is queued again from its last checkpoint."""
    st = _status(engine, run_id, load=False)
    if st is None:
        raise _missing(run_id)
    view = run_view(st, loaded=False)
    parked = (view.waiting or {}).get("parked")
    if view.status == "waiting" and (view.waiting or {}).get("kind") == "budget":
        engine.client.send(run_id, {"resume": True}, RESUME_TOPIC)
        if parked:
            wake_run(engine, run_id)
    elif parked:
        wake_run(engine, run_id)  # it checks again what it waits for, then waits on
    elif st.status in ("CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"):
        # Cancelling clears the queue; the one the run started on is in its attributes.
        engine.client.resume_workflow(run_id, queue_name=view.queue)
    elif view.status == "failed":
        raise InvalidInput(f"run {run_id} failed ({view.error}); a failed step is not tried "
                           f"again by resume: use `cristal runs retry {run_id} --from STEP`.")
    else:
        raise InvalidInput(f"run {run_id} is {view.status}; only a cancelled, dead-lettered or "
                           "budget-paused run can be resumed.")
    return get_run(engine, run_id, steps=False)


def retry_run(engine: Engine, run_id: str, from_step: str | None = None) -> RunView:
    """A new run that reuses the checkpoints before `from_step` and runs the rest again.

    Without `from_step`, it starts at the step that failed. Steps run again get new
    idempotency keys (a new run id), so their side effects are really repeated.
    """
    view = get_run(engine, run_id)
    if not view.done:
        raise InvalidInput(f"run {run_id} is {view.status}; retry a run that ended (cancel it "
                           "first with `cristal runs cancel`).")
    ops = engine.client.list_workflow_steps(run_id)
    names = [s.id for s in view.steps or []]
    if from_step is None:
        failed = [s.id for s in view.steps or [] if s.status == "failed"]
        from_step = failed[0] if failed else None
    start = 1
    if from_step is not None:
        if from_step not in names:
            raise InvalidInput(f"run {run_id} has no step {from_step!r}; its steps are: "
                               f"{', '.join(names)}.")
        ids = [op["function_id"] for op in ops if op["function_name"].split("[")[0] == from_step]
        # A step never reached starts after the last checkpoint.
        start = min(ids) if ids else max((op["function_id"] for op in ops), default=0) + 1
    handle = engine.client.fork_workflow(
        run_id, start, application_version=app_version(engine.settings),
        queue_name=view.queue or "default", queue_partition_key=view.tenant)
    return get_run(engine, handle.get_workflow_id(), steps=False)


def approve(engine: Engine, run_id: str, step: str, *, approved: bool = True,
            comment: str | None = None, by: str | None = None,
            groups: Sequence[str] = (), tenants: Sequence[str] = (),
            override: bool = False) -> dict[str, Any]:
    """Send a decision to a run waiting at an approval step, as `by` (in `groups`).

    The step's `approvers` name users or groups; when it names any, `by` must be one
    of them or be in one of them, unless `override` (a tenant admin or the owner
    signed in to the server). `tenants`, when not empty, are the only tenants whose
    runs `by` may decide.
    """
    view = get_run(engine, run_id, steps=False)
    waiting = view.waiting or {}
    if waiting.get("kind") != "approval" or waiting.get("step") != step:
        where = (f"it is waiting at step {waiting.get('step')} ({waiting.get('kind')})"
                 if waiting else f"it is {view.status}")
        raise InvalidInput(f"run {run_id} is not waiting for approval at step {step!r}: "
                           f"{where}. `cristal runs show {run_id}` shows its steps.")
    check_approver(waiting, view.tenant, by, groups, tenants, run_id, named=not override)
    decision = {"approved": approved, "comment": comment, "by": by}
    engine.client.send(run_id, decision, approval_topic(step))
    wake_run(engine, run_id)  # parked (or about to be): continue it; the decision waits
    return {"run_id": run_id, "step": step, "decision": "approved" if approved else "rejected",
            "comment": comment, "by": by}


def check_approver(waiting: dict[str, Any], tenant: str | None, by: str | None,
                   groups: Sequence[str], tenants: Sequence[str], run_id: str, *,
                   named: bool = True) -> None:
    """Refuse (PermissionDenied, exit 3) a decision by someone the step does not name
    (`named=False`: check only `tenants`)."""
    if tenants and tenant not in tenants:
        raise PermissionDenied(
            f"run {run_id} belongs to tenant {tenant}, and {by or 'you'} may act only for "
            f"{', '.join(tenants)} (identity.tenants). Nothing was decided.",
            run_id=run_id, tenant=tenant)
    approvers = [str(a) for a in waiting.get("approvers") or []]
    if not approvers or not named:
        return
    if by is None or (by not in approvers and not set(groups) & set(approvers)):
        who = f"{by} (groups: {', '.join(groups) or 'none'})" if by else "an unnamed user"
        raise PermissionDenied(
            f"step {waiting.get('step')} of run {run_id} may be decided by "
            f"{', '.join(approvers)} only, and you are {who}. Ask one of them (at the command "
            "line, an approver sets identity.user / identity.groups in their own config). "
            "Nothing was decided.",
            run_id=run_id, approvers=approvers)
