"""`cristal config show`: the effective configuration and where each value came from."""

from __future__ import annotations

import os
from typing import Any

import typer
from rich.table import Table

from cristal.cli._common import JsonOpt, app_state
from cristal.cli._output import console, print_json, safe
from cristal.models import all_providers, all_routes
from cristal.store import sqlite_module

app = typer.Typer(help="Show the configuration.", no_args_is_help=True)


def _rows() -> list[dict[str, Any]]:
    settings = app_state().settings
    if settings.file is None:
        where = "none (no CRISTAL_CONFIG, no user config file)"
    elif os.environ.get("CRISTAL_CONFIG"):
        where = "CRISTAL_CONFIG or --config"
    else:
        where = "user config directory"
    rows: list[dict[str, Any]] = [
        {"key": "config_file", "value": str(settings.file) if settings.file else None,
         "source": where},
        {"key": "config_file.trust", "value": settings.file_trust, "source": "detected"},
    ]
    if settings.ignored_file is not None:
        rows.append({"key": "config_file.ignored", "value": str(settings.ignored_file),
                     "source": "not read: name it with --config or CRISTAL_CONFIG"})
    for key in ("data_dir", "database_url", "model", "tenant", "timeout_s", "max_retries"):
        value = settings.db_url if key == "database_url" else getattr(settings, key)
        source = settings.source_of(key)
        if key == "database_url" and settings.database_url is None:
            source = "default (data_dir)"
        rows.append({"key": key, "value": str(value) if value is not None else None,
                     "source": source})
    for section in ("workflows", "operator", "research", "server", "oidc", "console", "audit",
                    "identity"):
        for key, value in getattr(settings, section).model_dump(mode="json").items():
            rows.append({"key": f"{section}.{key}", "value": value,
                         "source": settings.source_of(f"{section}.{key}")})
    for name, cfg in sorted(all_providers(settings).items()):
        value: dict[str, Any] = {"type": cfg.type, "region": cfg.region}
        if cfg.base_url:
            value["base_url"] = cfg.base_url
        if cfg.api_key_env:
            state = "set" if os.environ.get(cfg.api_key_env) else "unset"
            value["key"] = f"{cfg.api_key_env} ({state})"
        if cfg.model_path:
            value["model_path"] = cfg.model_path
        source = "built-in"
        if name in settings.providers:
            source = settings.source_of(f"providers.{name}")
        rows.append({"key": f"providers.{name}", "value": value, "source": source})
    for name, (route, source) in sorted(all_routes(settings).items()):
        value = {"provider": route.provider, "model": route.model,
                 "max_output_tokens": route.max_output_tokens}
        rows.append({"key": f"routes.{name}", "value": value, "source": source})
    for name, price in sorted(settings.prices.items()):
        rows.append({"key": f"prices.{name}", "value": price.model_dump(),
                     "source": settings.source_of(f"prices.{name}")})
    module, can_load = sqlite_module()
    rows.append({"key": "sqlite.module", "value": f"{module.__name__} (SQLite "
                 f"{module.sqlite_version}, extensions {'yes' if can_load else 'no'})",
                 "source": "detected"})
    return rows


@app.command("show")
def show(json_out: JsonOpt = False) -> None:
    """Print the effective configuration with the source of every value."""
    rows = _rows()
    store = app_state().store
    vectors = {"key": "store.vectors", "value": store.vector_backend, "source": "detected"}
    if store.vector_reason:
        vectors["reason"] = store.vector_reason  # say why the fallback serves vectors
    rows.append(vectors)
    rows.append({"key": "store.schema", "value": store.revision, "source": "detected"})
    if json_out:
        print_json({"config": rows})
        return
    table = Table("key", "value", "source", title="Cristal configuration")
    for row in rows:
        value = row["value"]
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
        shown = "" if value is None else str(value)
        if row.get("reason"):
            shown = f"{shown} ({safe(row['reason'])})"
        table.add_row(row["key"], shown, row["source"])
    console.print(table)
