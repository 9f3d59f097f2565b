"""Cron schedules for specs, on DBOS's scheduler.

Every worker runs DBOS's scheduler; a firing is the workflow `sched-<name>-<time>`,
so however many workers (or restarts) see the same moment, it fires once. That
small workflow enqueues the real run on the spec's queue, keyed by tenant, with a
run id derived from the schedule and the moment: a replay cannot enqueue it twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from dbos import DBOS

from cristal.errors import InvalidInput, NotFound
from cristal.governance import get_tenant
from cristal.workflows._engine import Engine, app_version, current_app
from cristal.workflows._inputs import coerce_inputs
from cristal.workflows._interpreter import WORKFLOW_NAME
from cristal.workflows._runs import DEFAULT_PRIORITY
from cristal.workflows._spec import Spec

__all__ = ["SCHEDULED_NAME", "add_schedule", "list_schedules", "remove_schedule",
           "set_schedule_active"]

SCHEDULED_NAME = "cristal.scheduled"


@DBOS.workflow(name=SCHEDULED_NAME)
def fire(at: datetime, context: dict[str, Any]) -> str:
    """One firing of a schedule: enqueue the spec's run; returns the run id."""
    digest = hashlib.sha256(f"{context['schedule']}\x00{at.isoformat()}".encode()).hexdigest()
    run_id = f"run_{digest[:26]}"
    options: dict[str, Any] = {
        "workflow_name": WORKFLOW_NAME, "queue_name": context["queue"],
        "queue_partition_key": context["tenant"], "workflow_id": run_id,
        "app_version": app_version(current_app().settings), "priority": DEFAULT_PRIORITY,
        "attributes": {"tenant": context["tenant"], "workflow": context["spec"]["name"],
                       "queue": context["queue"], "schedule": context["schedule"]}}
    if context.get("timeout_s"):
        options["workflow_timeout"] = float(context["timeout_s"])
    meta = {"tenant": context["tenant"], "digest": context["digest"],
            "scheduled_at": at.isoformat()}
    DBOS.enqueue_workflow_with_options(options, context["spec"], context["inputs"], meta)
    return run_id


def add_schedule(engine: Engine, name: str, spec: Spec, cron: str, inputs: dict[str, Any], *,
                 tenant: str | None = None, timezone: str | None = None,
                 backfill: bool = False) -> dict[str, Any]:
    """Create a schedule that runs `spec` on a cron expression (5 or 6 fields)."""
    if not croniter.is_valid(cron, second_at_beginning=True):
        raise InvalidInput(f"--cron {cron!r} is not a cron expression: use 5 fields "
                           "(minute hour day month weekday), e.g. '0 9 * * 1-5', or 6 with "
                           "seconds first.")
    if timezone:
        try:
            ZoneInfo(timezone)
        except Exception:
            raise InvalidInput(f"--timezone {timezone!r} is not an IANA zone such as "
                               "Asia/Tokyo.") from None
    if engine.client.get_schedule(name) is not None:
        raise InvalidInput(f"schedule {name!r} already exists; remove it first with "
                           f"`cristal schedule remove {name}`.")
    tenant_name = get_tenant(engine.app.store, tenant or engine.settings.tenant).name
    context = {"schedule": name, "spec": spec.data, "digest": spec.digest,
               "inputs": coerce_inputs(spec.inputs, inputs, from_text=True),
               "tenant": tenant_name, "queue": spec.queue or "default",
               "timeout_s": spec.timeout_s}
    engine.client.create_schedule(schedule_name=name, workflow_name=SCHEDULED_NAME,
                                  schedule=cron, context=context, automatic_backfill=backfill,
                                  cron_timezone=timezone)
    return _view(engine.client.get_schedule(name))


def list_schedules(engine: Engine) -> list[dict[str, Any]]:
    """Every schedule, with its spec name, tenant, cron and last firing."""
    return [_view(s) for s in engine.client.list_schedules()]


def remove_schedule(engine: Engine, name: str) -> None:
    """Delete a schedule (runs already started continue)."""
    if engine.client.get_schedule(name) is None:
        raise NotFound(f"no schedule {name!r}; `cristal schedule list` shows them.")
    engine.client.delete_schedule(name)


def set_schedule_active(engine: Engine, name: str, active: bool) -> dict[str, Any]:
    """Pause or resume a schedule."""
    if engine.client.get_schedule(name) is None:
        raise NotFound(f"no schedule {name!r}; `cristal schedule list` shows them.")
    if active:
        engine.client.resume_schedule(name)
    else:
        engine.client.pause_schedule(name)
    return _view(engine.client.get_schedule(name))


def _view(s: Any) -> dict[str, Any]:
    ctx = s.get("context") or {}
    return {"name": s["schedule_name"], "cron": s["schedule"], "timezone": s.get("cron_timezone"),
            "status": str(s.get("status", "ACTIVE")).lower(),
            "workflow": (ctx.get("spec") or {}).get("name"), "tenant": ctx.get("tenant"),
            "queue": ctx.get("queue"), "inputs": ctx.get("inputs"),
            "last_fired_at": s.get("last_fired_at"), "backfill": s.get("automatic_backfill")}
