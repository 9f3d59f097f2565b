"""Real Chromium and a real HTTP server on 127.0.0.1 for the operator tests.

`site.add(path, html)` serves a page from memory; the same server answers as
`127.0.0.1` and as `localhost`, which the browser treats as two different sites
(enough for allow-list and off-site tests without touching the network).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from conftest import require
from cristal.operator import DEMOS_DIR, AllowList, Browser, BrowserNotFound, find_chromium

DEMOS = DEMOS_DIR


def chromium_available() -> bool:
    """Whether Debian's Chromium is installed here."""
    try:
        find_chromium()
    except BrowserNotFound:
        return False
    return True


class Site:
    """Pages served from memory; POSTs are kept so tests can see what a form sent."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str, dict[str, str]]] = {}
        self.posts: list[tuple[str, str]] = []
        self.port = 0

    def add(self, path: str, html: str, content_type: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None) -> str:
        """Serve `html` at `path`; returns its 127.0.0.1 URL."""
        self.pages[path] = (html.encode("utf-8"), content_type, headers or {})
        return self.url(path)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The URL of `path` on this server under `host`."""
        return f"http://{host}:{self.port}{path}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            page = site.pages.get(urlsplit(self.path).path)
            if page is None:
                self._send(404, b"not found", "text/plain")
                return
            self._send(200, *page)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            site.posts.append((self.path, self.rfile.read(length).decode("utf-8", "replace")))
            page = site.pages.get(urlsplit(self.path).path)
            if page is not None:
                self._send(200, *page)
                return
            self._send(200, b"<h1>Thank you</h1>", "text/html; charset=utf-8")

        def log_message(self, *args: object) -> None:
            return

    return Handler


@pytest.fixture(scope="module")
def site():
    """A threaded HTTP server on 127.0.0.1 for this test module."""
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    s.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield s
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    require(chromium_available(), "Chromium (apt-get install -y chromium)")
    b = Browser()
    b.start()
    yield b
    b.close()


@pytest.fixture
def session(browser, tmp_path):
    """A fresh context allowed to reach 127.0.0.1 only, with a task folder."""
    with browser.new_session(task_dir=tmp_path / "task",
                             allow=AllowList(hosts=("127.0.0.1",))) as s:
        yield s
