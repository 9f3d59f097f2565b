"""`cristal calls list|show`: the model call log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cristal.app import usage as metering
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal, parse_since
from cristal.cli._output import console, print_json

app = typer.Typer(help="Inspect the model call log.", no_args_is_help=True)


@app.command("list")
def list_(
    tenant: TenantOpt = None,
    since: Annotated[str | None, typer.Option(help="Only calls since 2026-11-01 or 24h.")] = None,
    status: Annotated[str | None, typer.Option(
        help="ok, error, refused, pending, cancelled or abandoned.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many rows.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """List recent model calls, newest first."""
    calls = metering.calls(app_state(), local_principal(), tenant=tenant,
                           since=parse_since(since), status=status, limit=limit,
                           all_tenants=tenant is None)
    if json_out:
        print_json({"calls": [c.to_dict() for c in calls]})
        return
    table = Table("id", "time (UTC)", "tenant", "route", "provider", "model", "status",
                  "in", "out", "cost", "ms", title="Model calls")
    for c in calls:
        table.add_row(c.id, f"{c.created_at:%Y-%m-%d %H:%M:%S}", c.tenant, c.route, c.provider,
                      c.model, c.status, f"{c.input_tokens:,}", f"{c.output_tokens:,}",
                      f"${c.cost_usd:.6f}", f"{c.latency_ms:.0f}" if c.latency_ms else "-")
    console.print(table)


@app.command("show")
def show(call_id: str, json_out: JsonOpt = False) -> None:
    """Show one call in full."""
    call = metering.call(app_state(), local_principal(), call_id)
    if json_out:
        print_json(call.to_dict())
        return
    table = Table(show_header=False, title=f"Call {call.id}")
    for key, value in call.to_dict().items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
