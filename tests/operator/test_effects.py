"""Actions are judged by their effect on the element, not by their name (issue 12, item 6).

Each page here does something sensitive through an action other than `click`: a key
press on a button, Enter in a field, a `select`, a switch, a script that submits a
password form when a field changes. Every one must reach the confirmation review, and
nothing may happen when the person declines.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from cristal.operator import (
    Check,
    Click,
    Goto,
    Press,
    Runtime,
    Select,
    Type,
    predict,
)

from .doubles import Confirmations

ACCOUNT = """<html><body><h1>Account</h1><div id=out>kept</div>
<button onclick="out.textContent='account deleted'">Delete account</button>
<button onclick="out.textContent='searched'">Search</button>
</body></html>"""

FOCUSED = """<html><body><div id=out>kept</div>
<button autofocus onclick="out.textContent='account deleted'">Delete account</button>
</body></html>"""

ENTER_SUBMITS = """<html><body><form action="/remove" method="post">
<label for=r>Reason</label><input id=r name=reason>
<button>Delete my account</button></form></body></html>"""

BULK = """<html><body><label for=a>Action</label>
<select id=a onchange="out.textContent = 'did: ' + this.value">
<option>Choose…</option><option>Archive</option><option>Delete selected</option></select>
<div id=out>nothing</div></body></html>"""

SWITCH = """<html><body><label><input type=checkbox role=switch id=s
onchange="out.textContent = this.checked ? 'will delete' : 'keep'"> Delete my data after 30
days</label><label><input type=checkbox id=n> Newsletter</label><div id=out>keep</div>
</body></html>"""

# The page's own scripts submit a password form: on input in a field, on a plain div click.
SCRIPTED = """<html><body><form id=f action="/signin" method="post">
<label for=u>User</label><input id=u name=u oninput="if (this.value.endsWith('!')) f.submit()">
<label for=p>Password</label><input id=p name=p type=password value="pw-123">
</form><div><div><div><div><div><div role=button tabindex=0 onclick="f.requestSubmit()">Continue
</div></div></div></div></div></div>
<form id=g action="/search" method="get"><label for=q>Find</label>
<input id=q name=q oninput="if (this.value.endsWith('?')) g.submit()"></form>
</body></html>"""


def _runtime(session, site, path, html, answer=False):
    asked = Confirmations(answer)
    runtime = Runtime(session, confirm=asked)
    assert runtime.step(Goto(url=site.add(path, html))).ok
    return runtime, asked


@pytest.mark.parametrize("keys", ["Enter", "Space", " "])
def test_pressing_a_key_on_a_sensitive_button_is_reviewed(session, site, keys):
    runtime, asked = _runtime(session, site, "/account", ACCOUNT)
    record = runtime.step(Press(keys=keys, target="Delete account"))
    assert not record.ok and record.result["error_type"] == "ActionRejected"
    assert record.confirmation["kinds"] == ["sensitive_control"]
    assert "'Delete account' looks like a sensitive action (delete)" in asked.asked[0].prompt()
    assert "key press activates it" in asked.asked[0].reasons[0]
    assert runtime.page.text_content("#out") == "kept"
    assert runtime.step(Press(keys=keys, target="Search")).confirmation is None  # not sensitive
    assert runtime.page.text_content("#out") == "searched"


def test_a_targetless_key_press_is_judged_on_the_focused_element(session, site):
    runtime, asked = _runtime(session, site, "/focused", FOCUSED)
    record = runtime.step(Press(keys="Enter"))
    assert not record.ok and record.confirmation["kinds"] == ["sensitive_control"]
    assert runtime.page.text_content("#out") == "kept"
    assert runtime.step(Press(keys="Tab")).ok  # moving the focus acts on nothing


def test_enter_in_a_field_is_judged_as_its_form_s_submit_button(session, site):
    site.posts.clear()
    runtime, asked = _runtime(session, site, "/remove", ENTER_SUBMITS)
    assert runtime.step(Type(text="moving", target="Reason")).confirmation is None
    record = runtime.step(Press(keys="Enter", target="Reason"))
    assert not record.ok and record.confirmation["kinds"] == ["sensitive_control"]
    assert "submits its form through it" in asked.asked[0].reasons[0]
    assert "Delete my account" in asked.asked[0].reasons[0]
    runtime.page.wait_for_timeout(200)
    assert site.posts == [] and runtime.page.url.endswith("/remove")


def test_selecting_a_sensitive_option_is_reviewed(session, site):
    runtime, asked = _runtime(session, site, "/bulk", BULK)
    assert runtime.step(Select(values=["Archive"], target="Action")).confirmation is None
    assert runtime.page.text_content("#out") == "did: Archive"
    record = runtime.step(Select(values=["Delete selected"], target="Action"))
    assert not record.ok and record.confirmation["kinds"] == ["sensitive_control"]
    assert "option 'Delete selected'" in asked.asked[0].reasons[0]
    assert runtime.page.text_content("#out") == "did: Archive"


def test_checking_a_sensitive_switch_is_reviewed(session, site):
    runtime, asked = _runtime(session, site, "/switch", SWITCH)
    record = runtime.step(Check(target="Delete my data after 30 days"))
    assert not record.ok and record.confirmation["kinds"] == ["sensitive_control"]
    assert runtime.page.text_content("#out") == "keep"
    assert not runtime.page.is_checked("#s")
    assert runtime.step(Check(target="Newsletter")).confirmation is None


@pytest.mark.parametrize("answer", [False, True])
def test_a_password_form_submitted_by_the_page_s_script_is_held(session, site, answer):
    site.posts.clear()
    runtime, asked = _runtime(session, site, "/scripted", SCRIPTED, answer)
    record = runtime.step(Type(text="ada!", target="User"))  # its input handler submits
    runtime.page.wait_for_timeout(300)
    assert "unannounced_submit" in record.confirmation["kinds"]
    assert "password_form" in record.confirmation["kinds"]
    assert "did not announce" in asked.asked[0].reasons[0]
    if answer:
        assert record.ok
        assert site.posts and parse_qs(site.posts[-1][1])["u"] == ["ada!"]
    else:
        assert not record.ok and record.result["error_type"] == "ActionRejected"
        assert record.result["error"].startswith("Typed")  # the text is in, the send is not
        assert site.posts == [] and runtime.page.url.endswith("/scripted")


def test_a_plain_element_whose_script_submits_a_password_form_is_held(session, site):
    site.posts.clear()
    runtime, asked = _runtime(session, site, "/scripted", SCRIPTED)
    record = runtime.step(Click(target="Continue"))
    runtime.page.wait_for_timeout(300)
    assert not record.ok and "password_form" in record.confirmation["kinds"]
    assert site.posts == []


def test_a_harmless_form_the_page_submits_goes_ahead_unasked(session, site):
    runtime, asked = _runtime(session, site, "/scripted", SCRIPTED)
    record = runtime.step(Type(text="tea?", target="Find"))
    assert record.ok and record.confirmation is None and asked.asked == []
    runtime.page.wait_for_url("**/search?q=tea%3F")


def test_enter_on_a_link_to_another_site_is_reviewed(session, site):
    away = site.url("/away", "localhost")
    runtime, asked = _runtime(session, site, "/links", f'<a href="{away}">Partner offer</a>')
    record = runtime.step(Press(keys="Enter", target="Partner offer"))
    assert not record.ok and record.confirmation["kinds"] == ["offsite_link"]


def test_predict_names_the_effect(session, site):
    session.page.goto(site.add("/remove", ENTER_SUBMITS))
    runtime = Runtime(session)
    snap = runtime.snapshot()
    field = runtime.resolve(Type(text="x", target="Reason"), snap)
    effect = predict(session.page, Press(keys="Enter", target="Reason"), field)
    assert effect.submits is not None and effect.submits.action.endswith("/remove")
    assert effect.submits.method == "post" and effect.activates.name == "Delete my account"
    assert effect.one_line and not effect.multi_line
    assert predict(session.page, Press(keys="Tab", target="Reason"), field).activates is None


REVEAL = """<html><body><div id=out>kept</div><div>
<span style="cursor:pointer" onclick="out.textContent='all deleted'">Delete everything</span>
<ul style="display:none"><li><a href="#r" onclick="out.textContent='opened'">Report</a></li></ul>
</div></body></html>"""


def test_a_click_made_to_reveal_a_hidden_target_is_judged_too(session, site):
    runtime = Runtime(session)  # no one to confirm: sensitive clicks are refused
    runtime.step(Goto(url=site.add("/reveal", REVEAL)))
    record = runtime.step(Click(target="Report"))
    assert not record.ok and record.result["error_type"] == "ConfirmationRequired"
    assert "Delete everything" in record.result["error"]
    assert runtime.page.text_content("#out") == "kept"
