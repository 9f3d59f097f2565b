"""cristal/Research-v0: the Gymnasium contract, the reward rubric, determinism and replay."""

from __future__ import annotations

import gymnasium
import pytest

import cristal.envs  # noqa: F401 - registers the environments
from cristal.envs import obs_hash, replay
from cristal.errors import NotFound

from .conftest import EXAMPLES

REMOTE = "hr/remote-work-rules-hr07.txt"


@pytest.fixture
def env(make_app):
    env = gymnasium.make("cristal/Research-v0", set_dir=EXAMPLES, app=make_app())
    yield env
    env.close()


def _quote(env, doc: str, needle: str, size: int = 60) -> str:
    text = env.unwrapped.doc_text(doc)
    at = text.index(needle)
    return text[max(0, at - 10): at + size]


def test_gymnasium_loop_runs_an_episode(env):
    obs, info = env.reset(seed=3, options={"task_id": "ex-02"})
    assert info["task_id"] == "ex-02" and "work from home" in obs
    assert {t["function"]["name"] for t in info["tools"]} == {"search", "read", "answer"}
    obs, reward, terminated, truncated, info = env.step(
        {"tool": "search", "args": {"query": "在宅勤務 日数 手当"}})
    assert REMOTE in obs and reward == 0.0 and not terminated and not truncated
    obs, *_ = env.step({"tool": "read", "args": {"doc": REMOTE, "start": 0, "end": 200}})
    assert obs.startswith(f"{REMOTE} (chars 0-200 of ")
    text = env.unwrapped.doc_text(REMOTE)
    assert obs.endswith(text[:200])
    answer = {"tool": "answer", "args": {
        "text": "月10日まで在宅勤務でき、手当は日額300円です。",
        "citations": [{"doc": REMOTE, "quote": _quote(env, REMOTE, "月10日")},
                      {"doc": REMOTE, "quote": _quote(env, REMOTE, "日額300円")}]}}
    obs, reward, terminated, truncated, info = env.step(answer)
    assert terminated and not truncated and info["task_id"] == "ex-02"
    rubric = info["rubric"]
    assert rubric["fact_recall"] == 1.0 and rubric["citation_validity"] == 1.0
    assert reward == pytest.approx(1.0 - 2 * 0.02) and info["success"]


def test_rubric_rewards_verified_facts_and_refuses_credit_for_noise(env):
    env.reset(seed=1, options={"task_id": "ex-02"})
    fake = {"doc": REMOTE, "quote": "月10日、手当は日額300円（この文は文書にない）"}
    _, reward, _, _, info = env.step({"tool": "answer", "args": {
        "text": "月10日、日額300円", "citations": [fake]}})
    assert info["rubric"]["citation_validity"] == 0.0 and reward == pytest.approx(0.6)
    env.reset(seed=1, options={"task_id": "ex-02"})
    real = _quote(env, REMOTE, "第1条")  # a true quote that holds none of the facts
    _, reward, _, _, info = env.step({"tool": "answer", "args": {
        "text": real, "citations": [{"doc": REMOTE, "quote": real}]}})
    assert info["rubric"]["citation_validity"] == 1.0 and reward == 0.0
    env.reset(seed=1, options={"task_id": "ex-02"})
    _, reward, _, _, _ = env.step({"tool": "answer", "args": {"text": "", "not_found": True}})
    assert reward == 0.0


def test_not_found_is_right_for_unanswerable_questions(env):
    unanswerable = [t for t, q in env.unwrapped.questions.items() if not q["answerable"]]
    assert unanswerable
    env.reset(seed=0, options={"task_id": unanswerable[0]})
    env.step({"tool": "search", "args": {"query": "annual fee"}})
    _, reward, _, _, info = env.step({"tool": "answer", "args": {"text": "見つかりません"}})
    assert info["rubric"]["not_found"] and reward == pytest.approx(1.0 - 0.02)
    env.reset(seed=0, options={"task_id": unanswerable[0]})
    _, reward, _, _, _ = env.step({"tool": "answer", "args": {"text": "It is ¥5,000."}})
    assert reward == 0.0


def test_bad_actions_are_observations_and_steps_run_out(make_app):
    env = gymnasium.make("cristal/Research-v0", set_dir=EXAMPLES, app=make_app(), max_steps=3)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("not json")
    assert obs.startswith("Error:") and reward == 0.0 and not terminated and "error" in info
    obs, *_ = env.step({"tool": "read", "args": {"doc": "../../etc/passwd"}})
    assert "no document" in obs
    obs, _, terminated, truncated, _ = env.step({"tool": "delete_everything", "args": {}})
    assert "There is no tool" in obs and truncated and not terminated
    with pytest.raises(Exception, match="ended"):
        env.step({"tool": "search", "args": {"query": "x"}})
    with pytest.raises(NotFound):
        env.reset(options={"task_id": "no-such-question"})
    env.close()


def test_same_seed_same_task_and_episode_replays(env):
    first = [env.reset(seed=s)[1]["task_id"] for s in range(6)]
    assert first == [env.reset(seed=s)[1]["task_id"] for s in range(6)]
    assert len(set(first)) > 1  # the seed picks the task
    obs, _ = env.reset(seed=42)
    for _ in range(4):
        obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            break
    episode = env.unwrapped.episode
    assert episode.seed == 42 and episode.steps >= 1
    assert episode.observation_hashes[-1] == obs_hash(obs)
    result = replay(env, episode)
    assert result.matched and result.rewards == episode.rewards
    tampered = episode.to_dict()
    tampered["observation_hashes"] = ["0" * 16] + tampered["observation_hashes"][1:]
    assert replay(env, tampered).first_mismatch == 0


def test_reset_without_a_seed_records_the_one_that_replays(env):
    env.reset(seed=7)
    env.reset()
    episode = env.unwrapped.episode
    env.step({"tool": "search", "args": {"query": "fee"}})
    assert replay(env, env.unwrapped.episode).matched
    assert episode.seed != 7


def test_module_prefix_imports_the_package():
    import subprocess
    import sys

    code = ("import gymnasium; env = gymnasium.make('cristal.envs:cristal/Research-v0', "
            f"set_dir={str(EXAMPLES)!r}, db_url='sqlite:///' + sys.argv[1]); "
            "print(env.reset(seed=0)[1]['task_id'])")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", "import sys; " + code, f"{tmp}/c.db"],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().startswith("ex-")
