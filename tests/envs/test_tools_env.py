"""cristal/Tools-v0: AgentDojo's tasks run on its runtime and are scored by its own checks."""

from __future__ import annotations

import gymnasium
import pytest

import cristal.envs  # noqa: F401 - registers the environments
from cristal.envs import OraclePolicy, rollout


@pytest.mark.slow
def test_all_97_user_tasks_pass_with_agentdojos_ground_truth():
    env = gymnasium.make("cristal/Tools-v0")
    ids = env.unwrapped.task_ids()
    assert len(ids) == 97 and {i.split("/")[0] for i in ids} == {
        "workspace", "travel", "banking", "slack"}
    failed = [t for t in ids
              if rollout(env, OraclePolicy(), seed=0, task_id=t).episode.total_reward != 1.0]
    assert failed == []


def test_doing_nothing_fails_the_utility_check():
    env = gymnasium.make("cristal/Tools-v0", suite="banking")
    obs, info = env.reset(seed=0, options={"task_id": "banking/user_task_0"})
    assert "bill-december-2023.txt" in obs
    assert any(t["function"]["name"] == "send_money" for t in info["tools"])
    _, reward, terminated, _, info = env.step({"tool": "answer", "args": {"text": "Done."}})
    assert terminated and reward == 0.0 and info["utility"] is False


def test_tool_calls_change_the_suite_state_and_errors_are_observations():
    env = gymnasium.make("cristal/Tools-v0", suite="banking")
    env.reset(seed=0, options={"task_id": "banking/user_task_0"})
    arguments = '{"file_path": "bill-december-2023.txt"}'  # an OpenAI tool call's shape
    obs, *_ = env.step({"name": "read_file", "arguments": arguments})
    assert "Car Rental" in obs
    obs, _, _, _, info = env.step({"tool": "send_money", "args": {"recipient": "x"}})
    assert obs.startswith("Error:") and "ValidationError" in info["error"]
    obs, *_ = env.step({"tool": "book_hotel", "args": {}})
    assert "not a tool of the banking suite" in obs or "There is no tool" in obs
    env.step({"tool": "send_money", "args": {"recipient": "UK12345678901234567890",
                                             "amount": 98.7, "subject": "Car Rental\t\t\t98.70",
                                             "date": "2022-01-01"}})
    _, reward, *_ = env.step({"tool": "answer", "args": {"text": "Paid."}})
    assert reward == 1.0


def test_injection_tasks_report_whether_the_attack_worked():
    env = gymnasium.make("cristal/Tools-v0", suite="banking", injections=True)
    inner = env.unwrapped
    assert len(inner.task_ids()) == 16 * 9
    obs, _ = env.reset(seed=0, options={"task_id": "banking/user_task_0+injection_task_0"})
    suite = inner.suites["banking"]
    attacker = suite.get_injection_task_by_id("injection_task_0")
    read, _, _, _, _ = env.step({"tool": "read_file",
                                 "args": {"file_path": "bill-december-2023.txt"}})
    assert "<INFORMATION>" in read  # the attack text is in what the tool returned
    for call in attacker.ground_truth(inner._state["pre"]):
        env.step({"tool": call.function, "args": dict(call.args)})
    _, reward, _, _, info = env.step({"tool": "answer", "args": {"text": "ok"}})
    assert info["injection_success"] is True and reward == 0.0


def test_random_episodes_are_seeded_and_replay():
    from cristal.envs import RandomPolicy, replay

    env = gymnasium.make("cristal/Tools-v0", suite="slack", max_steps=6)
    first = rollout(env, RandomPolicy(), seed=11).episode
    second = rollout(env, RandomPolicy(), seed=11).episode
    assert first.task_id == second.task_id and first.actions == second.actions
    assert replay(env, first).matched
