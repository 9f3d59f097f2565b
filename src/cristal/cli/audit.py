"""`cristal audit list|export|verify`: the tamper-evident audit log."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cristal.app import audit
from cristal.app.data import record_file
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal, parse_since
from cristal.cli._output import console, err_console, literal, print_json, styled
from cristal.errors import InvalidInput

app = typer.Typer(help="The audit log: who did what, hash-chained so tampering shows.",
                  no_args_is_help=True)

Since = Annotated[str | None, typer.Option(help="From a date (2026-11-01) or a span (7d, 24h).")]
Until = Annotated[str | None, typer.Option(help="Before a date or a span ago.")]
Action = Annotated[str | None, typer.Option(
    help="Only this action or family, e.g. key.create or key.")]


@app.command("list")
def list_(tenant: TenantOpt = None, since: Since = None, until: Until = None,
          action: Action = None,
          limit: Annotated[int, typer.Option(min=1, help="How many entries.")] = 50,
          json_out: JsonOpt = False) -> None:
    """List recent audit entries, newest first."""
    entries = audit.list_entries(app_state(), local_principal(), tenant=tenant,
                                 since=parse_since(since), until=parse_since(until),
                                 action=action, limit=limit)
    if json_out:
        print_json({"entries": [e.to_dict() for e in entries]})
        return
    table = Table("seq", "time (UTC)", "tenant", "actor", "action", "target", "details",
                  title="Audit log")
    for e in entries:
        details = json.dumps(e.details, ensure_ascii=False)
        table.add_row(str(e.seq), e.created_at[:19].replace("T", " "), literal(e.tenant or "-"),
                      literal(e.actor), literal(e.action), literal(e.target or ""),
                      literal(details if len(details) <= 80 else details[:79] + "…"))
    console.print(table)


@app.command("export")
def export(tenant: TenantOpt = None, since: Since = None, until: Until = None,
           action: Action = None,
           out: Annotated[Path | None, typer.Option(
               help="Write JSON lines to this file (default: standard output).")] = None,
           json_out: JsonOpt = False) -> None:
    """Export entries as JSON lines with their hashes (the export is itself audited)."""
    state, me = app_state(), local_principal()
    entries = audit.export_entries(state, me, tenant=tenant, since=parse_since(since),
                                   until=parse_since(until), action=action)
    count = 0
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for entry in entries:
            handle.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out:
            handle.close()
    if out:  # the file is listed in the audit log, for erasure (None: every tenant's)
        record_file(state, me, out, fmt="jsonl", rows=count, source="audit log",
                    tenant=tenant)
    if json_out:
        print_json({"exported": count, "out": str(out) if out else None})
    elif out:
        console.print(f"Exported {count} entries to {out}.")


_ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")


@app.command("verify")
def verify(
    anchor: Annotated[str | None, typer.Option(
        help="SEQ:HASH printed by an earlier verify and kept elsewhere; it must still be "
        "in the chain (catches a rebuilt chain).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Check the hash chain; exit 0 when intact, 1 naming the first bad entry."""
    pinned = None
    if anchor is not None:
        match = _ANCHOR.fullmatch(anchor.strip())
        if match is None:
            raise InvalidInput(f"--anchor {anchor!r}: use SEQ:HASH as printed by "
                               "`cristal audit verify`, e.g. 42:9f86d08…(64 hex digits).")
        pinned = (int(match.group(1)), match.group(2))
    result = audit.verify(app_state(), local_principal(), pinned)
    if json_out:
        print_json(result.to_dict())
    elif result.ok:
        console.print(styled("[green]intact[/]: {n} entries; head {seq}:{hash} (keep this as "
                             "an --anchor).", n=result.entries, seq=result.head_seq,
                             hash=result.head_hash))
    else:
        err_console.print(literal(f"TAMPERED: {result.message}"), style="bold red")
    if not result.ok:
        raise typer.Exit(1)
