"""Semantic targeting on a real page: labels, placeholders, nearby text, JA/EN, fuzzy, ordinals."""

from __future__ import annotations

import pytest

from cristal.operator import Query, TargetNotFound, locate, parse_target, resolve, take_snapshot

PAGE = """<!doctype html><html><body>
<h1>申込フォーム / Application</h1>
<label for=name>氏名</label><input id=name>
<label for=kana>フリガナ</label><input id=kana>
<input id=mail placeholder="メールアドレス">
<div>電話番号</div><div><input id=tel></div>
<p><span>Company:</span> <input id=company></p>
<input id=zip placeholder="Postal code">
<label for=ln>Last name</label><input id=ln>
<button id=b1>Submit</button> <button id=b2>Submit</button>
<button id=send>送信する</button> <button id=ok>ＯＫ</button>
<table>
  <tr><td>Invoice 41</td><td><button id=d41>Delete</button></td></tr>
  <tr><td>Invoice 42</td><td><button id=d42>Delete</button></td></tr>
</table>
</body></html>"""


@pytest.fixture(scope="module")
def page(browser, site):
    with browser.new_session() as s:
        s.page.goto(site.add("/targets", PAGE))
        yield s.page


def _id(page, target, action="click"):
    snap = take_snapshot(page)
    found = resolve(snap, target, action)
    return locate(page, found.ref, found.frame).get_attribute("id"), found


@pytest.mark.parametrize(("description", "action", "element"), [
    ("氏名", "type", "name"),                 # <label for>
    ("「氏名」欄", "type", "name"),            # quoted name + Japanese role word
    ("メールアドレス", "type", "mail"),        # placeholder
    ("電話番号", "type", "tel"),              # text just before the field
    ("Company", "type", "company"),          # "Company:" with decoration ignored
    ("postal CODE", "type", "zip"),          # case-insensitive
    ("Last name", "type", "ln"),             # a label, not "the last 'name'"
    ("ok", "click", "ok"),                   # full-width ＯＫ via NFKC
    ("送信", "click", "send"),                # partial Japanese
    ("送信ボタン", "click", "send"),           # Japanese role word
    ("the Submit button", "click", "b1"),
    ("second Submit button", "click", "b2"),
    ("2番目のSubmit", "click", "b2"),
    ("last Delete", "click", "d42"),
])
def test_descriptions_find_the_element(page, description, action, element):
    assert _id(page, description, action)[0] == element


def test_near_text_picks_the_row(page):
    snap = take_snapshot(page)
    found = resolve(snap, Query(text="Delete", near="Invoice 42"))
    assert locate(page, found.ref).get_attribute("id") == "d42"
    found = resolve(snap, Query(text="Delete", near="Invoice 41"))
    assert locate(page, found.ref).get_attribute("id") == "d41"


def test_ties_are_reported_as_ambiguous_with_the_runner_up(page):
    element, found = _id(page, "Submit")
    assert element == "b1" and found.ambiguous
    assert found.runner_up is not None and found.runner_up.name == "Submit"
    assert found.to_dict()["runner_up"]["score"] == pytest.approx(found.score)


def test_exact_case_beats_a_case_insensitive_match(browser, site):
    with browser.new_session() as s:
        s.page.goto(site.add("/case", "<button id=a>ok</button><button id=b>Ok</button>"
                                      "<button id=c>okay</button>"))
        snap = take_snapshot(s.page)
        found = resolve(snap, "Ok")
        assert locate(s.page, found.ref).get_attribute("id") == "b" and not found.ambiguous


def test_nothing_matches_lists_the_closest_candidates(page):
    with pytest.raises(TargetNotFound) as err:
        resolve(take_snapshot(page), "Checkout")
    assert "Closest:" in err.value.message and "Describe the element" in err.value.message
    with pytest.raises(TargetNotFound) as err:
        resolve(take_snapshot(page), "third Submit button")
    assert "only 2" in err.value.message


def test_refs_resolve_and_stale_refs_say_what_to_do(page):
    snap = take_snapshot(page)
    ref = next(n.ref for n in snap.nodes if n.name == "送信する")
    assert resolve(snap, ref).name == "送信する"
    assert resolve(snap, f"[{ref}]").by == "ref"
    with pytest.raises(TargetNotFound, match="Take a new snapshot"):
        resolve(snap, "e99999")


def test_parse_target_understands_roles_ordinals_and_refs():
    assert parse_target("e12") == "e12"
    q = parse_target('the second "OK" button')
    assert (q.text, q.role, q.ordinal) == ("OK", "button", 2)
    q = parse_target("3番目のリンク")
    assert (q.text, q.role, q.ordinal) == ("", "link", 3)
    q = parse_target("Email field")
    assert (q.text, q.role) == ("email", "textbox")
    assert parse_target("Ang*ola", match="glob").match == "glob"
