"""Skills: compile a demonstration, replay it with new parameters, heal or stop clearly."""

from __future__ import annotations

import re

import pytest

from cristal.errors import InvalidInput
from cristal.operator import (
    Click,
    Done,
    FunctionPolicy,
    Goto,
    MemoryRecorder,
    Runtime,
    Skill,
    compile_plan,
    compile_skill,
    replay_skill,
    run_plan,
    run_task,
    split_list,
)

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
<button id=go onclick="report()">{button}</button>
<script>
function report() {
  const $ = (id) => document.getElementById(id);
  const ticked = [...document.querySelectorAll('input:checked')].map((c) => c.value);
  $('out').textContent = [$('name').value, $('city').value, ticked.join('+')].join('/');
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
INSTRUCTION = "Register 山田 from Tokyo with interests Music, Travel and Food"


@pytest.fixture
def pages(site):
    return (site.add("/v1", REGISTER.replace("{button}", "登録")),
            site.add("/v2", REGISTER.replace("{button}", "保存")))


@pytest.fixture
def skill(session, pages):
    runtime = Runtime(session)
    runtime.step(Goto(url=pages[0]))
    run = run_plan(runtime, DEMO)
    assert run.ok, run.error
    assert session.page.text_content("#out") == "山田/Tokyo/Music+Travel+Food"
    return compile_skill(INSTRUCTION, run.records, name="register")


def test_compile_turns_instruction_values_into_parameters(skill):
    assert skill.template == "Register {text} from {city} with interests {items}"
    assert [(p.name, p.is_list) for p in skill.params] == [
        ("text", False), ("city", False), ("items", True)]
    assert [s.repeat for s in skill.steps] == [None, None, "items", None]
    assert [s.role for s in skill.steps] == ["textbox", "combobox", "checkbox", "button"]
    assert not re.search(r"\be\d+\b", skill.model_dump_json())  # no refs, no CSS
    assert skill.match("Register 佐藤 from Kyoto with interests Sports and Music") == {
        "text": "佐藤", "city": "Kyoto", "items": ["Sports", "Music"]}
    assert skill.match("Delete everything") is None


def test_replay_with_new_parameters(session, pages, skill):
    runtime = Runtime(session)
    runtime.step(Goto(url=pages[0]))
    new = "Register 佐藤 from Kyoto with interests Sports and Music"
    report = replay_skill(runtime, skill, new)
    assert report.ok and report.repairs == []
    assert session.page.text_content("#out") == "佐藤/Kyoto/Music+Sports"
    assert [r.source for r in report.run.records] == ["skill"] * 6
    assert report.run.steps == 5


def test_skills_round_trip_through_json(skill, tmp_path):
    skill.save(tmp_path / "register.json")
    again = Skill.load(tmp_path / "register.json")
    assert again == skill
    actions = again.bind("Register 林 from Osaka with interests nothing")
    assert [a.action for a in actions] == ["type", "select", "click"]
    with pytest.raises(InvalidInput, match="does not fit skill 'register'"):
        again.bind("Book a flight to Osaka")


def test_layout_change_calls_the_fallback_and_records_the_repair(session, pages, skill):
    calls = []

    def model(instruction, snapshot, history):
        calls.append(history[-1].result["error_type"])
        assert 'button "保存"' in snapshot.text
        return Click(target="保存")

    recorder = MemoryRecorder()
    runtime = Runtime(session, recorder=recorder, wait_s=0.3)
    runtime.step(Goto(url=pages[1]))
    report = replay_skill(runtime, skill, INSTRUCTION, fallback=FunctionPolicy(model))
    assert report.ok, report.stopped
    assert calls == ["TargetNotFound"]
    assert [(r.kind, r.ok) for r in report.repairs] == [("relax_role", False), ("fallback", True)]
    assert report.repairs[-1].original["target"] == 'button "登録"'
    repaired = recorder.steps[-2]
    assert repaired.source == "fallback" and repaired.action["note"].startswith(
        "repair of skill step 6")
    assert session.page.text_content("#out") == "山田/Tokyo/Music+Travel+Food"


def test_without_a_fallback_replay_stops_with_a_clear_report(session, pages, skill):
    runtime = Runtime(session, wait_s=0.3)
    runtime.step(Goto(url=pages[1]))
    report = replay_skill(runtime, skill, INSTRUCTION)
    assert not report.ok
    assert report.stopped.startswith("Stopped at step 6/6 of skill 'register'")
    assert "Nothing on the page matches '登録'" in report.stopped
    assert "record a new one, or run with a fallback policy" in report.stopped
    assert isinstance(report.run.done, Done) and report.run.done.ok is False


def test_compile_from_a_trajectory_that_used_refs(session, pages):
    """A model acts by ref; the skill keeps the element's role and name instead."""
    runtime = Runtime(session)
    runtime.step(Goto(url=pages[0]))

    def by_ref(instruction, snapshot, history):
        if history:
            return Done(result="ok")
        return Click(target=next(n.ref for n in snapshot.nodes if n.name == "Travel"))

    run = run_task(runtime, FunctionPolicy(by_ref), "Tick Travel")
    skill = compile_skill("Tick Travel", run.records, name="tick")
    assert skill.steps[0].action["target"] == "{{target}}" and skill.steps[0].role == "checkbox"
    assert skill.bind("Tick Food")[0] == Click(target='checkbox "Food"')


def test_compile_plan_derives_globs_and_optional_clauses():
    skill = compile_plan('Enter an item that starts with "Ce" and ends with "lic".',
                         'type "Ce" into "Tags"\nclick "Central African Republic"\n'
                         'click "Submit"', name="autocomplete")
    both = skill.bind('Enter an item that starts with "Ang" and ends with "ola".')
    assert both[1].target == "Ang*ola" and both[1].match == "glob"
    short = skill.bind('Enter an item that starts with "Ru".')
    assert [a.action for a in short] == ["type", "click", "click"]
    assert short[0].text == "Ru" and short[1].target == "Ru*"


def test_free_slots_and_two_item_phrases():
    skill = compile_plan('Find the email by Gerta and forward that email to Marna.',
                         'click "Gerta"\nclick "Forward"\ntype "Marna" into "to:"', name="fwd")
    assert [p.is_list for p in skill.params] == [False, False, False]  # "X and Y" is no list
    actions = skill.bind("Find the email by Ann and forward that email to Bo.")
    assert [getattr(a, "target", None) for a in actions] == ["Ann", "forward", "to:"]
    numbered = compile_plan("Click the 3rd result for tea", 'click "tea"', name="n")
    assert numbered.match("Click the 7th result for coffee") == {"number": "7th",
                                                                  "target": "coffee"}


@pytest.mark.parametrize(("text", "items"), [
    ("A, B and C", ["A", "B", "C"]),
    ("A, B, and C", ["A", "B", "C"]),
    ("red or blue", ["red", "blue"]),
    ("りんご、みかん", ["りんご", "みかん"]),
    ("nothing", []),
    ("なし", []),
])
def test_split_list(text, items):
    assert split_list(text) == items
