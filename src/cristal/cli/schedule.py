"""`cristal schedule add|list|remove|pause|resume`: run specs on cron schedules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt
from cristal.cli._output import console, print_json, styled
from cristal.cli.runs import engine
from cristal.cli.workflow import Inputs
from cristal.workflows import (
    add_schedule,
    list_schedules,
    load_spec,
    parse_pairs,
    remove_schedule,
    set_schedule_active,
)

app = typer.Typer(help="Run workflow specs on cron schedules (fired once per moment, "
                  "however many workers run).", no_args_is_help=True)


def _print(data: dict[str, Any], json_out: bool, verb: str) -> None:
    if json_out:
        print_json(data)
        return
    console.print(styled("Schedule [bold]{name}[/] {verb}: {workflow} at '{cron}' ({zone}) for "
                         "tenant {tenant}.", name=data["name"], verb=verb,
                         workflow=data["workflow"], cron=data["cron"],
                         zone=data["timezone"] or "UTC", tenant=data["tenant"]))


@app.command("add")
def add(
    name: str,
    spec: Path,
    cron: Annotated[str, typer.Option(help="Cron expression, e.g. '0 9 * * 1-5'.")],
    inputs: Inputs = None,
    tenant: TenantOpt = None,
    timezone: Annotated[str | None, typer.Option(help="IANA zone, e.g. Asia/Tokyo "
                                                      "(default UTC).")] = None,
    backfill: Annotated[bool, typer.Option(
        help="After downtime, also fire the moments that were missed.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Run SPEC with these inputs on a cron schedule."""
    eng = engine()
    loaded = load_spec(spec, eng.settings)
    data = add_schedule(eng, name, loaded, cron, parse_pairs(inputs), tenant=tenant,
                        timezone=timezone, backfill=backfill)
    _print(data, json_out, "added")


@app.command("list")
def list_(json_out: JsonOpt = False) -> None:
    """List schedules."""
    schedules = list_schedules(engine())
    if json_out:
        print_json({"schedules": schedules})
        return
    table = Table("name", "workflow", "cron", "timezone", "tenant", "status", "last fired",
                  title="Schedules")
    for s in schedules:
        table.add_row(s["name"], s["workflow"] or "", s["cron"], s["timezone"] or "UTC",
                      s["tenant"] or "", s["status"], s["last_fired_at"] or "")
    console.print(table)


@app.command("remove")
def remove(name: str, json_out: JsonOpt = False) -> None:
    """Delete a schedule."""
    remove_schedule(engine(), name)
    if json_out:
        print_json({"name": name, "removed": True})
        return
    console.print(f"Schedule {name} removed.")


@app.command("pause")
def pause(name: str, json_out: JsonOpt = False) -> None:
    """Stop firing a schedule until it is resumed."""
    _print(set_schedule_active(engine(), name, False), json_out, "paused")


@app.command("resume")
def resume(name: str, json_out: JsonOpt = False) -> None:
    """Fire a paused schedule again."""
    _print(set_schedule_active(engine(), name, True), json_out, "resumed")
