"""`cristal eval run` and `cristal eval runs list|show`: scorecards on Cristal environments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._output import console, print_json, safe
from cristal.cli._progress import progress_bars
from cristal.errors import InvalidInput

__all__ = ["run", "runs_app"]

runs_app = typer.Typer(help="Stored eval runs (scorecards).", no_args_is_help=True)


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _env_kwargs(env: str, set_dir: Path | None, suite: str | None,
                tasks: list[str], injections: bool = False) -> dict[str, Any]:
    if injections and env != "cristal/Tools-v0":
        raise InvalidInput("--injections is for cristal/Tools-v0 (AgentDojo's attacks).")
    if env == "cristal/Research-v0":
        if set_dir is None:
            raise InvalidInput("cristal/Research-v0 needs --set DIR (a folder with docs/ and "
                               "questions.jsonl, e.g. one written by `cristal envs synth`).")
        return {"set_dir": str(set_dir)}
    if env == "cristal/Operator-v0":
        if not tasks:
            raise InvalidInput("cristal/Operator-v0 needs --tasks (MiniWoB++ task names such "
                               "as click-button,enter-text).")
        return {"tasks": tasks}
    kwargs: dict[str, Any] = {"suite": suite} if suite else {}
    if injections:
        kwargs["injections"] = True
    return kwargs


def _money(value: float) -> str:
    return f"${value:.4f}" if value else "$0"


def run(
    env: Annotated[str, typer.Option("--env", help="Environment id.")] = "cristal/Research-v0",
    policy: Annotated[str, typer.Option(help="A route name, skill, random, oracle, or "
                                        "defended:ROUTE (Tools-v0: Cristal's guarded loop).")]
    = "skill",
    compare: Annotated[str | None, typer.Option(
        help="Compare policies side by side: ROUTE_A,ROUTE_B (replaces --policy).")] = None,
    tasks: Annotated[str | None, typer.Option(help="Comma-separated task ids (default: all; "
                                              "a Tools-v0 suite name selects its tasks).")]
    = None,
    set_dir: Annotated[Path | None, typer.Option("--set", help="Research-v0: folder with "
                                                 "docs/ and questions.jsonl.")] = None,
    suite: Annotated[str | None, typer.Option(help="Tools-v0: one AgentDojo suite.")] = None,
    injections: Annotated[bool, typer.Option(
        "--injections", help="Tools-v0: every user task under each of AgentDojo's attacks; "
        "the scorecard adds attack_success.")] = False,
    episodes: Annotated[int, typer.Option(min=1, help="Episodes per task and policy.")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, help="Episodes at once.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the first episode of each task.")] = 0,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Roll out policies on an environment's tasks in parallel; print and store the scorecard."""
    from cristal.envs import run_eval

    policies = _split(compare) or [policy]
    task_list = _split(tasks)
    state = app_state()
    kwargs = _env_kwargs(env, set_dir, suite, task_list, injections)
    with progress_bars(not json_out) as progress:
        result = run_eval(state, env, policies=policies,
                          tasks=task_list or None, episodes=episodes, concurrency=concurrency,
                          env_kwargs=kwargs, tenant=tenant, seed_base=seed, progress=progress)
    data = result.to_dict()
    if json_out:
        print_json(data)
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    by = data["by_policy"]
    names = list(by)
    table = Table("task", *[f"{safe(n)} reward / success" for n in names],
                  title=f"{safe(data['env'])} · eval run {data['id']}")
    tasks = sorted({t for s in by.values() for t in s["tasks"]})
    for task in tasks:
        cells = []
        for n in names:
            row = by[n]["tasks"].get(task)
            cells.append("-" if row is None else f"{row['reward']:.2f} / {row['success']:.0%}")
        table.add_row(safe(task), *cells)
    console.print(table)
    totals = Table("policy", "episodes", "reward", "success", "steps", "tokens/ep", "cost/ep",
                   "latency p50", "errors", title="Totals")
    for n, s in by.items():
        totals.add_row(safe(n), str(s["episodes"]), f"{s['reward']:.3f}", f"{s['success']:.0%}",
                       f"{s['steps']:.1f}", f"{s['tokens_per_episode']:.0f}",
                       _money(s["cost_per_episode_usd"]), f"{s['latency_ms_p50']:.0f} ms",
                       str(s["errors"]))
    console.print(totals)
    for n, s in by.items():
        if "attack_success" in s:
            console.print(f"{safe(n)}: attacks landed in {s['attacks_landed']} of "
                          f"{s['episodes']} episodes ({s['attack_success']:.1%}).")
    if data.get("frontier"):
        points = " → ".join(f"{safe(p['policy'])} ({p['reward']:.3f} at "
                            f"{_money(p['cost_per_episode_usd'])}/episode)"
                            for p in data["frontier"])
        console.print(f"Cost-quality frontier (cheapest first): {points}")


@runs_app.command("list")
def runs_list(
    limit: Annotated[int, typer.Option(min=1)] = 20,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Recent eval runs."""
    from cristal.envs import list_eval_runs
    from cristal.governance import get_tenant

    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    rows = list_eval_runs(state.store, owner.id, limit)
    if json_out:
        print_json({"runs": rows})
        return
    table = Table("id", "env", "policies", "status", "episodes", "reward", "created")
    for r in rows:
        table.add_row(r["id"], safe(r["env"]), safe(",".join(r["policies"])), r["status"],
                      str(r["episodes"]), safe(" ".join(f"{k}={v:.3f}"
                                                          for k, v in r["reward"].items())),
                      r["created_at"][:19])
    console.print(table)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="An eval run id (eval_…).")],
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """One eval run: per task and per policy, and the frontier."""
    from cristal.envs import get_eval_run
    from cristal.governance import get_tenant

    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    data = get_eval_run(state.store, owner.id, run_id)
    if json_out:
        print_json(data)
        return
    data.setdefault("by_policy", {})
    data["env"] = data.pop("env_id")
    if data["by_policy"]:
        _print(data)
    console.print(f"status {data['status']}" + (f": {safe(data['error'])}"
                                                  if data.get("error") else ""))
