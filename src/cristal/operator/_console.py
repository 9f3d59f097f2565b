"""The takeover console: a private web page through which a person drives the run's browser.

Chromium is started without a remote-debugging port (Playwright talks to it over a
pipe), so no other local process can attach to it. For a takeover the run serves one
page on 127.0.0.1, on a random port (or `operator.takeover_port`), under a path that
holds a fresh 192-bit token: `http://127.0.0.1:PORT/takeover/TOKEN/`. Only someone
who was shown that URL can open it. The page shows the browser's screen and sends the
person's clicks, typing, keys, scrolling and address-bar entries back; the run's own
thread carries them out with Playwright, so the allow-list and the egress proxy apply
to the person as to the agent. Requests must name the console's own host (no DNS
rebinding), inputs must be JSON (no cross-site form posts), and nothing is cached.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cristal.errors import ConfigError
from cristal.operator._gate import TakenOver
from cristal.operator._guards import ConfirmationRequest

__all__ = ["Takeover", "TakeoverConsole"]

_PAGE = """<!doctype html><html><head><meta charset=utf-8><title>Cristal takeover</title>
<style>body{font:14px system-ui;margin:0;background:#222;color:#eee}
header{display:flex;gap:8px;padding:6px;align-items:center}#url{flex:1}
img{display:block;max-width:100%;cursor:crosshair;outline:none}</style></head><body>
<header><button id=back>Back</button><form id=go style="display:flex;flex:1">
<input id=url placeholder="URL (allowed hosts only)"></form>
<button id=done>Done: resume the run</button></header>
<img id=screen tabindex=0 alt="the run's browser">
<script>
const send = (body) => fetch('input', {method: 'POST', headers: {'Content-Type':
  'application/json'}, body: JSON.stringify(body)}).then(refresh);
const screen = document.getElementById('screen');
function refresh() { screen.src = 'screen.png?' + Date.now(); }
screen.addEventListener('click', (e) => { screen.focus();
  const r = screen.getBoundingClientRect(), k = screen.naturalWidth / r.width;
  send({type: 'click', x: (e.clientX - r.left) * k, y: (e.clientY - r.top) * k}); });
screen.addEventListener('wheel', (e) => {
  e.preventDefault(); send({type: 'scroll', dy: e.deltaY}); });
screen.addEventListener('keydown', (e) => { e.preventDefault();
  if (e.key.length === 1 && !e.ctrlKey && !e.metaKey) send({type: 'text', text: e.key});
  else send({type: 'key', key: (e.ctrlKey ? 'Control+' : '') + e.key}); });
document.getElementById('go').onsubmit = (e) => { e.preventDefault();
  send({type: 'goto', url: document.getElementById('url').value}); };
document.getElementById('back').onclick = () => send({type: 'back'});
document.getElementById('done').onclick = () => fetch('done', {method: 'POST', headers:
  {'Content-Type': 'application/json'}, body: '{}'}).then(() => {
  document.body.textContent = 'The run has resumed. You can close this tab.'; });
refresh(); setInterval(refresh, 1000);
</script></body></html>"""
_KEYS = {"Enter", "Tab", "Backspace", "Delete", "Escape", "ArrowUp", "ArrowDown", "ArrowLeft",
         "ArrowRight", "Home", "End", "PageUp", "PageDown", " "}


@dataclass
class _Command:
    kind: str
    data: dict[str, Any]
    reply: queue.Queue[Any] = field(default_factory=lambda: queue.Queue(maxsize=1))


class TakeoverConsole:
    """Serves the takeover page; `pump(page)` carries out what the person did (run's thread)."""

    def __init__(self, port: int = 0) -> None:
        self.token = secrets.token_urlsafe(24)
        self.done = threading.Event()
        self._commands: queue.Queue[_Command] = queue.Queue()
        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        except OSError as exc:
            raise ConfigError(f"The takeover console cannot listen on 127.0.0.1:{port} "
                              f"({exc.strerror}); set operator.takeover_port to a free port, or "
                              "0 for a random one.", port=port) from None
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="cristal-takeover",
                         daemon=True).start()

    @property
    def url(self) -> str:
        """Where the person opens the console (keep it private: the token is the key)."""
        return f"http://127.0.0.1:{self.port}/takeover/{self.token}/"

    def close(self) -> None:
        """Stop serving; pending requests get no answer."""
        self._server.shutdown()
        self._server.server_close()

    def pump(self, page: Any, wait_ms: int = 50) -> None:
        """Carry out queued inputs on `page` and let Playwright's own events run a moment."""
        with contextlib.suppress(queue.Empty):
            while True:
                command = self._commands.get_nowait()
                try:
                    command.reply.put(self._do(page, command))
                except Exception as exc:  # a click that missed, a blocked URL: tell the person
                    command.reply.put({"error": str(exc).splitlines()[0][:300]})
        page.wait_for_timeout(wait_ms)

    def ask(self, kind: str, data: dict[str, Any], timeout: float = 15.0) -> Any:
        """From a request thread: queue a command for the run's thread and wait for it
        (None when the run did not take it up in time, e.g. the takeover ended)."""
        command = _Command(kind, data)
        self._commands.put(command)
        try:
            return command.reply.get(timeout=timeout)
        except queue.Empty:
            return None

    def _do(self, page: Any, command: _Command) -> Any:
        kind, data = command.kind, command.data
        if kind == "screen":
            return page.screenshot(type="png")
        if kind == "state":
            return {"url": page.url, "title": page.title()}
        action = data.get("type")
        if action == "click":
            page.mouse.click(float(data["x"]), float(data["y"]))
        elif action == "text":
            page.keyboard.insert_text(str(data["text"])[:1000])
        elif action == "key":
            key = str(data["key"])
            if key.removeprefix("Control+") not in _KEYS and len(key.removeprefix("Control+")) != 1:
                return {"error": f"unknown key {key!r}"}
            page.keyboard.press(key)
        elif action == "scroll":
            page.mouse.wheel(0, max(-5000.0, min(5000.0, float(data["dy"]))))
        elif action == "goto":
            _goto(page, str(data["url"]))
        elif action == "back":
            page.go_back(wait_until="domcontentloaded", timeout=15_000)
        else:
            return {"error": f"unknown input {action!r}"}
        return {"ok": True, "url": page.url}


def _goto(page: Any, url: str) -> None:
    """Navigate; once more if Chromium was still showing the error page of a blocked host
    (that navigation interrupts the person's next one)."""
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=15_000)
    except Exception as exc:  # Playwright's Error; retried once, then raised as it is
        if "interrupted by another navigation" not in str(exc):
            raise
        page.goto(url, wait_until="domcontentloaded", timeout=15_000)


