"""`cristal serve`: the REST API (/api), the OpenAI-compatible API (/v1) and health checks."""

from __future__ import annotations

from typing import Annotated

import typer

from cristal.cli._common import JsonOpt, app_state
from cristal.cli._output import err_console, print_json


def serve(
    host: Annotated[str | None, typer.Option(
        help="Address to listen on (default: server.host, 127.0.0.1). Put a TLS reverse "
        "proxy in front before listening on other addresses.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535,
                                             help="Port (default: server.port, 8400).")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Worker processes (default: server.workers, 1).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Serve the API until stopped (Ctrl-C or SIGTERM let requests in flight finish)."""
    from cristal.server._serve import serve as run

    state = app_state()
    settings = state.settings
    host = host or settings.server.host
    port = port or settings.server.port
    workers = workers or settings.server.workers
    state.store  # noqa: B018 - migrate once here, before the workers start
    state.close()
    url = f"http://{host}:{port}"
    if json_out:
        print_json({"status": "starting", "url": url, "workers": workers,
                    "openai_base_url": f"{url}/v1",
                    "console_url": f"{url}/" if settings.console.enabled else None})
    else:
        console = "web console /, " if settings.console.enabled else ""
        err_console.print(f"Cristal on {url} ({console}API /api, OpenAI-compatible /v1, docs "
                          f"/docs, {workers} worker{'s' if workers > 1 else ''}); Ctrl-C stops "
                          "it.")
    run(settings, host, port, workers)
    if json_out:
        print_json({"status": "stopped", "url": url})
