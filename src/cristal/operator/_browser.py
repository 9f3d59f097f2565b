"""Chromium driven by Playwright: launch, sessions confined to a task folder and an allow-list."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cristal.errors import ConfigError, PermissionDenied
from cristal.operator._egress import EgressProxy

__all__ = [
    "CHROMIUM_ARGS",
    "AllowList",
    "BlockedRequest",
    "Browser",
    "BrowserNotFound",
    "DomainBlocked",
    "Session",
    "find_chromium",
]

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # WebRTC may not send UDP (STUN/TURN) past the allow-list's proxy: TCP through it only.
    # The first spelling is headless Chromium's, the second the headed browser's.
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
)
_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
_LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}


class BrowserNotFound(ConfigError):
    """No Chromium executable where the operator looked."""


class DomainBlocked(PermissionDenied):
    """A navigation or request went to a host that the task's allow-list does not name."""


def find_chromium(path: str | Path | None = None) -> str:
    """The Chromium executable to drive: `path` if given, else Debian's `/usr/bin/chromium`."""
    if path is not None:
        if Path(path).is_file():
            return str(path)
        raise BrowserNotFound(
            f"Chromium was not found at {path}. Fix the configured browser path, or install "
            "Debian's Chromium with `sudo apt-get install -y chromium` "
            "(or `cristal setup browser`).",
            path=str(path),
        )
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise BrowserNotFound(
        "Chromium was not found at /usr/bin/chromium. Install it with "
        "`sudo apt-get install -y chromium` (or run `cristal setup browser`); "
        "Playwright's own browser download is not used.",
        path=_CANDIDATES[0],
    )


