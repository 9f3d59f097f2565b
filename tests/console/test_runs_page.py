"""The runs pages in Chromium: the list filtered by status and workflow, a run's timeline,
cancel and resume for those who may; no worker runs, so runs stay queued until cancelled."""

from __future__ import annotations

import json
import re
import time

import httpx

from acl_world import SECRET
from console_runs import off_loop
from cristal.app import workflows as uc
from cristal.server.console.pages import runs as runs_page

SPEC = """name: expense
inputs: {amount: {type: number}, note: {type: string}}
steps:
  - id: check
    type: approval
    message: "Approve {{ inputs.amount }} yen?"
    approvers: [finance]
  - id: pay
    type: sleep
    seconds: 0.05
"""
HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"


def _two_runs(console) -> tuple[str, str]:
    world = console.world
    uc.register(world.app, world.builder, SPEC)
    uc.register(world.app, world.builder, SPEC.replace("name: expense", "name: travel"))
    first = uc.start(world.app, world.alice, "expense", {"amount": 100, "note": HOSTILE})
    second = uc.start(world.app, world.alice, "travel", {"amount": 200, "note": "train"})
    return first.run_id, second.run_id


def _rows(page) -> list[str]:
    table = page.get_by_role("table")
    if table.count() == 0:
        return []
    return [r.inner_text() for r in table.get_by_role("row").all()[1:]]


