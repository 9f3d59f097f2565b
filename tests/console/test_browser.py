"""The console in real Chromium: key and SSO sign-in, Secure cookies on 127.0.0.1, Japanese."""

from __future__ import annotations

import re


def test_key_sign_in_in_chromium_keeps_a_secure_httponly_cookie(signed_in, shots):
    page = signed_in("member")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    cookie = next(c for c in page.context.cookies() if c["name"] == "cristal_session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Research").is_visible()
    assert nav.get_by_role("link", name="Admin").count() == 0  # a member sees no admin page
    page.screenshot(path=str(shots / "home-en.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin\?out=1"))
    assert page.get_by_role("status").inner_text() == "You are signed out."


def test_japanese_from_the_browser_and_switchable(signed_in, shots):
    page = signed_in("admin", lang="ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "ようこそ" in page.get_by_role("heading", level=1).inner_text()
    nav = page.get_by_role("navigation", name="メイン")
    assert nav.get_by_role("link", name="管理").is_visible()
    page.screenshot(path=str(shots / "home-ja.png"), full_page=True)
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    page.goto(page.url.split("?")[0])  # the choice is kept in a cookie
    assert page.locator("html").get_attribute("lang") == "en"


def test_sso_sign_in_in_chromium(console, browser, idp):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{console.url}/signin?next=/")
    page.get_by_role("link", name="Sign in with your company account").click()
    page.wait_for_url(f"{console.url}/")
    assert "alice" in page.get_by_role("heading", level=1).inner_text()
    context.close()
