"""Running a plan: as a Policy (one step per turn) or directly on a runtime.

A plan runs its lines in order and stops at the first that fails. A line with
`until "TEXT"` is repeated while the page does not show the text (and skipped when it
already does); a line with `pick` chooses its element on the current page (`_pick`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cristal.errors import CristalError
from cristal.operator._actions import Done, Extract
from cristal.operator._pick import choose, shows
from cristal.operator._plan import Plan, parse_plan
from cristal.operator._records import StepRecord

__all__ = ["MAX_REPEATS", "PlanPolicy", "PlanRun", "run_plan"]

MAX_REPEATS = 24  # an `until` line gives up after this many tries


@dataclass
class PlanRun:
    """How a plan run went: its records, whether every step succeeded, and the result."""

    records: list[StepRecord] = field(default_factory=list)
    ok: bool = True
    result: Any = None
    failed_line: int | None = None
    error: str | None = None


class PlanPolicy:
    """A plan as a Policy: its steps in order, stopping at the first one that fails.

    When the plan has no `done` line, the run ends with the last extracted data.
    """

    def __init__(self, plan: Plan | str, params: dict[str, str] | None = None) -> None:
        self.plan = parse_plan(plan, params) if isinstance(plan, str) else plan
        self.last_source = "plan"
        self.result: Any = None
        self.cursor = self.repeats = self.seen = 0

    def next_action(self, instruction: str, snapshot: Any, history: list[StepRecord]) -> Any:
        """The next plan step, or Done (with the failure when the last step failed)."""
        if len(history) < self.seen or not history:  # a new run
            self.cursor = self.repeats = self.seen = 0
            self.result = None
        steps = self.plan.steps
        if len(history) > self.seen:
            last, step = history[-1], steps[self.cursor]
            if not last.ok:
                return Done(ok=False, result=f"line {step.line} ({step.text}): "
                                             f"{last.result.get('error')}")
            if isinstance(step.action, Extract):
                self.result = last.result.get("data")
            if step.until:
                self.repeats += 1
            else:
                self.cursor, self.repeats = self.cursor + 1, 0
        self.seen = len(history)
        while self.cursor < len(steps) and steps[self.cursor].until and shows(
                snapshot, steps[self.cursor].until):
            self.cursor, self.repeats = self.cursor + 1, 0
        if self.cursor >= len(steps):
            return Done(result=self.result)
        step = steps[self.cursor]
        if self.repeats >= MAX_REPEATS:
            return Done(ok=False, result=f"line {step.line} ({step.text}): {step.until!r} did "
                                         f"not show after {MAX_REPEATS} tries")
        action = step.action
        if step.pick is not None:
            try:
                ref, value = choose(snapshot, action, step.pick)
            except CristalError as exc:
                return Done(ok=False, result=f"line {step.line} ({step.text}): {exc.message}")
            action = action.model_copy(update={
                "target": ref, "match": "fuzzy", "note": f"{step.pick.describe()}: {value:g}"})
        if isinstance(action, Done) and action.result is None and self.result is not None:
            return action.model_copy(update={"result": self.result})
        return action


def run_plan(runtime: Any, plan: Plan | str, params: dict[str, str] | None = None, *,
             stop_on_error: bool = True) -> PlanRun:
    """Run the plan through `runtime.step`; stops at the first failure unless told not to."""
    policy = PlanPolicy(plan, params)
    run = PlanRun()
    history: list[StepRecord] = []
    while True:
        action = policy.next_action("", runtime.snapshot(), history)
        line = policy.plan.steps[policy.cursor] if policy.cursor < len(policy.plan.steps) else None
        if isinstance(action, Done) and (line is None or not isinstance(line.action, Done)):
            if not action.ok and not run.error:  # a pick or an `until` that gave up
                run.ok, run.error = False, str(action.result)
                run.failed_line = line.line if line else None
            break
        record = runtime.step(action, source="plan")
        run.records.append(record)
        history.append(record)
        if not record.ok:
            run.ok = False
            run.failed_line = run.failed_line or (line.line if line else None)
            run.error = run.error or (f"line {line.line} ({line.text}): "
                                      f"{record.result.get('error')}" if line else None)
            if stop_on_error:
                break
            # Go on: the policy is shown the failed step as passed, so it moves to the next.
            history[-1] = record.model_copy(update={"result": {**record.result, "ok": True}})
        if isinstance(action, Done):
            run.result = action.result
            break
        if isinstance(action, Extract):
            run.result = record.result.get("data")
    return run