def test_a_builder_filters_runs_reads_a_timeline_cancels_and_resumes(console, signed_in, shots,
                                                                    monkeypatch):
    first, second = _two_runs(console)
    page = signed_in("builder")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    page.wait_for_url(f"{console.url}/runs")
    rows = _rows(page)
    assert len(rows) == 2 and all("queued" in r and "user:acme/alice" in r for r in rows)
    page.get_by_role("link", name=second).click()
    page.wait_for_url(f"{console.url}/runs/{second}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("travel")
    timeline = page.get_by_role("list").filter(has=page.get_by_role("heading", name=re.compile(
        "^check")))
    steps = timeline.get_by_role("heading", level=3).all_inner_texts()
    assert [s.split()[0] for s in steps] == ["check", "pay"]
    assert all("pending" in s for s in steps)
    page.on("dialog", lambda dialog: dialog.accept())  # "Cancel this run?"
    page.get_by_role("button", name="Cancel run").click()
    page.wait_for_url(re.compile(r"\?done=cancelled"))
    assert page.get_by_role("status").inner_text() == f"Run {second} was cancelled."
    assert "cancelled" in page.get_by_role("definition").first.inner_text()
    assert page.get_by_role("button", name="Cancel run").count() == 0
    # filter by status, then by workflow
    page.goto(f"{console.url}/runs")
    page.get_by_label("Status").select_option("cancelled")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=cancelled"))
    rows = _rows(page)
    assert len(rows) == 1 and second in rows[0] and "travel" in rows[0]
    page.get_by_label("Status").select_option("queued")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=queued"))
    rows = _rows(page)
    assert len(rows) == 1 and first in rows[0]
    page.goto(f"{console.url}/runs?workflow=travel")
    rows = _rows(page)
    assert len(rows) == 1 and second in rows[0]
    assert page.get_by_label("Workflow").input_value() == "travel"
    page.screenshot(path=str(shots / "runs-en.png"), full_page=True)
    # the hostile input shows as text on the timeline
    page.goto(f"{console.url}/runs/{first}")
    inputs = page.locator("pre.value").first.inner_text()
    assert HOSTILE in inputs
    page.screenshot(path=str(shots / "run-en.png"), full_page=True)
    # one run a page: the pager walks the list
    size = runs_page.SIZE
    monkeypatch.setattr(runs_page, "SIZE", 1)
    page.goto(f"{console.url}/runs?workflow=")
    one = _rows(page)
    pages = page.get_by_role("navigation", name="Pages")
    pages.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    two = _rows(page)
    assert len(one) == len(two) == 1
    assert {first, second} == {r.split()[0] for r in one + two}
    assert pages.get_by_role("link", name="Next").count() == 0
    assert pages.get_by_role("link", name="Previous").is_visible()
    monkeypatch.setattr(runs_page, "SIZE", size)
    # resume the cancelled run: it is queued again
    page.goto(f"{console.url}/runs/{second}")
    page.get_by_role("button", name="Resume run").click()
    page.wait_for_url(re.compile(r"\?done=resumed"))
    assert uc.run(console.world.app, console.world.admin, second).status == "queued"


def test_cancel_only_for_who_may_csrf_and_japanese(console, signed_in, shots):
    first, second = _two_runs(console)
    world = console.world
    paula = signed_in("approver")  # reads the tenant's runs, may not manage them
    token = paula.locator("input[name=csrf]").first.get_attribute("value")
    paula.goto(f"{console.url}/runs/{first}")
    assert paula.get_by_role("heading", level=2, name="Steps").is_visible()
    assert paula.get_by_role("button", name="Cancel run").count() == 0
    refused = paula.request.post(f"{console.url}/runs/{first}/cancel", form={"csrf": token})
    assert refused.status == 403 and "Not allowed" in refused.text()
    bob = signed_in("reader")  # a member: his own runs only
    bob.goto(f"{console.url}/runs")
    assert _rows(bob) == []
    bob.goto(f"{console.url}/runs/{first}")
    assert bob.get_by_role("heading", level=1).inner_text() == "Not found"
    alice = signed_in("member", lang="ja")  # her own run: she may cancel it
    alice.goto(f"{console.url}/runs/{first}")
    assert alice.get_by_role("heading", level=2, name="ステップ").is_visible()
    assert alice.get_by_role("button", name="実行をキャンセル").is_visible()
    alice.goto(f"{console.url}/runs")
    assert alice.get_by_role("heading", level=1).inner_text() == "実行"
    assert len(_rows(alice)) == 2 and "キュー待ち" in _rows(alice)[0]
    alice.screenshot(path=str(shots / "runs-ja.png"), full_page=True)
    # a cancel without this session's token is refused
    world.app.settings.console.secure_cookies = False
    with httpx.Client(base_url=console.url) as http:
        form = http.get("/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        http.post("/signin", data={"key": console.keys["builder"], "csrf": token})
        assert http.get(f"/runs/{first}").status_code == 200
        forged = http.post(f"/runs/{first}/cancel", data={"csrf": "forged"})
        assert forged.status_code == 403
    assert uc.run(world.app, world.admin, first).status == "queued"


RESEARCH = """name: brief
inputs: {where: {type: string}}
steps:
  - id: ask
    type: research
    question: What is the merger codename?
    collection: "{{ inputs.where }}"
    model: false
"""


def test_a_run_that_read_the_vault_shows_no_passage_to_a_builder_who_may_not(console,
                                                                             signed_in):
    world = console.world
    app = world.app
    uc.register(app, world.builder, RESEARCH)
    run_id = uc.start(app, world.bob, "brief", {"where": "vault"}).run_id  # bob reads vault
    off_loop(app.engine.launch)
    try:
        deadline = time.monotonic() + 60
        while not uc.run(app, world.bob, run_id).done:
            assert time.monotonic() < deadline, "the research run did not finish"
            time.sleep(0.1)
    finally:
        off_loop(app.engine.shutdown, grace_s=5)
    assert SECRET in json.dumps(uc.run(app, world.bob, run_id).to_dict(), default=str)
    dan = signed_in("builder")  # reads the tenant's runs, not the vault
    dan.goto(f"{console.url}/runs/{run_id}")
    assert "succeeded" in dan.get_by_role("definition").first.inner_text()
    assert dan.get_by_text("Inputs and outputs withheld").is_visible()
    assert dan.get_by_role("heading", level=3, name=re.compile("^ask")).is_visible()
    assert SECRET not in dan.content()
    dan.goto(f"{console.url}/runs")
    assert SECRET not in dan.content() and run_id in dan.content()
