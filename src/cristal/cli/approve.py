"""`cristal approve RUN_ID STEP [--reject] [--comment TEXT]`: decide an approval step."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from cristal.app import workflows as uc
from cristal.cli._common import JsonOpt, app_state, local_principal
from cristal.cli._output import console, print_json


def approve(
    run_id: str,
    step: str,
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approve.")] = False,
    comment: Annotated[str | None, typer.Option(help="Why; recorded with the decision.")] = None,
    by: Annotated[str | None, typer.Option(help="Who decides (default: your user name).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Approve (or --reject) a run waiting at an approval step; a worker continues it."""
    decision = uc.decide(app_state(), local_principal(), run_id, step, approved=not reject,
                         comment=comment, by=by or getpass.getuser())
    if json_out:
        print_json(decision)
        return
    console.print(f"{decision['decision'].capitalize()} step {step} of run {run_id}; a worker "
                  f"continues it (`cristal runs show {run_id}`).")
