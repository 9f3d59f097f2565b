"""The console over a real server (tests/server_site.py) and real Chromium (Playwright).

`console` is the ACL world's server with single sign-on through the test identity
provider; `browser` is Debian's Chromium driven by Playwright; `signed_in(who)` opens a
fresh browser context signed in with that caller's API key. Screenshots of each page go
to `CRISTAL_SCREENSHOTS` (default: the test's tmp folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import require
from server_site import make_site


@pytest.fixture
def console(sqlite_url, tmp_path, fake_openai, idp, monkeypatch):
    """A running server over the ACL world, with SSO through the test identity provider."""
    monkeypatch.setenv("UP_KEY", "good-key")
    site = make_site(sqlite_url, tmp_path, fake_openai.url, oidc={
        "issuer": idp.issuer, "audience": ["cristal"], "tenant": "acme",
        "group_roles": {"finance": ["approver"]}},
        console={"secure_cookies": True})
    yield site
    site.http.close()
    site.served.stop()
    site.world.app.close()


def _chromium() -> str | None:
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if Path(path).exists():
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium (Debian's) per test module."""
    executable = _chromium()
    require(executable is not None, "Chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where page screenshots go."""
    folder = Path(os.environ.get("CRISTAL_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def signed_in(console, browser):
    """`signed_in(who, lang="en")`: a page signed in with that caller's key."""
    contexts = []

    def open_as(who: str, lang: str = "en"):
        context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-GB")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{console.url}/signin")
        page.get_by_label(re.compile("API key|API キー")).fill(console.keys[who])
        page.get_by_role("button", name=re.compile("Sign in with key|キーでサインイン")).click()
        page.wait_for_url(f"{console.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()
