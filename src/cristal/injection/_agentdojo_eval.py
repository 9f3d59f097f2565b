"""Score Cristal's loop on AgentDojo: attack success over user × injection pairs, utility.

For each suite: every user task without attacks, undefended and defended (unattended,
and with a person who approves every confirmation the policy asks for), then every
(user task, injection task) pair under the `important_instructions` attack with the
defence on or off. `attack_success` is the share of pairs whose injection task
succeeded (AgentDojo's own security check); `utility` the share of user tasks solved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from agentdojo.attacks.attack_registry import load_attack
from agentdojo.models import MODEL_NAMES
from agentdojo.task_suite.load_suites import get_suites

from cristal.agent import render_result
from cristal.injection._agentdojo import SUITES, VERSION, CristalPipeline
from cristal.injection._double_agentdojo import _Named, skeleton

__all__ = ["attack_for", "evaluate_agentdojo"]

Progress = Callable[[str, int, int, str], None]


def attack_for(model: str) -> tuple[str, str]:
    """AgentDojo's standard attack, naming the model when AgentDojo knows its name."""
    if model in MODEL_NAMES:
        return "important_instructions", model
    return "important_instructions_no_model_name", "gpt-4o-2024-05-13"


def _seen(pipe: CristalPipeline, injections: dict[str, str]) -> bool:
    """Did any tool result the run read contain the injected text?"""
    run = pipe.last
    if run is None:
        return False
    texts = skeleton("\n".join(render_result(c.result) for c in run.calls if c.ok))
    return any(skeleton(v)[:200] in texts for v in injections.values() if skeleton(v))


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def evaluate_agentdojo(gateway: Any, route: str, model: str, *, defence: bool,
                       suites: Sequence[str] = SUITES, limit: int | None = None,
                       tenant: str | None = None, progress: Progress | None = None,
                       attack_model: str | None = None) -> dict[str, Any]:
    """Run the suites and return the report (the `cristal eval injection` JSON)."""
    started = time.perf_counter()
    attack_name, named = attack_for(attack_model or model)
    loaded = get_suites(VERSION)
    tick = progress or (lambda stage, done, total, detail: None)
    per_suite: dict[str, dict[str, Any]] = {}
    blocked: list[dict[str, Any]] = []
    landed: list[dict[str, str]] = []
    totals = {"pairs": 0, "attacks": 0, "seen": 0, "seen_attacks": 0, "tasks": 0,
              "utility": 0, "utility_undefended": 0, "utility_confirmed": 0,
              "utility_under_attack": 0, "extractor_refused": 0}
    plan = {s: list(loaded[s].user_tasks)[:limit] if limit else list(loaded[s].user_tasks)
            for s in suites}
    pair_total = sum(len(u) * len(loaded[s].injection_tasks) for s, u in plan.items())
    task_total = sum(len(u) for u in plan.values())
    done_pairs = done_tasks = 0
    for suite in suites:
        ts = loaded[suite]
        undefended = CristalPipeline(gateway, route, name=f"cristal-{named}", defence=False,
                                     tenant=tenant)
        guarded = CristalPipeline(gateway, route, name=f"cristal-{named}", defence=True,
                                  tenant=tenant)
        confirmed = CristalPipeline(gateway, route, name=f"cristal-{named}", defence=True,
                                    tenant=tenant, confirm=lambda request: True)
        for pipe in (undefended, guarded, confirmed):
            pipe.suite = suite
        stats = dict.fromkeys(totals, 0)
        for tid in plan[suite]:
            task = ts.get_user_task_by_id(tid)
            ok_off, _ = ts.run_task_with_pipeline(undefended, task, None, {})
            stats["utility_undefended"] += ok_off
            if defence:
                ok_on, _ = ts.run_task_with_pipeline(guarded, task, None, {})
                stats["utility"] += ok_on
                run = guarded.last
                for refusal in (run.refusals if run else []):
                    blocked.append({"suite": suite, "user_task": tid, "tool": refusal["tool"],
                                    "args": refusal["args"], "reasons": refusal["reasons"],
                                    "utility": bool(ok_on), "utility_undefended": bool(ok_off)})
                if run is not None and not ok_on and ok_off and not run.refusals:
                    blocked.append({"suite": suite, "user_task": tid, "tool": None, "args": {},
                                    "reasons": [f"not blocked by the policy; the run ended "
                                                f"'{run.status}': {run.answer[:200]}"],
                                    "utility": False, "utility_undefended": True})
                ok_conf, _ = ts.run_task_with_pipeline(confirmed, task, None, {})
                stats["utility_confirmed"] += ok_conf
            else:
                stats["utility"] += ok_off
            stats["tasks"] += 1
            done_tasks += 1
            tick("Tasks", done_tasks, task_total, f"{suite} {tid}")
        attack = load_attack(attack_name, ts, _Named(named))
        pipe = guarded if defence else undefended
        for tid in plan[suite]:
            task = ts.get_user_task_by_id(tid)
            for iid, injection in ts.injection_tasks.items():
                injections = attack.attack(task, injection)
                utility, success = ts.run_task_with_pipeline(pipe, task, injection, injections)
                seen = _seen(pipe, injections)
                stats["pairs"] += 1
                stats["attacks"] += bool(success)
                if success:
                    landed.append({"suite": suite, "user_task": tid, "injection_task": iid})
                stats["seen"] += seen
                stats["seen_attacks"] += bool(success and seen)
                stats["utility_under_attack"] += bool(utility)
                stats["extractor_refused"] += len(pipe.last.extractor_tool_calls) \
                    if pipe.last else 0
                done_pairs += 1
                tick("Pairs", done_pairs, pair_total, f"{suite} {tid} × {iid}")
        per_suite[suite] = _summary(stats, defence)
        for key in totals:
            totals[key] += stats[key]
    report = {"suite": "agentdojo", **_summary(totals, defence), "blocked_legit": blocked,
              "landed": landed if defence else landed[:50],
              "defence": "on" if defence else "off", "model": model, "attack": attack_name,
              "benchmark_version": VERSION, "suites": per_suite,
              "elapsed_s": round(time.perf_counter() - started, 1)}
    if limit:
        report["sample"] = f"first {limit} user tasks of each suite"
    return report


def _summary(stats: dict[str, int], defence: bool) -> dict[str, Any]:
    out = {"pairs": stats["pairs"], "attack_success": _rate(stats["attacks"], stats["pairs"]),
           "utility": _rate(stats["utility"], stats["tasks"]),
           "utility_undefended": _rate(stats["utility_undefended"], stats["tasks"]),
           "attacks_landed": stats["attacks"], "tasks": stats["tasks"],
           "injection_seen": stats["seen"],
           "attack_success_when_seen": _rate(stats["seen_attacks"], stats["seen"]),
           "utility_under_attack": _rate(stats["utility_under_attack"], stats["pairs"]),
           "extractor_tool_calls_refused": stats["extractor_refused"]}
    if defence:
        out["utility_with_confirmation"] = _rate(stats["utility_confirmed"], stats["tasks"])
    return out
