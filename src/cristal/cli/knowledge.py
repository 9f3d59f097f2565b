"""`cristal ingest`, `cristal collections list|show|delete`, `cristal search`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cristal.app import knowledge as uc
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, literal, print_json
from cristal.cli._progress import progress_bars
from cristal.knowledge import MODES

collections_app = typer.Typer(help="Manage document collections.", no_args_is_help=True)
CollectionOpt = Annotated[str, typer.Option("--collection", "-c", help="Collection name.")]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    collection: CollectionOpt = "default",
    tenant: TenantOpt = None,
    embed: Annotated[bool, typer.Option(help="Also compute vectors (slower, "
                                              "needed for cross-lingual search).")] = True,
    follow_outside: Annotated[bool, typer.Option(
        "--follow-outside", help="Follow symlinks that lead out of the ingested folders "
                                 "(refused by default).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Parse and index files (incrementally: only new or changed files are read again)."""
    with progress_bars(not json_out) as progress:
        data = uc.ingest(app_state(), local_principal(tenant), collection, list(paths),
                         embed=embed, progress=progress, follow_outside=follow_outside)
    embedded = data["embedded"]
    if json_out:
        print_json(data)
        return
    console.print(
        f"[bold]{collection}[/]: {data['added']} added, {data['updated']} updated, "
        f"{data['unchanged']} unchanged, {data['removed']} removed, {data['failed']} failed, "
        f"{data['skipped']} skipped · {data['chunks']} chunks · {data['pages']} pages · "
        f"{embedded} embedded · {data['seconds']:.1f} s")
    problems = [f for f in data["files"] if f["status"] in ("failed", "skipped")]
    if problems:
        table = Table("file", "status", "reason", title="Not indexed")
        for f in problems:
            # File names and reasons come from outside: printed literally, never as markup.
            table.add_row(Text(f["path"]), f["status"], Text(f["reason"] or ""))
        console.print(table)


@collections_app.command("list")
def collections_list(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """List collections with their size."""
    items = uc.list_collections(app_state(), local_principal(tenant))
    if json_out:
        print_json({"collections": [c.to_dict() for c in items]})
        return
    table = Table("name", "documents", "chunks", "vectors", "MB", "updated", title="Collections")
    for c in items:
        table.add_row(c.name, f"{c.documents:,}", f"{c.chunks:,}", f"{c.embedded:,}",
                      f"{c.bytes / 1e6:.1f}", f"{c.updated_at:%Y-%m-%d %H:%M}")
    console.print(table)


@collections_app.command("show")
def collections_show(name: str, tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Show one collection."""
    data = uc.collection_info(app_state(), local_principal(tenant), name)
    if json_out:
        print_json(data)
        return
    table = Table(show_header=False, title=literal(f"Collection {name}"))
    for key, value in data.items():
        if key == "readers":
            value = ("every member of the tenant" if value == "tenant" else
                     ", ".join(f"{g['kind']} {g['subject']}" for g in value))
        table.add_row(key, literal(value))
    console.print(table)


@collections_app.command("delete")
def collections_delete(
    name: str, tenant: TenantOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Delete a collection and its index (the files themselves are not touched)."""
    state, me = app_state(), local_principal(tenant)
    target = uc.get_collection(state, me, name)
    if not yes and not json_out and not typer.confirm(
            f"Delete collection {name} ({target.documents} documents)?"):
        raise typer.Exit(1)
    uc.delete_collection(state, me, name)
    if json_out:
        print_json({"deleted": name, "documents": target.documents})
    else:
        console.print(f"Deleted collection {name} ({target.documents} documents).")


def search_cmd(
    query: Annotated[str, typer.Argument(help="What to look for (Japanese or English).")],
    collection: CollectionOpt = "default",
    tenant: TenantOpt = None,
    k: Annotated[int, typer.Option("-k", min=1, max=200, help="How many passages.")] = 10,
    mode: Annotated[str, typer.Option(help=f"One of {', '.join(MODES)}.")] = "hybrid",
    json_out: JsonOpt = False,
) -> None:
    """Search a collection: ranked passages with scores."""
    found = uc.search(app_state(), local_principal(tenant), query, collections=[collection],
                      k=k, mode=mode)
    if json_out:
        print_json({"query": query, "collection": collection, "mode": mode,
                    "results": [p.to_dict() for p in found]})
        return
    table = Table("#", "score", "document", "section", "passage", title=f"“{query}”")
    for i, p in enumerate(found, start=1):
        table.add_row(str(i), f"{p.score:.4f}", p.doc + (f" p.{p.page}" if p.page else ""),
                      " › ".join(p.heading_path[-2:]), " ".join(p.text.split())[:160])
    console.print(table)


Who = Annotated[str | None, typer.Option("--user", "-u", help="A user of the tenant.")]
Group = Annotated[str | None, typer.Option("--group", "-g", help="A group name.")]


@collections_app.command("grant")
def collections_grant(name: str, user: Who = None, group: Group = None,
                      tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Let a user or group read a collection; from the first grant on, only grantees can."""
    done = uc.grant(app_state(), local_principal(tenant), name, user=user, group=group)
    readers = uc.list_grants(app_state(), local_principal(tenant), name)
    if json_out:
        print_json({"collection": name, "granted": done.to_dict(),
                    "readers": [g.to_dict() for g in readers]})
        return
    console.print(literal(f"{done.kind} {done.subject} can read {name}; readers now: "
                          + ", ".join(f"{g.kind} {g.subject}" for g in readers)
                          + " (and the tenant's admins)."))


@collections_app.command("revoke")
def collections_revoke(name: str, user: Who = None, group: Group = None,
                       tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Take a reader away; with no grants left, every member of the tenant can read it."""
    done = uc.revoke(app_state(), local_principal(tenant), name, user=user, group=group)
    readers = uc.list_grants(app_state(), local_principal(tenant), name)
    if json_out:
        print_json({"collection": name, "revoked": done.to_dict(),
                    "readers": [g.to_dict() for g in readers]})
        return
    left = ", ".join(f"{g.kind} {g.subject}" for g in readers) or "every member of the tenant"
    console.print(literal(f"{done.kind} {done.subject} can no longer read {name}; readers "
                          f"now: {left}."))
