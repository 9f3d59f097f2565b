"""`cristal research QUESTION --docs DIR`, `cristal research list`, `cristal research show ID`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from typer.core import TyperGroup

from cristal.app import research as uc
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, err_console, print_json
from cristal.cli._progress import progress_bars
from cristal.knowledge import document_texts
from cristal.research import DEFAULT_EMBED_SECONDS, set_out_dir, write_report


class _QuestionFirst(TyperGroup):
    """`cristal research "question" …` runs `ask`; `list` and `show` stay subcommands."""

    def parse_args(self, ctx, args):  # noqa: D102 - click API
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["ask", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_QuestionFirst, no_args_is_help=True,
                  help='Deep Research: `cristal research "QUESTION" --docs FOLDER`.')


@app.command("ask", hidden=True)
def ask(
    question: Annotated[str, typer.Argument(help="The question (Japanese or English).")],
    docs: Annotated[Path | None, typer.Option(
        help="Folder of documents (ingested incrementally).")] = None,
    collection: Annotated[str | None, typer.Option(
        "--collection", "-c", help="An existing collection (or a name for --docs).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Where to write report.md/.html/.json (default: reports/<session id>).")] = None,
    tenant: TenantOpt = None,
    model: Annotated[bool | None, typer.Option(
        "--model/--offline", help="Force the model path or the extractive path "
        "(default: use a model when the research route has one).")] = None,
    max_steps: Annotated[int, typer.Option(min=1, max=100, help="Search step budget.")] = 16,
    embed_wait: Annotated[float, typer.Option(
        help="Seconds to spend computing vectors before researching (the rest can be "
        "finished later with `cristal ingest`; 0 for lexical only).")] = DEFAULT_EMBED_SECONDS,
    json_out: JsonOpt = False,
) -> None:
    """Research a question over your documents and write a cited report."""
    state = app_state()
    with progress_bars(not json_out) as progress:
        report, ingested = uc.ask(state, local_principal(tenant), question,
                                  collections=[collection] if collection else None, docs=docs,
                                  use_model=model, max_steps=max_steps, embed=embed_wait > 0,
                                  embed_seconds=embed_wait, progress=progress,
                                  everywhere=False)
    folder = out or Path("reports") / report.id
    texts = document_texts(state.store, [e.document_id for e in report.evidence])
    files = write_report(report, folder, texts)
    set_out_dir(state.store, report.id, str(folder.resolve()))
    if json_out:
        print_json({**report.to_contract(), "files": [str(f) for f in files],
                    "ingest": ingested})
        return
    if ingested:
        err_console.print(
            f"[dim]{report.collection}: {ingested['added']} added, {ingested['updated']} "
            f"updated, {ingested['unchanged']} unchanged, {ingested['failed']} failed, "
            f"{ingested['skipped']} skipped[/]")
        for f in ingested["files"]:
            if f["status"] in ("failed", "skipped"):
                err_console.print(f"[dim]  {f['status']}: {f['path']}: {f['reason']}[/]")
    title = "Not found" if report.not_found else "Answer"
    console.print(Panel(Markdown(report.answer), title=f"{title} · {question}",
                        border_style="yellow" if report.not_found else "green"))
    console.print(f"[dim]{report.id} · {report.mode} · research "
                  f"{report.timings_ms['research']:.0f} ms · {report.model_calls} model "
                  f"call(s) · report: {folder / 'report.html'}[/]")


@app.command("list")
def list_(
    tenant: TenantOpt = None,
    limit: Annotated[int, typer.Option(min=1, help="How many.")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """List recent research sessions."""
    sessions = uc.sessions(app_state(), local_principal(tenant), limit=limit)
    if json_out:
        print_json({"sessions": [s.to_dict() for s in sessions]})
        return
    table = Table("id", "time (UTC)", "question", "collection", "mode", "result", "ms",
                  title="Research sessions")
    for s in sessions:
        table.add_row(s.id, f"{s.created_at:%Y-%m-%d %H:%M}", s.question[:60], s.collection,
                      s.mode, "not found" if s.not_found else "answered",
                      f"{s.duration_ms:.0f}")
    console.print(table)


@app.command("show")
def show(session_id: str, tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Show a stored research report."""
    report = uc.session(app_state(), local_principal(tenant), session_id)
    if json_out:
        print_json(report)
        return
    console.print(Panel(Markdown(report["answer"]), title=report["question"]))
    if report.get("out_dir"):
        console.print(f"[dim]files: {report['out_dir']}[/]")
