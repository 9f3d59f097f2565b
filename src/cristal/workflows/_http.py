"""Outbound HTTP for steps: allow-listed hosts, an Idempotency-Key on every request.

Redirects are not followed (a redirect could leave the allow-list). Client errors
(4xx) are final; connection errors, 408, 429 and 5xx are retryable.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from cristal.errors import PermissionDenied
from cristal.workflows._errors import HttpStepError, HttpStepTransient

__all__ = ["Secrets", "check_host", "host_allowed", "send"]

_RETRYABLE = {408, 425, 429}
_client: httpx.Client | None = None
_lock = threading.Lock()


def _http() -> httpx.Client:
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(follow_redirects=False,
                                   limits=httpx.Limits(max_connections=100))
        return _client


def host_allowed(url: str, allow: list[str]) -> bool:
    """True when the URL's host (and port, if the entry names one) is allow-listed.

    Entries: `host`, `host:port`, `*.example.com` (any subdomain), or `*` (anything).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for entry in allow:
        entry = entry.strip().lower()
        name, _, want_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if not name:
            name, want_port = entry, ""
        if want_port and want_port.isdigit() and int(want_port) != port:
            continue
        if name == "*" or name == host or (name.startswith("*.") and host.endswith(name[1:])):
            return True
    return False


def check_host(url: str, allow: list[str]) -> None:
    """Raise PermissionDenied, saying how to allow it, unless the URL's host is allow-listed."""
    if not host_allowed(url, allow):
        parts = urlsplit(url)
        target = parts.netloc or url
        raise PermissionDenied(
            f"host {target} is not allow-listed for http steps: add it to workflows.http_allow "
            f"in cristal.toml or CRISTAL_HTTP_ALLOW (comma-separated), e.g. "
            f"CRISTAL_HTTP_ALLOW={target}. Nothing was sent.", host=target)


def send(method: str, url: str, *, key: str, allow: list[str],
         headers: dict[str, str] | None = None, params: dict[str, Any] | None = None,
         json_body: Any = None, body: str | None = None, timeout_s: float = 30.0,
         expect: list[int] | None = None) -> dict[str, Any]:
    """One request with `Idempotency-Key: key`; returns {"status", "body"} or raises."""
    check_host(url, allow)
    all_headers = {str(k): str(v) for k, v in (headers or {}).items()}
    all_headers["Idempotency-Key"] = key
    try:
        response = _http().request(
            method, url, headers=all_headers, params=params,
            json=json_body if body is None else None,
            content=body.encode() if body is not None else None, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        raise HttpStepTransient(f"{method} {url}: no answer within {timeout_s:g} s ({exc}); "
                                "it will be retried with the same Idempotency-Key.") from None
    except httpx.HTTPError as exc:
        raise HttpStepTransient(f"{method} {url}: {type(exc).__name__}: {exc}; it will be "
                                "retried with the same Idempotency-Key.") from None
    status = response.status_code
    ok = status in expect if expect else 200 <= status < 300
    if not ok:
        text = response.text[:300]
        if status >= 500 or status in _RETRYABLE:
            raise HttpStepTransient(f"{method} {url} answered {status}: {text}", status=status)
        raise HttpStepError(f"{method} {url} answered {status}: {text}; a client error is not "
                            "retried: fix the request or the receiver.", status=status)
    return {"status": status, "body": _body(response)}


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except json.JSONDecodeError:
            pass
    return response.text


class Secrets(Mapping[str, str]):
    """`secrets.NAME` in templates: the worker's CRISTAL_SECRET_NAME environment variable."""

    def __getitem__(self, name: str) -> str:
        value = os.environ.get(f"CRISTAL_SECRET_{name}")
        if value is None:
            raise KeyError(f"secret {name} is not set: export CRISTAL_SECRET_{name} on every "
                           "worker")
        return value

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0
