"""A real uvicorn server on 127.0.0.1 (a free port) over a Cristal App, in a thread."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable

import uvicorn

from cristal.app import App
from cristal.server import create_app


class Served:
    """`url` is the server's base URL; `stop()` shuts it down gracefully."""

    def __init__(self, app: App) -> None:
        self.app = app
        config = uvicorn.Config(create_app(app), host="127.0.0.1", port=0, log_level="warning",
                                access_log=False, lifespan="on", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Served:
        """Start and wait until it listens."""
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        """Stop accepting, finish requests in flight, and join the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=30)


def sse_events(lines: Iterable[str]) -> list[tuple[str | None, dict]]:
    """(event name, JSON data) of each server-sent event in `lines`."""
    events, name = [], None
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[5:])))
    return events
