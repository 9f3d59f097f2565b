"""Every connection a browser context opens goes through a proxy that enforces the allow-list.

Playwright's `route()` sees the page's HTTP requests, but not WebSockets, nor what
workers, service workers or the network stack do on their own. So each confined
session also gets this small forward proxy on 127.0.0.1 (`--proxy-server` for that
context only, with loopback proxied too): a `CONNECT host:port` tunnel (HTTPS,
WebSockets, anything secure) or a plain `http://` request is let through only when
the session's `AllowList` allows that host and port, and refused with 403 otherwise.
Chromium resolves no names itself for proxied requests, so a blocked host is not even
looked up. WebRTC is kept off UDP by a launch flag (`--webrtc-ip-handling-policy`), so
it can only use TCP through this proxy as well.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = ["EgressProxy"]

_HEAD_MAX = 65536
_IDLE_S = 300.0
_DROP = {"proxy-connection", "proxy-authorization", "connection", "keep-alive"}


class EgressProxy:
    """A forward proxy on 127.0.0.1 that lets connections through only when `allows` says so."""

    def __init__(self, allows: Callable[[str], bool],
                 on_block: Callable[[str, str, str], None] | None = None) -> None:
        self.allows = allows
        self.on_block = on_block  # (url, host, kind) for each refused connection
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="cristal-egress", daemon=True).start()

    @property
    def server(self) -> str:
        """The proxy's address for a browser context (`http://127.0.0.1:PORT`)."""
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Stop accepting, and cut every open tunnel."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._server.close()
        with self._lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.close()
            self._open.clear()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        self._track(client)
        try:
            client.settimeout(30)
            head, rest = _read_head(client)
            if head is None:
                return
            method, target, headers = _parse(head)
            if method == "CONNECT":
                host, port = _host_port(target, 443)
                url = f"//{target}"
            else:
                parts = urlsplit(target)
                if parts.scheme not in ("http", "ws") or not parts.hostname:
                    client.sendall(_reply(400, "the proxy takes CONNECT or absolute http:// URLs"))
                    return
                host, port = parts.hostname, parts.port or 80
                url = target
            name = f"[{host}]" if ":" in host else host
            if not self.allows(f"http://{name}:{port}/"):
                if self.on_block is not None:
                    self.on_block(url, host, "tunnel" if method == "CONNECT" else "proxy")
                client.sendall(_reply(403, f"{host} is not on this task's allow-list"))
                return
            try:
                upstream = socket.create_connection((host, port), timeout=10)
            except OSError:
                client.sendall(_reply(502, f"could not reach {host}:{port}"))
                return
            self._track(upstream)
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                _pipe(client, upstream, body=None)
            else:
                upstream.sendall(_origin_form(method, target, headers) + rest)
                upgrade = headers.get("upgrade") is not None
                length = int(headers.get("content-length", "0") or 0)
                chunked = "chunked" in headers.get("transfer-encoding", "").lower()
                _pipe(client, upstream, body=None if upgrade or chunked else length - len(rest))
        except (OSError, ValueError):
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    self._untrack(sock)
                    with contextlib.suppress(OSError):
                        sock.close()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk or len(data) > _HEAD_MAX:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _parse(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    return method.upper(), target, headers


def _host_port(target: str, default: int) -> tuple[str, int]:
    if target.startswith("["):
        host, _, port = target[1:].partition("]")
        return host, int(port.lstrip(":") or default)
    host, _, port = target.rpartition(":")
    return (host, int(port)) if host else (target, default)


def _origin_form(method: str, target: str, headers: dict[str, str]) -> bytes:
    """The request as sent to the server itself: path only, one request per connection."""
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {path} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k not in _DROP]
    lines.append("Connection: " + ("Upgrade" if "upgrade" in headers else "close"))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reply(status: int, why: str) -> bytes:
    body = why.encode()
    reason = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: "
            f"{len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def _pipe(client: socket.socket, upstream: socket.socket, *, body: int | None) -> None:
    """Copy bytes both ways until one side closes. With `body`, the client may send only that
    many more bytes (the request's body): anything after it would be a next request, maybe
    for another host, so the connection is closed instead."""
    socks = [client, upstream]
    while True:
        ready, _, broken = select.select(socks, [], socks, _IDLE_S)
        if broken or not ready:
            return
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            if sock is client:
                if body is not None:
                    body -= len(data)
                    if body < 0:
                        return
                upstream.sendall(data)
            else:
                client.sendall(data)
