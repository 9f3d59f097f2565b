"""Single sign-on: verify bearer JWTs from the company's OpenID Connect provider.

The issuer's discovery document gives the JWKS URL; signing keys are cached and
fetched again when a token names a key id that is not known (key rotation), at most
once every few seconds so unknown ids cannot make us hammer the provider. Only the
configured asymmetric algorithms are accepted (never `none`, never HMAC, so a public
key can never be used as a shared secret), and issuer, audience, expiry, not-before
(with the configured clock skew) and the signature are all checked. Claims map to
the user, the tenant and groups by configuration; roles come from `default_roles`,
`group_roles`, the optional roles claim (never `owner`), and role bindings.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt

from cristal.config import OidcSettings
from cristal.errors import ConfigError, NotAuthenticated, NotFound
from cristal.governance._identities import bound_roles, find_user
from cristal.governance._rbac import ROLES, Principal
from cristal.governance._tenants import get_tenant
from cristal.store import Store

__all__ = ["OidcVerifier"]

_ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
               "ES512", "EdDSA"}
_REFETCH_GAP_S = 10.0
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _refuse(message: str, reason: str, **fields: Any) -> NotAuthenticated:
    return NotAuthenticated(f"the sign-in token was refused: {message}", reason=reason,
                            **fields)


class OidcVerifier:
    """Verifies tokens of one issuer and maps them to Principals (thread-safe)."""

    def __init__(self, cfg: OidcSettings, client: httpx.Client | None = None,
                 refetch_gap_s: float = _REFETCH_GAP_S) -> None:
        if not cfg.issuer:
            raise ConfigError("oidc.issuer is not set; single sign-on is off.")
        if not cfg.audience:
            raise ConfigError("oidc.audience is empty: set the client id(s) tokens must be "
                              "issued for, e.g. oidc.audience = [\"cristal\"].")
        bad = [a for a in cfg.algorithms if a not in _ASYMMETRIC]
        if bad:
            raise ConfigError(f"oidc.algorithms may list only asymmetric algorithms "
                              f"({', '.join(sorted(_ASYMMETRIC))}), not {', '.join(bad)}.")
        _check_url(cfg.issuer, "oidc.issuer")
        self.cfg = cfg
        self._http = client or httpx.Client(timeout=cfg.timeout_s, follow_redirects=False)
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._jwks_url = cfg.jwks_url
        self._gap = refetch_gap_s

    # -- keys ---------------------------------------------------------------

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _refuse(f"the identity provider could not be reached ({url}: "
                          f"{type(exc).__name__}); try again later.", "idp_unreachable") from None
        if not isinstance(data, dict):
            raise _refuse(f"{url} did not return a JSON object.", "idp_bad_reply")
        return data

    def _jwks_location(self) -> str:
        if self._jwks_url is None:
            base = self.cfg.issuer.rstrip("/")
            doc = self._get(f"{base}/.well-known/openid-configuration")
            if doc.get("issuer", "").rstrip("/") != base:
                raise _refuse("the discovery document names another issuer.", "idp_bad_reply")
            url = doc.get("jwks_uri")
            if not isinstance(url, str):
                raise _refuse("the discovery document has no jwks_uri.", "idp_bad_reply")
            _check_url(url, "jwks_uri")
            self._jwks_url = url
        return self._jwks_url

    def _refresh(self) -> None:
        keys: dict[str, Any] = {}
        for entry in self._get(self._jwks_location()).get("keys", []):
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or curve this build cannot use
            keys[entry.get("kid") or ""] = key
        self._keys = keys
        self._fetched = time.monotonic()

    def _key(self, kid: str) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched > self.cfg.jwks_cache_s
            if stale or (kid not in self._keys
                         and time.monotonic() - self._fetched > self._gap):
                self._refresh()
            found = self._keys.get(kid)
        if found is None:
            raise _refuse(f"it is signed with a key ({kid or 'no kid'}) the identity provider "
                          "does not publish.", "unknown_key", kid=kid)
        return found

    # -- tokens -------------------------------------------------------------

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of a token, or NotAuthenticated saying what was wrong."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _refuse("it is not a well-formed JWT.", "malformed") from None
        alg = header.get("alg")
        if alg not in self.cfg.algorithms:
            raise _refuse(f"algorithm {alg!r} is not accepted (allowed: "
                          f"{', '.join(self.cfg.algorithms)}).", "algorithm")
        key = self._key(str(header.get("kid") or ""))
        if key.algorithm_name != alg:
            raise _refuse(f"its algorithm {alg} does not match its key's "
                          f"({key.algorithm_name}).", "algorithm")
        try:
            return jwt.decode(
                token, key=key.key, algorithms=[alg], audience=self.cfg.audience,
                issuer=self.cfg.issuer, leeway=self.cfg.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise _refuse("it has expired; sign in again.", "expired") from None
        except jwt.ImmatureSignatureError:
            raise _refuse("it is not valid yet (nbf/iat in the future); check the clocks.",
                          "not_yet_valid") from None
        except jwt.InvalidAudienceError:
            raise _refuse("it was issued for another application (aud).", "audience") from None
        except jwt.InvalidIssuerError:
            raise _refuse("it comes from another issuer (iss).", "issuer") from None
        except jwt.InvalidSignatureError:
            raise _refuse("its signature does not verify.", "signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise _refuse(f"it lacks the {exc.claim!r} claim.", "claims") from None
        except jwt.PyJWTError as exc:
            raise _refuse(f"{type(exc).__name__}.", "invalid") from None

    def principal(self, token: str, store: Store) -> Principal:
        """The Principal a verified token signs in as."""
        claims = self.claims(token)
        cfg = self.cfg
        user = claims.get(cfg.user_claim) or claims["sub"]
        if not isinstance(user, str) or not user:
            raise _refuse(f"its {cfg.user_claim!r} claim is not a name.", "claims")
        raw_groups = claims.get(cfg.groups_claim) or []
        groups = {g for g in raw_groups if isinstance(g, str)} if isinstance(
            raw_groups, list) else set()
        tenant_name = cfg.tenant
        if cfg.tenant_claim:
            value = claims.get(cfg.tenant_claim)
            tenant_name = cfg.tenant_map.get(str(value), value) if value else cfg.tenant
        if not tenant_name:
            raise _refuse("it names no tenant (oidc.tenant_claim / oidc.tenant).", "tenant")
        try:
            tenant = get_tenant(store, str(tenant_name))
        except NotFound:
            raise _refuse(f"its tenant {tenant_name!r} does not exist here.", "tenant") from None
        known = find_user(store, tenant, user)
        if known is not None:
            if known.disabled:
                raise _refuse(f"user {user} is disabled in tenant {tenant.name}.", "disabled",
                              tenant=tenant.name)
            groups |= set(known.groups)
        roles = set(cfg.default_roles)
        for group in groups:
            roles |= set(cfg.group_roles.get(group, []))
        if cfg.roles_claim:
            asserted = claims.get(cfg.roles_claim) or []
            if isinstance(asserted, list):
                roles |= {r for r in asserted if r in ROLES and r != "owner"}
        roles |= bound_roles(store, tenant, user, frozenset(groups))
        return Principal("user", f"oidc:{claims['sub']}", tenant.name,
                         frozenset(r for r in roles if r in ROLES), user, frozenset(groups))


def _check_url(url: str, what: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in _LOOPBACK):
        return
    raise ConfigError(f"{what} {url!r} must be an https:// URL (plain http only on loopback, "
                      "for tests).")
