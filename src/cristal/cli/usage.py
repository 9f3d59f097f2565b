"""`cristal usage`: budget position per tenant, and spend since a date from the call log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cristal.app import usage as metering
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal, parse_since
from cristal.cli._output import console, print_json

Since = Annotated[str | None, typer.Option(
    help="Also break down calls since a date (2026-11-01) or a span (7d, 24h).")]


def usage(tenant: TenantOpt = None, since: Since = None, json_out: JsonOpt = False) -> None:
    """Show each tenant's budget, spend and remaining amount for the current period."""
    state, me = app_state(), local_principal()
    positions = metering.positions(state, me, tenant, all_tenants=tenant is None)
    moment = parse_since(since)
    breakdown = (metering.breakdown(state, me, moment, tenant, all_tenants=tenant is None)
                 if moment else None)
    if json_out:
        data = {"tenants": [
            {"tenant": u.tenant, "period": u.period, "period_start": u.period_start,
             "budget_usd": u.budget_usd, "budget_tokens": u.budget_tokens,
             "spent_usd": u.spent_usd, "spent_tokens": u.spent_tokens,
             "reserved_usd": u.reserved_usd, "reserved_tokens": u.reserved_tokens,
             "remaining_usd": u.remaining_usd, "remaining_tokens": u.remaining_tokens,
             "calls": u.calls} for u in positions]}
        if breakdown is not None:
            data["since"] = moment
            data["breakdown"] = breakdown
        print_json(data)
        return
    table = Table("tenant", "period from", "spent", "budget", "remaining", "tokens",
                  "token budget", "calls", title="Usage this period")
    for u in positions:
        table.add_row(
            u.tenant, u.period_start, f"${u.spent_usd:,.4f}",
            "unlimited" if u.budget_usd is None else f"${u.budget_usd:,.2f}",
            "-" if u.remaining_usd is None else f"${u.remaining_usd:,.4f}",
            f"{u.spent_tokens:,}",
            "unlimited" if u.budget_tokens is None else f"{u.budget_tokens:,}", f"{u.calls:,}",
        )
    console.print(table)
    if breakdown is not None:
        detail = Table("tenant", "route", "provider", "model", "calls", "ok", "input tokens",
                       "output tokens", "cost", title=f"Calls since {moment:%Y-%m-%d %H:%M} UTC")
        for row in breakdown:
            detail.add_row(row["tenant"], row["route"], row["provider"], row["model"],
                           f"{row['calls']:,}", f"{row['ok']:,}", f"{row['input_tokens']:,}",
                           f"{row['output_tokens']:,}", f"${row['cost_usd']:,.4f}")
        console.print(detail)
