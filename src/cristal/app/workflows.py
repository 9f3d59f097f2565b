"""Use cases of workflows: register specs, start runs, see, cancel and resume them, decide
approvals. A run remembers who started it: its research steps read only what they may,
members see and cancel their own runs, approvers decide only where they are named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cristal import workflows as wf
from cristal.app._access import record, tenant_for
from cristal.app._app import App
from cristal.errors import NotFound, PermissionDenied
from cristal.governance import Principal, allowed, audit_entries, get_tenant, require
from cristal.research import get_session
from cristal.workflows import RunView, Spec, StoredSpec

__all__ = ["RunView", "approvals_waiting", "cancel", "decide", "get_spec", "list_specs",
           "register", "resume", "retry", "run", "run_here", "runs", "start", "start_spec"]


def register(app: App, principal: Principal, source: str, *,
             allow_groups: list[str] | None = None, tenant: str | None = None) -> StoredSpec:
    """Validate a YAML spec and store it as the next version of its workflow."""
    where = tenant_for(app, principal, tenant, "workflows.register", "register workflows")
    stored = wf.store_spec(app.store, where, source, settings=app.settings,
                           allow_groups=allow_groups, created_by=principal.actor)
    record(app, principal, "workflow.register", tenant=where, target=stored.name,
           details={"version": stored.version, "digest": stored.digest,
                    "allow_groups": list(stored.allow_groups)})
    return stored


def list_specs(app: App, principal: Principal, tenant: str | None = None) -> list[StoredSpec]:
    """The registered workflows (newest versions)."""
    where = tenant_for(app, principal, tenant, "workflows.read", "list workflows")
    return wf.list_stored_specs(app.store, where)


def get_spec(app: App, principal: Principal, name: str, version: int | None = None,
             tenant: str | None = None) -> StoredSpec:
    """One registered workflow (with its YAML)."""
    where = tenant_for(app, principal, tenant, "workflows.read", "read workflows")
    return wf.get_stored_spec(app.store, where, name, version, app.settings)[0]


def _started(app: App, principal: Principal, spec: Spec, inputs: dict[str, Any],
             tenant: str, key: str | None, queue: str | None,
             priority: int | None) -> RunView:
    view = wf.start_run(app.engine, spec, inputs, tenant=tenant, key=key, queue=queue,
                        priority=priority, principal=principal.to_dict())
    record(app, principal, "run.start", tenant=tenant, target=view.run_id,
           details={"workflow": spec.name, "digest": spec.digest, "key": key,
                    "inputs": sorted(inputs)})
    return view


def start(app: App, principal: Principal, name: str, inputs: dict[str, Any], *,
          key: str | None = None, version: int | None = None, tenant: str | None = None,
          queue: str | None = None, priority: int | None = None) -> RunView:
    """Start a registered workflow for the workers; the same `key` returns the same run."""
    where = tenant_for(app, principal, tenant, "workflows.start", "start workflows")
    stored, spec = wf.get_stored_spec(app.store, where, name, version, app.settings)
    if (stored.allow_groups and not allowed(principal, "workflows.register")
            and not set(stored.allow_groups) & set(principal.groups)):
        raise PermissionDenied(f"workflow {name} may be started by members of "
                               f"{', '.join(stored.allow_groups)} only; ask a builder to add "
                               "your group.", workflow=name)
    return _started(app, principal, spec, inputs, where.name, key, queue, priority)


def start_spec(app: App, principal: Principal, spec: Spec, inputs: dict[str, Any], *,
               key: str | None = None, tenant: str | None = None, queue: str | None = None,
               priority: int | None = None, delay_s: float | None = None) -> RunView:
    """Start a run of a spec given as a file (the command line)."""
    where = tenant_for(app, principal, tenant, "workflows.register", "run workflow files")
    if delay_s:
        view = wf.start_run(app.engine, spec, inputs, tenant=where.name, key=key, queue=queue,
                            priority=priority, delay_s=delay_s, principal=principal.to_dict())
        record(app, principal, "run.start", tenant=where, target=view.run_id,
               details={"workflow": spec.name, "digest": spec.digest, "key": key,
                        "delay_s": delay_s})
        return view
    return _started(app, principal, spec, inputs, where.name, key, queue, priority)


def _own(principal: Principal, view: RunView) -> bool:
    return view.started_by is not None and view.started_by == principal.subject


def _visible(app: App, principal: Principal, run_id: str) -> RunView:
    """The run if the principal may see it; NotFound (as for a missing run) otherwise."""
    if not (allowed(principal, "runs.read") or allowed(principal, "runs.read_own")):
        require(principal, "runs.read", "see workflow runs")
    view = wf.get_run(app.engine, run_id)
    same_tenant = principal.is_owner or view.tenant == principal.tenant
    if same_tenant and (allowed(principal, "runs.read") or _own(principal, view)):
        return view
    raise NotFound(f"no run {run_id}; `cristal runs list` shows the runs that exist.",
                   run_id=run_id)


def _reads_all(app: App, principal: Principal, view: RunView) -> bool:
    """Whether the viewer may read what every research step of the run read."""
    steps = view.steps if view.steps is not None else wf.get_run(app.engine, view.run_id).steps
    sessions = [s.meta.get("research_session") for s in steps or [] if s.type == "research"
                and (s.status != "pending" or s.meta.get("research_session"))]
    if not sessions:
        return True
    tenant = get_tenant(app.store, view.tenant) if view.tenant else None
    for session_id in sessions:
        if not session_id or tenant is None:
            return False
        try:
            get_session(app.store, tenant, session_id, reader=principal)
        except NotFound:
            return False
    return True


def _shown(app: App, principal: Principal, view: RunView) -> RunView:
    """The run as this viewer may see it: a run whose research steps read a collection the
    viewer may not read keeps its statuses, timings and errors, but not its inputs and
    outputs (they may quote passages); `withheld` names why."""
    if principal.kind == "local" or principal.is_owner or _own(principal, view):
        return view
    if _reads_all(app, principal, view):
        return view
    steps = None if view.steps is None else [
        replace(s, input=None, output=None, meta={k: v for k, v in s.meta.items()
                                                  if k != "research_session"})
        for s in view.steps]
    return replace(view, inputs=None, outputs={}, steps=steps, withheld=(
        "inputs and outputs withheld: a research step of this run read a collection you "
        "may not read"))


def runs(app: App, principal: Principal, *, status: str | None = None,
         workflow: str | None = None, limit: int = 50, tenant: str | None = None,
         all_tenants: bool = False) -> list[RunView]:
    """Recent runs: the tenant's (builders, admins, approvers) or one's own (members)."""
    scope = None if (principal.is_owner and all_tenants and tenant is None) else tenant_for(
        app, principal, tenant).name
    checked = principal.with_tenant(scope or principal.tenant)
    if not allowed(checked, "runs.read"):
        require(checked, "runs.read_own", "list runs")
        found = wf.list_runs(app.engine, status=status, tenant=scope, workflow=workflow,
                             limit=limit * 4)
        return [v for v in found if _own(principal, v)][:limit]
    return [_shown(app, principal, v) for v in
            wf.list_runs(app.engine, status=status, tenant=scope, workflow=workflow, limit=limit)]


def run(app: App, principal: Principal, run_id: str) -> RunView:
    """One run with its steps (inputs and outputs withheld where they may quote a collection
    the viewer may not read)."""
    return _shown(app, principal, _visible(app, principal, run_id))


def _manage(app: App, principal: Principal, run_id: str, doing: str) -> RunView:
    view = _visible(app, principal, run_id)
    if not _own(principal, view):
        require(principal.with_tenant(view.tenant or principal.tenant), "runs.manage", doing)
    return view


def _change(app: App, principal: Principal, run_id: str, verb: str) -> RunView:
    view = _manage(app, principal, run_id, f"{verb} runs")
    done = (wf.cancel_run if verb == "cancel" else wf.resume_run)(app.engine, run_id)
    record(app, principal, f"run.{verb}", tenant=view.tenant, target=run_id,
           details={"workflow": view.workflow, "was": view.status})
    return _shown(app, principal, done)


def cancel(app: App, principal: Principal, run_id: str) -> RunView:
    """Cancel a run (one's own, or any for builders and admins)."""
    return _change(app, principal, run_id, "cancel")


def resume(app: App, principal: Principal, run_id: str) -> RunView:
    """Resume a cancelled, dead-lettered or budget-paused run."""
    return _change(app, principal, run_id, "resume")


def decide(app: App, principal: Principal, run_id: str, step: str, *, approved: bool,
           comment: str | None = None, tenants: Sequence[str] = ()) -> dict[str, Any]:
    """Approve or reject a run waiting at an approval step.

    Approvers of the run's tenant decide; when the step names approvers, only those
    users or members of those groups may, or (through the server) a tenant admin or the
    owner. At the command line the local identity (identity.user and identity.groups)
    decides and is held to the named approvers like anyone; `tenants`
    (identity.tenants) are then the only tenants whose runs it may decide.
    """
    view = _visible(app, principal, run_id)
    scoped = principal.with_tenant(view.tenant or principal.tenant)
    require(scoped, "approvals.decide", "decide approvals")
    override = principal.kind != "local" and (principal.is_owner or "admin" in principal.roles)
    who = principal.user or principal.actor
    decision = wf.approve(app.engine, run_id, step, approved=approved, comment=comment, by=who,
                          groups=sorted(principal.groups), tenants=tenants, override=override)
    record(app, principal, "approval.decide", tenant=view.tenant, target=f"{run_id}/{step}",
           details={"decision": decision["decision"], "by": who, "comment": comment})
    return decision


def _may_decide(principal: Principal, waiting: dict[str, Any]) -> bool:
    """Whether `decide` would take this principal's decision on this waiting step."""
    if principal.kind != "local" and (principal.is_owner or "admin" in principal.roles):
        return True
    approvers = {str(a) for a in waiting.get("approvers") or []}
    who = principal.user or principal.actor
    return not approvers or who in approvers or bool(approvers & set(principal.groups))


def _when(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decided(app: App, tenant: str, views: list[RunView]) -> dict[str, set[str]]:
    """Steps of these waiting runs already decided (audited) but not yet continued by a
    worker: run id -> step ids."""
    since = {v.run_id: _when((v.waiting or {}).get("since")) for v in views}
    known = [s for s in since.values() if s is not None]
    if not known:
        return {}
    out: dict[str, set[str]] = {}
    for entry in audit_entries(app.store, tenant=tenant, action="approval.decide",
                               since=min(known)):
        run_id, _, step = (entry.target or "").partition("/")
        asked, at = since.get(run_id), _when(entry.created_at)
        if asked is not None and at is not None and at >= asked:
            out.setdefault(run_id, set()).add(step)
    return out


def approvals_waiting(app: App, principal: Principal, *, workflow: str | None = None,
                      limit: int = 50, offset: int = 0,
                      tenant: str | None = None) -> list[RunView]:
    """Runs of the tenant waiting at an approval step this principal may decide (named by
    the step as user or group, or any approver when the step names none; tenant admins and
    the owner decide any), newest first, each with its steps (inputs withheld as by `run`).
    A step already decided (the decision is in the audit log) leaves the list at once,
    before a worker continues the run."""
    where = tenant_for(app, principal, tenant, "approvals.decide", "see approvals")
    found = [v for v in wf.list_runs(app.engine, status="waiting", tenant=where.name,
                                     workflow=workflow, limit=1000)
             if (v.waiting or {}).get("kind") == "approval"
             and _may_decide(principal, v.waiting or {})]
    decided = _decided(app, where.name, found)
    mine = [v for v in found if (v.waiting or {}).get("step") not in decided.get(v.run_id, ())]
    return [_shown(app, principal, wf.get_run(app.engine, v.run_id))
            for v in mine[offset:offset + limit]]


def retry(app: App, principal: Principal, run_id: str, from_step: str | None = None) -> RunView:
    """A new run from a step of an ended run, reusing the outputs before it."""
    view = _manage(app, principal, run_id, "retry runs")
    if _shown(app, principal, wf.get_run(app.engine, run_id)).withheld:
        # the new run would hand this principal the outputs it reuses
        raise PermissionDenied(f"run {run_id} read a collection {principal.actor} may not "
                               "read, so its outputs cannot be reused by them; its starter "
                               "or an owner can retry it.", run_id=run_id)
    done = wf.retry_run(app.engine, run_id, from_step)
    record(app, principal, "run.retry", tenant=view.tenant, target=done.run_id,
           details={"workflow": view.workflow, "from_run": run_id, "from_step": from_step})
    return _shown(app, principal, done)


def run_here(app: App, principal: Principal, spec: Spec, inputs: dict[str, Any], *,
             key: str | None = None, tenant: str | None = None) -> str:
    """Run a spec in this process (its engine launched): the command line without workers."""
    where = tenant_for(app, principal, tenant, "workflows.register", "run workflow files")
    run_id = wf.run_here(app.engine, spec, inputs, tenant=where.name, key=key,
                         principal=principal.to_dict())
    record(app, principal, "run.start", tenant=where, target=run_id,
           details={"workflow": spec.name, "digest": spec.digest, "key": key,
                    "inputs": sorted(inputs), "here": True})
    return run_id
