"""Single sign-on against a real identity provider on 127.0.0.1 (RS256 and ES256 tokens)."""

from __future__ import annotations

import time

import pytest

from cristal.config import OidcSettings
from cristal.errors import ConfigError, NotAuthenticated
from cristal.governance import (
    OidcVerifier,
    bind_role,
    create_tenant,
    create_user,
    update_user,
)
from oidc_idp import IdentityProvider, SigningKey


def _verifier(idp: IdentityProvider, gap: float = 10.0, **overrides) -> OidcVerifier:
    cfg = OidcSettings(issuer=idp.issuer, audience=["cristal"], tenant_claim="org",
                       tenant_map={"ACME-Corp": "acme"},
                       group_roles={"cristal-admins": ["admin"], "finance": ["approver"]},
                       **overrides)
    return OidcVerifier(cfg, refetch_gap_s=gap)


def _reason(verifier: OidcVerifier, token: str) -> str:
    with pytest.raises(NotAuthenticated) as refused:
        verifier.claims(token)
    return refused.value.fields["reason"]


def test_rs256_and_es256_tokens_sign_in_with_tenant_groups_and_roles(store, idp):
    acme = create_tenant(store, "acme")
    create_user(store, acme, "carol", ["tokyo"])
    bind_role(store, acme, "builder", group="tokyo")
    verifier = _verifier(idp)
    for key in (idp.rsa, idp.ec):
        token = idp.token(sub="u-123", key=key, preferred_username="carol", org="ACME-Corp",
                          groups=["finance"])
        who = verifier.principal(token, store)
        assert (who.kind, who.user, who.tenant) == ("user", "carol", "acme")
        assert who.groups == {"finance", "tokyo"}  # the token's and the stored user's
        assert who.roles == {"member", "approver", "builder"}
    admin = verifier.principal(idp.token(sub="x", org="ACME-Corp", groups=["cristal-admins"]),
                               store)
    assert admin.user == "x" and "admin" in admin.roles


def test_refusals(store, idp):
    create_tenant(store, "acme")
    verifier = _verifier(idp, leeway_s=30)
    assert _reason(verifier, idp.token(ttl=-120)) == "expired"
    verifier.claims(idp.token(ttl=-10))  # within the clock skew
    assert _reason(verifier, idp.token(aud="another-app")) == "audience"
    assert _reason(verifier, idp.token(iss="https://evil.example")) == "issuer"
    assert _reason(verifier, idp.token(nbf=time.time() + 600)) == "not_yet_valid"
    assert _reason(verifier, idp.unsigned_token()) == "algorithm"
    assert _reason(verifier, idp.hs256_with_public_key()) == "algorithm"
    stranger = SigningKey("RS256", kid=idp.rsa.kid)  # a key it does not publish, same kid
    assert _reason(verifier, idp.token(key=stranger)) == "signature"
    assert _reason(verifier, idp.token(alg="RS384")) == "algorithm"  # not allowed here
    assert _reason(verifier, "not.a.jwt") == "malformed"


def test_key_rotation_refetches_once_and_unpublished_keys_stay_refused(store, idp):
    create_tenant(store, "acme")
    verifier = _verifier(idp, gap=0.0)
    verifier.claims(idp.token())
    assert idp.hits["/jwks"] == 1 and idp.hits["/.well-known/openid-configuration"] == 1
    verifier.claims(idp.token(key=idp.ec))
    assert idp.hits["/jwks"] == 1  # cached
    idp.rotate()
    verifier.claims(idp.token())  # a new kid: fetched again, accepted
    assert idp.hits["/jwks"] == 2
    unpublished = SigningKey("ES256")
    assert _reason(verifier, idp.token(key=unpublished)) == "unknown_key"


def test_unknown_kids_do_not_hammer_the_provider(store, idp):
    verifier = _verifier(idp)
    verifier.claims(idp.token())
    for _ in range(5):
        _reason(verifier, idp.token(key=SigningKey("RS256")))
    assert idp.hits["/jwks"] == 1  # refetches are spaced out


def test_owner_is_never_taken_from_the_token_and_disabled_users_are_refused(store, idp):
    acme = create_tenant(store, "acme")
    verifier = _verifier(idp, roles_claim="roles")
    who = verifier.principal(idp.token(sub="m", org="ACME-Corp", roles=["owner", "auditor"]),
                             store)
    assert who.roles == {"member", "auditor"}
    create_user(store, acme, "mallory")
    update_user(store, acme, "mallory", disabled=True)
    with pytest.raises(NotAuthenticated, match="disabled"):
        verifier.principal(idp.token(preferred_username="mallory", org="ACME-Corp"), store)
    with pytest.raises(NotAuthenticated, match="tenant"):
        verifier.principal(idp.token(org="Unknown Co"), store)


def test_unsafe_configuration_is_refused():
    with pytest.raises(ConfigError, match="https"):
        OidcVerifier(OidcSettings(issuer="http://idp.example", audience=["a"]))
    with pytest.raises(ConfigError, match="asymmetric"):
        OidcVerifier(OidcSettings(issuer="https://idp.example", audience=["a"],
                                  algorithms=["HS256"]))
    with pytest.raises(ConfigError, match="audience"):
        OidcVerifier(OidcSettings(issuer="https://idp.example"))
