"""Human takeover: a run pauses, a person drives the browser over CDP, the run resumes.

The "person" is a real second Playwright client connected with `connect_over_cdp` to
the endpoint the run hands out; the run itself goes on in its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from playwright.sync_api import sync_playwright

from conftest import require
from cristal.operator import RunHooks, RunRequest, run_records

from .conftest import chromium_available
from .doubles import make_app, run

LOGIN = """<html><body><h1>Sign in</h1>
<form action="/dashboard" method="get">
  <label for=u>User</label><input id=u name=u>
  <button type=submit>Sign in</button>
</form></body></html>"""
DASHBOARD = """<html><body><h1>Welcome back</h1><a href="/reports">Reports</a></body></html>"""
REPORTS = """<html><body><h1>Reports</h1><p id=total>Total: 42</p></body></html>"""
INBOX = """<html><body><h1>Inbox</h1><p>Invoice from ACME</p>
<button onclick="st.textContent = 'Status: deleted'">Delete message</button>
<p id=st>Status: kept</p></body></html>"""


def _with_person(app: Any, request: RunRequest, person: Callable[[Any], None],
                 confirm: Callable[[Any], Any] | None = None) -> tuple[Any, dict[str, str]]:
    """Run `request` in a thread; when it hands over, `person(page)` acts over CDP."""
    require(chromium_available(), "Chromium (apt-get install -y chromium)")
    handed, resume = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def takeover(info: dict[str, str]) -> None:
        seen["info"] = info
        handed.set()
        assert resume.wait(30), "the test never resumed the run"

    def work() -> None:
        try:
            seen["outcome"] = run(app, None, request, RunHooks(confirm=confirm, takeover=takeover))
        except BaseException as exc:  # surfaced by the assertion below
            seen["error"] = exc
            handed.set()

    thread = threading.Thread(target=work)
    thread.start()
    assert handed.wait(60), "the run never handed over"
    assert "error" not in seen, seen.get("error")
    with sync_playwright() as p:
        cdp = p.chromium.connect_over_cdp(seen["info"]["endpoint"])
        page = next(pg for ctx in cdp.contexts for pg in ctx.pages)
        person(page)
        cdp.close()
    resume.set()
    thread.join(60)
    assert "error" not in seen, seen.get("error")
    return seen["outcome"], seen["info"]


def test_takeover_at_start_resumes_from_the_page_the_person_left(tmp_path, sqlite_url, site):
    site.add("/dashboard", DASHBOARD)
    site.add("/reports", REPORTS)
    start = site.add("/login", LOGIN)
    app = make_app(tmp_path, sqlite_url, None)

    def person(page: Any) -> None:  # signs in by hand (a real navigation, through the gate)
        assert page.url == start
        page.fill("#u", "ada")
        page.click("button[type=submit]")
        page.wait_for_selector("text=Welcome back")

    plan = 'click "Reports"\nextract "Total"\n'
    outcome, info = _with_person(app, RunRequest(start_url=start, policy="plan", plan=plan,
                                                 instruction="Read the report total",
                                                 takeover=True), person)
    assert info["endpoint"].startswith("http://127.0.0.1:") and info["websocket"]
    assert outcome.status == "succeeded", outcome.error
    assert outcome.result["text"] == "Total: 42" and outcome.takeovers == 1
    steps = run_records(app.store, outcome.id)
    assert [s.source for s in steps] == ["start", "plan", "plan", "plan"]
    assert steps[1].url == site.url("/dashboard?u=ada")  # the run saw the person's page
    assert steps[1].target["name"] == "Reports"
    app.close()


def test_pause_at_a_confirmation_lets_the_person_do_the_step(tmp_path, sqlite_url, site):
    start = site.add("/inbox", INBOX)
    app = make_app(tmp_path, sqlite_url, None)
    asked = []

    def confirm(request: Any) -> str:
        asked.append(request)
        return "takeover"  # the person answered "pause"

    def person(page: Any) -> None:
        page.click("text=Delete message")  # does the sensitive step by hand

    plan = 'click "Delete message"\nextract "Status"\n'
    outcome, _ = _with_person(app, RunRequest(start_url=start, policy="plan", plan=plan,
                                              instruction="Delete the ACME invoice"),
                              person, confirm)
    assert outcome.status == "succeeded", outcome.error
    assert len(asked) == 1 and "sensitive action (delete)" in asked[0].prompt()
    assert outcome.result["text"] == "Status: deleted"
    steps = run_records(app.store, outcome.id)
    handed = steps[1]
    assert handed.source == "user" and handed.ok
    assert handed.confirmation["takeover"] is True
    assert "resumed from the page they left" in handed.result["detail"]
    app.close()
