"""The admin pages in Chromium: users and groups, role bindings, API keys (a new key's text
shown once), the tenant's budget; permissions, CSRF, hostile text and Japanese."""

from __future__ import annotations

import re

import httpx

from cristal.app import admin as admin_uc

HOSTILE = "<script>window.__xss=1</script>{{ 7*7 }}"


def test_admin_manages_users_groups_roles_and_budget(console, signed_in, shots):
    admin_uc.bind_role(console.world.app, console.world.admin, "approver", group="finance")
    page = signed_in("admin")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.wait_for_url(re.compile(r"/admin$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tenant acme"

    page.get_by_label("Budget in USD").fill("40")
    page.get_by_label("Token budget").fill("")
    page.get_by_label("Period").select_option("week")
    page.get_by_role("button", name="Save the budget").click()
    page.wait_for_url(re.compile(r"/admin\?done=budget-saved"))
    assert page.get_by_role("status").inner_text() == "The budget was saved."
    tenant = admin_uc.get_tenant(console.world.app, console.world.owner, "acme")
    assert (tenant.budget_usd, tenant.budget_tokens, tenant.period) == (40.0, None, "week")
    usable = page.get_by_role("table", name="Routes and models this tenant may use")
    assert "echo" in usable.get_by_role("row", name=re.compile("^fast")).inner_text()
    page.screenshot(path=str(shots / "admin-en.png"), full_page=True)

    tabs = page.get_by_role("navigation", name="Administration")
    tabs.get_by_role("link", name="Users").click()
    page.get_by_label("User name").fill(HOSTILE)  # not a valid name: refused in the form
    page.get_by_role("button", name="Add the user").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("User name").is_visible()
    assert page.evaluate("() => window.__xss === undefined")
    page.get_by_label("User name").fill("carol")
    page.get_by_label("Groups (comma-separated)").fill("sales, finance")
    page.get_by_role("button", name="Add the user").click()
    page.wait_for_url(re.compile(r"/admin/users/carol\?done=user-created"))
    assert page.get_by_role("heading", level=1).inner_text() == "User carol"
    assert "approver · through group finance" in page.locator("dl.facts").inner_text()
    page.get_by_label("Groups (comma-separated)").fill("board")
    page.get_by_role("button", name="Save the groups").click()
    page.wait_for_url(re.compile(r"done=groups-saved"))
    user = admin_uc.get_user(console.world.app, console.world.admin, "carol")
    assert user.groups == ("board",)
    page.get_by_role("button", name="Disable the user").click()
    page.wait_for_url(re.compile(r"done=user-disabled"))
    assert admin_uc.get_user(console.world.app, console.world.admin, "carol").disabled
    page.get_by_role("button", name="Enable the user").click()
    page.wait_for_url(re.compile(r"done=user-enabled"))

    tabs.get_by_role("link", name="Role bindings").click()
    give = page.get_by_role("region", name="Give a role")
    give.get_by_label("Role").select_option("builder")
    give.get_by_label("To a").select_option("user")
    give.get_by_label("User or group name").fill("carol")
    give.get_by_role("button", name="Give the role").click()
    page.wait_for_url(re.compile(r"done=role-bound"))
    row = page.get_by_role("row").filter(has_text="carol")
    assert row.count() == 1 and "builder" in row.inner_text()
    page.get_by_role("button", name="Take builder from carol").click()
    page.wait_for_url(re.compile(r"done=role-unbound"))
    assert page.get_by_role("row").filter(has_text="carol").count() == 0

    page.goto(f"{console.url}/admin/users/carol")
    page.get_by_role("button", name="Delete the user").click()
    page.wait_for_url(re.compile(r"/admin/users\?done=user-deleted"))
    assert page.get_by_role("link", name="carol").count() == 0


def test_a_new_key_is_shown_once_and_can_be_revoked(console, signed_in):
    page = signed_in("admin")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{console.url}/admin/keys")
    page.get_by_label("Role").select_option("member")
    page.get_by_label("Acts as user (optional)").fill("alice")
    page.get_by_label("Key name").fill(HOSTILE)
    page.get_by_role("button", name="Create the key").click()
    page.wait_for_load_state()
    text = page.get_by_label("Key text").input_value()
    assert text.startswith("cr_") or len(text) > 20
    assert "shown only this once" in page.get_by_role("status").inner_text()
    # the key works: it signs in to the API as alice
    me = console.http.get("/api/me", headers={"Authorization": f"Bearer {text}"})
    assert me.status_code == 200 and me.json()["user"] == "alice"
    # the hostile name shows as text, and nothing ran
    row = page.get_by_role("row").filter(has_text="alice").filter(has_text="member")
    assert HOSTILE in page.get_by_role("region", name=re.compile("^Keys of")).inner_text()
    assert page.evaluate("() => window.__xss === undefined")
    count = len(admin_uc.list_keys(console.world.app, console.world.admin))

    page.reload()  # a plain GET of the list now: the key text is gone, no second key
    assert page.get_by_label("Key text").count() == 0
    assert text not in page.content()
    assert len(admin_uc.list_keys(console.world.app, console.world.admin)) == count
    page.goto(f"{console.url}/admin/keys")
    assert text not in page.content()

    key_id = me.json()["id"]
    row = page.get_by_role("row").filter(has_text=key_id)
    row.get_by_role("button", name=f"Revoke {key_id}").click()
    page.wait_for_url(re.compile(r"done=key-revoked"))
    assert page.get_by_role("status").inner_text().startswith("The key was revoked")
    assert "revoked" in page.get_by_role("row").filter(has_text=key_id).inner_text()
    assert console.http.get("/api/me", headers={
        "Authorization": f"Bearer {text}"}).status_code == 401


def test_member_gets_the_403_page_and_no_links_auditor_only_reads(console, signed_in):
    member = signed_in("member")
    nav = member.get_by_role("navigation", name="Main")
    for name in ("Admin", "Usage", "Audit"):
        assert nav.get_by_role("link", name=name).count() == 0
    for path in ("/admin", "/admin/users", "/admin/keys"):
        member.goto(f"{console.url}{path}")
        assert member.get_by_role("heading", level=1).inner_text() == "Not allowed"
    auditor = signed_in("auditor")
    auditor.goto(f"{console.url}/admin/users")
    assert auditor.get_by_role("link", name="alice").is_visible()
    assert auditor.get_by_role("button", name="Add the user").count() == 0
    tabs = auditor.get_by_role("navigation", name="Administration")
    assert tabs.get_by_role("link", name="API keys").count() == 0
    auditor.goto(f"{console.url}/admin/keys")
    assert auditor.get_by_role("heading", level=1).inner_text() == "Not allowed"
    # ?done= shows only known messages, never text from the address
    auditor.goto(f"{console.url}/admin/users?done=%3Cb%3Ehacked%3C/b%3E")
    assert auditor.get_by_role("status").count() == 0
    assert "hacked" not in auditor.locator("main").inner_text()


def test_key_form_without_its_token_is_refused(console):
    console.world.app.settings.console.secure_cookies = False
    before = len(admin_uc.list_keys(console.world.app, console.world.admin))
    with httpx.Client(base_url=console.url) as http:
        form = http.get("/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        http.post("/signin", data={"key": console.keys["admin"], "csrf": token})
        keys = http.get("/admin/keys")
        assert keys.status_code == 200
        refused = http.post("/admin/keys", data={"role": "admin", "csrf": "forged"})
        assert refused.status_code == 403 and "cr_" not in refused.text
        other_site = http.post("/admin/keys", headers={"origin": "https://evil.example"},
                               data={"role": "admin", "csrf": re.search(
                                   r'name="csrf" value="([^"]+)"', keys.text).group(1)})
        assert other_site.status_code == 403
    assert len(admin_uc.list_keys(console.world.app, console.world.admin)) == before


def test_admin_in_japanese(console, signed_in, shots):
    page = signed_in("admin", lang="ja")
    page.goto(f"{console.url}/admin")
    assert page.get_by_role("heading", level=1).inner_text() == "テナント acme"
    assert page.get_by_role("button", name="予算を保存").is_visible()
    page.goto(f"{console.url}/admin/keys")
    assert page.get_by_role("button", name="キーを作成").is_visible()
    page.screenshot(path=str(shots / "admin-ja.png"), full_page=True)