@dataclass(frozen=True)
class AllowList:
    """Hosts a task may reach: exact names, `*.example.com` wildcards, file:// and 127.0.0.1."""

    hosts: tuple[str, ...] = ()
    allow_file: bool = False
    allow_local: bool = False

    def allows(self, url: str) -> bool:
        """Whether a request to `url` may go ahead."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("data", "blob", "about", "javascript", "chrome-error"):
            return True
        if scheme == "file":
            return self.allow_file
        host = (parts.hostname or "").lower()
        if host in _LOCAL and self.allow_local:
            return True
        with_port = f"{host}:{parts.port}" if parts.port else host
        return any(fnmatch.fnmatchcase(with_port if ":" in p else host, p.lower())
                   or (p.startswith("*.") and host == p[2:].lower()) for p in self.hosts)

    def check(self, url: str) -> None:
        """Raise DomainBlocked, saying how to allow it, when `url` is not allowed."""
        if not self.allows(url):
            host = urlsplit(url).hostname or urlsplit(url).scheme
            raise DomainBlocked(
                f"{url} is outside this task's allow-list ({self.describe()}). If the task "
                f"really needs {host}, add it to the task's allowed hosts and run it again.",
                url=url, host=host,
            )

    def describe(self) -> str:
        """A short human description of what is allowed."""
        parts = list(self.hosts) + (["file://"] if self.allow_file else [])
        parts += ["127.0.0.1"] if self.allow_local else []
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class BlockedRequest:
    """A request the allow-list stopped."""

    url: str
    host: str
    resource_type: str
    navigation: bool


@dataclass
class Session:
    """One browser context and its current page, confined to a task folder and an allow-list."""

    context: Any
    page: Any
    task_dir: Path | None = None
    allow: AllowList | None = None
    blocked: list[BlockedRequest] = field(default_factory=list)
    downloads: list[Path] = field(default_factory=list)
    egress: EgressProxy | None = None  # every connection of the context, allow-listed
    _pending: list[Any] = field(default_factory=list)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_downloads(self) -> list[Path]:
        """Move finished downloads into `<task_dir>/downloads/`; returns the new files."""
        saved = []
        while self._pending:
            download = self._pending.pop(0)
            if self.task_dir is None:
                download.cancel()
                continue
            target_dir = self.task_dir / "downloads"
            target_dir.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.\-]+", "_", download.suggested_filename).strip("._") or "download"
            target = _unique(target_dir / name)
            download.save_as(target)
            saved.append(target)
        self.downloads.extend(saved)
        return saved

    def close(self) -> None:
        """Close the context (and its pages), keeping saved downloads."""
        try:
            self.save_downloads()
        finally:
            try:
                self.context.close()
            finally:
                if self.egress is not None:
                    self.egress.close()


def _unique(path: Path) -> Path:
    n = 1
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


class Browser:
    """A headless (or headed) Debian Chromium process; `with Browser() as b: b.new_session()`.

    `debug_port` opens Chromium's remote-debugging port for tools you run yourself; any
    local process can attach to it, so runs never use it (a takeover goes through the
    private console of `_console.py`).
    """

    def __init__(self, *, executable: str | Path | None = None, headless: bool = True,
                 debug_port: int | None = None, extra_args: tuple[str, ...] = ()) -> None:
        self.executable = find_chromium(executable)
        self.headless = headless
        self.debug_port = debug_port
        self.args = CHROMIUM_ARGS + tuple(extra_args)
        if debug_port is not None:
            self.args += (f"--remote-debugging-port={debug_port}",
                          "--remote-debugging-address=127.0.0.1")
        self._pw: Any = None
        self._browser: Any = None

    def __enter__(self) -> Browser:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> Browser:
        """Launch Chromium (idempotent)."""
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            try:
                self._browser = self._pw.chromium.launch(
                    executable_path=self.executable, headless=self.headless, args=list(self.args))
            except Exception:
                self._pw.stop()
                self._pw = None
                raise
        return self

    @property
    def cdp_endpoint(self) -> str | None:
        """`http://127.0.0.1:PORT` where a person (DevTools, chrome://inspect) can take over."""
        return f"http://127.0.0.1:{self.debug_port}" if self.debug_port is not None else None

    def takeover_info(self) -> dict[str, str]:
        """CDP endpoint and WebSocket URL for a human takeover (needs `debug_port`)."""
        if self.cdp_endpoint is None:
            raise ConfigError("This browser was started without a debug port; start it with "
                              "Browser(debug_port=9222) to allow a takeover.")
        with urllib.request.urlopen(self.cdp_endpoint + "/json/version", timeout=5) as resp:
            info = json.load(resp)
        return {"endpoint": self.cdp_endpoint, "websocket": info["webSocketDebuggerUrl"],
                "browser": info.get("Browser", "")}

    def new_session(self, *, task_dir: str | Path | None = None, allow: AllowList | None = None,
                    viewport: tuple[int, int] = (1280, 800), locale: str = "en-US") -> Session:
        """A fresh context (cookies, storage) and page; downloads land in `task_dir/downloads`.

        With an allow-list, the page's requests are checked by a route handler (which
        records what it blocks) and every connection of the context, WebSockets and
        workers included, by an egress proxy on 127.0.0.1.
        """
        self.start()
        blocked: list[BlockedRequest] = []
        egress = None
        options: dict[str, Any] = {}
        if allow is not None:
            egress = EgressProxy(allow.allows, lambda url, host, kind: blocked.append(
                BlockedRequest(url=url, host=host, resource_type=kind, navigation=False)))
            options["proxy"] = {"server": egress.server, "bypass": "<-loopback>"}
        try:
            context = self._browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, locale=locale,
                accept_downloads=task_dir is not None, **options)
        except Exception:
            if egress is not None:
                egress.close()
            raise
        session = Session(context=context, page=None, task_dir=Path(task_dir) if task_dir else None,
                          allow=allow, blocked=blocked, egress=egress)
        if allow is not None:
            context.route("**/*", lambda route: _gate(session, route))
        context.on("page", lambda page: _adopt(session, page))
        session.page = context.new_page()
        return session

    def close(self) -> None:
        """Stop Chromium and Playwright."""
        if self._browser is not None:
            try:
                self._browser.close()
            finally:
                self._browser = None
                self._pw.stop()
                self._pw = None


def _adopt(session: Session, page: Any) -> None:
    """Follow popups and new tabs; remember downloads for `save_downloads`."""
    session.page = page
    page.on("download", lambda download: session._pending.append(download))


def _gate(session: Session, route: Any) -> None:
    request = route.request
    assert session.allow is not None
    if session.allow.allows(request.url):
        route.fallback()
        return
    session.blocked.append(BlockedRequest(
        url=request.url, host=urlsplit(request.url).hostname or "",
        resource_type=request.resource_type, navigation=request.is_navigation_request()))
    route.abort("blockedbyclient")
