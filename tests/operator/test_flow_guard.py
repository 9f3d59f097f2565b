"""The flow guard on real pages: clicks, links and form submissions (Chromium)."""

from __future__ import annotations

from cristal.operator import Click, FlowGuard, Press, Runtime, Type

PAGE = """<html><body><h1>Help</h1>
<form action="{offsite}/search"><label>Partner search <input name=q></label></form>
<form action="/local"><label>Our search <input name=q></label><button>Find</button></form>
<a href="{offsite}/win">Claim your prize</a>
<form action="/local" method=post><button>Delete everything</button></form>
</body></html>"""


def test_submissions_and_links_stay_on_the_task_site(site, session):
    offsite = site.url("", host="localhost").rstrip("/")
    url = site.add("/flow-help", PAGE.format(offsite=offsite))
    session.page.goto(url)
    runtime = Runtime(session)
    guard = FlowGuard("Search our help for refunds", url)
    snap = runtime.snapshot()

    def check(action):
        return guard.check(action, snap, runtime)

    assert check(Type(target="Our search", text="refunds")).allowed
    assert check(Click(target="Find")).allowed
    link = check(Click(target="Claim your prize"))
    assert not link.allowed and "which the task did not name" in link.reasons[0]
    delete = check(Click(target="Delete everything"))
    assert not delete.allowed and "sensitive action (delete)" in delete.reasons[0]
    # Enter in the partner's field, with or without a target, would send the form off-site.
    assert not check(Press(target="Partner search", keys="Enter")).allowed
    session.page.get_by_label("Partner search").focus()
    blind = check(Press(keys="Enter"))
    assert not blind.allowed and "off the task's site" in blind.reasons[0]
    session.page.get_by_label("Our search").focus()
    assert check(Press(keys="Enter")).allowed
