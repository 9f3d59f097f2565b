"""Who is calling: `Authorization: Bearer <API key | OIDC token>` to a Principal, rate limits.

No credentials or bad ones: 401 (and an `auth.failed` audit entry, itself limited per
client address so failures cannot flood the log). A known caller over its limit: 429
with `Retry-After`. The principal is kept on the request for the access log.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from fastapi import Request

from cristal.app import App
from cristal.errors import NotAuthenticated, RateLimited
from cristal.governance import ApiKey, Principal, append_audit, hit, sign_in

__all__ = ["Authenticator"]


class Authenticator:
    """Turns a request's bearer credentials into a Principal (or refuses it)."""

    def __init__(self, app: App, verifier: Any = None) -> None:
        self.app = app
        self.server = app.settings.server
        self.verifier = verifier  # an OidcVerifier when single sign-on is configured
        self._trusted = [ipaddress.ip_network(p, strict=False)
                         for p in self.server.trusted_proxies]

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
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        try:
            if not header:
                raise NotAuthenticated("no credentials: send `Authorization: Bearer <key>` with "
                                       "an API key from `cristal keys create`, or a sign-in "
                                       "token.", reason="missing")
            if scheme.lower() != "bearer" or not token:
                raise NotAuthenticated("the Authorization header must be `Bearer <key or "
                                       "token>`.", reason="scheme")
            principal = self._principal(token)
        except NotAuthenticated as exc:
            self._failed(request, client, exc)
            raise
        if principal.kind != "key":  # keys are counted while signing in
            self._limit(principal)
        request.state.principal = principal
        return principal

    def _principal(self, token: str) -> Principal:
        if token.startswith("cr_"):
            return self._from_key(token)
        if token.count(".") == 2:
            if self.verifier is None:
                raise NotAuthenticated("this server does not accept sign-in tokens (oidc.issuer "
                                       "is not configured); use an API key.", reason="no_oidc")
            return self.verifier.principal(token, self.app.store)
        raise NotAuthenticated("the bearer token is neither an API key (cr_…) nor a sign-in "
                               "token (JWT).", reason="malformed")

    def _from_key(self, token: str) -> Principal:
        key, groups = sign_in(self.app.store, token, self._key_counters)
        return Principal("key", key.id, key.tenant, frozenset({key.role}), key.user,
                         frozenset(groups))

    def _key_counters(self, key: ApiKey) -> list:
        counters = []
        if self.server.key_rate is not None:
            counters.append((f"key:{key.id}", self.server.key_rate))
        if key.user and self.server.user_rate is not None:
            counters.append((f"user:{key.tenant}/{key.user}", self.server.user_rate))
        return counters

    def _limit(self, principal: Principal) -> None:
        if principal.user and self.server.user_rate is not None:
            hit(self.app.store, [(f"user:{principal.tenant}/{principal.user}",
                                  self.server.user_rate)])

    def _failed(self, request: Request, client: str, exc: NotAuthenticated) -> None:
        if exc.fields.get("reason") == "missing":
            return  # no credentials at all is not a sign-in attempt (health checks, scans)
        try:
            hit(self.app.store, [(f"ip:{client}", self.server.failure_rate)],
                what="failed sign-ins")
        except RateLimited:
            raise  # no audit entry: repeated failures must not flood the log
        details = {"reason": exc.fields.get("reason"), "client": client,
                   "method": request.method, "path": request.url.path}
        target = exc.fields.get("key_id") or exc.fields.get("lookup") or exc.fields.get("sub")
        append_audit(self.app.store, tenant=exc.fields.get("tenant"), actor=f"ip:{client}",
                     action="auth.failed", target=target, details=details)
