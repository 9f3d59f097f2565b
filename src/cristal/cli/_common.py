"""Helpers shared by CLI command modules: the App, option types and parsers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from cristal.app import App, Principal
from cristal.cli._output import err_console, styled
from cristal.errors import InvalidInput, PermissionDenied

__all__ = ["JsonOpt", "TenantOpt", "app_state", "check_tenant", "local_principal",
           "parse_since"]


def check_tenant(name: str | None) -> str | None:
    """Refuse a tenant outside identity.tenants (when set); returns `name` unchanged.

    With no name, the tenant the command acts for is the configured default
    (`tenant`, CRISTAL_TENANT), which is checked the same way.
    """
    identity = app_state().settings.identity
    if identity.tenants:
        effective = name or app_state().settings.tenant
        if effective not in identity.tenants:
            raise PermissionDenied(
                f"tenant {effective}: {identity.user or 'this user'} may act only for "
                f"{', '.join(identity.tenants)} (identity.tenants in your config). Nothing was "
                "done.", tenant=effective)
    return name


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object (last line).")]
TenantOpt = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Tenant name (default: CRISTAL_TENANT).",
                             callback=check_tenant)
]

_state: dict[str, App] = {}


def app_state() -> App:
    """The process's App (created on first use; says so when ./cristal.toml is not read)."""
    if "app" not in _state:
        app = App()
        ignored = app.settings.ignored_file
        if ignored is not None:
            err_console.print(styled(
                "[dim]note: {path} is not read (a config file in the working directory is "
                "used only when named): add --config {path} or set CRISTAL_CONFIG to use it.[/]",
                path=ignored))
        _state["app"] = app
    return _state["app"]


_RELATIVE = re.compile(r"(\d+)\s*([smhdw])")


def parse_since(text: str | None) -> datetime | None:
    """`2026-11-01`, `2026-11-01T09:00`, or relative `30m`, `24h`, `7d`, `2w`."""
    if not text:
        return None
    match = _RELATIVE.fullmatch(text.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit] * amount
        return datetime.now(UTC) - timedelta(seconds=seconds)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--since {text!r} is not a date: use 2026-11-01, 2026-11-01T09:00 or 7d/24h/30m."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_principal(tenant: str | None = None) -> Principal:
    """The person at this terminal, as `identity` configures them (user, groups).

    Trusted as the platform owner for everything but deciding approvals, which go by
    the step's named approvers (see README, "what the CLI trusts"); `identity.tenants`
    limits the tenants it may name (`check_tenant`).
    """
    settings = app_state().settings
    return Principal.local_owner(tenant or settings.tenant, user=settings.identity.user,
                                 groups=settings.identity.groups)
