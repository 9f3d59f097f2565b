"""`cristal pii detect|policy`: find personal data in text; set a tenant's PII guard."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cristal.cli._common import JsonOpt, TenantOpt, app_state
from cristal.cli._output import console, print_json
from cristal.errors import InvalidInput

app = typer.Typer(help="Personal data: detection and the gateway's PII policy.",
                  no_args_is_help=True)
policy_app = typer.Typer(help="A tenant's PII guard: allow, redact or block.",
                         no_args_is_help=True)
app.add_typer(policy_app, name="policy")

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> Text:
    """Outside text as a Rich Text: printed literally, control characters removed."""
    return Text(_CONTROL.sub("", text))


@app.command("detect")
def detect_cmd(
    lang: Annotated[str | None, typer.Option(help="ja or en (default: guessed).")] = None,
    ner: Annotated[bool | None, typer.Option(
        "--ner/--no-ner", help="Use the NER models too (default: when installed).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Read text on stdin; print the personal data found (type, offsets, text)."""
    from cristal.governance.pii import detect

    text = sys.stdin.read()
    spans = detect(text, lang, ner=ner)
    if json_out:
        print_json({"spans": [s.to_dict(text) for s in spans]})
        return
    table = Table("type", "start", "end", "text", title=f"{len(spans)} entities")
    for s in spans:
        table.add_row(s.type, str(s.start), str(s.end), plain(text[s.start:s.end]))
    console.print(table)


@policy_app.command("set")
def policy_set(
    mode: Annotated[str, typer.Option(help="allow, redact, block, or unset (remove it).")],
    tenant: TenantOpt = None,
    route: Annotated[str | None, typer.Option(help="Only for this route.")] = None,
    region: Annotated[str | None, typer.Option(help="Only for providers in this region.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Set the tenant's PII mode, for all its calls or one route or region."""
    from cristal.governance import set_pii_policy

    state = app_state()
    if mode not in ("allow", "redact", "block", "unset"):
        raise InvalidInput(f"--mode {mode!r}: use allow, redact, block or unset.")
    policy = set_pii_policy(state.store, tenant or state.settings.tenant,
                            None if mode == "unset" else mode, route=route, region=region)
    _show(tenant or state.settings.tenant, policy.pii, json_out)


@policy_app.command("show")
def policy_show(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Show the tenant's PII policy (its own settings over the [pii] config)."""
    from cristal.governance import get_data_policy, get_tenant

    state = app_state()
    found = get_tenant(state.store, tenant or state.settings.tenant)
    _show(found.name, get_data_policy(state.store, found.id).pii, json_out)


def _show(tenant: str, pii: dict, json_out: bool) -> None:
    config = app_state().settings.pii
    data = {"tenant": tenant, "tenant_policy": pii,
            "config": {"mode": config.mode, "routes": config.routes, "regions": config.regions}}
    if json_out:
        print_json(data)
        return
    table = Table("level", "tenant", "config", title=f"PII policy of {tenant}")
    table.add_row("default", pii.get("mode") or "-", config.mode)
    for key in ("routes", "regions"):
        names = sorted(set(pii.get(key) or {}) | set(getattr(config, key)))
        for name in names:
            table.add_row(f"{key[:-1]} {name}", (pii.get(key) or {}).get(name, "-"),
                          getattr(config, key).get(name, "-"))
    console.print(table)
