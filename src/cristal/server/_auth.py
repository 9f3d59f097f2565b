"""Who is calling: the request's `Authorization` header and client address, handed to the
use-case layer (`cristal.app.auth.authenticate`), which signs in, rate-limits and audits.

Only HTTP lives here: which address the client has (the socket's, or the last untrusted
`X-Forwarded-For` hop behind trusted proxies), and keeping the principal on the request
for the access log.
"""

from __future__ import annotations

import ipaddress

from fastapi import Request

from cristal.app import App, Principal
from cristal.app import auth as uc

__all__ = ["Authenticator"]


class Authenticator:
    """Turns a request's bearer credentials into a Principal (or refuses it)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._trusted = [ipaddress.ip_network(p, strict=False)
                         for p in app.settings.server.trusted_proxies]

    def client(self, request: Request) -> str:
        """The caller's address: the socket's, or the last untrusted X-Forwarded-For hop."""
        peer = request.client.host if request.client else "-"
        if not self._trusted or not self._is_trusted(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")
                if h.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._trusted)

    def __call__(self, request: Request) -> Principal:
        """The principal of this request; NotAuthenticated (401) or RateLimited (429)."""
        cached = getattr(request.state, "principal", None)
        if cached is not None:
            return cached
        client = self.client(request)
        request.state.client = client
        principal = uc.authenticate(self.app, request.headers.get("authorization", ""),
                                    client=client, method=request.method,
                                    path=request.url.path)
        request.state.principal = principal
        return principal
