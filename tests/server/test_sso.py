"""Single sign-on over HTTP: bearer tokens from the test identity provider (tests/oidc_idp.py)
sign users in with their tenant, groups and roles; bad tokens are 401 and audited; the
provider's authorization-code flow with PKCE hands out such tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest

from cristal.governance import audit_entries
from server_site import make_site


@pytest.fixture
def sso(sqlite_url, tmp_path, fake_openai, idp, monkeypatch):
    monkeypatch.setenv("UP_KEY", "good-key")
    site = make_site(sqlite_url, tmp_path, fake_openai.url, oidc={
        "issuer": idp.issuer, "audience": ["cristal"], "tenant_claim": "org",
        "tenant_map": {"ACME-Corp": "acme"}, "group_roles": {"board": ["member"]},
        "default_roles": []})
    yield site
    site.http.close()
    site.served.stop()
    site.world.app.close()


def _as(site, token: str, method: str, path: str, **kw) -> httpx.Response:
    return site.http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)


def test_tokens_sign_in_and_collection_permissions_follow_their_groups(sso, idp):
    bob = idp.token(sub="u-bob", preferred_username="bob", org="ACME-Corp", groups=["board"])
    me = _as(sso, bob, "GET", "/api/me").json()
    assert (me["kind"], me["user"], me["tenant"], me["roles"]) == ("user", "bob", "acme",
                                                                   ["member"])
    names = [c["name"] for c in _as(sso, bob, "GET", "/api/collections").json()["collections"]]
    assert names == ["handbook", "vault"]  # board members read the vault
    es = idp.token(sub="u-eve", key=idp.ec, preferred_username="eve", org="ACME-Corp",
                   groups=["board"])
    assert _as(sso, es, "GET", "/api/me").json()["user"] == "eve"
    nobody = idp.token(sub="u-x", org="ACME-Corp")  # no group, no default role
    assert _as(sso, nobody, "GET", "/api/collections").status_code == 403


def test_bad_tokens_are_401_and_audited(sso, idp):
    cases = {"expired": idp.token(ttl=-3600, org="ACME-Corp"),
             "audience": idp.token(aud="someone-else", org="ACME-Corp"),
             "algorithm": idp.unsigned_token(org="ACME-Corp")}
    for reason, token in cases.items():
        refused = _as(sso, token, "GET", "/api/me")
        assert refused.status_code == 401, reason
        assert refused.json()["error"]["type"] == "NotAuthenticated"
    reasons = [e.details["reason"] for e in audit_entries(sso.world.app.store)
               if e.action == "auth.failed"]
    assert reasons == list(cases)


def test_authorization_code_flow_with_pkce(idp):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                         ).rstrip(b"=").decode()
    redirect = "http://127.0.0.1:9/callback"
    answer = httpx.get(f"{idp.issuer}/authorize", params={
        "response_type": "code", "client_id": "cristal", "redirect_uri": redirect,
        "code_challenge": challenge, "code_challenge_method": "S256", "state": "s1",
        "login_hint": "carol"})
    assert answer.status_code == 302
    back = parse_qs(urlparse(answer.headers["location"]).query)
    assert back["state"] == ["s1"]
    code = back["code"][0]
    wrong = httpx.post(f"{idp.issuer}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "code_verifier": "not-the-verifier"})
    assert wrong.status_code == 400  # and the code is spent
    answer = httpx.get(f"{idp.issuer}/authorize", params={
        "response_type": "code", "client_id": "cristal", "redirect_uri": redirect,
        "code_challenge": challenge, "code_challenge_method": "S256", "login_hint": "carol"})
    code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
    tokens = httpx.post(f"{idp.issuer}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "code_verifier": verifier}).json()


    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["preferred_username"] == "carol" and claims["aud"] == "cristal"
