"""The Policy seam (what to do next) and the loop that runs a policy on a runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from cristal.operator._actions import Done
from cristal.operator._records import StepRecord
from cristal.operator._snapshot import Snapshot

__all__ = ["FunctionPolicy", "Policy", "TaskRun", "run_task"]


@runtime_checkable
class Policy(Protocol):
    """Chooses the next action from the task, the page and what happened so far."""

    def next_action(self, instruction: str, snapshot: Snapshot, history: list[StepRecord]) -> Any:
        """One action (see `action_schema()`); `Done` ends the task."""


class FunctionPolicy:
    """A Policy made from a plain function (tests, scripted fallbacks)."""

    def __init__(self, fn: Callable[[str, Snapshot, list[StepRecord]], Any],
                 source: str = "policy") -> None:
        self.fn = fn
        self.last_source = source

    def next_action(self, instruction: str, snapshot: Snapshot, history: list[StepRecord]) -> Any:
        """Call the function."""
        return self.fn(instruction, snapshot, history)


@dataclass
class TaskRun:
    """One task attempt: its records, how it ended, and the snapshots it took."""

    records: list[StepRecord] = field(default_factory=list)
    done: Any = None
    stopped: str | None = None
    snapshot_ms: list[float] = field(default_factory=list)
    snapshot_tokens: list[int] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Actions applied (the final `done` not counted)."""
        return sum(1 for r in self.records if r.action.get("action") != "done")


def run_task(runtime: Any, policy: Policy, instruction: str, *, max_steps: int = 30,
             finished: Callable[[], bool] | None = None,
             stop_on: tuple[str, ...] = ()) -> TaskRun:
    """Observe, ask the policy, act, until it says done, `finished()` holds or steps run out.

    `stop_on` names error types (e.g. `ConfirmationRequired`) that end the run at once
    instead of going back to the policy.
    """
    run = TaskRun()
    for _ in range(max_steps):
        snap = runtime.snapshot()
        run.snapshot_ms.append(snap.ms)
        run.snapshot_tokens.append(snap.tokens)
        action = policy.next_action(instruction, snap, run.records)
        source = getattr(policy, "last_source", "policy")
        call = getattr(policy, "last_call_id", None)
        record = runtime.step(action, snapshot=snap, source=source, model_call=call)
        run.records.append(record)
        if not record.ok and record.error_type in stop_on:
            run.stopped = str(record.result.get("error") or record.error_type)
            return run
        if isinstance(action, Done):
            run.done = action
            if not action.ok:
                run.stopped = str(action.result)
            return run
        if finished is not None and finished():
            return run
    run.stopped = f"gave up after {max_steps} steps"
    return run
