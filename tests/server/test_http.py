"""The service's edge over real HTTP: health, docs, request ids, security headers, 401s and
their audit, body limits, upload checks, CORS, the access log, error bodies, rate limits."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from cristal.governance import audit_entries, get_tenant, revoke_key
from server_site import make_site


@pytest.fixture
def make(tmp_path, fake_openai, monkeypatch):
    """Start a site with extra settings (closed at the end)."""
    monkeypatch.setenv("UP_KEY", "good-key")
    made = []

    def build(db_url: str | None = None, **settings):
        here = tmp_path / f"s{len(made)}"
        here.mkdir()
        site = make_site(db_url or f"sqlite:///{here / 'cristal.db'}", here, fake_openai.url,
                         **settings)
        made.append(site)
        return site

    yield build
    for site in made:
        site.http.close()
        site.served.stop()
        site.world.app.close()


def test_health_readiness_openapi_and_docs(make):
    site = make()
    assert site.http.get("/healthz").json() == {"status": "ok"}
    ready = site.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    paths = site.http.get("/openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/api/collections/{name}/documents", "/healthz"} <= set(paths)
    docs = site.http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_request_ids_and_security_headers(make):
    site = make()
    plain = site.call("member", "GET", "/api/collections")
    assert plain.headers["x-request-id"].startswith("req_")
    echoed = site.call("member", "GET", "/api/me", headers={"X-Request-ID": "trace-42.a_b"})
    assert echoed.headers["x-request-id"] == "trace-42.a_b"
    replaced = site.call("member", "GET", "/api/me", headers={"X-Request-ID": "bad id <x>?"})
    assert replaced.headers["x-request-id"].startswith("req_")
    for response in (plain, site.http.get("/nope"), site.http.get("/api/me")):
        h = response.headers
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer" and h["cache-control"] == "no-store"
        assert "default-src 'none'" in h["content-security-policy"]
        assert "strict-transport-security" not in h  # plain HTTP here; set behind TLS


def test_unauthenticated_requests_are_401_and_failed_sign_ins_are_audited(make):
    site = make(server={"failure_rate": {"limit": 3, "period_s": 600}})
    none = site.http.get("/api/me")
    assert none.status_code == 401 and none.headers["www-authenticate"].startswith("Bearer")
    assert none.json()["error"]["type"] == "NotAuthenticated"
    wrong = site.http.get("/api/me", headers={"Authorization": "Bearer cr_" + "a" * 12 + "_"
                                              + "b" * 43})
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]["message"]
    store = site.world.app.store
    revoke_key(store, site.key_ids["member"])
    revoked = site.call("member", "GET", "/api/me")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    basic = site.http.get("/api/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    failed = [e for e in audit_entries(store) if e.action == "auth.failed"]
    assert [e.details["reason"] for e in failed] == ["unknown", "revoked", "scheme"]
    assert failed[1].tenant == "acme" and failed[1].target == site.key_ids["member"]
    assert all(e.details["client"] == "127.0.0.1" and e.actor == "ip:127.0.0.1" for e in failed)
    flood = site.http.get("/api/me", headers={"Authorization": "Bearer nonsense"})
    assert flood.status_code == 429 and int(flood.headers["retry-after"]) >= 1
    assert len([e for e in audit_entries(store) if e.action == "auth.failed"]) == 3
    assert not any(site.keys["member"] in json.dumps(e.to_dict()) for e in audit_entries(store))


def test_body_size_limits(make):
    site = make(server={"max_body_bytes": 2000, "max_upload_bytes": 5000})
    big = {"query": "x" * 3000}
    declared = site.call("member", "POST", "/api/search", json=big)
    assert declared.status_code == 413 and declared.json()["error"]["type"] == "TooLarge"

    def chunks():
        yield b'{"query": "'
        yield b"y" * 3000
        yield b'"}'

    streamed = site.call("member", "POST", "/api/search", content=chunks(),
                         headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    upload = site.call("builder", "POST", "/api/collections/handbook/documents",
                       files=[("files", ("a.md", b"# A\n\n" + b"z" * 6000))])
    assert upload.status_code == 413
    fits = site.call("builder", "POST", "/api/collections/handbook/documents",
                     params={"embed": "false"}, files=[("files", ("a.md", b"# A\n\nsmall"))])
    assert fits.status_code == 201, fits.text


@pytest.mark.parametrize(("name", "data"), [
    ("tool.exe", b"MZ\x90\x00binary"),
    ("fake.pdf", b"<html>not a pdf</html>"),
    ("fake.docx", b"plain text, not a zip"),
    ("notes.txt", b"text\x00with\x00nul\x00bytes"),
    ("../../etc/passwd", b"root:x:0:0"),
])
def test_upload_type_checks_store_nothing(make, name, data):
    site = make()
    before = site.call("admin", "GET", "/api/collections/handbook/documents").json()
    refused = site.call("builder", "POST", "/api/collections/handbook/documents",
                        files=[("files", ("ok.md", b"# fine\n\ntext")), ("files", (name, data))])
    assert refused.status_code in (400, 415), refused.text
    after = site.call("admin", "GET", "/api/collections/handbook/documents").json()
    assert after == before


def test_cors_is_closed_unless_configured(make):
    preflight = {"Origin": "https://console.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"}
    closed = make().http.options("/api/me", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    site = make(server={"cors_origins": ["https://console.example"]})
    opened = site.http.options("/api/me", headers=preflight)
    assert opened.headers["access-control-allow-origin"] == "https://console.example"
    other = site.http.options("/api/me", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_access_log_is_json_without_secrets(make, caplog):
    site = make()
    with caplog.at_level(logging.INFO, logger="cristal.access"):
        site.call("member", "GET", "/api/collections", params={"api_key": "sk-SECRET-QUERY"})
        site.http.get("/api/me", headers={"Authorization": "Bearer cr_bogus"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "cristal.access"]
    assert len(lines) == 2
    ok, refused = lines
    assert (ok["method"], ok["path"], ok["status"]) == ("GET", "/api/collections", 200)
    assert ok["principal"] == f"key:{site.key_ids['member']}(alice)" and ok["tenant"] == "acme"
    assert refused["status"] == 401 and refused["principal"] is None
    text = json.dumps(lines)
    assert "SECRET" not in text and site.keys["member"] not in text and "cr_bogus" not in text
    assert all(set(line) >= {"request_id", "ms", "client"} for line in lines)


def test_error_bodies_have_type_and_message(make):
    site = make()
    cases = [
        (site.http.get("/no/such/thing"), 404, "NotFound"),
        (site.http.delete("/healthz"), 405, "MethodNotAllowed"),
        (site.call("member", "POST", "/api/search", json={"query": 1, "k": "x"}), 422,
         "InvalidInput"),
        (site.call("member", "POST", "/api/search", content=b"{not json",
                   headers={"Content-Type": "application/json"}), 422, "InvalidInput"),
        (site.call("member", "GET", "/api/collections/nope"), 404, "NotFound"),
        (site.call("member", "POST", "/api/tenants", json={"name": "x"}), 403,
         "PermissionDenied"),
        (site.call("admin", "POST", "/api/users", json={"name": "alice"}), 409, "Conflict"),
    ]
    for response, status, kind in cases:
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["type"] == kind and error["message"], error
    denied = cases[5][0].json()["error"]["message"]
    assert "owner" in denied and "cristal keys create" in denied  # the same advice as the CLI


def test_rate_limits_per_key_and_per_user(db_url, make):
    site = make(db_url, server={"key_rate": {"limit": 3, "period_s": 3600},
                                "user_rate": {"limit": 5, "period_s": 3600}})
    answers = [site.call("member", "GET", "/api/me").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = site.call("member", "GET", "/api/me")
    assert limited.json()["error"]["type"] == "RateLimited"
    assert 1 <= int(limited.headers["retry-after"]) <= 3600
    assert site.call("admin", "GET", "/api/me").status_code == 200  # its own counter
    # Another key of the same user shares the user's limit (alice used 5 already).
    from cristal.governance import create_key

    _, second = create_key(site.world.app.store, get_tenant(site.world.app.store, "acme"),
                           "member", user="alice")
    again = httpx.get(f"{site.url}/api/me", headers={"Authorization": f"Bearer {second}"})
    assert again.status_code == 429 and "user" in again.json()["error"]["message"]


def test_client_address_from_a_trusted_proxy_only(make):
    spoof = {"Authorization": "Bearer cr_x", "X-Forwarded-For": "203.0.113.9"}
    plain = make()
    plain.http.get("/api/me", headers=spoof)
    behind = make(server={"trusted_proxies": ["127.0.0.1/32"]})
    behind.http.get("/api/me", headers={**spoof, "X-Forwarded-For": "198.51.100.7, 203.0.113.9"})

    def clients(site) -> list[str]:
        return [e.details["client"] for e in audit_entries(site.world.app.store)
                if e.action == "auth.failed"]

    assert clients(plain) == ["127.0.0.1"]  # a header from anyone is not believed
    assert clients(behind) == ["203.0.113.9"]  # the last hop the proxy added


def test_readiness_fails_when_the_schema_is_not_current(make):
    import sqlalchemy as sa

    site = make()
    with site.world.app.store.write() as conn:
        conn.execute(sa.text("UPDATE cristal_schema_version SET version_num = '0005'"))
    behind = site.http.get("/readyz")
    assert behind.status_code == 503
    assert behind.json()["schema"] == "0005" and behind.json()["database"] == "ok"
    assert site.http.get("/healthz").status_code == 200  # alive, just not ready
