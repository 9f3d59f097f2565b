"""Outbound HTTP for steps: allow-listed hosts, checked addresses, bounded bodies, and an
Idempotency-Key on every request.

- The URL's host must match an entry of `workflows.http_allow` (`host`, `host:port`,
  `*.domain`, `*`, an IP, `[::1]:8099`).
- The name is resolved here, every address it resolves to is checked, and the
  request goes to the checked address itself (the Host header and TLS name stay
  the URL's), so a DNS answer cannot change between the check and the connection.
  With `workflows.http_block_private` (the default), names may only lead to public
  addresses; an IP named in the allow-list is allowed as named, `localhost` as
  loopback. Cloud metadata addresses (169.254.169.254, fd00:ec2::254) are refused
  unless named as an IP.
- Responses are read as a stream; at most `workflows.http_max_body_bytes` are kept,
  and a longer body is stored cut, with `truncated: true` and its `size`.
- Redirects are not followed (a redirect could leave the allow-list); proxies from
  the environment are not used (the proxy would resolve the name, not us).
  Client errors (4xx) are final; connection errors, 408, 429 and 5xx are retryable.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from cristal.config import WorkflowSettings, parse_host_rule
from cristal.errors import PermissionDenied
from cristal.workflows._errors import HttpStepError, HttpStepTransient

__all__ = ["HttpPolicy", "Secrets", "check_host", "host_allowed", "send"]

_RETRYABLE = {408, 425, 429}
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_client: httpx.Client | None = None
_lock = threading.Lock()

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class HttpPolicy:
    """What http steps may reach and keep: the allow-list, the address rule, the body cap."""

    allow: tuple[str, ...] = ()
    block_private: bool = True
    max_body_bytes: int = 1_000_000

    @classmethod
    def of(cls, settings: WorkflowSettings) -> HttpPolicy:
        """The policy configured in `workflows.*`."""
        return cls(tuple(settings.http_allow), settings.http_block_private,
                   settings.http_max_body_bytes)


def _http() -> httpx.Client:
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(follow_redirects=False, trust_env=False,
                                   limits=httpx.Limits(max_connections=100))
        return _client


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _matching_entry(url: str, allow: tuple[str, ...] | list[str]) -> str | None:
    """The first allow-list entry that matches the URL's host and port, if any."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.scheme not in ("http", "https"):
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        return None
    literal = _ip(host)
    for entry in allow:
        try:
            name, want_port = parse_host_rule(entry)
        except ValueError:
            continue  # config loading refuses these; never let one allow everything
        if want_port is not None and want_port != port:
            continue
        name = name.rstrip(".")
        if literal is not None and _ip(name) is not None:
            if _ip(name) == literal:
                return entry
            continue
        if name == "*" or name == host or (name.startswith("*.") and host.endswith(name[1:])):
            return entry
    return None


def host_allowed(url: str, allow: list[str] | tuple[str, ...]) -> bool:
    """True when the URL's host (and port, if the entry names one) is allow-listed."""
    return _matching_entry(url, allow) is not None


def check_host(url: str, allow: list[str] | tuple[str, ...]) -> str:
    """The matching entry; PermissionDenied, saying how to allow it, if there is none."""
    entry = _matching_entry(url, allow)
    if entry is None:
        parts = urlsplit(url)
        target = parts.netloc or url
        raise PermissionDenied(
            f"host {target} is not allow-listed for http steps: add it to workflows.http_allow "
            f"in cristal.toml or CRISTAL_HTTP_ALLOW (comma-separated), e.g. "
            f"CRISTAL_HTTP_ALLOW={target}. Nothing was sent.", host=target)
    return entry


