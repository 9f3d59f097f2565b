"""`cristal envs`: list, serve over HTTP, synthesize task sets, stored episodes and replays."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, err_console, print_json, safe
from cristal.cli._progress import progress_bars

app = typer.Typer(help="Training environments: Gymnasium envs, remote serving, task synthesis.",
                  no_args_is_help=True)
episodes_app = typer.Typer(help="Stored episodes.", no_args_is_help=True)
app.add_typer(episodes_app, name="episodes")

_ABOUT = {
    "cristal/Research-v0": "a question over a folder with docs/ and questions.jsonl "
                           "(set_dir=DIR); search, read, answer",
    "cristal/Operator-v0": "a MiniWoB++ task page (task=NAME) or start_url + goal + checker; "
                           "one operator action per step",
    "cristal/Tools-v0": "AgentDojo's 97 user tasks (workspace, travel, banking, slack); "
                        "utility checks as reward, injections optional",
}


def _tenant_id(tenant: str | None) -> str:
    from cristal.governance import get_tenant

    state = app_state()
    return get_tenant(state.store, tenant or state.settings.tenant).id


@app.command("list")
def list_envs(json_out: JsonOpt = False) -> None:
    """The Cristal environments registered with Gymnasium."""
    from cristal.envs import ENV_IDS

    if json_out:
        print_json({"envs": [{"id": e, "about": _ABOUT[e]} for e in ENV_IDS]})
        return
    table = Table("id", "what", title="gymnasium.make(ID, ...) after `import cristal.envs`")
    for env in ENV_IDS:
        table.add_row(env, _ABOUT[env])
    console.print(table)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8410,
    set_dir: Annotated[Path | None, typer.Option(
        "--set", help="Default task folder for cristal/Research-v0 sessions.")] = None,
    max_sessions: Annotated[int, typer.Option(min=1, help="Sessions open at once.")] = 64,
    json_out: JsonOpt = False,
) -> None:
    """Serve the environments over HTTP (OpenEnv's reset/step/state) until stopped."""
    from cristal.envs import create_app
    from cristal.errors import UserError

    try:
        import uvicorn
    except ImportError:
        raise UserError("Serving environments needs uvicorn: `pip install 'cristal[envs]'`.") \
            from None
    defaults = {"cristal/Research-v0": {"set_dir": str(set_dir)}} if set_dir else {}
    api = create_app(defaults=defaults, max_sessions=max_sessions, app=app_state())
    url = f"http://{host}:{port}"
    if json_out:
        print_json({"url": url, "envs": list(_ABOUT)})
    else:
        err_console.print(f"Serving Cristal environments on {url} (POST /reset, POST /step, "
                          "GET /state); Ctrl-C stops.")
    uvicorn.run(api, host=host, port=port, log_level="warning")


@app.command("synth")
def synth(
    collection: Annotated[str, typer.Option(help="The collection to write tasks from.")],
    out: Annotated[Path, typer.Option(help="Folder for questions.jsonl and docs/.")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many tasks.")] = 50,
    route: Annotated[str | None, typer.Option(help="A model route to rewrite questions in "
                                              "natural words (optional).")] = None,
    seed: Annotated[int, typer.Option(help="Which candidates are drawn.")] = 0,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a checked research task set from a collection's documents.

    questions.jsonl and the docs/ folder of copies are recorded in the audit log
    (`data.export`), so `cristal erase` can find and delete what holds erased data.
    """
    from cristal.app.data import record_file
    from cristal.envs import synthesize
    from cristal.governance import get_tenant

    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    with progress_bars(not json_out) as progress:
        report = synthesize(state, owner, collection, n, out, seed=seed, route=route,
                            progress=progress)
    data = report.to_dict()
    me = local_principal(owner.name)
    source = f"envs synth of collection {collection}"
    record_file(state, me, out / "questions.jsonl", fmt="jsonl research tasks",
                rows=data["kept"], source=source, tenant=owner)
    if (out / "docs").is_dir():
        record_file(state, me, out / "docs", fmt="folder of document copies",
                    rows=sum(1 for p in (out / "docs").rglob("*") if p.is_file()),
                    source=source, tenant=owner)
    if json_out:
        print_json(data)
        return
    table = Table("kind", "generated", "kept", title=f"Tasks written to {safe(str(out))}")
    for kind, row in data["by_kind"].items():
        table.add_row(kind, str(row["generated"]), str(row["kept"]))
    console.print(table)
    console.print(f"{data['kept']} of {data['generated']} kept "
                  f"({(data['share_kept'] or 0):.0%}) after the answerability checks; "
                  f"{data['rewritten_by_model']} rewritten by a model.")
    for note in data["notes"]:
        console.print(f"note: {safe(note)}")


@episodes_app.command("list")
def episodes_list(
    env: Annotated[str | None, typer.Option("--env", help="Only this environment.")] = None,
    run: Annotated[str | None, typer.Option("--run", help="Only this eval run.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Recent episodes."""
    from cristal.envs import list_episodes

    rows = list_episodes(app_state().store, _tenant_id(tenant), env_id=env, eval_run_id=run,
                         limit=limit)
    if json_out:
        print_json({"episodes": rows})
        return
    table = Table("id", "env", "task", "policy", "reward", "success", "steps", "status")
    for r in rows:
        table.add_row(r["id"], safe(r["env_id"]), safe(r["task_id"]), safe(r["policy"]),
                      f"{r['total_reward']:.3f}", "yes" if r["success"] else "no",
                      str(r["steps"]), r["status"])
    console.print(table)


@episodes_app.command("show")
def episodes_show(
    episode_id: Annotated[str, typer.Argument(help="An episode id (ep_…).")],
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """One episode: its actions, rewards and transcript."""
    from cristal.envs import get_episode

    data = get_episode(app_state().store, _tenant_id(tenant), episode_id)
    if json_out:
        print_json(data)
        return
    console.print(f"{safe(data['env_id'])} · task {safe(data['task_id'])} · seed "
                  f"{data['seed']} · policy {safe(data['policy'])} · reward "
                  f"{data['total_reward']:.3f} · {data['status']}")
    for i, (action, reward) in enumerate(zip(data["actions"], data["rewards"],
                                             strict=False), start=1):
        console.print(f"{i}. {safe(str(action))[:300]} → {reward:.3f}")


@app.command("replay")
def replay_cmd(
    episode_id: Annotated[str, typer.Argument(help="A stored episode id (ep_…).")],
    set_dir: Annotated[Path | None, typer.Option("--set", help="Research-v0: its folder.")]
    = None,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Replay a stored episode from its seed and actions; exit 1 if anything differs."""
    import gymnasium

    from cristal.envs import get_episode, replay
    from cristal.errors import InvalidInput

    state = app_state()
    data = get_episode(state.store, _tenant_id(tenant), episode_id)
    kwargs: dict = {}
    if data["env_id"] == "cristal/Research-v0":
        if set_dir is None:
            raise InvalidInput("replaying a Research-v0 episode needs --set DIR (its task "
                               "folder).")
        kwargs = {"set_dir": str(set_dir), "app": state}
    elif data["env_id"] == "cristal/Operator-v0":
        if data["task_id"] == "app":
            raise InvalidInput("an episode on your own app replays from Python: make "
                               "cristal/Operator-v0 with the same start_url, goal and checker "
                               "and call cristal.envs.replay(env, episode).")
        kwargs = {"task": data["task_id"]}
    env = gymnasium.make(data["env_id"], **kwargs)
    try:
        result = replay(env, data, compare_rewards=data["env_id"] != "cristal/Operator-v0")
    finally:
        env.close()
    if json_out:
        print_json({"episode": episode_id, **result.to_dict()})
    else:
        console.print(("matched" if result.matched else
                       f"differs from observation {result.first_mismatch}") +
                      f" after {result.steps} steps")
    if not result.matched:
        raise typer.Exit(1)
