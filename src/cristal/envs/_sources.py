"""Where training data comes from: episodes, workflow runs, research sessions, operator runs.

Every source yields `Sample`s: one conversation in OpenAI chat format (system, user,
then assistant tool calls and `tool` results, or a final assistant answer), the tools
it was given, a task key (for pairing and for splitting by task) and, where the
source knows it, success and rewards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cristal.envs._episodes import iter_episodes
from cristal.errors import InvalidInput

__all__ = ["SOURCES", "Sample", "samples"]

SOURCES = ("episodes", "runs", "research", "operator")
RESEARCH_SYSTEM = ("You answer questions from the company's documents, quoting them exactly "
                   "and saying so when they do not answer.")


@dataclass
class Sample:
    """One conversation with its task, tools and outcome."""

    source: str
    id: str
    task: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    success: bool | None = None
    reward: float | None = None
    step_rewards: list[float] | None = None


def _from_episodes(app: Any, tenant: Any, eval_run: str | None) -> Iterator[Sample]:
    for row in iter_episodes(app.store, tenant.id, eval_run_id=eval_run):
        if row["status"] != "ok" or not row["transcript"]:
            continue  # a refused or broken episode is not a demonstration of anything
        yield Sample(source="episodes", id=row["id"], task=f"{row['env_id']}:{row['task_id']}",
                     messages=row["transcript"], tools=row["tools"] or [],
                     success=bool(row["success"]), reward=float(row["total_reward"]),
                     step_rewards=[float(r) for r in row["rewards"]])


def _from_workflows(app: Any, tenant: Any) -> Iterator[Sample]:
    """Each `model` step of a finished workflow run: its prompt and the model's answer."""
    from cristal.workflows import Engine, get_run, list_runs

    engine = Engine(app)  # a client only: nothing is launched
    try:
        for summary in reversed(list_runs(engine, tenant=tenant.name, limit=1_000_000)):
            if not summary.finished_at:
                continue
            view = get_run(engine, summary.run_id)
            for step in view.steps or []:
                if step.type != "model" or step.status != "succeeded" or not isinstance(
                        step.input, dict) or step.meta.get("fallback"):
                    continue  # an offline fallback is not a model's answer
                args = step.input
                messages: list[dict[str, Any]] = []
                if args.get("system"):
                    messages.append({"role": "system", "content": str(args["system"])})
                messages += [dict(m) for m in args.get("messages") or []]
                if args.get("prompt") is not None:
                    messages.append({"role": "user", "content": str(args["prompt"])})
                answer = step.output if isinstance(step.output, str) else json.dumps(
                    step.output, ensure_ascii=False)
                messages.append({"role": "assistant", "content": answer})
                yield Sample(source="runs", id=f"{view.run_id}/{step.id}",
                             task=f"{view.workflow}:{step.id}", messages=messages,
                             success=view.status == "succeeded")
    finally:
        engine.close()


def _from_research(app: Any, tenant: Any) -> Iterator[Sample]:
    from cristal.research import get_session, list_sessions

    for summary in list_sessions(app.store, tenant, limit=1_000_000):
        report = get_session(app.store, tenant, summary.id)
        question = report["question"]
        yield Sample(source="research", id=report["id"], task=" ".join(question.split()),
                     messages=[{"role": "system", "content": RESEARCH_SYSTEM},
                               {"role": "user", "content": question},
                               {"role": "assistant", "content": report["answer"]}])


def _from_operator(app: Any, tenant: Any) -> Iterator[Sample]:
    from cristal.operator import SYSTEM_PROMPT, action_tools, get_run, list_runs, run_records

    tools = action_tools()
    for summary in reversed(list_runs(app.store, tenant.id, limit=1_000_000)):
        run = get_run(app.store, tenant.id, summary.id)
        records = [r for r in run_records(app.store, summary.id) if r.source != "start"]
        if not records:
            continue
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Task: {run['instruction']}\n\nCurrent page:\n<page>\n"
                                        f"{records[0].snapshot_text}\n</page>"}]
        for i, record in enumerate(records):
            args = {k: v for k, v in record.action.items() if k not in ("action", "note")}
            call_id = f"call_{i + 1}"
            messages.append({"role": "assistant", "content": None, "tool_calls": [{
                "id": call_id, "type": "function", "function": {
                    "name": str(record.action.get("action")),
                    "arguments": json.dumps(args, ensure_ascii=False)}}]})
            after = records[i + 1].snapshot_text if i + 1 < len(records) else ""
            result = "ok" if record.ok else f"FAILED: {record.result.get('error')}"
            messages.append({"role": "tool", "tool_call_id": call_id,
                             "content": result + (f"\n\n<page>\n{after}\n</page>" if after
                                                  else "")})
        status = run.get("status")
        yield Sample(source="operator", id=summary.id, task=" ".join(run["instruction"].split()),
                     messages=messages, tools=tools,
                     success=True if status == "succeeded" else False if status in (
                         "failed", "error", "step_budget") else None)


def samples(app: Any, tenant: Any, source: str, *, eval_run: str | None = None
            ) -> Iterator[Sample]:
    """The samples of one source: `episodes` (optionally of one eval run), `runs` (model
    steps of workflow runs), `research` (sessions) or `operator` (runs)."""
    if source not in SOURCES:
        raise InvalidInput(f"--from {source!r} is not one of {', '.join(SOURCES)}.")
    if source == "episodes":
        return _from_episodes(app, tenant, eval_run)
    if eval_run:
        raise InvalidInput("--run selects the episodes of one eval run; use it with "
                           "--from episodes.")
    if source == "runs":
        return _from_workflows(app, tenant)
    if source == "research":
        return _from_research(app, tenant)
    return _from_operator(app, tenant)
