"""The `cristal` command: one module per command group, errors without tracebacks."""

from __future__ import annotations

import sys

import typer

from cristal import __version__
from cristal.cli import (
    approve,
    audit,
    calls,
    chat,
    config,
    data,
    envs,
    evals,
    identities,
    knowledge,
    lifecycle,
    operator,
    pii,
    research,
    runs,
    schedule,
    serve,
    setup,
    tenant,
    usage,
    worker,
    workflow,
)
from cristal.cli._output import err_console, print_json
from cristal.errors import CristalError

__all__ = ["app", "main"]

app = typer.Typer(
    name="cristal",
    help="Cristal: open, self-hosted deep research, operator, workflows and governance.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(config.app, name="config")
app.add_typer(tenant.app, name="tenant")
app.add_typer(calls.app, name="calls")
app.add_typer(identities.users_app, name="users")
app.add_typer(identities.roles_app, name="roles")
app.add_typer(identities.keys_app, name="keys")
app.add_typer(audit.app, name="audit")
app.command("usage")(usage.usage)
app.command("chat")(chat.chat)
app.command("ingest")(knowledge.ingest)
app.command("search")(knowledge.search_cmd)
app.add_typer(knowledge.collections_app, name="collections")
app.add_typer(research.app, name="research")
app.add_typer(evals.app, name="eval")
app.add_typer(workflow.app, name="workflow")
app.add_typer(runs.app, name="runs")
app.add_typer(schedule.app, name="schedule")
app.command("worker")(worker.worker)
app.command("serve")(serve.serve)
app.command("approve")(approve.approve)
app.add_typer(operator.app, name="operator")
app.add_typer(setup.app, name="setup")
app.add_typer(pii.app, name="pii")
app.command("erase")(lifecycle.erase)
app.add_typer(lifecycle.retention_app, name="retention")
app.add_typer(envs.app, name="envs")
app.add_typer(data.app, name="data")


def _version(value: bool) -> None:
    if value:
        print(f"cristal {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Cristal command line."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; CristalErrors become one-line messages and exit codes."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="cristal")
    except CristalError as exc:
        if "--json" in args:
            print_json(exc.to_dict())
        err_console.print(f"[bold red]error:[/] {exc.message}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
