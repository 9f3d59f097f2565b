"""Use cases of the Operator: run a browser task (confirmations audited), list and show
stored runs, export a trajectory (audited)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from cristal import operator as op
from cristal.app._access import record, tenant_for
from cristal.app._app import App
from cristal.governance import Principal, audit_entries
from cristal.operator import RunHooks, RunOutcome, RunRequest

__all__ = ["export", "get_run", "list_runs", "operate", "screenshot", "screenshot_steps",
           "started_by", "steps"]


def operate(app: App, principal: Principal, request: RunRequest, hooks: RunHooks) -> RunOutcome:
    """Carry out a browser task; every confirmation asked and its answer is audited."""
    where = tenant_for(app, principal, request.tenant, "operator.run", "run the operator")
    asked = hooks.confirm

    def confirm(question: Any) -> bool | str:
        answer: bool | str = False
        try:
            answer = asked(question)
            return answer
        finally:
            record(app, principal, "operator.confirm", tenant=where,
                   target=request.start_url[:500],
                   details={"prompt": question.prompt()[:500],
                            "reasons": list(getattr(question, "reasons", []) or []),
                            "answer": answer if isinstance(answer, str) else bool(answer)})

    outcome = op.operate(app.store, app.gateway, app.settings.operator, request,
                         replace(hooks, confirm=confirm if asked else None), tenant_id=where.id,
                         tenant_name=where.name, started_by=_starter(principal))
    record(app, principal, "operator.run", tenant=where, target=outcome.id,
           details={"status": outcome.status, "steps": outcome.steps,
                    "policy": request.policy})
    return outcome


def _starter(principal: Principal) -> str | None:
    """What a run records as its starter: the principal's user as `Principal.subject`
    (`user:<tenant>/<name>`, `local:<name>`; as research records who asked), None for a
    key that names no user."""
    return principal.subject if principal.user else None


def list_runs(app: App, principal: Principal, *, tenant: str | None = None, limit: int = 20,
              status: str | None = None) -> list[op.RunSummary]:
    """Recent operator runs of the tenant."""
    where = tenant_for(app, principal, tenant, "operator.read", "list operator runs")
    return op.list_runs(app.store, where.id, limit=limit, status=status)


def get_run(app: App, principal: Principal, run_id: str,
            tenant: str | None = None) -> dict[str, Any]:
    """One stored run (without steps)."""
    where = tenant_for(app, principal, tenant, "operator.read", "read operator runs")
    return op.get_run(app.store, where.id, run_id)


def steps(app: App, principal: Principal, run_id: str,
          tenant: str | None = None) -> list[op.StepRecord]:
    """A stored run's steps, in order."""
    get_run(app, principal, run_id, tenant)  # the tenant and permission checks
    return op.run_records(app.store, run_id)


def screenshot(app: App, principal: Principal, run_id: str, step: int,
               tenant: str | None = None) -> bytes | None:
    """The PNG saved after a step of a stored run (`--screenshots`), or None when the run
    kept no picture of that step (or it was removed by retention)."""
    run = get_run(app, principal, run_id, tenant)  # the tenant and permission checks
    folder = (run.get("meta") or {}).get("screenshots")
    if not folder or not 0 <= step < 100_000:
        return None
    path = Path(folder) / f"{int(step):03d}.png"
    try:
        return path.read_bytes()
    except OSError:
        return None


def screenshot_steps(app: App, principal: Principal, run_id: str,
                     tenant: str | None = None) -> set[int]:
    """The steps of a stored run that have a screenshot kept."""
    run = get_run(app, principal, run_id, tenant)
    folder = (run.get("meta") or {}).get("screenshots")
    if not folder or not Path(folder).is_dir():
        return set()
    return {int(f.stem) for f in Path(folder).glob("*.png") if f.stem.isdigit()}


def started_by(app: App, principal: Principal, run_id: str, tenant: str | None = None,
               scan: int = 5000) -> str | None:
    """Who ran a stored run (the actor of its `operator.run` audit entry; they answered
    its confirmations), looked up among the tenant's most recent `scan` runs."""
    where = tenant_for(app, principal, tenant, "operator.read", "read operator runs")
    for entry in audit_entries(app.store, tenant=where.name, action="operator.run",
                               limit=scan, newest_first=True):
        if entry.target == run_id:
            return entry.actor
    return None


def export(app: App, principal: Principal, run_id: str, fmt: str = "steps",
           tenant: str | None = None) -> Iterator[str]:
    """A run's trajectory as JSONL lines (`steps` or `chat`); the export is audited."""
    where = tenant_for(app, principal, tenant, "operator.read", "export operator runs")
    lines = op.export_lines(app.store, where.id, run_id, fmt)
    first = next(lines, None)  # runs the checks (NotFound, bad format) before recording
    record(app, principal, "operator.export", tenant=where, target=run_id,
           details={"format": fmt})
    return itertools.chain([] if first is None else [first], lines)
