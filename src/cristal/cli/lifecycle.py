"""`cristal erase` and `cristal retention run|set|show`: the data lifecycle."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._output import console, print_json
from cristal.cli.pii import plain
from cristal.errors import CristalError, InvalidInput

retention_app = typer.Typer(help="How long stored data is kept, per tenant.",
                            no_args_is_help=True)


def erase(
    document: Annotated[str | None, typer.Option(help="An ingested file (path as ingested).")
                        ] = None,
    collection: Annotated[str | None, typer.Option(help="A whole collection.")] = None,
    user: Annotated[str | None, typer.Option(
        help="A user: their record, keys, sessions, research they asked, workflow and "
        "operator runs they started.")] = None,
    text: Annotated[str | None, typer.Option(help="Every stored record containing this text "
                                             "(a data subject's e-mail, number, name).")
                    ] = None,
    tenant: TenantOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Remove data everywhere it lives (index, vectors, reports, runs, trajectories, episodes,
    call log, export files listed in the audit log).

    Then every table and column is scanned for what was erased, storage is compacted
    (VACUUM), and an erasure record is kept (the value only as a hash). Source files
    on disk are yours and are not touched: delete them, or the next ingest brings
    them back.
    """
    from cristal.lifecycle import erase as run_erase

    chosen = [(k, v) for k, v in (("document", document), ("collection", collection),
                                  ("user", user), ("text", text)) if v is not None]
    if len(chosen) != 1:
        raise InvalidInput("give exactly one of --document, --collection, --user or --text.")
    state = app_state()
    record = run_erase(state, chosen[0][0], chosen[0][1], tenant=tenant, requested_by="cli")
    if json_out:
        print_json(record)
    else:
        table = Table("removed", "count", title=f"Erasure {record['id']} ({record['tenant']})")
        for key, count in sorted(record["counts"].items()):
            table.add_row(key, str(count))
        console.print(table)
        for path in record["files"]:
            console.print(plain(f"deleted {path}"))
    if record["residual"]:
        raise CristalError(
            f"erasure {record['id']} finished, but these places still hold the erased data: "
            f"{', '.join(record['residual'])}. Register an eraser for a table "
            "(governance.register_eraser), remove the rows or export files by hand, then run "
            "it again.")


@retention_app.command("run")
def retention_run(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Delete data older than each tenant's retention periods (workers do it periodically)."""
    from cristal.lifecycle import retention

    report = retention(app_state(), tenant=tenant)
    if json_out:
        print_json(report)
        return
    table = Table("tenant", "removed", title="Retention")
    for name, row in report["tenants"].items():
        table.add_row(name, ", ".join(f"{k}: {v}" for k, v in sorted(row["removed"].items()))
                      or "nothing expired")
    console.print(table)


_DAYS = Annotated[int | None, typer.Option(min=0, help="Days to keep (0 removes the tenant's "
                                            "own value).")]


@retention_app.command("set")
def retention_set(tenant: TenantOpt = None, calls: _DAYS = None, research: _DAYS = None,
                  operator: _DAYS = None, workflows: _DAYS = None, envs: _DAYS = None,
                  json_out: JsonOpt = False) -> None:
    """Set a tenant's retention in days per category (calls, research, operator, workflows,
    envs: training-environment episodes and eval runs)."""
    from cristal.governance import set_retention

    days = {k: (None if v == 0 else v) for k, v in (
        ("calls", calls), ("research", research), ("operator", operator),
        ("workflows", workflows), ("envs", envs)) if v is not None}
    if not days:
        raise InvalidInput("give at least one of --calls, --research, --operator, --workflows, "
                           "--envs.")
    state = app_state()
    set_retention(state.store, tenant or state.settings.tenant, days)
    retention_show(tenant, json_out)


@retention_app.command("show")
def retention_show(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Show the tenant's retention in days per category (its own, else the config's)."""
    from cristal.governance import (
        RETENTION_CATEGORIES,
        get_data_policy,
        get_tenant,
        retention_days,
    )

    state = app_state()
    found = get_tenant(state.store, tenant or state.settings.tenant)
    policy = get_data_policy(state.store, found.id)
    days = {c: retention_days(state.settings.retention, policy, c) for c in RETENTION_CATEGORIES}
    if json_out:
        print_json({"tenant": found.name, "days": days, "tenant_policy": policy.retention})
        return
    table = Table("category", "days", "from", title=f"Retention of {found.name}")
    for c, d in days.items():
        table.add_row(c, "keep" if d is None else str(d),
                      "tenant" if c in policy.retention else "config")
    console.print(table)
