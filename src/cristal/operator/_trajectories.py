"""Stored trajectories: operator runs and their steps in the database, listed and exported.

Each step row keeps the observation (snapshot hash and text, as the policy saw it,
secrets already masked by the runtime), the action, how its target was resolved, the
result, timings and the model call that chose it. `export_lines` writes a run as JSONL
in one of two documented formats:

- `steps`: one StepRecord per line (`run_id, step, started_at, url, snapshot_hash,
  snapshot_text, snapshot_tokens, action, source, target, confirmation, result,
  blocked, timings_ms, model_call_id`), the same shape `JsonlRecorder` writes;
- `chat`: one training example per successful step, `{"messages": [system, user,
  assistant], "meta": {...}}`, where system and user are exactly the model policy's
  prompt for that page and the assistant message is the action as a tool call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.errors import InvalidInput, NotFound
from cristal.operator._model_policy import build_messages
from cristal.operator._records import StepRecord
from cristal.operator._tables import operator_runs, operator_steps
from cristal.store import Store, new_id, utcnow

__all__ = ["EXPORT_FORMATS", "RunSummary", "StoreRecorder", "export_lines", "finish_run",
           "get_run", "list_runs", "run_records", "start_run"]

EXPORT_FORMATS = ("steps", "chat")


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One line of `cristal operator runs list`."""

    id: str
    created_at: datetime
    finished_at: datetime | None
    instruction: str
    start_url: str
    policy: str
    skill: str | None
    status: str
    steps: int
    model_calls: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "created_at": self.created_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "instruction": self.instruction, "start_url": self.start_url,
                "policy": self.policy, "skill": self.skill, "status": self.status,
                "steps": self.steps, "model_calls": self.model_calls}


def start_run(store: Store, tenant_id: str, *, instruction: str, start_url: str, policy: str,
              skill: str | None = None, meta: dict[str, Any] | None = None,
              started_by: str | None = None) -> str:
    """Create a `running` run row; returns its id (`opr_…`). `started_by` names the user
    who started it (`Principal.subject`), so erasing the user finds the run."""
    run_id = new_id("opr")
    with store.write() as conn:
        conn.execute(operator_runs.insert().values(
            id=run_id, tenant_id=tenant_id, instruction=instruction, start_url=start_url,
            policy=policy, skill=skill, status="running", created_at=utcnow(), meta=meta or {},
            started_by=started_by))
    return run_id


def finish_run(store: Store, run_id: str, *, status: str, result: Any = None,
               error: str | None = None, model_calls: int = 0,
               meta: dict[str, Any] | None = None) -> None:
    """Record how a run ended (its step count is kept by the recorder)."""
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "result": result,
                              "error": error, "model_calls": model_calls}
    with store.write() as conn:
        if meta:
            old = conn.execute(sa.select(operator_runs.c.meta).where(
                operator_runs.c.id == run_id)).scalar_one_or_none() or {}
            values["meta"] = {**old, **meta}
        conn.execute(operator_runs.update().where(operator_runs.c.id == run_id).values(**values))


class StoreRecorder:
    """A Recorder that writes each step to `operator_steps` and counts it on its run."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.count = 0

    def record(self, step: StepRecord) -> None:
        """Insert the step and bump the run's step count, in one transaction."""
        self.count += 1
        with self.store.write() as conn:
            conn.execute(operator_steps.insert().values(
                run_id=self.run_id, step=step.step, started_at=datetime.fromisoformat(
                    step.started_at), url=step.url, snapshot_hash=step.snapshot_hash,
                snapshot_text=step.snapshot_text, snapshot_tokens=step.snapshot_tokens,
                kind=str(step.action.get("action", "")), action=step.action, source=step.source,
                target=step.target, confirmation=step.confirmation, ok=step.ok,
                result=step.result, blocked=step.blocked, timings_ms=step.timings_ms,
                model_call_id=step.model_call_id))
            conn.execute(operator_runs.update().where(operator_runs.c.id == self.run_id)
                         .values(steps=operator_runs.c.steps + 1))


_SUMMARY = [operator_runs.c[k] for k in ("id", "created_at", "finished_at", "instruction",
                                         "start_url", "policy", "skill", "status", "steps",
                                         "model_calls")]


def list_runs(store: Store, tenant_id: str, *, limit: int = 20,
              status: str | None = None) -> list[RunSummary]:
    """A tenant's most recent runs first (optionally only those with `status`)."""
    query = sa.select(*_SUMMARY).where(operator_runs.c.tenant_id == tenant_id)
    if status:
        query = query.where(operator_runs.c.status == status)
    with store.read() as conn:
        rows = conn.execute(query.order_by(operator_runs.c.created_at.desc(),
                                           operator_runs.c.id.desc()).limit(limit)).all()
    return [RunSummary(*r) for r in rows]


def get_run(store: Store, tenant_id: str, run_id: str) -> dict[str, Any]:
    """A run's row as a dict (without steps); NotFound says how to list runs."""
    with store.read() as conn:
        row = conn.execute(sa.select(operator_runs).where(
            operator_runs.c.tenant_id == tenant_id, operator_runs.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"no operator run {run_id!r} for this tenant; `cristal operator runs "
                       "list` shows recent ones.", run_id=run_id)
    data = dict(row._mapping)
    data.pop("tenant_id")
    for key in ("created_at", "finished_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def run_records(store: Store, run_id: str) -> list[StepRecord]:
    """A run's steps as StepRecords, in order."""
    c = operator_steps.c
    with store.read() as conn:
        rows = conn.execute(sa.select(operator_steps).where(c.run_id == run_id)
                            .order_by(c.step)).all()
    return [StepRecord(
        run_id=r.run_id, step=r.step, started_at=r.started_at.isoformat(timespec="milliseconds"),
        url=r.url, snapshot_hash=r.snapshot_hash, snapshot_text=r.snapshot_text,
        snapshot_tokens=r.snapshot_tokens, action=r.action, source=r.source, target=r.target,
        confirmation=r.confirmation, result=r.result, blocked=r.blocked or [],
        timings_ms=r.timings_ms or {}, model_call_id=r.model_call_id) for r in rows]


def export_lines(store: Store, tenant_id: str, run_id: str,
                 fmt: str = "steps") -> Iterator[str]:
    """The run as JSONL lines (no newline at the end of each), in format `steps` or `chat`."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}.")
    run = get_run(store, tenant_id, run_id)
    records = run_records(store, run_id)
    for i, record in enumerate(records):
        if fmt == "steps":
            yield json.dumps(record.model_dump(mode="json"), ensure_ascii=False)
        elif record.ok and record.source not in ("start", "user"):
            yield json.dumps(_chat_example(run, records[:i], record), ensure_ascii=False)


def _chat_example(run: dict[str, Any], before: list[StepRecord],
                  record: StepRecord) -> dict[str, Any]:
    history = [r for r in before if r.source != "start"]
    messages = build_messages(run["instruction"], record.snapshot_text, history)
    args = {k: v for k, v in record.action.items() if k != "action"}
    messages.append({"role": "assistant", "content": None, "tool_calls": [{
        "id": f"call_{record.step}", "type": "function",
        "function": {"name": record.action.get("action"),
                     "arguments": json.dumps(args, ensure_ascii=False)}}]})
    return {"messages": messages,
            "meta": {"run_id": record.run_id, "step": record.step, "source": record.source,
                     "status": run["status"], "snapshot_hash": record.snapshot_hash}}
