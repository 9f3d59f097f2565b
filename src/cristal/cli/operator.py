"""`cristal operator run|runs|skill`: browser tasks, their stored trajectories, and skills."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from cristal.app import operator as uc
from cristal.app.data import record_file
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._operator_io import (
    parse_params,
    print_outcome,
    print_steps,
    split_hosts,
    terminal_hooks,
)
from cristal.cli._output import console, err_console, print_json, styled, text
from cristal.errors import ConfigError, InvalidInput
from cristal.governance import Tenant, get_tenant
from cristal.operator import (
    EXPORT_FORMATS,
    RunRequest,
    Skill,
    compile_run,
    get_skill,
    list_skills,
    save_skill,
)

app = typer.Typer(help="Operator: run tasks in a real browser, inspect runs, manage skills.",
                  no_args_is_help=True)
runs_app = typer.Typer(help="Stored operator runs (trajectories).", no_args_is_help=True)
skill_app = typer.Typer(help="Skills: successful runs compiled into replayable procedures.",
                        no_args_is_help=True)
app.add_typer(runs_app, name="runs")
app.add_typer(skill_app, name="skill")

StartOpt = Annotated[str, typer.Option("--start", help="The URL to open first.")]
AllowOpt = Annotated[str | None, typer.Option(
    "--allow", help="More hosts the run may reach, comma-separated (the start URL's host is "
    "always allowed; '*.example.com' wildcards).")]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", help="A skill or plan parameter NAME=VALUE; repeatable.")]
HeadedOpt = Annotated[bool, typer.Option("--headed", help="Show the browser window.")]
TakeoverOpt = Annotated[bool, typer.Option(
    "--takeover", help="Pause after opening the start URL so you can work in the browser "
    "(prints its CDP endpoint); Enter resumes. Also allows 'pause' at confirmations.")]
YesOpt = Annotated[bool, typer.Option(
    "--yes", "-y", help="Approve in advance the sensitive actions written in the plan or skill "
    "(with --task: actions on controls the task quotes by name). Never approves what a page "
    "chose (off-site links, forms or URLs, submissions set off by page scripts); those are "
    "still asked, or stop the run.")]
StepsOpt = Annotated[int | None, typer.Option("--max-steps", min=1,
                                              help="Step budget (default: operator.max_steps).")]
ShotsOpt = Annotated[Path | None, typer.Option(
    "--screenshots", help="Folder for a PNG of the page after every step.")]


def _tenant(name: str | None) -> Tenant:
    state = app_state()
    return get_tenant(state.store, name or state.settings.tenant)


def _execute(request: RunRequest, *, yes: bool, json_out: bool) -> None:
    request.preapprove = yes
    hooks = terminal_hooks(json_out=json_out,
                           takeover=request.takeover or (not json_out and sys.stdin.isatty()))
    try:
        outcome = uc.operate(app_state(), local_principal(request.tenant), request, hooks)
    except Exception as exc:
        if type(exc).__module__.startswith("playwright"):  # Chromium could not start
            raise ConfigError(
                f"Chromium could not run: {str(exc).splitlines()[0][:200]}. Check `cristal "
                "setup browser`; a --headed run needs a display (DISPLAY).") from None
        raise
    if json_out:
        print_json(outcome.to_dict())
    else:
        print_outcome(outcome)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


@app.command("run")
def run(
    start: StartOpt,
    plan: Annotated[Path | None, typer.Option(help="A plan script to carry out.")] = None,
    task: Annotated[str | None, typer.Option(
        help="What to do, in words (the model policy; with --plan or --skill, the "
        "instruction they carry out).")] = None,
    allow: AllowOpt = None,
    policy: Annotated[str | None, typer.Option(
        help="plan, model or skill (default: plan with --plan, skill with --skill, else "
        "model).")] = None,
    skill: Annotated[str | None, typer.Option(help="A stored skill to replay.")] = None,
    param: ParamOpt = None,
    headed: HeadedOpt = False,
    takeover: TakeoverOpt = False,
    yes: YesOpt = False,
    max_steps: StepsOpt = None,
    screenshots: ShotsOpt = None,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Carry out a task in the browser; every step is stored (see `operator runs`)."""
    kind = policy or ("plan" if plan else "skill" if skill else "model")
    if kind not in ("plan", "model", "skill"):
        raise InvalidInput(f"--policy {kind!r} is not one of plan, model, skill.")
    if plan is not None and kind != "plan":
        raise InvalidInput("--plan runs with the plan policy; leave out --policy or use plan.")
    script = None
    if kind == "plan":
        if plan is None:
            raise InvalidInput("--policy plan needs --plan FILE.")
        if not plan.is_file():
            raise InvalidInput(f"--plan {plan}: no such file; give the path of a plan script.")
        script = plan.read_text(encoding="utf-8")
    chosen: Skill | None = None
    if kind == "skill":
        if not skill:
            raise InvalidInput("--policy skill needs --skill NAME (`cristal operator skill "
                               "list` shows them).")
        chosen = get_skill(app_state().store, _tenant(tenant).id, skill)[0]
    # Without --task, a plan's `# instruction:` header names what it does.
    request = RunRequest(start_url=start, instruction=task or "", policy=kind,  # type: ignore
                         plan=script, skill=chosen, params=parse_params(param),
                         allow=split_hosts(allow), tenant=tenant, max_steps=max_steps,
                         headless=False if headed else None, takeover=takeover,
                         screenshots=str(screenshots) if screenshots else None)
    _execute(request, yes=yes, json_out=json_out)


