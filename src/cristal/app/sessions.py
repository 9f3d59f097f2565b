"""Use cases of the web console's sign-in: an API key or the company's identity provider
(OpenID Connect authorization code with PKCE) opens a session kept in the database.

The server only moves cookies and redirects; what a session is, when it ends, what is
checked on each request and what is audited lives here (`console.signin`,
`console.signout`; refused sign-ins as `auth.failed`, like the API's).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from cristal.app._app import App
from cristal.app.auth import count_user, failed, key_principal, oidc_verifier
from cristal.errors import ConfigError, NotAuthenticated
from cristal.governance import (
    Principal,
    Session,
    append_audit,
    delete_session,
    load_session,
    open_session,
    purge_sessions,
)

__all__ = ["OidcStart", "oidc_finish", "oidc_start", "session_of", "sign_in_with_key",
           "sign_out", "sso_enabled"]


def _lifetime(app: App) -> timedelta:
    return timedelta(hours=app.settings.console.session_hours)


def _opened(app: App, principal: Principal, basis: str, method: str,
            client: str) -> tuple[str, Session]:
    purge_sessions(app.store)  # expired ones go whenever someone signs in
    token, session = open_session(app.store, principal, basis, lifetime=_lifetime(app))
    append_audit(app.store, tenant=principal.tenant, actor=principal.actor,
                 action="console.signin", target=session.id,
                 details={"method": method, "client": client})
    return token, session


def sign_in_with_key(app: App, key_text: str, *, client: str) -> tuple[str, Session]:
    """Open a session for the holder of an API key (the key itself is not kept)."""
    key_text = key_text.strip()
    try:
        if not key_text:
            raise NotAuthenticated("enter an API key (cr_…) from `cristal keys create`.",
                                   reason="malformed")
        principal = key_principal(app, key_text)
    except NotAuthenticated as exc:
        failed(app, exc, client=client, method="POST", path="/signin")
        raise
    return _opened(app, principal, f"key:{principal.id}", "key", client)


def session_of(app: App, token: str) -> Session:
    """The live session of a cookie (counted against the user's rate limit)."""
    session = load_session(app.store, token,
                           idle=timedelta(minutes=app.settings.console.idle_minutes))
    count_user(app, session.principal)
    return session


def sign_out(app: App, token: str) -> None:
    """End the session of this cookie (nothing happens for an unknown one)."""
    try:
        session = load_session(app.store, token, idle=timedelta(days=3650))
    except NotAuthenticated:
        return
    delete_session(app.store, token)
    append_audit(app.store, tenant=session.principal.tenant, actor=session.principal.actor,
                 action="console.signout", target=session.id)


# -- single sign-on -----------------------------------------------------------------


def sso_enabled(app: App) -> bool:
    """True when an identity provider is configured (oidc.issuer)."""
    return bool(app.settings.oidc.issuer)


def _client_id(app: App) -> str:
    cfg = app.settings
    client = cfg.console.client_id or (cfg.oidc.audience[0] if cfg.oidc.audience else None)
    if not client:
        raise ConfigError("console.client_id is not set and oidc.audience is empty: set the "
                          "console's OIDC client id.")
    return client


def _discovery(app: App) -> dict[str, Any]:
    found = app.__dict__.get("_oidc_discovery")
    if found is not None:
        return found
    cfg = app.settings.oidc
    url = f"{(cfg.issuer or '').rstrip('/')}/.well-known/openid-configuration"
    try:
        reply = httpx.get(url, timeout=cfg.timeout_s, follow_redirects=False)
        reply.raise_for_status()
        doc = reply.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise NotAuthenticated(f"the identity provider could not be reached ({url}: "
                               f"{type(exc).__name__}); try again later.",
                               reason="idp_unreachable") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("authorization_endpoint"), str) \
            or not isinstance(doc.get("token_endpoint"), str):
        raise NotAuthenticated(f"{url} names no authorization_endpoint/token_endpoint.",
                               reason="idp_bad_reply")
    return app.__dict__.setdefault("_oidc_discovery", doc)


@dataclass(frozen=True)
class OidcStart:
    """Where to send the browser, and what to remember until it comes back."""

    url: str
    state: str
    verifier: str
    nonce: str


def oidc_start(app: App, redirect_uri: str) -> OidcStart:
    """An authorization request with PKCE (S256), a state and a nonce."""
    if not sso_enabled(app):
        raise NotAuthenticated("single sign-on is not configured here (oidc.issuer); sign in "
                               "with an API key.", reason="no_oidc")
    endpoint = _discovery(app)["authorization_endpoint"]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                         ).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    query = urlencode({"response_type": "code", "client_id": _client_id(app),
                       "redirect_uri": redirect_uri, "scope": "openid profile email",
                       "state": state, "nonce": nonce, "code_challenge": challenge,
                       "code_challenge_method": "S256"})
    return OidcStart(f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", state, verifier,
                     nonce)


def oidc_finish(app: App, *, code: str, verifier: str, nonce: str, redirect_uri: str,
                client: str) -> tuple[str, Session]:
    """Exchange the code for an ID token, verify it (signature, issuer, audience, nonce),
    and open a session for the user it names."""
    try:
        token = _exchange(app, code, verifier, redirect_uri)
        checker = oidc_verifier(app)
        claims = checker.claims(token)
        if not nonce or not secrets.compare_digest(str(claims.get("nonce") or ""), nonce):
            raise NotAuthenticated("the sign-in answer does not match this browser's request "
                                   "(nonce); start again.", reason="nonce")
        principal = checker.principal(token, app.store)
    except NotAuthenticated as exc:
        failed(app, exc, client=client, method="GET", path="/signin/callback")
        raise
    return _opened(app, principal, f"oidc:{claims.get('sub')}", "oidc", client)


def _exchange(app: App, code: str, verifier: str, redirect_uri: str) -> str:
    cfg = app.settings
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": _client_id(app), "code_verifier": verifier}
    if cfg.console.client_secret_env:
        secret = os.environ.get(cfg.console.client_secret_env)
        if not secret:
            raise ConfigError(f"console.client_secret_env names {cfg.console.client_secret_env}"
                              ", which is not set.")
        form["client_secret"] = secret
    endpoint = _discovery(app)["token_endpoint"]
    try:
        reply = httpx.post(endpoint, data=form, timeout=cfg.oidc.timeout_s,
                           follow_redirects=False)
        data = reply.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise NotAuthenticated(f"the identity provider's token endpoint failed "
                               f"({type(exc).__name__}); try again.",
                               reason="idp_unreachable") from None
    if reply.status_code != 200 or not isinstance(data, dict) or \
            not isinstance(data.get("id_token"), str):
        error = data.get("error") if isinstance(data, dict) else None
        raise NotAuthenticated(f"the identity provider refused the sign-in code "
                               f"({str(error or reply.status_code)[:80]}); start again.",
                               reason="code")
    return data["id_token"]
