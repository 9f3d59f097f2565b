"""The edge of every request: request id, body-size limit, security headers, access log.

One plain ASGI middleware (no per-request task or body copy), so streaming responses
(server-sent events, chat streams) pass through untouched. The access log is one JSON
line per request without secrets: no headers, no query string, only the path, the
status, the time taken and who it was (the key id or user, never the key).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from cristal.errors import TooLarge
from cristal.store import new_id

__all__ = ["EdgeMiddleware"]

access_log = logging.getLogger("cristal.access")
_GOOD_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
_UPLOAD = re.compile(r"^/api/collections/[^/]+/documents/?$")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# The interactive docs load Swagger UI's script and style from its CDN.
_DOCS_CSP = (b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
             b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
             b"https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'none'")
# Report pages carry their own inline style and nothing else.
_REPORT_CSP = b"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


class _BodyTooLarge(TooLarge):
    pass


def _limit_error(limit: int) -> TooLarge:
    return _BodyTooLarge(f"the request body is over the limit of {limit:,} bytes; send less "
                         "(uploads: fewer or smaller files per request), or ask the "
                         "administrator to raise server.max_body_bytes / max_upload_bytes.",
                         limit=limit)


class EdgeMiddleware:
    """Request id, body limit, security headers and the access log, for HTTP requests."""

    def __init__(self, app: Any, *, max_body: int, max_upload: int, log: bool = True) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"")
        rid = given.decode() if _GOOD_ID.fullmatch(given) else new_id("req")
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        path = scope.get("path", "")
        limit = self.max_upload if (scope.get("method") == "POST" and _UPLOAD.match(path)) \
            else self.max_body
        declared = _content_length(scope)
        outcome = {"status": 500, "bytes": 0}
        if declared is not None and declared > limit:
            await _refuse(send, rid, limit)
            outcome["status"] = 413
            self._log(scope, rid, outcome, started)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _limit_error(limit)
            return message

        secure = scope.get("scheme") == "https"
        csp = _DOCS_CSP if path in ("/docs", "/redoc") else _API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                headers = list(message.get("headers") or [])
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-request-id", rid.encode()))
                headers.extend(h for h in _BASE_HEADERS if h[0] not in names)
                if b"content-security-policy" not in names:
                    html = any(k.lower() == b"content-type" and v.startswith(b"text/html")
                               for k, v in headers)
                    headers.append((b"content-security-policy",
                                    _REPORT_CSP if html and path.startswith("/api/") else csp))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if secure:
                    headers.append((b"strict-transport-security",
                                    b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, limited, send_with_headers)
        finally:
            self._log(scope, rid, outcome, started)

    def _log(self, scope: Scope, rid: str, outcome: dict[str, int], started: float) -> None:
        if not self.log or not access_log.isEnabledFor(logging.INFO):
            return
        state = scope.get("state") or {}
        who = state.get("principal")
        client = scope.get("client") or ("-", 0)
        access_log.info(json.dumps({
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "request_id": rid,
            "method": scope.get("method"), "path": scope.get("path"),
            "status": outcome["status"], "ms": round((time.perf_counter() - started) * 1000, 2),
            "bytes": outcome["bytes"], "client": state.get("client") or client[0],
            "principal": who.actor if who is not None else None,
            "tenant": who.tenant if who is not None else None,
        }, ensure_ascii=False))


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers") or ():
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, rid: str, limit: int) -> None:
    error = _limit_error(limit)
    body = json.dumps({"error": {"type": "TooLarge", "message": error.message}}).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", rid.encode()), (b"connection", b"close"), *_BASE_HEADERS,
        (b"content-security-policy", _API_CSP), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