@runs_app.command("list")
def runs_list(
    tenant: TenantOpt = None,
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many.")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """List recent operator runs."""
    runs = uc.list_runs(app_state(), local_principal(tenant), limit=limit, status=status)
    if json_out:
        print_json({"runs": [r.to_dict() for r in runs]})
        return
    table = Table(title="Operator runs")
    table.add_column("id", no_wrap=True)
    for column in ("time (UTC)", "status", "policy", "steps", "calls", "instruction"):
        table.add_column(column)
    for r in runs:
        table.add_row(r.id, f"{r.created_at:%Y-%m-%d %H:%M}", r.status,
                      r.policy + (f":{r.skill}" if r.skill else ""), str(r.steps),
                      str(r.model_calls), r.instruction[:60])
    console.print(table)


@runs_app.command("show")
def runs_show(
    run_id: str,
    snapshots: Annotated[bool, typer.Option(help="Include each step's page snapshot.")] = False,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show a run and its steps."""
    state, me = app_state(), local_principal(tenant)
    data = uc.get_run(state, me, run_id)
    steps = uc.steps(state, me, run_id)
    if json_out:
        exclude = set() if snapshots else {"snapshot_text"}
        print_json({**data, "steps": [s.model_dump(mode="json", exclude=exclude)
                                      for s in steps]})
        return
    facts = [styled("[bold]{status}[/] · {policy}{skill} · {steps} steps · {calls} model call(s)",
                    status=data["status"], policy=data["policy"],
                    skill=f" · skill {data['skill']}" if data["skill"] else "",
                    steps=data["steps"], calls=data["model_calls"]),
             text(f"task: {data['instruction']}"), text(f"start: {data['start_url']}")]
    if data["result"] is not None:
        facts.append(text(f"result: {data['result']}"))
    if data["error"]:
        facts.append(text(data["error"], style="red"))
    console.print(Text("\n").join(facts))
    print_steps(steps, snapshots=snapshots)


@runs_app.command("export")
def runs_export(
    run_id: str,
    out: Annotated[Path | None, typer.Option(help="Write JSONL here (default: stdout).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="steps (one step record per line) or "
                                     "chat (one chat training example per step).")] = "steps",
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Export a run as JSONL: step records, or chat-format training examples."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"--format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}.")
    state, me = app_state(), local_principal(tenant)
    lines = list(uc.export(state, me, run_id, fmt))
    if out is None:  # the JSONL itself is the output (each line one JSON object)
        for line in lines:
            sys.stdout.write(line + "\n")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    record_file(state, me, out, fmt=f"jsonl {fmt}", rows=len(lines),
                source=f"operator run {run_id}", tenant=me.tenant)
    summary = {"run_id": run_id, "format": fmt, "out": str(out), "lines": len(lines)}
    if json_out:
        print_json(summary)
    else:
        err_console.print(f"{len(lines)} line(s) ({fmt}) written to {out}")


def _skill_dict(skill: Skill, info: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": skill.name, "version": skill.version, "template": skill.template,
            "params": [p.model_dump() for p in skill.params], "steps": len(skill.steps),
            **(info or {})}


@skill_app.command("compile")
def skill_compile(
    run_id: str,
    name: Annotated[str, typer.Option("--name", help="The skill's name.")],
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Compile a successful stored run into a skill (its task's values become parameters)."""
    store = app_state().store
    owner = _tenant(tenant)
    skill = save_skill(store, owner.id, compile_run(store, owner.id, run_id, name), run_id)
    data = _skill_dict(skill, {"source_run_id": run_id})
    if json_out:
        print_json(data)
        return
    params = ", ".join(p.name for p in skill.params) or "none"
    console.print(styled("skill [bold]{name}[/] v{version}: {template} · {steps} steps · "
                         "parameters: {params}", name=skill.name, version=skill.version,
                         template=skill.template, steps=len(skill.steps), params=params))


@skill_app.command("list")
def skill_list(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """List skills (the latest version of each)."""
    skills = list_skills(app_state().store, _tenant(tenant).id)
    if json_out:
        print_json({"skills": skills})
        return
    table = Table("name", "version", "template", "params", "steps", "from run", title="Skills")
    for s in skills:
        table.add_row(s["name"], str(s["version"]), s["template"][:70],
                      ", ".join(s["params"]), str(s["steps"]), s["source_run_id"] or "")
    console.print(table)


@skill_app.command("show")
def skill_show(
    name: str,
    version: Annotated[int | None, typer.Option(min=1, help="A version (default: latest).")]
    = None,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show a skill: its template, parameters and steps."""
    skill, info = get_skill(app_state().store, _tenant(tenant).id, name, version)
    if json_out:
        print_json({**skill.model_dump(mode="json"), **info})
        return
    console.print(styled("[bold]{name}[/] v{version} · from run {run}\ntemplate: {template}",
                         name=skill.name, version=skill.version,
                         run=info["source_run_id"] or "-", template=skill.template))
    for p in skill.params:
        console.print(f"  param {p.name}{' (list)' if p.is_list else ''}: e.g. {p.example!r}")
    for i, step in enumerate(skill.steps, 1):
        repeat = f"  (for each {step.repeat})" if step.repeat else ""
        console.print(f"  {i}. {step.action}{repeat}")


@skill_app.command("run")
def skill_run(
    name: str,
    start: StartOpt,
    param: ParamOpt = None,
    task: Annotated[str | None, typer.Option(
        help="An instruction of the skill's kind (instead of --param values).")] = None,
    allow: AllowOpt = None,
    headed: HeadedOpt = False,
    takeover: TakeoverOpt = False,
    yes: YesOpt = False,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Replay a skill without a model; a step it cannot find goes to the model if one is set."""
    skill = get_skill(app_state().store, _tenant(tenant).id, name)[0]
    request = RunRequest(start_url=start, instruction=task or "", policy="skill", skill=skill,
                         params=parse_params(param), allow=split_hosts(allow), tenant=tenant,
                         headless=False if headed else None, takeover=takeover)
    _execute(request, yes=yes, json_out=json_out)
