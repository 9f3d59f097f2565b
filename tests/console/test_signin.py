"""Signing in to the console: API key and single sign-on, cookies, CSRF, sign-out, expiry."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

import httpx
import pytest

from cristal.app import sessions
from cristal.governance import audit_entries, revoke_key


@pytest.fixture
def console(console):
    """httpx keeps Secure cookies for https only: these tests read the flag, then turn it off
    (Chromium, in the page tests, keeps Secure cookies on 127.0.0.1)."""
    cookie = httpx.get(f"{console.url}/signin").headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    console.world.app.settings.console.secure_cookies = False
    return console


def _form_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_key_sign_in_sets_a_secure_session_cookie_and_shows_the_start_page(console):
    with httpx.Client(base_url=console.url) as http:
        first = http.get("/", headers={"accept": "text/html"})
        assert first.status_code == 303 and first.headers["location"].startswith("/signin")
        form = http.get("/signin")
        assert form.status_code == 200
        assert "default-src 'self'" in form.headers["content-security-policy"]
        answer = http.post("/signin", data={"key": console.keys["member"],
                                            "csrf": _form_token(form.text), "next": "/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert "cristal_session=" in answer.headers["set-cookie"]
        home = http.get("/")
        assert home.status_code == 200 and "alice" in home.text and "acme" in home.text


def test_a_wrong_key_is_refused_in_plain_words_and_audited(console):
    with httpx.Client(base_url=console.url) as http:
        form = http.get("/signin")
        answer = http.post("/signin", data={"key": "cr_nope_nope",
                                            "csrf": _form_token(form.text)})
        assert answer.status_code == 401
        assert "malformed" in answer.text or "not valid" in answer.text
        assert "cristal_session" not in answer.headers.get("set-cookie", "")
    failed = [e for e in audit_entries(console.world.app.store) if e.action == "auth.failed"]
    assert [e.details["path"] for e in failed] == ["/signin"]


def test_sign_in_form_without_its_token_is_refused(console):
    with httpx.Client(base_url=console.url) as http:
        answer = http.post("/signin", data={"key": console.keys["member"], "csrf": "forged"})
        assert answer.status_code == 403 and "cristal_session" not in answer.headers.get(
            "set-cookie", "")


def test_next_never_leaves_the_site(console):
    with httpx.Client(base_url=console.url) as http:
        form = http.get("/signin")
        for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            answer = http.post("/signin", data={"key": console.keys["member"], "next": bad,
                                                "csrf": _form_token(form.text)})
            assert answer.headers["location"] == "/"
            form = http.get("/signin")


@contextlib.contextmanager
def _signed_in_client(console, who: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console.url) as http:
        form = http.get("/signin")
        http.post("/signin", data={"key": console.keys[who], "csrf": _form_token(form.text)})
        yield http


def test_sign_out_needs_the_session_csrf_token_and_ends_the_session(console):
    with _signed_in_client(console, "member") as http:
        home = http.get("/")
        refused = http.post("/signout", data={"csrf": "forged"})
        assert refused.status_code == 403
        assert http.get("/").status_code == 200  # still signed in
        other_site = http.post("/signout", data={"csrf": _form_token(home.text)},
                               headers={"origin": "https://evil.example"})
        assert other_site.status_code == 403
        out = http.post("/signout", data={"csrf": _form_token(home.text)})
        assert out.status_code == 303
        assert http.get("/").status_code == 303  # back to sign-in


def test_revoking_the_key_ends_its_sessions_at_once(console):
    with _signed_in_client(console, "member") as http:
        assert http.get("/").status_code == 200
        revoke_key(console.world.app.store, console.key_ids["member"])
        answer = http.get("/")
        assert answer.status_code == 303 and "why=1" in answer.headers["location"]


def test_an_idle_session_expires(console):
    app = console.world.app
    with _signed_in_client(console, "member") as http:
        token = http.cookies["cristal_session"]
        assert sessions.session_of(app, token).principal.user == "alice"
        app.settings.console.idle_minutes = 0.0001  # 6 ms
        time.sleep(0.05)
        answer = http.get("/")
        assert answer.status_code == 303


def test_sso_authorization_code_with_pkce_signs_a_user_in(console, idp):
    with httpx.Client(base_url=console.url) as http:
        start = http.get("/signin/sso", params={"next": "/"})
        assert start.status_code == 302
        to_idp = httpx.URL(start.headers["location"])
        assert to_idp.params["code_challenge_method"] == "S256"
        assert to_idp.params["client_id"] == "cristal"
        back = httpx.get(str(to_idp.copy_add_param("login_hint", "paula")))
        assert back.status_code == 302
        done = http.get(back.headers["location"])
        assert done.status_code == 303 and done.headers["location"] == "/"
        home = http.get("/")
        assert home.status_code == 200 and "paula" in home.text
        assert "approver" in home.text  # group finance -> approver


def test_sso_callback_from_another_browser_is_refused(console, idp):
    with httpx.Client(base_url=console.url) as victim, httpx.Client(
            base_url=console.url) as attacker:
        start = attacker.get("/signin/sso")
        back = httpx.get(str(httpx.URL(start.headers["location"]).copy_add_param(
            "login_hint", "mallory")))
        answer = victim.get(back.headers["location"])  # no state cookie in this browser
        assert answer.status_code == 400 and "cristal_session" not in answer.headers.get(
            "set-cookie", "")
