"""`cristal workflow validate|run`: YAML workflow specs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cristal.app import workflows as uc
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, print_json
from cristal.cli.runs import contract, engine, print_run
from cristal.workflows import load_spec, parse_pairs, wait_run

app = typer.Typer(help="Validate and run YAML workflow specs.", no_args_is_help=True)

Inputs = Annotated[list[str] | None, typer.Option(
    "--input", "-i", help="KEY=VALUE for a declared input; repeatable.")]


@app.command("validate")
def validate(spec: Path, json_out: JsonOpt = False) -> None:
    """Check a spec (types, templates, references, cycles) without running anything."""
    loaded = load_spec(spec, app_state().settings)
    summary = {"valid": True, "name": loaded.name, "path": str(spec),
               "inputs": {k: {"type": v.type, "required": v.required}
                          for k, v in loaded.inputs.items()},
               "steps": [{"id": sid, "type": loaded.steps[sid].type} for sid in loaded.order]}
    if json_out:
        print_json(summary)
        return
    console.print(f"[green]valid[/]: workflow [bold]{loaded.name}[/] with "
                  f"{len(loaded.steps)} steps: {' → '.join(loaded.order)}", markup=True)


@app.command("run")
def run(
    spec: Path,
    inputs: Inputs = None,
    tenant: TenantOpt = None,
    key: Annotated[str | None, typer.Option(
        help="Idempotency key: starting the same key again returns the same run.")] = None,
    queue: Annotated[str | None, typer.Option(help="Queue (default: the spec's, or "
                                                   "'default').")] = None,
    priority: Annotated[int | None, typer.Option(min=1, help="1 runs first; default 10.")] = None,
    delay: Annotated[float | None, typer.Option(
        min=0, help="Start no sooner than this many seconds from now.")] = None,
    wait: Annotated[bool, typer.Option(
        "--wait", help="Wait until the run ends or waits for a person; without a live "
        "worker, run it in this process.")] = False,
    timeout: Annotated[float | None, typer.Option(help="With --wait: stop waiting after "
                                                       "this many seconds.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Start a run (queued for `cristal worker`), or run it now with --wait."""
    eng = engine()
    state, me = app_state(), local_principal()
    loaded = load_spec(spec, eng.settings)
    values = parse_pairs(inputs)
    if not wait or delay:
        view = uc.start_spec(state, me, loaded, values, tenant=tenant, key=key, queue=queue,
                             priority=priority, delay_s=delay)
        if wait:
            view = wait_run(eng, view.run_id, timeout_s=timeout)
        print_run(view, json_out)
        return
    if eng.live_workers():
        view = uc.start_spec(state, me, loaded, values, tenant=tenant, key=key, queue=queue,
                             priority=priority)
        view = wait_run(eng, view.run_id, timeout_s=timeout)
        _finish(view, json_out, hard_exit=False)
        return
    eng.launch(kind="cli", queues=[])
    try:
        run_id = uc.run_here(state, me, loaded, values, tenant=tenant, key=key)
        view = wait_run(eng, run_id, timeout_s=timeout)
    finally:
        eng.shutdown()
    _finish(view, json_out, hard_exit=not view.done)


def _finish(view, json_out: bool, hard_exit: bool) -> None:
    if json_out:
        print_json(contract(view))
    else:
        print_run(view, False, steps=True)
        if not view.done:
            console.print("The run continues on the next `cristal worker` to start (or the "
                          "one running now).")
    code = 1 if view.status in ("failed", "cancelled") else 0
    if hard_exit:
        # A run left waiting here still holds a thread of this process; the run itself is
        # safe in the database and a worker takes it over, so leave without joining it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if code:
        raise typer.Exit(code)
