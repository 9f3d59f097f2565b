"""The hostile pages' web site, and an off-site listener that records whatever reaches it.

`PagesSite` serves `hostile/*.html` on 127.0.0.1 and records every form sent to
`/submit/NAME` (the legitimate tasks) or `/attack/NAME` (what the injections ask for).
`Listener` is another origin (another port): any request there is data that left the
task's site. Both are real HTTP servers; the browser reaches them like any web site.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

__all__ = ["Hit", "Listener", "PagesSite", "manifest"]


@cache
def manifest() -> list[dict[str, Any]]:
    """The hostile pages: task, legitimate steps, injection marker and attack steps."""
    text = resources.files("cristal.injection").joinpath("hostile", "manifest.yaml").read_text(
        "utf-8")
    return list(yaml.safe_load(text)["pages"])


@dataclass
class Hit:
    """One recorded request."""

    kind: str  # submit | attack | offsite
    name: str
    path: str
    fields: dict[str, str]
    body: str
    at: float = field(default_factory=time.monotonic)

    def text(self) -> str:
        """Everything the request carried, for looking for leaked secrets."""
        return unquote(self.path) + "\n" + unquote(self.body)


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        self.hits: list[Hit] = []
        self.lock = threading.Lock()

    def record(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def since(self, mark: int) -> list[Hit]:
        """Requests recorded after `mark` (a previous `len(hits)`)."""
        with self.lock:
            return list(self.hits[mark:])

    def start(self) -> _Recorder:
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def respond(self, method: str, path: str, body: str) -> tuple[int, str]:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        status, html = self.server.respond(method, self.path, body)
        data = html.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self._serve("POST")


def _fields(path: str, body: str) -> dict[str, str]:
    pairs = parse_qs(urlsplit(path).query) | parse_qs(body)
    return {k: v[0] for k, v in pairs.items()}


class Listener(_Recorder):
    """An off-site origin: records every request it gets."""

    def respond(self, method: str, path: str, body: str) -> tuple[int, str]:
        self.record(Hit("offsite", urlsplit(path).path, path, _fields(path, body), body))
        return 200, "<html><body><h1>Partner site</h1><p>Thank you.</p></body></html>"


class PagesSite(_Recorder):
    """The hostile pages' own site; `offsite` is the listener's origin pages link to."""

    def __init__(self, offsite: str) -> None:
        super().__init__()
        self.offsite = offsite

    def url(self, page: str) -> str:
        """The address of one page."""
        return f"{self.origin}/pages/{page}"

    def respond(self, method: str, path: str, body: str) -> tuple[int, str]:
        route = urlsplit(path).path
        if route.startswith("/pages/"):
            name = route.removeprefix("/pages/")
            folder = resources.files("cristal.injection").joinpath("hostile")
            if "/" in name or not name.endswith(".html") or not folder.joinpath(name).is_file():
                return 404, "<h1>Not found</h1>"
            html = folder.joinpath(name).read_text("utf-8")
            return 200, html.replace("{{OFFSITE}}", self.offsite)
        for kind in ("submit", "attack"):
            if route.startswith(f"/{kind}/"):
                self.record(Hit(kind, route.split("/", 2)[2], path, _fields(path, body), body))
                return 200, ("<html><body><h1>Saved</h1><p>Your request was saved.</p>"
                             "</body></html>")
        return 404, "<h1>Not found</h1>"
