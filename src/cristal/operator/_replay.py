"""Skill replay without a model, healing what it can and reporting what it cannot.

When a step's target cannot be found, the skill policy tries, in order: the same
name without the role word (the element changed kind), the next page of a
paginated list, then the optional fallback policy for that one step (the model
policy, when there is one). Every repair is recorded; with nothing left to try it
stops with a report that names the step, the error and the closest candidates.
Steps with `until` repeat while the page does not show their text; steps with
`pick` choose their element on the page as it is when their turn comes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cristal.errors import CristalError
from cristal.operator._actions import Click, Done
from cristal.operator._pick import choose, shows
from cristal.operator._plan_run import MAX_REPEATS
from cristal.operator._policy import Policy, TaskRun, run_task
from cristal.operator._records import StepRecord
from cristal.operator._skills import Bound, Skill
from cristal.operator._snapshot import Snapshot
from cristal.operator._targeting import Query, parse_target
from cristal.operator._text import norm

__all__ = ["Repair", "ReplayReport", "SkillPolicy", "replay_skill"]

_NEXT = {"next", "next page", ">", "›", "»", "→", "次へ", "次", "次のページ", "older"}


@dataclass
class Repair:
    """A deviation from the skill: which step, how it was healed, and whether that worked."""

    step: int
    kind: str  # relax_role | paginate | fallback
    original: dict[str, Any]
    action: dict[str, Any]
    ok: bool | None = None


@dataclass
class _Episode:
    instruction: str
    skill: Skill | None
    steps: list[Bound]
    cursor: int = 0
    issued: str = ""  # what the last action was: step | relax_role | paginate | fallback
    relaxed: bool = False
    pages: int = 0
    seen: int = 0
    repeats: int = 0  # tries of the current `until` step

    @property
    def actions(self) -> list[Any]:
        return [b.action for b in self.steps]


class SkillPolicy:
    """Replays the first skill whose template fits the instruction; heals failed steps."""

    def __init__(self, skills: list[Skill], *, fallback: Policy | None = None,
                 max_pages: int = 5) -> None:
        self.skills = list(skills)
        self.fallback = fallback
        self.max_pages = max_pages
        self.repairs: list[Repair] = []
        self.last_source = "skill"
        self._ep: _Episode | None = None

    @property
    def last_call_id(self) -> str | None:
        """The model call behind the last action, when the fallback chose it."""
        if self.last_source == "fallback":
            return getattr(self.fallback, "last_call_id", None)
        return None

    def choose(self, instruction: str) -> tuple[Skill, list[Bound]] | None:
        """The most specific skill that fits, and its bound steps."""
        fits = [(s, s.match(instruction)) for s in self.skills]
        fits = [(s, v) for s, v in fits if v is not None]
        if not fits:
            return None
        skill, values = max(fits, key=lambda p: (sum(v is not None for v in p[1].values()),
                                                  len(p[0].template)))
        return skill, skill.plan(values)

    def next_action(self, instruction: str, snapshot: Snapshot, history: list[StepRecord]) -> Any:
        """The skill's next step, a healing step, or Done (with a report when it failed)."""
        ep = self._ep
        if ep is None or not history or ep.instruction != instruction or len(history) < ep.seen:
            chosen = self.choose(instruction)
            ep = self._ep = _Episode(instruction, *(chosen or (None, [])))
        last = history[-1] if history and len(history) > ep.seen else None
        ep.seen = len(history)
        if ep.skill is None:
            return self._fallback(ep, snapshot, history, None, "no skill fits this instruction")
        if last is not None:
            stop = self._after(ep, last, snapshot, history)
            if stop is not None:
                return stop
        while ep.cursor < len(ep.steps) and ep.steps[ep.cursor].until and shows(
                snapshot, ep.steps[ep.cursor].until):
            ep.cursor, ep.repeats = ep.cursor + 1, 0  # already showing: nothing (more) to do
        if ep.cursor >= len(ep.steps):
            self.last_source = "skill"
            return Done(result={"skill": ep.skill.name, "steps": len(ep.steps)})
        step = ep.steps[ep.cursor]
        if ep.repeats >= MAX_REPEATS:
            return self._stop(ep, None, f"{step.until!r} did not show after {MAX_REPEATS} tries")
        self.last_source, ep.issued = "skill", "step"
        if step.pick is None:
            return step.action
        try:
            ref, value = choose(snapshot, step.action, step.pick)
        except CristalError as exc:
            return self._stop(ep, None, exc.message)
        return step.action.model_copy(update={
            "target": ref, "match": "fuzzy", "note": f"{step.pick.describe()}: {value:g}"})

    def _after(self, ep: _Episode, last: StepRecord, snapshot: Snapshot,
               history: list[StepRecord]) -> Any:
        """Advance on success; on failure return the healing action (or the stop)."""
        if ep.issued in ("relax_role", "paginate", "fallback") and self.repairs:
            self.repairs[-1].ok = last.ok
        if last.ok:
            if ep.issued == "paginate":
                return None  # retry the same step on the new page
            if ep.issued == "step" and ep.steps[ep.cursor].until:
                ep.repeats += 1  # again, until the page shows the text
                return None
            ep.cursor, ep.relaxed, ep.pages, ep.repeats = ep.cursor + 1, False, 0, 0
            return None
        step = ep.actions[ep.cursor]
        if ep.issued == "fallback":
            return self._stop(ep, last, "the fallback policy could not repair it either")
        if last.error_type == "TargetNotFound":
            relaxed = _without_role(step)
            if relaxed is not None and not ep.relaxed:
                ep.relaxed = True
                return self._heal(ep, "relax_role", step, relaxed)
            nxt = _next_page(snapshot)
            if nxt is not None and ep.pages < self.max_pages:
                ep.pages += 1
                return self._heal(ep, "paginate", step, Click(target=nxt, note="next page"))
        return self._fallback(ep, snapshot, history, last, last.result.get("error") or "failed")

    def _heal(self, ep: _Episode, kind: str, step: Any, action: Any) -> Any:
        note = f"repair of skill step {ep.cursor + 1} ({kind})"
        action = action.model_copy(update={"note": note})
        self.repairs.append(Repair(ep.cursor + 1, kind, step.model_dump(exclude_none=True),
                                   action.model_dump(exclude_none=True)))
        self.last_source, ep.issued = "skill", kind
        return action

    def _fallback(self, ep: _Episode, snapshot: Snapshot, history: list[StepRecord],
                  last: StepRecord | None, why: str) -> Any:
        if self.fallback is None:
            return self._stop(ep, last, why)
        action = self.fallback.next_action(ep.instruction, snapshot, history)
        if ep.skill is None:
            self.last_source = "fallback"
            return action
        original = ep.actions[ep.cursor].model_dump(exclude_none=True)
        note = f"repair of skill step {ep.cursor + 1} (fallback: {why[:120]})"
        if not isinstance(action, Done):
            action = action.model_copy(update={"note": note})
        self.repairs.append(Repair(ep.cursor + 1, "fallback", original,
                                   action.model_dump(exclude_none=True)))
        self.last_source, ep.issued = "fallback", "fallback"
        return action

    def _stop(self, ep: _Episode, last: StepRecord | None, why: str) -> Done:
        self.last_source = "skill"
        if ep.skill is None:
            names = ", ".join(repr(s.template) for s in self.skills[:5]) or "none"
            return Done(ok=False, result=f"Stopped: {why}. Known skills: {names}. Record a "
                                         "demonstration for this kind of task, or add a fallback "
                                         "policy (a model).")
        step = ep.actions[ep.cursor]
        closest = ""
        data = last.result.get("data") if last is not None else None
        if isinstance(data, dict) and data.get("candidates") and "Closest:" not in why:
            closest = " Closest: " + ", ".join(data["candidates"]) + "."
        return Done(ok=False, result=(
            f"Stopped at step {ep.cursor + 1}/{len(ep.actions)} of skill {ep.skill.name!r} "
            f"({step.describe()}): {why.rstrip('.')}.{closest} The page may have changed since "
            "the demonstration: record a new one, or run with a fallback policy (a model)."))


