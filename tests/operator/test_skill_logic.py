"""Task logic in plans and written skills (issue 12, item 23): `if`, `until`, `pick`, filters.

A local flight-search page stands in for MiniWoB's book-flight: cards that end with
their "Book" button, prices in the button, durations in the card, and a month picker
that only steps back one month at a time.
"""

from __future__ import annotations

import pytest

from cristal.errors import InvalidInput
from cristal.operator import (
    Goto,
    MemoryRecorder,
    Runtime,
    SkillPolicy,
    TargetNotFound,
    parse_plan,
    run_plan,
    run_task,
)
from cristal.operator._compile import written_skill
from cristal.operator._pick import Pick, choose

FLIGHTS = """<html><body><h1>Flights</h1>
<div><span id=month>December 2016</span><a class=prev title="Prev" onclick="back()">Prev</a>
</div><script>
function back() {
  const m = ['October', 'November', 'December'], i = m.indexOf(month.textContent.split(' ')[0]);
  if (i > 0) month.textContent = m[i - 1] + ' 2016';
}
</script>
<div class=card><p>Depart: 9:05 AM</p><p>Duration: 3h 10m</p>
<button onclick="out.textContent='booked A'">Book flight for $420</button></div>
<div class=card><p>Depart: 11:44 PM</p><p>Duration: 1h 47m</p>
<button onclick="out.textContent='booked B'">Book flight for $1,010</button></div>
<div class=card><p>Depart: 6:00 AM</p><p>Duration: 2h 5m</p>
<button onclick="out.textContent='booked C'">Book flight for $388</button></div>
<p id=out>nothing booked</p></body></html>"""

SKILL = """# instruction: Book the cheapest flight in 11/2016.
# pattern: Book the (?P<goal>cheapest|shortest) flight in (?P<month>\\d+)/(?P<year>\\d{4})\\.
click "Prev" until "{{month|month}} {{year}}"
if goal = "cheapest": click "Book flight for *" glob pick lowest price
if goal = "shortest": click "Book flight for *" glob pick lowest duration after "Duration"
"""


@pytest.mark.parametrize(("instruction", "month", "booked"), [
    ("Book the cheapest flight in 11/2016.", "November 2016", "booked C"),
    ("Book the shortest flight in 10/2016.", "October 2016", "booked B"),
    ("Book the cheapest flight in 12/2016.", "December 2016", "booked C"),  # already there
])
def test_a_written_skill_branches_repeats_and_picks(session, site, instruction, month, booked):
    skill = written_skill(SKILL, name="book")
    assert skill.template == "Book the {goal} flight in {month}/{year}."
    assert [p.name for p in skill.params] == ["goal", "month", "year"]
    recorder = MemoryRecorder()
    runtime = Runtime(session, recorder=recorder)
    runtime.step(Goto(url=site.add("/flights", FLIGHTS)))
    run = run_task(runtime, SkillPolicy([skill]), instruction, max_steps=10)
    assert run.done is not None and run.done.ok, run.stopped
    assert runtime.page.text_content("#month") == month
    assert runtime.page.text_content("#out") == booked
    picked = recorder.steps[-2]
    assert picked.action["note"].startswith("lowest ") and picked.target["role"] == "button"


def test_a_plan_runs_the_same_logic_with_parameters(session, site):
    runtime = Runtime(session)
    runtime.step(Goto(url=site.add("/flights", FLIGHTS)))
    plan = parse_plan(SKILL, {"goal": "shortest", "month": "10", "year": "2016"})
    assert len(plan.steps) == 2 and plan.logic  # the `cheapest` line is left out
    run = run_plan(runtime, plan)
    assert run.ok, run.error
    assert runtime.page.text_content("#out") == "booked B"
    assert runtime.page.text_content("#month") == "October 2016"


def test_pick_says_why_it_cannot_choose(session, site):
    session.page.goto(site.add("/flights", FLIGHTS))
    snap = Runtime(session).snapshot()
    plan = parse_plan('click "Book flight for *" glob pick lowest duration')
    with pytest.raises(TargetNotFound, match="Could not read one duration"):  # times look alike
        choose(snap, plan.steps[0].action, plan.steps[0].pick)
    ref, value = choose(snap, plan.steps[0].action, Pick(by="max", key="price"))
    assert value == 1010.0 and snap.node(ref).name == "Book flight for $1,010"


def test_an_until_that_never_shows_gives_up(session, site):
    runtime = Runtime(session)
    runtime.step(Goto(url=site.add("/flights", FLIGHTS)))
    run = run_plan(runtime, 'click "Prev" until "March 2016"\n')
    assert not run.ok and "did not show after 24 tries" in run.error


def test_written_skill_errors_are_clear():
    with pytest.raises(InvalidInput, match="does not match its own example"):
        written_skill("# instruction: Book now\n# pattern: Pay (?P<x>.+)\nclick \"A\"\n",
                      name="x")
    with pytest.raises(InvalidInput, match="needs '# pattern: REGEX'"):
        written_skill('click "A"\n', name="x")
    with pytest.raises(InvalidInput, match="Unknown filter"):
        parse_plan('type "{{a|shout}}" into "B"', {"a": "x"})


def test_a_stored_plan_run_has_room_for_its_repeats(tmp_path, sqlite_url, browser, site):
    from cristal.operator import RunRequest

    from .doubles import make_app, run

    app = make_app(tmp_path, sqlite_url, None)
    plan = 'click "Prev" until "October 2016"\nextract "2016"\n'
    outcome = run(app, browser, RunRequest(start_url=site.add("/flights", FLIGHTS),
                                           policy="plan", plan=plan, instruction="Go back"))
    assert outcome.status == "succeeded", outcome.error
    assert outcome.result["text"] == "October 2016" and outcome.steps == 5  # start, 2 x Prev, …
    app.close()
