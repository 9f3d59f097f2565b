"""`cristal ingest`, `cristal collections list|show|delete`, `cristal search`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._output import console, print_json, styled, text
from cristal.cli._progress import progress_bars
from cristal.governance import get_tenant
from cristal.knowledge import (
    MODES,
    count_pending,
    delete_collection,
    embed_pending,
    get_collection,
    ingest_paths,
    list_collections,
    search,
)

collections_app = typer.Typer(help="Manage document collections.", no_args_is_help=True)
CollectionOpt = Annotated[str, typer.Option("--collection", "-c", help="Collection name.")]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    collection: CollectionOpt = "default",
    tenant: TenantOpt = None,
    embed: Annotated[bool, typer.Option(help="Also compute vectors (slower, "
                                              "needed for cross-lingual search).")] = True,
    json_out: JsonOpt = False,
) -> None:
    """Parse and index files (incrementally: only new or changed files are read again)."""
    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    with progress_bars(not json_out) as progress:
        report = ingest_paths(state.store, owner, collection, list(paths), progress=progress)
        embedded = 0
        if embed:
            target = get_collection(state.store, owner, collection)
            embedded = embed_pending(state.store, state.gateway, owner, target,
                                     progress=progress)
    data = {**report.to_dict(), "embedded": embedded}
    if json_out:
        print_json(data)
        return
    console.print(styled(
        "[bold]{collection}[/]: {added} added, {updated} updated, {unchanged} unchanged, "
        "{removed} removed, {failed} failed, {skipped} skipped · {chunks} chunks · {pages} "
        "pages · {embedded} embedded · {seconds:.1f} s", collection=collection, **{
            k: data[k] for k in ("added", "updated", "unchanged", "removed", "failed",
                                 "skipped", "chunks", "pages", "seconds")}, embedded=embedded))
    problems = [f for f in data["files"] if f["status"] in ("failed", "skipped")]
    if problems:
        table = Table("file", "status", "reason", title="Not indexed")
        for f in problems:
            table.add_row(f["path"], f["status"], f["reason"] or "")
        console.print(table)


@collections_app.command("list")
def collections_list(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """List collections with their size."""
    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    items = list_collections(state.store, owner)
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
    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    c = get_collection(state.store, owner, name)
    data = {**c.to_dict(), "pending_vectors": count_pending(state.store, c.id),
            "vector_backend": state.store.vector_backend}
    if json_out:
        print_json(data)
        return
    table = Table(show_header=False, title=text(f"Collection {c.name}"))
    for key, value in data.items():
        table.add_row(key, str(value))
    console.print(table)


@collections_app.command("delete")
def collections_delete(
    name: str, tenant: TenantOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Delete a collection and its index (the files themselves are not touched)."""
    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    target = get_collection(state.store, owner, name)
    if not yes and not json_out and not typer.confirm(
            f"Delete collection {name} ({target.documents} documents)?"):
        raise typer.Exit(1)
    delete_collection(state.store, owner, name)
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
    state = app_state()
    owner = get_tenant(state.store, tenant or state.settings.tenant)
    target = get_collection(state.store, owner, collection)
    found = search(state.store, state.gateway, target, query, k=k, mode=mode, tenant=owner.name)
    if json_out:
        print_json({"query": query, "collection": collection, "mode": mode,
                    "results": [p.to_dict() for p in found]})
        return
    table = Table("#", "score", "document", "section", "passage", title=text(f"“{query}”"))
    for i, p in enumerate(found, start=1):
        table.add_row(str(i), f"{p.score:.4f}", p.doc + (f" p.{p.page}" if p.page else ""),
                      " › ".join(p.heading_path[-2:]), " ".join(p.text.split())[:160])
    console.print(table)
