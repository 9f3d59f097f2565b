"""The approvals inbox in Chromium: an approver sees a waiting run with its context, approves
it with a comment and the run goes on; a member sees no inbox and is refused; a forged form
is refused; Japanese; hostile input shows literally."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from console_runs import until, waiting_runs
from cristal.app import workflows as uc
from cristal.server.console.pages import approvals as approvals_page

HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"


def _token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.mark.slow
def test_an_approver_approves_a_waiting_run_with_a_comment(console, signed_in, shots,
                                                           monkeypatch):
    world = console.world
    with waiting_runs(console, HOSTILE, "second claim") as (first, second):
        page = signed_in("approver")
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Approvals").click()
        page.wait_for_url(f"{console.url}/approvals")
        items = page.get_by_role("article")
        assert items.count() == 2
        item = page.get_by_role("article").filter(has_text="1200")
        assert item.get_by_text("Approve 1200 yen?").is_visible()
        assert "user:acme/alice" in item.inner_text() and "finance" in item.inner_text()
        assert item.get_by_role("cell", name=HOSTILE).is_visible()  # literally, not run
        page.screenshot(path=str(shots / "approvals-en.png"), full_page=True)
        # one a page: the pager reaches the other
        size = approvals_page.SIZE
        monkeypatch.setattr(approvals_page, "SIZE", 1)
        page.goto(f"{console.url}/approvals")
        one = page.get_by_role("article").inner_text()
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
        page.wait_for_url(re.compile(r"page=2"))
        two = page.get_by_role("article").inner_text()
        assert {"1200" in one, "1200" in two} == {True, False}
        assert {"1201" in one, "1201" in two} == {True, False}
        monkeypatch.setattr(approvals_page, "SIZE", size)
        page.goto(f"{console.url}/approvals")
        item.get_by_label("Comment").fill("within policy")
        item.get_by_role("button", name="Approve").click()
        page.wait_for_url(re.compile(r"/approvals\?done=approved"))
        assert page.get_by_role("status").inner_text() == f"You approved run {first}."
        assert page.get_by_role("article").count() == 1  # it left the inbox
        assert "1201" in page.get_by_role("article").inner_text()
        done = until(world.app, world.admin, first, "succeeded")
        assert done.status == "succeeded"
        check = next(s for s in done.steps if s.id == "check")
        assert check.output["by"] == "paula" and check.output["comment"] == "within policy"
        assert uc.run(world.app, world.admin, second).status == "waiting"
        # the run's timeline: both steps done, the decision in the approval's output
        page.goto(f"{console.url}/runs/{first}")
        step = page.get_by_role("listitem").filter(has=page.get_by_role("heading",
                                                                        name=re.compile("^check")))
        assert "succeeded" in step.get_by_role("heading").inner_text()
        assert re.search(r"Duration\s+[\d,.]+ ms", step.inner_text())
        step.get_by_text("Output", exact=True).click()
        assert '"comment": "within policy"' in step.locator("pre").last.inner_text()
        assert page.get_by_role("heading", name=re.compile("^done")).inner_text().endswith(
            "succeeded")
        # 1.5 s without a decision: the escalation shows
        deadline = time.monotonic() + 30
        while not (uc.run(world.app, world.admin, second).waiting or {}).get("escalated_at"):
            assert time.monotonic() < deadline, "the run was not escalated"
            time.sleep(0.1)
        page.goto(f"{console.url}/approvals")
        facts = page.get_by_role("article").inner_text()
        assert re.search(r"Escalated\s+to cfo at \d+ \w+ \d{4}", facts), facts
        # the filter by workflow keeps the inbox to one workflow
        page.goto(f"{console.url}/approvals?workflow=nothing-like-it")
        assert page.get_by_role("article").count() == 0
        assert "Nothing of workflow nothing-like-it" in page.get_by_role("main").inner_text()


@pytest.mark.slow
def test_members_see_no_inbox_forged_forms_are_refused_and_japanese(console, signed_in,
                                                                     shots):
    world = console.world
    with waiting_runs(console, "taxi") as (run_id,):
        alice = signed_in("member")
        nav = alice.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link", name="Runs").is_visible()
        assert nav.get_by_role("link", name="Approvals").count() == 0
        token = alice.locator("input[name=csrf]").first.get_attribute("value")
        alice.goto(f"{console.url}/approvals")
        assert alice.get_by_role("heading", level=1).inner_text() == "Not allowed"
        refused = alice.request.post(f"{console.url}/approvals/{run_id}/check",
                                     form={"csrf": token, "decision": "approve"})
        assert refused.status == 403 and "Not allowed" in refused.text()
        # a form without this session's token is refused, and nothing is decided
        world.app.settings.console.secure_cookies = False
        with httpx.Client(base_url=console.url) as http:
            form = http.get("/signin")
            http.post("/signin", data={"key": console.keys["approver"],
                                       "csrf": _token(form.text)})
            inbox = http.get("/approvals")
            assert inbox.status_code == 200 and run_id in inbox.text
            forged = http.post(f"/approvals/{run_id}/check",
                               data={"csrf": "forged", "decision": "approve"})
            assert forged.status_code == 403 and "security token" in forged.text
            assert uc.run(world.app, world.admin, run_id).status == "waiting"
        paula = signed_in("approver", lang="ja")
        paula.goto(f"{console.url}/approvals")
        assert paula.locator("html").get_attribute("lang") == "ja"
        assert paula.get_by_role("heading", level=1).inner_text() == "承認"
        item = paula.get_by_role("article")
        assert item.get_by_role("button", name="承認する").is_visible()
        assert item.get_by_label("コメント").is_visible()
        paula.screenshot(path=str(shots / "approvals-ja.png"), full_page=True)
        item.get_by_role("button", name="却下する").click()
        paula.wait_for_url(re.compile(r"/approvals\?done=rejected"))
        assert run_id in paula.get_by_role("status").inner_text()
        assert "却下" in paula.get_by_role("status").inner_text()
        assert until(world.app, world.admin, run_id, "failed").status == "failed"
