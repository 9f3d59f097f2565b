"""`cristal eval operator`: score the skill or model policy on MiniWoB++ task pages."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._output import console, print_json, text
from cristal.cli._progress import progress_bars
from cristal.errors import ConfigError, InvalidInput
from cristal.operator import (
    DEMOS_DIR,
    Browser,
    EpisodeResult,
    ModelPolicy,
    SkillPolicy,
    evaluate,
    list_tasks,
    skill_from_demo,
)

__all__ = ["operator"]


def _tasks(text: str | None, policy: str) -> list[str]:
    demos = sorted(p.stem for p in DEMOS_DIR.glob("*.plan"))
    names = [t.strip() for t in (text or "").split(",") if t.strip()] or demos
    unknown = sorted(set(names) - set(list_tasks()))
    if unknown:
        raise InvalidInput(f"no MiniWoB++ task named {unknown[0]!r}; task names look like "
                           "click-button, login-user, book-flight.")
    if policy == "skill":
        missing = [n for n in names if n not in demos]
        if missing:
            raise InvalidInput(f"the skill policy needs a demonstration and {missing[0]!r} has "
                               f"none; tasks with one: {', '.join(demos)}.")
    return list(dict.fromkeys(names))


def operator(
    policy: Annotated[str, typer.Option(
        help="skill (compiled demonstrations, no model) or model (the operator route).")]
    = "skill",
    tasks: Annotated[str | None, typer.Option(
        help="Comma-separated MiniWoB++ tasks (default: every task with a shipped "
        "demonstration).")] = None,
    episodes: Annotated[int, typer.Option(min=1, help="Episodes per task.")] = 10,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score an operator policy on fresh MiniWoB++ episodes (success, steps, snapshot cost)."""
    if policy not in ("skill", "model"):
        raise InvalidInput(f"--policy {policy!r} is not one of skill, model.")
    state = app_state()
    settings = state.settings.operator
    names = _tasks(tasks, policy)
    models: list[ModelPolicy] = []
    if policy == "model":
        owner = tenant or state.settings.tenant
        if not state.gateway.available(settings.route, owner):
            raise ConfigError(
                f"--policy model needs a model on the {settings.route!r} route and none is "
                "configured (offline), so nothing was run. Set OPENAI_API_KEY (and "
                f"OPENAI_BASE_URL, CRISTAL_MODEL) or add [routes.{settings.route}] to "
                "cristal.toml; --policy skill needs no model.", route=settings.route)
    browser = Browser(executable=settings.chromium)
    total = len(names) * episodes
    finished = [0, 0]  # episodes, successes

    with browser, progress_bars(not json_out) as progress:
        skills: dict[str, Any] = {}
        if policy == "skill":
            for i, name in enumerate(names):
                progress("Demonstrations", i, len(names), name)
                skills[name] = skill_from_demo(browser, DEMOS_DIR / f"{name}.plan")
            progress("Demonstrations", len(names), len(names), "compiled")

        def make(task: str) -> Any:
            if policy == "skill":
                return SkillPolicy([skills[task]])
            models.append(ModelPolicy(state.gateway, route=settings.route, tenant=tenant,
                                      caller="eval:operator"))
            return models[-1]

        def on_episode(result: EpisodeResult) -> None:
            finished[0] += 1
            finished[1] += result.success
            progress("Episodes", finished[0], total,
                     f"{result.task} · {finished[1]}/{finished[0]} succeeded")

        progress("Episodes", 0, total, "")
        report = evaluate(names, make, episodes=episodes, browser=browser,
                          on_episode=on_episode, policy_name=policy)
    report.model_calls = sum(m.calls for m in models)
    data = report.to_dict()
    data["failures"] = report.failures()[:20]
    if json_out:
        print_json(data)
        return
    table = Table(title=text(f"Operator on MiniWoB++ ({policy} policy)"))
    table.add_column("task", no_wrap=True)
    for column in ("success", "episodes", "mean steps", "snapshot ms p50", "tokens p50"):
        table.add_column(column, justify="right")
    for name, row in data["tasks"].items():
        table.add_row(name, f"{row['success']:.2f}", str(row["episodes"]),
                      f"{row['mean_steps']:.1f}", f"{row['snapshot_ms_p50'] or 0:.1f}",
                      str(row["snapshot_tokens_p50"] or "-"))
    console.print(table)
    console.print(f"success mean {data['success_mean']:.2f} · {data['episodes']} episodes · "
                  f"snapshot p50 {data['snapshot_ms_p50'] or 0:.1f} ms · "
                  f"{data['model_calls']} model call(s)")
