"""The audit page in Chromium: entries with filters, the chain's status, the export, hostile
text shown as text, Japanese; CSRF on the export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import sqlalchemy as sa

from cristal.app import admin as admin_uc
from cristal.governance._identity_tables import audit_log

HOSTILE = "<script>alert('x')</script>{{ 7*7 }}"


def test_auditor_filters_verifies_and_exports(console, signed_in, shots):
    world = console.world
    key, _ = admin_uc.create_key(world.app, world.admin, "member", name=HOSTILE)
    admin_uc.create_user(world.app, world.admin, "carol", groups=["sales"])
    page = signed_in("auditor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    page.wait_for_url(re.compile(r"/audit$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    entries = page.get_by_role("region", name="Entries")
    created = entries.get_by_role("row").filter(has_text="key.create").filter(has_text=key.id)
    assert created.count() == 1
    assert HOSTILE in created.inner_text()  # shown as text, not run or evaluated
    assert page.evaluate("() => window.__xss === undefined")
    assert "<script>alert" not in page.content().split("<main", 1)[1].replace(
        "&lt;script&gt;", "")

    page.get_by_label("Action").fill("user.create")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"action=user.create"))
    rows = page.get_by_role("region", name="Entries").get_by_role("row")
    assert rows.count() == 2  # the header and carol's entry
    assert "carol" in rows.nth(1).inner_text()
    page.get_by_label("Action").fill("")
    page.get_by_label("Actor").fill("nobody-like-this")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_text("No entries match these filters.").is_visible()
    page.get_by_label("Actor").fill("")
    page.get_by_role("button", name="Filter").click()

    page.get_by_role("button", name="Verify the chain").click()
    page.wait_for_url(re.compile(r"/audit/verify"))
    status = page.get_by_role("region", name="Chain status").get_by_role("status")
    assert status.inner_text().startswith("OK")
    page.screenshot(path=str(shots / "audit-en.png"), full_page=True)

    with page.expect_download() as got:
        page.get_by_role("button", name="Export these entries (JSON lines)").click()
    download = got.value
    assert re.fullmatch(r"audit-acme-\d{8}-\d{6}\.jsonl", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(e["action"] == "key.create" and e["details"]["name"] == HOSTILE for e in lines)
    assert all(e["tenant"] == "acme" for e in lines)
    # the export itself is audited
    page.goto(f"{console.url}/audit?action=audit.export")
    assert page.get_by_role("region", name="Entries").get_by_role("row").count() == 2


def test_a_changed_entry_is_shown_where_the_chain_breaks(console, signed_in):
    world = console.world
    admin_uc.create_user(world.app, world.admin, "carol")
    with world.app.store.write() as conn:
        seq = conn.execute(sa.select(sa.func.max(audit_log.c.seq))
                           .where(audit_log.c.action == "user.create")).scalar_one()
        conn.execute(audit_log.update().where(audit_log.c.seq == seq)
                     .values(target="mallory"))
    page = signed_in("auditor")
    page.goto(f"{console.url}/audit/verify")
    alert = page.get_by_role("region", name="Chain status").get_by_role("alert")
    assert f"breaks at entry {seq}" in alert.inner_text()


def test_admin_may_read_but_not_verify_member_may_not_read_and_japanese(console, signed_in,
                                                                         shots):
    admin = signed_in("admin")
    admin.goto(f"{console.url}/audit")
    assert admin.get_by_role("button", name="Verify the chain").count() == 0
    admin.goto(f"{console.url}/audit/verify")
    assert admin.get_by_role("heading", level=1).inner_text() == "Not allowed"
    member = signed_in("member")
    member.goto(f"{console.url}/audit")
    assert member.get_by_role("heading", level=1).inner_text() == "Not allowed"
    ja = signed_in("auditor", lang="ja")
    ja.goto(f"{console.url}/audit/verify")
    assert ja.get_by_role("heading", level=1).inner_text() == "監査ログ"
    assert ja.get_by_role("region", name="チェーンの状態").get_by_role(
        "status").inner_text().startswith("正常")
    ja.screenshot(path=str(shots / "audit-ja.png"), full_page=True)


def test_export_without_the_form_token_is_refused(console):
    console.world.app.settings.console.secure_cookies = False
    with httpx.Client(base_url=console.url) as http:
        form = http.get("/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        http.post("/signin", data={"key": console.keys["auditor"], "csrf": token})
        page = http.get("/audit")
        assert page.status_code == 200
        refused = http.post("/audit/export", data={"csrf": "forged"})
        assert refused.status_code == 403 and "security token" in refused.text
        good = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        answer = http.post("/audit/export", data={"csrf": good})
        assert answer.status_code == 200
        assert answer.headers["content-disposition"].startswith("attachment;")
