"""Human takeover: a run pauses, a person drives the browser through the private console,
the run resumes (issue 12, item 10d: no debugging port any local process could use).

The "person" is a real HTTP client on the console URL the run hands out; the run
itself goes on in its own thread.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import psutil

from conftest import require
from cristal.operator import RunHooks, RunRequest, run_records

from .conftest import chromium_available
from .doubles import make_app, run

LOGIN = """<html><body style="margin:0"><h1 style="margin:0;height:40px">Sign in</h1>
<form action="/dashboard" method="get">
  <input id=u name=u style="position:absolute;left:10px;top:60px;width:200px;height:30px">
  <button type=submit style="position:absolute;left:10px;top:110px;width:120px;height:30px">
  Sign in</button>
</form></body></html>"""
DASHBOARD = """<html><body><h1>Welcome back</h1><a href="/reports">Reports</a></body></html>"""
REPORTS = """<html><body><h1>Reports</h1><p id=total>Total: 42</p></body></html>"""
INBOX = """<html><body style="margin:0"><h1>Inbox</h1><p>Invoice from ACME</p>
<button onclick="st.textContent = 'Status: deleted'"
 style="position:absolute;left:10px;top:150px;width:160px;height:30px">Delete message</button>
<p id=st>Status: kept</p></body></html>"""


class Person:
    """Someone at the console: every request goes to the URL the run showed them."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str = "", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=20) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def post(self, path: str, data: dict[str, Any], ctype: str = "application/json",
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, json.dumps(data).encode(),
                                         {"Content-Type": ctype, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=20) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def do(self, **data: Any) -> dict[str, Any]:
        status, answer = self.post("input", data)
        assert status == 200 and "error" not in answer, answer
        return answer


def _debug_ports() -> list[str]:
    """Remote-debugging flags of every process this test started (Chromium included)."""
    flags = []
    for child in psutil.Process().children(recursive=True):
        try:
            flags += [a for a in child.cmdline() if a.startswith("--remote-debugging-port")]
        except psutil.Error:
            continue
    return flags


def _with_person(app: Any, request: RunRequest, person: Callable[[Person], None],
                 confirm: Callable[[Any], Any] | None = None) -> tuple[Any, dict[str, Any]]:
    """Run `request` in a thread; when it hands over, `person` acts through the console."""
    require(chromium_available(), "Chromium (apt-get install -y chromium)")
    handed, resume = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def takeover(info: dict[str, Any]) -> None:
        seen["info"] = info
        seen["debug_ports"] = _debug_ports()
        handed.set()
        assert resume.wait(60), "the test never resumed the run"

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
    try:
        person(Person(seen["info"]["url"]))
    finally:
        resume.set()
        thread.join(60)
    assert "error" not in seen, seen.get("error")
    return seen["outcome"], seen


def test_takeover_at_start_resumes_from_the_page_the_person_left(tmp_path, sqlite_url, site):
    site.add("/dashboard", DASHBOARD)
    site.add("/reports", REPORTS)
    start = site.add("/login", LOGIN)
    app = make_app(tmp_path, sqlite_url, None)

    def person(me: Person) -> None:  # signs in by hand through the console
        status, page = me.get()
        assert status == 200 and b"Cristal takeover" in page
        status, png = me.get("screen.png")
        assert status == 200 and png.startswith(b"\x89PNG")
        assert json.loads(me.get("state")[1])["url"] == start
        me.do(type="click", x=50, y=75)
        me.do(type="text", text="ada")
        me.do(type="key", key="Enter")
        for _ in range(50):
            if "/dashboard" in json.loads(me.get("state")[1])["url"]:
                break
        assert me.post("done", {})[0] == 200

    plan = 'click "Reports"\nextract "Total"\n'
    outcome, seen = _with_person(app, RunRequest(start_url=start, policy="plan", plan=plan,
                                                 instruction="Read the report total",
                                                 takeover=True), person)
    assert seen["info"]["url"].startswith("http://127.0.0.1:")
    assert seen["debug_ports"] == []  # Chromium listens on no debugging port
    assert outcome.status == "succeeded", outcome.error
    assert outcome.result["text"] == "Total: 42" and outcome.takeovers == 1
    steps = run_records(app.store, outcome.id)
    assert [s.source for s in steps] == ["start", "plan", "plan", "plan"]
    assert steps[1].url == site.url("/dashboard?u=ada")  # the run saw the person's page
    assert steps[1].target["name"] == "Reports"
    app.close()


def test_the_console_answers_only_its_own_url_and_page(tmp_path, sqlite_url, site):
    start = site.add("/login", LOGIN)
    app = make_app(tmp_path, sqlite_url, None)

    def person(me: Person) -> None:
        base, token = me.url.rstrip("/").rsplit("/", 1)
        assert len(token) >= 32
        guess = token[:-1] + ("x" if token[-1] != "x" else "y")  # never the token itself
        assert Person(base + "/" + guess + "/").get()[0] == 404  # a guessed token
        assert Person(base + "/").get()[0] == 404
        assert me.get(headers={"Host": "attacker.example"})[0] == 404  # DNS rebinding
        assert me.post("input", {"type": "click", "x": 1, "y": 1}, "text/plain")[0] == 403
        assert me.post("input", {"type": "click", "x": 1, "y": 1},
                       headers={"Origin": "https://attacker.example"})[0] == 403
        assert me.post("done", {})[0] == 200

    plan = 'extract "Sign in"\n'
    outcome, _ = _with_person(app, RunRequest(start_url=start, policy="plan", plan=plan,
                                              instruction="Read", takeover=True), person)
    assert outcome.status == "succeeded", outcome.error
    app.close()


def test_pause_at_a_confirmation_lets_the_person_do_the_step(tmp_path, sqlite_url, site):
    start = site.add("/inbox", INBOX)
    app = make_app(tmp_path, sqlite_url, None)
    asked = []

    def confirm(request: Any) -> str:
        asked.append(request)
        return "takeover"  # the person answered "pause"

    def person(me: Person) -> None:
        me.do(type="click", x=80, y=165)  # does the sensitive step by hand
        assert me.post("done", {})[0] == 200

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


def test_a_blocked_host_stays_blocked_for_the_person(tmp_path, sqlite_url, site):
    start = site.add("/login", LOGIN)
    app = make_app(tmp_path, sqlite_url, None)

    def person(me: Person) -> None:
        status, answer = me.post("input", {"type": "goto", "url": site.url("/x", "localhost")})
        assert status == 200 and "ERR_BLOCKED_BY_CLIENT" in answer["error"]
        assert "localhost" not in json.loads(me.get("state")[1])["url"]
        me.do(type="goto", url=start)
        assert me.post("done", {})[0] == 200

    outcome, _ = _with_person(app, RunRequest(start_url=start, policy="plan",
                                              plan='extract "Sign in"\n', instruction="Read",
                                              takeover=True), person)
    assert outcome.status == "succeeded"
    app.close()
