"""`cristal runs list|show|cancel|resume|retry`: workflow runs and their step timelines."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from cristal.app import workflows as uc
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, print_json
from cristal.workflows import Engine, RunView

app = typer.Typer(help="Inspect and manage workflow runs.", no_args_is_help=True)

_COLORS = {"succeeded": "green", "failed": "red", "waiting": "yellow", "running": "cyan",
           "queued": "blue", "cancelled": "magenta", "skipped": "dim", "not_run": "dim",
           "pending": "dim"}


def engine() -> Engine:
    """The workflow engine of this CLI process (a client; nothing is launched)."""
    return app_state().engine


def contract(view: RunView, steps: bool = False) -> dict[str, Any]:
    """The JSON contract: run_id, status, outputs (+ steps), then error/waiting if any."""
    data: dict[str, Any] = {"run_id": view.run_id, "status": view.status,
                            "outputs": view.outputs}
    if steps:
        full = view.to_dict()
        data.update({k: v for k, v in full.items() if k not in data})
        return data
    for key in ("error", "waiting"):
        if getattr(view, key):
            data[key] = getattr(view, key)
    return data


def _short(value: Any, width: int = 60) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                          default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _status(status: str) -> str:
    return f"[{_COLORS.get(status, 'white')}]{status}[/]"


def print_run(view: RunView, json_out: bool, steps: bool = False) -> None:
    """Print a run: the contract JSON, or a summary (and step table) for people."""
    if json_out:
        print_json(contract(view, steps))
        return
    console.print(f"Run [bold]{view.run_id}[/] ({view.workflow}, tenant {view.tenant}): "
                  f"{_status(view.status)}", markup=True)
    if view.waiting:
        w = view.waiting
        if w.get("kind") == "approval":
            console.print(f"  waiting for approval at step [bold]{w['step']}[/]: "
                          f"{w.get('message', '')}\n  approve: cristal approve {view.run_id} "
                          f"{w['step']}   reject: add --reject --comment '…'", markup=True)
        elif w.get("kind") == "budget":
            console.print(f"  paused: {w.get('reason')}\n  after raising the budget: "
                          f"cristal runs resume {view.run_id}")
        else:
            console.print(f"  waiting ({w.get('kind')}) until {w.get('until')}")
    if view.error:
        console.print(f"  [red]error:[/] {view.error}", markup=True)
    if view.steps is not None:
        table = Table("step", "type", "status", "ms", "attempts", "cost", "output",
                      title=f"Steps ({view.model_calls} model calls, ${view.cost_usd:.6f})")
        for s in view.steps:
            table.add_row(s.id, s.type, _status(s.status),
                          "" if s.duration_ms is None else f"{s.duration_ms:,.0f}",
                          str(s.attempts or ""), f"${s.cost_usd:.6f}" if s.cost_usd else "",
                          ("(offline fallback) " if s.meta.get("fallback") else "")
                          + _short(s.error or s.output))
        console.print(table)
    if view.outputs and view.status == "succeeded":
        console.print("outputs:")
        for key, value in view.outputs.items():
            console.print(f"  {key}: {_short(value, 100)}", markup=False)


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(
        help="queued, running, waiting, succeeded, failed or cancelled.")] = None,
    tenant: TenantOpt = None,
    workflow: Annotated[str | None, typer.Option(help="Only runs of this workflow.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many runs.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """List runs, newest first."""
    runs = uc.runs(app_state(), local_principal(), status=status, tenant=tenant,
                   workflow=workflow, limit=limit, all_tenants=tenant is None)
    if json_out:
        print_json({"runs": [r.to_dict() for r in runs]})
        return
    table = Table("run", "workflow", "tenant", "status", "created (UTC)", "note", title="Runs")
    for r in runs:
        note = r.error or (f"{r.waiting.get('kind')} at {r.waiting.get('step')}" if r.waiting
                           else "")
        table.add_row(r.run_id, r.workflow, r.tenant or "", _status(r.status),
                      (r.created_at or "")[:19], _short(note, 50))
    console.print(table)


@app.command("show")
def show(run_id: str, json_out: JsonOpt = False) -> None:
    """Show a run: status, outputs, and each step with timing, attempts, model calls, cost."""
    print_run(uc.run(app_state(), local_principal(), run_id), json_out, steps=True)


@app.command("cancel")
def cancel(run_id: str, json_out: JsonOpt = False) -> None:
    """Cancel a queued, running or waiting run."""
    print_run(uc.cancel(app_state(), local_principal(), run_id), json_out)


@app.command("resume")
def resume(run_id: str, json_out: JsonOpt = False) -> None:
    """Resume a cancelled or dead-lettered run, or re-check a budget-paused one now."""
    print_run(uc.resume(app_state(), local_principal(), run_id), json_out)


@app.command("retry")
def retry(
    run_id: str,
    from_step: Annotated[str | None, typer.Option(
        "--from", help="Step to run again (default: the failed step); earlier steps are reused.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Start a new run from a step of an ended run, reusing the outputs before it."""
    view = uc.retry(app_state(), local_principal(), run_id, from_step)
    if not json_out:
        console.print(f"Retrying {run_id} from {from_step or 'the failed step'} as:")
    print_run(view, json_out)