def _handler(console: TakeoverConsole) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Frame-Options", "DENY")
            self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self'; "
                             "script-src 'unsafe-inline'; style-src 'unsafe-inline'")
            self.end_headers()
            self.wfile.write(body)

        def _route(self) -> str | None:
            """The path after the token, or None (404) for anything else."""
            prefix, _, rest = self.path.partition("?")[0].removeprefix("/takeover/").partition("/")
            ok_host = self.headers.get("Host") in (f"127.0.0.1:{console.port}",
                                                   f"localhost:{console.port}")
            if not (self.path.startswith("/takeover/") and ok_host
                    and hmac.compare_digest(prefix.encode(), console.token.encode())):
                self._send(404, b"not found")
                return None
            return rest

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            rest = self._route()
            if rest is None:
                return
            if rest == "":
                self._send(200, _PAGE.encode(), "text/html; charset=utf-8")
            elif rest in ("screen.png", "state"):
                answer = console.ask(rest.removesuffix(".png"), {})
                if answer is None or console.done.is_set():
                    self._send(503, b"the run is not handed over right now")
                elif isinstance(answer, bytes):
                    self._send(200, answer, "image/png")
                else:
                    self._send(200, json.dumps(answer).encode(), "application/json")
            else:
                self._send(404, b"not found")

        def do_POST(self) -> None:  # noqa: N802
            rest = self._route()
            if rest is None:
                return
            origin = self.headers.get("Origin")
            if self.headers.get("Content-Type", "").split(";")[0] != "application/json" or (
                    origin and origin not in (f"http://127.0.0.1:{console.port}",
                                              f"http://localhost:{console.port}")):
                self._send(403, b"inputs are JSON from the console page only")
                return
            length = min(int(self.headers.get("Content-Length") or 0), 65536)
            try:
                data = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(400, b"not JSON")
                return
            if rest == "done":
                console.done.set()
                self._send(200, b'{"ok": true}', "application/json")
            elif rest == "input" and isinstance(data, dict):
                answer = console.ask("input", data)
                if answer is None:
                    self._send(503, b"the run is not handed over right now")
                else:
                    self._send(200, json.dumps(answer).encode(), "application/json")
            else:
                self._send(404, b"not found")

        def log_message(self, *args: object) -> None:
            return

    return Handler


class Takeover:
    """Hands the browser to a person (at the start, or from a confirmation prompt).

    `takeover(info)` is the person's side: it gets {"url": the console URL, "done": an
    Event the console sets when they press Done} and returns once they are done.
    """

    def __init__(self, session: Any, takeover: Callable[[dict[str, Any]], None] | None,
                 confirm: Callable[[ConfirmationRequest], bool | str] | None,
                 port: int = 0) -> None:
        self.session, self.takeover, self.confirm, self.port = session, takeover, confirm, port
        self.console: TakeoverConsole | None = None
        self.count = 0

    def hand_over(self) -> None:
        """Open the console to the person; return once they say they are done."""
        assert self.takeover is not None
        console = self.console = self.console or TakeoverConsole(self.port)
        console.done.clear()
        finished = threading.Event()
        person = self.takeover

        def wait() -> None:
            try:
                person({"url": console.url, "done": console.done})
            finally:
                finished.set()

        threading.Thread(target=wait, name="operator-takeover", daemon=True).start()
        self.count += 1
        while not finished.is_set() and not console.done.is_set():
            self._pump(console)
        console.done.set()  # the terminal stops waiting when the console said done, and back

    def _pump(self, console: TakeoverConsole) -> None:
        # Waiting inside Playwright lets it serve the allow-list's request handler (and
        # notice new tabs) while the person drives the browser through the console.
        try:
            console.pump(self.session.page)
        except Exception:  # the person closed the page: follow one that is open
            pages = [p for p in self.session.context.pages if not p.is_closed()]
            if pages:
                self.session.page = pages[-1]
            else:
                time.sleep(0.1)

    def close(self) -> None:
        """Stop the console, if one was opened."""
        if self.console is not None:
            self.console.close()
            self.console = None

    def confirmer(self) -> Callable[[ConfirmationRequest], bool] | None:
        """The runtime's confirmation callback, with "takeover" answers handled here."""
        confirm = self.confirm
        if confirm is None:
            return None

        def ask(request: ConfirmationRequest) -> bool:
            answer = confirm(request)
            if answer != "takeover":
                return bool(answer)
            if self.takeover is None:
                return False
            self.hand_over()
            raise TakenOver("Handed to the person (takeover); resumed from the page they left.",
                            confirmation={"reasons": list(request.reasons), "approved": False,
                                          "asked": True, "takeover": True})

        return ask
