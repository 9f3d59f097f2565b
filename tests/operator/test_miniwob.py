"""MiniWoB++ harness smoke tests: seeded episodes, demonstrations, the skill policy, reports."""

from __future__ import annotations

import importlib.util
import re

import pytest

from conftest import require
from cristal.operator import (
    DEMOS_DIR,
    Click,
    Done,
    FunctionPolicy,
    MiniWobTask,
    SkillPolicy,
    demo_skills,
    evaluate,
    list_tasks,
    skill_from_demo,
)

DEMOS = DEMOS_DIR
SMOKE = ["click-checkboxes", "use-autocomplete", "navigate-tree", "email-inbox-forward"]


@pytest.fixture(scope="module")
def miniwob_browser(browser):
    require(importlib.util.find_spec("miniwob") is not None, "MiniWoB++ (pip install miniwob)")
    return browser


def test_tasks_are_listed_and_episodes_are_seeded(miniwob_browser):
    assert {"click-button", "book-flight", "email-inbox"} <= set(list_tasks())
    with miniwob_browser.new_session() as session:
        task = MiniWobTask(session.page, "click-checkboxes")
        task.open()
        first = task.reset(7)
        assert first.startswith("Select ") and task.reset(7) == first
        assert task.status()["done"] is False
        task.finish()
        assert task.status() == {"done": True, "reward": 0, "raw": 0, "reason": None}


def test_every_demonstration_solves_its_episode_and_compiles(miniwob_browser):
    plans = sorted(DEMOS.glob("*.plan"))
    assert len(plans) >= 15
    for path in plans:
        skill = skill_from_demo(miniwob_browser, path)
        assert skill.task == path.stem and skill.steps, path.stem
        assert not re.search(r"\be\d+\b", skill.model_dump_json()), path.stem


def test_skill_policy_generalises_to_fresh_episodes(miniwob_browser):
    skills = demo_skills(miniwob_browser, DEMOS, SMOKE)
    report = evaluate(SMOKE, lambda task: SkillPolicy([skills[task]]), episodes=3,
                      browser=miniwob_browser)
    data = report.to_dict()
    assert set(data) >= {"tasks", "success_mean", "snapshot_ms_p50", "model_calls"}
    for task in SMOKE:
        assert data["tasks"][task]["success"] == 1.0, report.failures()
        assert data["tasks"][task]["episodes"] == 3 and data["tasks"][task]["mean_steps"] >= 1
    assert data["success_mean"] == 1.0 and data["model_calls"] == 0
    assert data["snapshot_ms_p50"] <= 50
    seeds = {e.seed for e in report.episodes}
    assert seeds == {10_000, 10_001, 10_002}  # demonstrations use seeds below 1000


def test_any_policy_plugs_into_the_harness(miniwob_browser):
    def reader(instruction, snapshot, history):
        """A scripted stand-in for a model: reads the instruction, acts by description."""
        if history:
            return Done(result="clicked")
        return Click(target=re.search(r'"(.+)"', instruction).group(1))

    report = evaluate(["click-button"], FunctionPolicy(reader), episodes=3,
                      browser=miniwob_browser, policy_name="scripted")
    assert report.to_dict()["tasks"]["click-button"]["success"] == 1.0
    assert report.to_dict()["policy"] == "scripted"


def test_an_instruction_no_skill_fits_is_reported(miniwob_browser):
    skills = demo_skills(miniwob_browser, DEMOS, ["enter-date"])
    report = evaluate(["click-button"], SkillPolicy([skills["enter-date"]]), episodes=1,
                      browser=miniwob_browser)
    failure = report.failures()[0]
    assert failure["stopped"].startswith("Stopped: no skill fits this instruction")
