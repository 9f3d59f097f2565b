"""cristal/Operator-v0: MiniWoB++ pages and one's own app in real Chromium."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gymnasium
import pytest

import cristal.envs  # noqa: F401 - registers the environments
from cristal.envs import replay

pytestmark = pytest.mark.slow


def test_miniwob_episode_rewards_the_right_click_and_replays(chromium):
    env = gymnasium.make("cristal/Operator-v0", task="click-button", screenshot=True)
    try:
        obs, info = env.reset(seed=5)
        assert obs.startswith('Task: Click on the "submit" button.')
        assert info["screenshot"][:8] == b"\x89PNG\r\n\x1a\n"
        obs, reward, terminated, _, info = env.step('click "submit"')  # a plan line
        assert terminated and reward > 0 and info["success"]
        assert env.unwrapped.episode.actions == [
            {"tool": "click", "args": {"target": "submit", "match": "fuzzy"}}]
        again = replay(env, env.unwrapped.episode, compare_rewards=False)
        assert again.matched and again.rewards[0] > 0
        env.reset(seed=5)
        _, reward, terminated, _, _ = env.step({"action": "click", "target": "no"})
        assert terminated and reward <= 0
    finally:
        env.close()


class _App(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        page = (b"<html><body><h1>Expenses</h1><label>Amount <input id=amount></label>"
                b"<button onclick=\"document.body.dataset.saved=document.getElementById("
                b"'amount').value\">Save</button></body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)


def test_own_app_with_a_javascript_checker(chromium):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    env = gymnasium.make("cristal/Operator-v0", start_url=url, goal="File 2400 yen",
                         checker="document.body.dataset.saved === '2400'")
    try:
        obs, info = env.reset(seed=0)
        assert info["task_id"] == "app" and "Expenses" in obs
        _, reward, terminated, _, _ = env.step({"tool": "type", "args": {
            "target": "Amount", "text": "2400"}})
        assert reward == 0.0 and not terminated
        _, reward, terminated, _, _ = env.step({"tool": "click", "args": {"target": "Save"}})
        assert reward == 1.0 and terminated
    finally:
        env.close()
        server.shutdown()
        server.server_close()


def test_eval_run_with_the_skill_policy_in_parallel_browsers(chromium, make_app):
    from cristal.envs import run_eval

    run = run_eval(make_app(), "cristal/Operator-v0", policies=["skill", "random"],
                   tasks=["click-button"], episodes=3, concurrency=2,
                   env_kwargs={"tasks": ["click-button"]})
    skill, rand = run.summary["by_policy"]["skill"], run.summary["by_policy"]["random"]
    assert skill["episodes"] == rand["episodes"] == 3
    assert skill["success"] == 1.0 and skill["reward"] > rand["reward"]
