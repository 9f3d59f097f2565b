"""`cristal tenant create|list|show|update`: tenants, their budgets and model policy."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from cristal.app import admin, usage
from cristal.cli._common import JsonOpt, app_state, local_principal
from cristal.cli._output import console, print_json
from cristal.errors import InvalidInput
from cristal.governance import Tenant

app = typer.Typer(help="Manage tenants (one per group company) and their budgets.",
                  no_args_is_help=True)

BudgetUsd = Annotated[float | None, typer.Option(help="Budget in US dollars per period.")]
BudgetTokens = Annotated[int | None, typer.Option(help="Budget in tokens per period.")]
Period = Annotated[str | None, typer.Option(help="Budget period: day, week, month or total.")]
Regions = Annotated[str | None, typer.Option(
    "--allow-regions", help="Comma-separated provider regions allowed ('' for none, 'any').")]
Providers = Annotated[str | None, typer.Option(
    "--allow-providers", help="Comma-separated providers allowed ('any' for all).")]
Routes = Annotated[list[str] | None, typer.Option(
    "--route", help="Route override ROUTE=PROVIDER[:MODEL], or ROUTE= to remove; repeatable.")]


def _split(value: str | None) -> list[str] | None:
    if value is None or value.strip().lower() == "any":
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _routes(values: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values or []:
        route, sep, target = item.partition("=")
        if not sep or not route:
            raise InvalidInput(f"--route {item!r}: use ROUTE=PROVIDER[:MODEL], e.g. "
                               "default=openai:gpt-4o-mini (ROUTE= removes an override).")
        if not target:
            out[route] = None
            continue
        provider, _, model = target.partition(":")
        out[route] = {"provider": provider, "model": model or None}
    return out


def _tenant_dict(t: Tenant) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "created_at": t.created_at, "budget_usd": t.budget_usd,
            "budget_tokens": t.budget_tokens, "period": t.period,
            "allowed_regions": t.allowed_regions, "allowed_providers": t.allowed_providers,
            "routes": t.routes}


def _limit(value: Any) -> str:
    return "unlimited" if value is None else (f"${value:,.2f}" if isinstance(value, float)
                                              else f"{value:,}")


@app.command("create")
def create(
    name: str, budget_usd: BudgetUsd = None, budget_tokens: BudgetTokens = None,
    period: Period = "month", allow_regions: Regions = None, allow_providers: Providers = None,
    route: Routes = None, json_out: JsonOpt = False,
) -> None:
    """Create a tenant with optional budgets (omitted budgets are unlimited)."""
    tenant = admin.create_tenant(
        app_state(), local_principal(), name, budget_usd=budget_usd, budget_tokens=budget_tokens,
        period=period or "month", allowed_regions=_split(allow_regions),
        allowed_providers=_split(allow_providers),
        routes={k: v for k, v in _routes(route).items() if v},
    )
    if json_out:
        print_json(_tenant_dict(tenant))
        return
    console.print(f"Created tenant [bold]{tenant.name}[/] ({tenant.id}): "
                  f"{_limit(tenant.budget_usd)} and {_limit(tenant.budget_tokens)} tokens "
                  f"per {tenant.period}.")


@app.command("update")
def update(
    name: str, budget_usd: BudgetUsd = None, budget_tokens: BudgetTokens = None,
    period: Period = None, allow_regions: Regions = None, allow_providers: Providers = None,
    route: Routes = None,
    unlimited: Annotated[bool, typer.Option(help="Remove both budget limits.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Change a tenant's budget, period, allow-lists or route overrides."""
    changes: dict[str, Any] = {}
    if unlimited:
        changes.update(budget_usd=None, budget_tokens=None)
    if budget_usd is not None:
        changes["budget_usd"] = budget_usd
    if budget_tokens is not None:
        changes["budget_tokens"] = budget_tokens
    if allow_regions is not None:
        changes["allowed_regions"] = _split(allow_regions)
    if allow_providers is not None:
        changes["allowed_providers"] = _split(allow_providers)
    tenant = admin.update_tenant(app_state(), local_principal(), name, period=period,
                                 routes=_routes(route), **changes)
    if json_out:
        print_json(_tenant_dict(tenant))
        return
    console.print(f"Updated tenant [bold]{tenant.name}[/]: {_limit(tenant.budget_usd)} and "
                  f"{_limit(tenant.budget_tokens)} tokens per {tenant.period}.")


@app.command("list")
def list_(json_out: JsonOpt = False) -> None:
    """List tenants with their budgets and current-period spend."""
    state, me = app_state(), local_principal()
    positions = {u.tenant: u for u in usage.positions(state, me, all_tenants=True)}
    tenants = admin.list_tenants(state, me)
    if json_out:
        print_json({"tenants": [
            {**_tenant_dict(t), "spent_usd": positions[t.name].spent_usd,
             "spent_tokens": positions[t.name].spent_tokens} for t in tenants]})
        return
    table = Table("name", "period", "budget", "spent", "tokens budget", "tokens spent",
                  "regions", "providers", title="Tenants")
    for t in tenants:
        u = positions[t.name]
        table.add_row(t.name, t.period, _limit(t.budget_usd), f"${u.spent_usd:,.4f}",
                      _limit(t.budget_tokens), f"{u.spent_tokens:,}",
                      ",".join(t.allowed_regions) if t.allowed_regions is not None else "any",
                      ",".join(t.allowed_providers) if t.allowed_providers is not None else "any")
    console.print(table)


@app.command("show")
def show(name: str, json_out: JsonOpt = False) -> None:
    """Show one tenant's policy and usage."""
    state, me = app_state(), local_principal()
    tenant = admin.get_tenant(state, me, name)
    u = usage.positions(state, me, tenant.name)[0]
    data = {**_tenant_dict(tenant), "usage": {
        "period_start": u.period_start, "spent_usd": u.spent_usd,
        "spent_tokens": u.spent_tokens, "reserved_usd": u.reserved_usd,
        "reserved_tokens": u.reserved_tokens, "remaining_usd": u.remaining_usd,
        "remaining_tokens": u.remaining_tokens, "calls": u.calls}}
    if json_out:
        print_json(data)
        return
    table = Table(show_header=False, title=f"Tenant {tenant.name}")
    for key, value in data.items():
        if key == "usage":
            for k, v in value.items():
                table.add_row(f"usage.{k}", str(v))
        else:
            table.add_row(key, str(value))
    console.print(table)
