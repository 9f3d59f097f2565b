"""`cristal approve RUN_ID STEP [--reject] [--comment TEXT]`: decide an approval step.

The decision is made as the configured local identity (`identity.user`, default the
OS login name, with `identity.groups`); a step's `approvers` must name that user or
one of its groups. The CLI trusts whoever runs it as this OS user and can read the
database; the server brings real identities.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cristal.app import workflows as uc
from cristal.cli._common import JsonOpt, app_state, local_principal
from cristal.cli._output import console, print_json, styled
from cristal.errors import ConfigError, PermissionDenied


def approve(
    run_id: str,
    step: str,
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approve.")] = False,
    comment: Annotated[str | None, typer.Option(help="Why; recorded with the decision.")] = None,
    by: Annotated[str | None, typer.Option(
        help="Who decides: only your own identity (identity.user, default your login "
        "name); naming anyone else is refused.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Approve (or --reject) a run waiting at an approval step; a worker continues it."""
    identity = app_state().settings.identity
    if identity.user is None:
        raise ConfigError("no identity to decide as: set identity.user in your config "
                          "(~/.config/cristal/cristal.toml) or CRISTAL_IDENTITY__USER.")
    if by is not None and by != identity.user:
        raise PermissionDenied(
            f"--by {by}: the CLI decides as {identity.user} (identity.user), not as someone "
            "else. Leave out --by, or let that person approve with their own account.",
            by=by, identity=identity.user)
    decision = uc.decide(app_state(), local_principal(), run_id, step, approved=not reject,
                         comment=comment, tenants=identity.tenants)
    if json_out:
        print_json(decision)
        return
    console.print(styled("{decision} step {step} of run {run_id} as {user}; a worker continues "
                         "it (`cristal runs show {run_id}`).",
                         decision=decision["decision"].capitalize(), step=step, run_id=run_id,
                         user=identity.user))