def _without_role(action: Any) -> Any | None:
    target = getattr(action, "target", None)
    if not target or getattr(action, "match", "fuzzy") != "fuzzy":
        return None
    query = parse_target(target)
    if isinstance(query, str) or not isinstance(query, Query) or not query.role or not query.text:
        return None
    # Any role, but only the exact name: a fuzzy match without the role is too loose.
    return action.model_copy(update={"target": query.text, "match": "exact"})


def _next_page(snapshot: Snapshot) -> str | None:
    for node in snapshot.nodes:
        if node.interactive and "disabled" not in node.states and norm(node.label()) in _NEXT:
            return node.ref
    return None


@dataclass
class ReplayReport:
    """How a skill replay went."""

    ok: bool
    run: TaskRun
    repairs: list[Repair] = field(default_factory=list)
    stopped: str | None = None


def replay_skill(runtime: Any, skill: Skill | list[Skill], instruction: str, *,
                 fallback: Policy | None = None, max_steps: int = 50) -> ReplayReport:
    """Replay a skill (or the best of several) for `instruction` on the runtime's page."""
    policy = SkillPolicy(skill if isinstance(skill, list) else [skill], fallback=fallback)
    run = run_task(runtime, policy, instruction, max_steps=max_steps)
    ok = run.done is not None and run.done.ok and run.stopped is None
    return ReplayReport(ok=ok, run=run, repairs=policy.repairs, stopped=run.stopped)
