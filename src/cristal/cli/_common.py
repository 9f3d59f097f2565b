"""Helpers shared by CLI command modules: the App, option types and parsers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from cristal.app import App, Principal
from cristal.errors import InvalidInput

__all__ = ["JsonOpt", "TenantOpt", "app_state", "local_principal", "parse_since"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object (last line).")]
TenantOpt = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Tenant name (default: CRISTAL_TENANT).")
]

_state: dict[str, App] = {}


def app_state() -> App:
    """The process's App (created on first use)."""
    if "app" not in _state:
        _state["app"] = App()
    return _state["app"]


_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")


def parse_since(text: str | None) -> datetime | None:
    """`2026-11-01`, `2026-11-01T09:00`, or relative `30m`, `24h`, `7d`, `2w`."""
    if not text:
        return None
    match = _RELATIVE.match(text.strip())
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
    """The person at this terminal: the local owner (see README, "what the CLI trusts")."""
    return Principal.local_owner(tenant or app_state().settings.tenant)
