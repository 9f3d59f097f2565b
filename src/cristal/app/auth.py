"""Use cases of signing in: a bearer credential (API key or OIDC token) to a Principal.

`authenticate` is what every API request goes through: it names the failure (401 with
why), counts requests per key and per user (429 over the limit), and appends an
`auth.failed` audit entry for a refused credential, itself limited per client address so
failures cannot flood the log. Transport details (headers, proxies) stay in the server;
this module gets the header's value and the client's address.
"""

from __future__ import annotations

from typing import Any

from cristal.app._app import App
from cristal.errors import NotAuthenticated, RateLimited
from cristal.governance import ApiKey, Principal, append_audit, hit, sign_in

__all__ = ["authenticate", "bearer_principal", "count_user", "failed", "key_principal",
           "oidc_verifier"]


def oidc_verifier(app: App) -> Any:
    """The app's OIDC token verifier (built once), or None when single sign-on is off."""
    if not app.settings.oidc.issuer:
        return None
    found = app.__dict__.get("_oidc_verifier")
    if found is None:
        from cristal.governance import OidcVerifier

        found = app.__dict__.setdefault("_oidc_verifier", OidcVerifier(app.settings.oidc))
    return found


def _key_counters(app: App, key: ApiKey) -> list:
    server = app.settings.server
    counters = []
    if server.key_rate is not None:
        counters.append((f"key:{key.id}", server.key_rate))
    if key.user and server.user_rate is not None:
        counters.append((f"user:{key.tenant}/{key.user}", server.user_rate))
    return counters


def key_principal(app: App, token: str) -> Principal:
    """The principal an API key is (counted against the key's and user's rate limits)."""
    key, groups = sign_in(app.store, token, lambda k: _key_counters(app, k))
    return Principal("key", key.id, key.tenant, frozenset({key.role}), key.user,
                     frozenset(groups))


def count_user(app: App, principal: Principal) -> None:
    """Count one request of a signed-in user against `server.user_rate` (429 over it)."""
    rate = app.settings.server.user_rate
    if principal.user and rate is not None:
        hit(app.store, [(f"user:{principal.tenant}/{principal.user}", rate)])


def bearer_principal(app: App, token: str) -> Principal:
    """The principal of a bearer token: an API key (cr_…) or a sign-in token (JWT)."""
    if token.startswith("cr_"):
        return key_principal(app, token)
    if token.count(".") == 2:
        verifier = oidc_verifier(app)
        if verifier is None:
            raise NotAuthenticated("this server does not accept sign-in tokens (oidc.issuer "
                                   "is not configured); use an API key.", reason="no_oidc")
        return verifier.principal(token, app.store)
    raise NotAuthenticated("the bearer token is neither an API key (cr_…) nor a sign-in "
                           "token (JWT).", reason="malformed")


def authenticate(app: App, header: str, *, client: str, method: str = "-",
                 path: str = "-") -> Principal:
    """The principal of an `Authorization` header value; NotAuthenticated or RateLimited.

    A refused credential is audited (`auth.failed`, with the client, method and path)
    unless there was none at all or the client is over `server.failure_rate`.
    """
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
        principal = bearer_principal(app, token)
    except NotAuthenticated as exc:
        failed(app, exc, client=client, method=method, path=path)
        raise
    if principal.kind != "key":  # keys are counted while signing in
        count_user(app, principal)
    return principal


def failed(app: App, exc: NotAuthenticated, *, client: str, method: str, path: str) -> None:
    """Record a refused sign-in: counted per client address, then audited."""
    if exc.fields.get("reason") == "missing":
        return  # no credentials at all is not a sign-in attempt (health checks, scans)
    try:
        hit(app.store, [(f"ip:{client}", app.settings.server.failure_rate)],
            what="failed sign-ins")
    except RateLimited:
        raise  # no audit entry: repeated failures must not flood the log
    details = {"reason": exc.fields.get("reason"), "client": client, "method": method,
               "path": path}
    target = exc.fields.get("key_id") or exc.fields.get("lookup") or exc.fields.get("sub")
    append_audit(app.store, tenant=exc.fields.get("tenant"), actor=f"ip:{client}",
                 action="auth.failed", target=target, details=details)