def _unmapped(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _address_ok(ip: IPAddress, entry: str, block_private: bool) -> bool:
    ip = _unmapped(ip)
    named = _ip(parse_host_rule(entry)[0])
    if named is not None:
        return _unmapped(named) == ip
    if ip in _METADATA:
        return False
    if parse_host_rule(entry)[0] == "localhost":
        return ip.is_loopback
    if not block_private:
        return True
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[IPAddress]:
    literal = _ip(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HttpStepTransient(f"cannot resolve {host}: {exc}; it will be retried.") from None
    found: list[IPAddress] = []
    for info in infos:
        ip = _ip(str(info[4][0]).split("%")[0])
        if ip is not None and ip not in found:
            found.append(ip)
    return found


def _pinned(url: str, entry: str, policy: HttpPolicy) -> tuple[list[str], str, dict[str, Any]]:
    """The URL rewritten to each checked address, its Host header, and the TLS name."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    allowed = [ip for ip in addresses if _address_ok(ip, entry, policy.block_private)]
    if not allowed:
        shown = ", ".join(str(ip) for ip in addresses) or "no address"
        raise PermissionDenied(
            f"host {host} resolves to {shown}, which http steps may not reach (private, "
            f"loopback, link-local or cloud metadata). Allow that address by naming it as an "
            f"IP in workflows.http_allow, or set workflows.http_block_private = false for "
            "private networks. Nothing was sent.", host=host)
    pinned = [urlunsplit((parts.scheme, f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}",
                          parts.path, parts.query, "")) for ip in allowed]
    extensions = {"sni_hostname": host} if parts.scheme == "https" and _ip(host) is None else {}
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return pinned, host_header, extensions


def send(method: str, url: str, *, key: str, policy: HttpPolicy,
         headers: dict[str, str] | None = None, params: dict[str, Any] | None = None,
         json_body: Any = None, body: str | None = None, timeout_s: float = 30.0,
         expect: list[int] | None = None) -> dict[str, Any]:
    """One request with `Idempotency-Key: key`; returns {"status", "body"} (plus
    `truncated` and `size` when the body was cut) or raises."""
    entry = check_host(url, policy.allow)
    candidates, host_header, extensions = _pinned(url, entry, policy)
    all_headers = {str(k): str(v) for k, v in (headers or {}).items()
                   if str(k).lower() != "host"}
    all_headers["Host"] = host_header
    all_headers["Idempotency-Key"] = key
    for i, pinned in enumerate(candidates):
        try:
            return _exchange(method, url, pinned, all_headers, params, json_body, body,
                             timeout_s, extensions, expect, policy.max_body_bytes)
        except httpx.ConnectError:
            if i + 1 == len(candidates):  # every checked address refused: retry later
                raise HttpStepTransient(f"{method} {url}: cannot connect to "
                                        f"{host_header}; it will be retried with the same "
                                        "Idempotency-Key.") from None
    raise AssertionError("unreachable: _pinned returns at least one address")


def _exchange(method: str, url: str, pinned: str, headers: dict[str, str], params: Any,
              json_body: Any, body: str | None, timeout_s: float, extensions: dict[str, Any],
              expect: list[int] | None, max_body: int) -> dict[str, Any]:
    try:
        with _http().stream(
                method, pinned, headers=headers, params=params,
                json=json_body if body is None else None,
                content=body.encode() if body is not None else None, timeout=timeout_s,
                extensions=extensions) as response:
            status = response.status_code
            ok = status in expect if expect else 200 <= status < 300
            if not ok:
                text = _read(response, 300)[0].decode("utf-8", "replace")
                if status >= 500 or status in _RETRYABLE:
                    raise HttpStepTransient(f"{method} {url} answered {status}: {text}",
                                            status=status)
                raise HttpStepError(f"{method} {url} answered {status}: {text}; a client "
                                    "error is not retried: fix the request or the receiver.",
                                    status=status)
            data, size = _read(response, max_body)
            content_type = response.headers.get("content-type", "")
    except httpx.ConnectError:
        raise  # send() tries the next checked address
    except httpx.TimeoutException as exc:
        raise HttpStepTransient(f"{method} {url}: no answer within {timeout_s:g} s ({exc}); "
                                "it will be retried with the same Idempotency-Key.") from None
    except httpx.HTTPError as exc:
        raise HttpStepTransient(f"{method} {url}: {type(exc).__name__}: {exc}; it will be "
                                "retried with the same Idempotency-Key.") from None
    result: dict[str, Any] = {"status": status, "body": _body(data, content_type, size)}
    if size > len(data):
        result.update(truncated=True, size=size)
    return result


def _read(response: httpx.Response, limit: int) -> tuple[bytes, int]:
    """Up to `limit` bytes of the body, and its full size (memory stays bounded)."""
    kept = bytearray()
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if len(kept) < limit:
            kept += chunk[: limit - len(kept)]
        elif response.headers.get("content-length", "").isdigit():
            size = max(size, int(response.headers["content-length"]))
            break  # the size is known: no need to download the rest
    return bytes(kept), size


def _body(data: bytes, content_type: str, size: int) -> Any:
    if not data:
        return None
    if "json" in content_type and size == len(data):
        try:
            return json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            pass
    return data.decode("utf-8", "replace")


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
