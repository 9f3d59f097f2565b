"""Remote environments: `create_app` served by uvicorn on 127.0.0.1, driven by `RemoteEnv`."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from cristal.envs import RemoteEnv, create_app
from cristal.errors import InvalidInput, NotFound

from .conftest import EXAMPLES


@pytest.fixture
def server(make_app):
    app = make_app()
    api = create_app(defaults={"cristal/Research-v0": {"set_dir": str(EXAMPLES)}}, app=app,
                     max_sessions=3)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(url + "/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)


def test_remote_episode_has_the_gymnasium_api_and_openenv_shape(server):
    env = RemoteEnv(server, "cristal/Research-v0")
    obs, info = env.reset(seed=3, options={"task_id": "ex-02"})
    assert info["task_id"] == "ex-02" and "work from home" in obs
    assert "search" in env.action_space.tools
    obs, reward, terminated, truncated, info = env.step(
        {"tool": "search", "args": {"query": "在宅勤務 手当"}})
    assert "remote-work-rules" in obs and reward == 0.0 and not terminated
    state = env.state()
    assert state["step_count"] == 1 and state["episode_id"] == env.episode_id
    schema = httpx.get(server + "/schema", params={"episode_id": env.episode_id}).json()
    assert [t["function"]["name"] for t in schema["action"]["tools"]] == [
        "search", "read", "answer"]
    _, reward, terminated, _, info = env.step({"tool": "answer", "args": {
        "text": "月10日、日額300円"}})
    assert terminated and reward == pytest.approx(0.6 - 0.02) and info["rubric"]
    raw = httpx.post(server + "/step", json={"episode_id": env.episode_id,
                                             "action": {"tool": "search", "args": {}}})
    assert raw.status_code == 400 and "ended" in raw.json()["message"]
    env.close()


def test_many_sessions_at_once_and_a_capacity_limit(server):
    def episode(seed: int) -> tuple[str, float]:
        env = RemoteEnv(server, "cristal/Research-v0")
        try:
            _, info = env.reset(seed=seed)
            env.step({"tool": "search", "args": {"query": "fee"}})
            _, reward, terminated, _, _ = env.step({"tool": "answer", "args": {"text": "x"}})
            assert terminated
            return info["task_id"], reward
        finally:
            env.close()

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(episode, range(6)))
    assert len(results) == 6
    held = [RemoteEnv(server, "cristal/Research-v0") for _ in range(3)]
    for env in held:
        env.reset(seed=0)
    with pytest.raises(InvalidInput, match="sessions are open"):
        RemoteEnv(server, "cristal/Research-v0").reset(seed=0)
    for env in held:
        env.close()
    assert httpx.get(server + "/health").json()["sessions"] == 0


def test_unknown_sessions_and_environments_are_clear_errors(server):
    assert httpx.get(server + "/state", params={"episode_id": "nope"}).status_code == 404
    with pytest.raises(NotFound):
        RemoteEnv(server, "cristal/Nothing-v0").reset()
    assert "cristal/Tools-v0" in httpx.get(server + "/envs").json()["envs"]


@pytest.mark.slow
def test_browser_sessions_stay_on_their_own_thread(server, chromium):
    envs = [RemoteEnv(server, "cristal/Operator-v0", task="click-button") for _ in range(2)]
    try:
        for seed, env in enumerate(envs):
            obs, _ = env.reset(seed=seed)
            assert obs.startswith("Task: Click on the")
        for env in envs:  # interleaved steps on two browsers, each on its session's thread
            target = env.state()["task_id"]
            assert target == "click-button"
        rewards = []
        for env in envs:
            obs, info = env.reset(seed=5)
            _, reward, terminated, _, _ = env.step('click "submit"')
            rewards.append(reward)
            assert terminated
        assert all(r > 0 for r in rewards)
    finally:
        for env in envs:
            env.close()
