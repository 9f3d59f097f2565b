"""Stored skills replayed by `operate()`: new parameters, self-healing with a model, clear stops."""

from __future__ import annotations

import pytest

from cristal.errors import InvalidInput
from cristal.governance import get_tenant
from cristal.models import ChatRequest, ChatResult
from cristal.operator import RunRequest, compile_run, run_records, save_skill

from .doubles import call, make_app, page_of, ref, run, verified

REGISTER = """<html><body><h1>会員登録</h1>
<label for=name>氏名</label><input id=name>
<label for=city>City</label>
<select id=city><option>Osaka</option><option>Tokyo</option><option>Kyoto</option></select>
<fieldset><legend>Interests</legend>
  <label><input type=checkbox value=Music> Music</label>
  <label><input type=checkbox value=Sports> Sports</label>
  <label><input type=checkbox value=Travel> Travel</label>
  <label><input type=checkbox value=Food> Food</label>
</fieldset>
<button onclick="report()">{button}</button>
<script>
function report() {
  const $ = (id) => document.getElementById(id);
  const ticked = [...document.querySelectorAll('input:checked')].map((c) => c.value);
  $('out').textContent = 'Saved: ' + [$('name').value, $('city').value, ticked.join('+')].join('/');
}
</script>
<div id=out></div></body></html>"""
DEMO = """type "山田" into "氏名"
select "Tokyo" in "City"
check "Music"
check "Travel"
check "Food"
click "登録"
"""
NEW = {"text": "佐藤", "city": "Kyoto", "items": "Sports, Music"}


@pytest.fixture
def pages(site):
    return (site.add("/v1", REGISTER.replace("{button}", "登録")),
            site.add("/v2", REGISTER.replace("{button}", "保存")))


def _skill(app, browser, pages):
    tenant = get_tenant(app.store, "default")
    demo = run(app, browser, RunRequest(
        start_url=pages[0], policy="plan", plan=DEMO,
        instruction="Register 山田 from Tokyo with interests Music, Travel and Food"))
    assert demo.status == "succeeded", demo.error
    return save_skill(app.store, tenant.id, compile_run(app.store, tenant.id, demo.id, "register"),
                      demo.id)


def test_a_skill_replays_with_new_parameters_and_no_model(tmp_path, sqlite_url, browser, pages):
    app = make_app(tmp_path, sqlite_url, None)
    skill = _skill(app, browser, pages)
    outcome = run(app, browser, RunRequest(start_url=pages[0], policy="skill", skill=skill,
                                           params=NEW))
    assert outcome.status == "succeeded" and outcome.model_calls == 0 and outcome.repairs == []
    assert outcome.instruction == "Register 佐藤 from Kyoto with interests Sports, Music"
    assert outcome.skill == "register"
    assert browser.new_session  # the module's browser is still usable
    steps = run_records(app.store, outcome.id)
    assert [s.source for s in steps] == ["start"] + ["skill"] * 6
    with pytest.raises(InvalidInput, match="needs --param items=VALUE"):
        run(app, browser, RunRequest(start_url=pages[0], policy="skill", skill=skill,
                                     params={"text": "x", "city": "Osaka"}))
    with pytest.raises(InvalidInput, match="has no parameter 'colour'"):
        run(app, browser, RunRequest(start_url=pages[0], policy="skill", skill=skill,
                                     params={**NEW, "colour": "red"}))
    app.close()


def test_a_changed_page_is_repaired_by_the_model_and_the_repair_recorded(
        tmp_path, sqlite_url, browser, pages):
    seen: list[ChatRequest] = []

    def model(request: ChatRequest) -> ChatResult | str:
        seen.append(request)
        if request.schema_name == "verification":
            return verified(request, "Saved:")
        return call("click", target=ref(page_of(request), "button", "保存"))

    app = make_app(tmp_path, sqlite_url, model)
    skill = _skill(app, browser, pages)
    outcome = run(app, browser, RunRequest(start_url=pages[1], policy="skill", skill=skill,
                                           params=NEW))
    assert outcome.status == "succeeded", outcome.error
    assert [(r["kind"], r["ok"]) for r in outcome.repairs] == [
        ("relax_role", False), ("fallback", True)]
    assert outcome.model_calls == 1
    steps = run_records(app.store, outcome.id)
    repaired = next(s for s in steps if s.source == "fallback")
    assert repaired.action["note"].startswith("repair of skill step")
    assert repaired.model_call_id is not None and repaired.ok
    assert "Nothing on the page matches" in seen[0].messages[-1]["content"]  # it saw the failure
    assert browser.new_session
    app.close()


def test_without_a_model_the_replay_stops_naming_the_step_and_candidates(
        tmp_path, sqlite_url, browser, pages):
    app = make_app(tmp_path, sqlite_url, None)
    skill = _skill(app, browser, pages)
    outcome = run(app, browser, RunRequest(start_url=pages[1], policy="skill", skill=skill,
                                           params=NEW))
    assert outcome.status == "failed" and outcome.exit_code == 1
    assert outcome.error.startswith("Stopped at step 5/5 of skill 'register'")
    assert "Closest:" in outcome.error and "保存" in outcome.error
    assert "run with a fallback policy (a model)" in outcome.error
    app.close()
