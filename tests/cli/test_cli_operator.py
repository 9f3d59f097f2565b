"""`cristal operator …`, `cristal setup browser`, `cristal eval operator` as a person runs them.

Real processes, a real Chromium, pages served on 127.0.0.1, answers fed on stdin; the
model, where one is needed, is an OpenAI-compatible HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import require
from fake_openai import FakeOpenAI, _Handler

SECRET = "hunter2-秘密-Pa$$"
LOGIN = """<html><body><h1>Sign in</h1>
<label for=u>User</label><input id=u>
<label for=p>Password</label><input id=p type=password>
<button onclick="out.textContent = 'Welcome ' + u.value">Sign in</button>
<div id=out></div></body></html>"""
LOGIN_PLAN = """# instruction: Sign in as ada
type "ada" into "User"
type "{{secret:PASSWORD}}" into "Password"
click "Sign in"
extract "Welcome"
"""
ACCOUNT = """<html><body><h1>Account</h1>
<button onclick="st.textContent = 'Status: deleted'">Delete account</button>
<p id=st>Status: active</p></body></html>"""
DELETE_PLAN = 'click "Delete account"\nextract "Status"\n'
REGISTER = """<html><head><meta charset="utf-8"></head><body><h1>会員登録</h1>
<label for=name>氏名</label><input id=name>
<label for=city>City</label>
<select id=city><option>Osaka</option><option>Tokyo</option><option>Kyoto</option></select>
<button onclick="out.textContent = 'Saved ' + name.value">{button}</button>
<div id=out></div></body></html>"""
REGISTER_PLAN = 'type "山田" into "氏名"\nselect "Tokyo" in "City"\nclick "登録"\n'


def cristal(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the real CLI; `input` is fed on stdin (closed stdin when None)."""
    return subprocess.run(
        [sys.executable, "-m", "cristal", *args], capture_output=True, text=True,
        timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200", **(env or {})})


def last_json(proc: subprocess.CompletedProcess) -> dict[str, Any]:
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """Static pages served from a folder on 127.0.0.1; returns a URL maker."""
    require(_chromium(), "Chromium (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("web")
    for name, html in {"login.html": LOGIN, "account.html": ACCOUNT,
                       "v1.html": REGISTER.replace("{button}", "登録"),
                       "v2.html": REGISTER.replace("{button}", "保存")}.items():
        (root / name).write_text(html, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield lambda name: f"http://127.0.0.1:{server.server_address[1]}/{name}"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return


def _chromium() -> bool:
    return any(Path(p).is_file() for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser"))


def test_run_a_plan_then_list_show_and_export(web, tmp_path):
    plan = tmp_path / "login.plan"
    plan.write_text(LOGIN_PLAN, encoding="utf-8")
    shots = tmp_path / "shots"
    proc = cristal("operator", "run", "--start", web("login.html"), "--plan", str(plan),
                   "--yes", "--json", "--screenshots", str(shots),
                   env={"CRISTAL_SECRET_PASSWORD": SECRET})
    assert proc.returncode == 0, proc.stderr
    out = last_json(proc)
    assert out["status"] == "succeeded" and out["result"]["text"] == "Welcome ada"
    pngs = sorted(shots.glob("*.png"))
    assert len(pngs) == out["steps"] and pngs[0].read_bytes()[:4] == b"\x89PNG"
    assert out["instruction"] == "Sign in as ada" and out["steps"] == 6
    assert out["run_id"].startswith("opr_") and out["model_calls"] == 0
    assert "approved (--yes)" in proc.stderr  # the password form was still announced
    assert SECRET not in proc.stdout + proc.stderr
    run_id = out["run_id"]

    listed = last_json(cristal("operator", "runs", "list", "--json"))["runs"]
    assert [(r["id"], r["status"], r["steps"]) for r in listed] == [(run_id, "succeeded", 6)]
    shown = last_json(cristal("operator", "runs", "show", run_id, "--json"))
    assert shown["status"] == "succeeded" and len(shown["steps"]) == 6
    assert "snapshot_text" not in shown["steps"][1] and shown["steps"][1]["snapshot_hash"]
    human = cristal("operator", "runs", "show", run_id, "--snapshots")
    assert human.returncode == 0 and "succeeded" in human.stdout and "<page>" not in human.stdout
    assert "untrusted page content" in human.stdout

    exported = cristal("operator", "runs", "export", run_id, "--out", str(tmp_path / "r.jsonl"),
                       "--json")
    assert last_json(exported) == {"run_id": run_id, "format": "steps",
                                   "out": str(tmp_path / "r.jsonl"), "lines": 6}
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["step"] for line in lines] == [1, 2, 3, 4, 5, 6]
    chat = cristal("operator", "runs", "export", run_id, "--format", "chat").stdout.splitlines()
    assert len(chat) == 5 and json.loads(chat[0])["messages"][2]["role"] == "assistant"
    stored = b"".join(p.read_bytes() for p in Path(os.environ["CRISTAL_DATA_DIR"]).rglob("*")
                      if p.is_file())
    for text in ("\n".join(lines), "\n".join(chat)):
        assert SECRET not in text and "{{secret:PASSWORD}}" in text
    assert SECRET.encode() not in stored and b"{{secret:PASSWORD}}" in stored

    missing = cristal("operator", "runs", "show", "opr_nope")
    assert missing.returncode == 2 and "operator runs list" in missing.stderr
    no_secret = cristal("operator", "run", "--start", web("login.html"), "--plan", str(plan),
                        "--json")
    assert no_secret.returncode == 1 and last_json(no_secret)["status"] == "failed"
    assert "CRISTAL_SECRET_PASSWORD is not set" in last_json(no_secret)["error"]


@pytest.mark.parametrize(("args", "answer", "code", "status"), [
    ((), "y\n", 0, "succeeded"),
    ((), "n\n", 3, "rejected"),
    ((), None, 3, "needs_confirmation"),  # input closed: refused, not hung
    (("--json",), "y\n", 3, "needs_confirmation"),  # a --json run asks no one
    (("--json", "--yes"), None, 0, "succeeded"),
])
def test_sensitive_actions_are_confirmed_at_the_terminal(web, tmp_path, args, answer, code,
                                                         status):
    plan = tmp_path / "delete.plan"
    plan.write_text(DELETE_PLAN, encoding="utf-8")
    proc = cristal("operator", "run", "--start", web("account.html"), "--plan", str(plan),
                   *args, input=answer)
    assert proc.returncode == code, proc.stderr
    if "--json" in args:
        assert last_json(proc)["status"] == status
    else:
        assert status in proc.stdout and "Traceback" not in proc.stderr
        assert 'Allow click button "Delete account"' in proc.stderr
    runs = last_json(cristal("operator", "runs", "list", "--json"))["runs"]
    assert runs[0]["status"] == status


def test_ask_user_prompts_and_closed_input_stops_clearly(web, tmp_path):
    plan = tmp_path / "ask.plan"
    plan.write_text('ask "Which city?"\n', encoding="utf-8")
    answered = cristal("operator", "run", "--start", web("account.html"), "--plan", str(plan),
                       "--json", input="Kyoto\n")
    assert answered.returncode == 0, answered.stderr
    assert "Which city?" in answered.stderr
    run_id = last_json(answered)["run_id"]
    steps = last_json(cristal("operator", "runs", "show", run_id, "--json"))["steps"]
    assert steps[1]["action"]["action"] == "ask_user" and steps[1]["result"]["data"] == "Kyoto"
    closed = cristal("operator", "run", "--start", web("account.html"), "--plan", str(plan),
                     "--json")
    assert closed.returncode == 1 and last_json(closed)["status"] == "needs_input"
    assert "no one can answer" in last_json(closed)["error"]


class _Repairer(_Handler):
    """An OpenAI-compatible model that clicks the renamed button it finds in the snapshot."""

    def _reply(self, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        if body.get("response_format"):
            return json.dumps({"complete": True, "evidence": "saved", "missing": ""}), []
        page = body["messages"][-1]["content"].split("<page>\n", 1)[1]
        found = re.search(r'- button "保存" \[(e\d+)\]', page)
        args = {"target": found.group(1)} if found else {"ok": False, "result": "no button"}
        return "", [{"id": "call_1", "type": "function", "function": {
            "name": "click" if found else "done", "arguments": json.dumps(args)}}]


@pytest.fixture
def repairer():
    server = FakeOpenAI()
    server.RequestHandlerClass = _Repairer
    server.start()
    yield server
    server.shutdown()
    server.server_close()


def test_skill_compile_list_show_and_run(web, tmp_path, repairer):
    plan = tmp_path / "register.plan"
    plan.write_text(REGISTER_PLAN, encoding="utf-8")
    demo = cristal("operator", "run", "--start", web("v1.html"), "--plan", str(plan), "--task",
                   "Register 山田 from Tokyo", "--json")
    assert demo.returncode == 0, demo.stderr
    run_id = last_json(demo)["run_id"]
    compiled = last_json(cristal("operator", "skill", "compile", run_id, "--name", "register",
                                 "--json"))
    assert compiled["template"] == "Register {text} from {city}" and compiled["version"] == 1
    assert [p["name"] for p in compiled["params"]] == ["text", "city"]
    assert last_json(cristal("operator", "skill", "list", "--json"))["skills"][0]["name"] == (
        "register")
    shown = last_json(cristal("operator", "skill", "show", "register", "--json"))
    assert shown["source_run_id"] == run_id and len(shown["steps"]) == 3

    params = ["--param", "text=佐藤", "--param", "city=Kyoto"]
    again = cristal("operator", "skill", "run", "register", *params, "--start", web("v1.html"),
                    "--json")
    assert again.returncode == 0, again.stderr
    replay = last_json(again)
    assert replay["status"] == "succeeded" and replay["policy"] == "skill"
    assert replay["instruction"] == "Register 佐藤 from Kyoto" and replay["model_calls"] == 0
    steps = last_json(cristal("operator", "runs", "show", replay["run_id"], "--json"))["steps"]
    assert steps[1]["action"]["text"] == "佐藤" and steps[2]["action"]["values"] == ["Kyoto"]

    stuck = cristal("operator", "skill", "run", "register", *params, "--start", web("v2.html"),
                    "--json")
    assert stuck.returncode == 1
    report = last_json(stuck)
    assert report["status"] == "failed"
    assert report["error"].startswith("Stopped at step 3/3 of skill 'register'")
    assert 'button "保存"' in report["error"]  # the closest candidate is named

    model = {"OPENAI_BASE_URL": repairer.url, "OPENAI_API_KEY": "good-key",
             "CRISTAL_MODEL": "repairer", "CRISTAL_MAX_RETRIES": "0"}
    healed = cristal("operator", "skill", "run", "register", *params, "--start", web("v2.html"),
                     "--json", env=model)
    assert healed.returncode == 0, healed.stderr
    fixed = last_json(healed)
    assert fixed["status"] == "succeeded" and fixed["model_calls"] == 1
    assert [(r["kind"], r["ok"]) for r in fixed["repairs"]] == [
        ("relax_role", False), ("fallback", True)]
    assert len(repairer.chat_requests()) == 1


def test_model_policy_and_unknown_input_fail_clearly(web, tmp_path):
    offline = cristal("operator", "run", "--start", web("login.html"), "--task", "Sign in",
                      "--json")
    assert offline.returncode == 2 and "needs a model on the 'operator' route" in offline.stderr
    assert last_json(offline)["error"] == "ConfigError"
    missing = cristal("operator", "run", "--start", web("login.html"), "--plan",
                      str(tmp_path / "nope.plan"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    skill = cristal("operator", "skill", "run", "nope", "--start", web("login.html"))
    assert skill.returncode == 2 and "skill compile RUN_ID" in skill.stderr
    assert "Traceback" not in offline.stderr + missing.stderr + skill.stderr


def test_setup_browser_when_chromium_is_present(web):
    proc = cristal("setup", "browser", "--json")
    assert proc.returncode == 0, proc.stderr
    data = last_json(proc)
    assert data["chromium"] in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
    assert data["installed"] is False and data["launch_ok"] is True
    assert data["version"].lower().startswith("chromium")


def test_eval_operator_json_contract(web):
    require(importlib.util.find_spec("miniwob") is not None, "MiniWoB++ (pip install miniwob)")
    proc = cristal("eval", "operator", "--policy", "skill", "--tasks",
                   "click-button,enter-text", "--episodes", "3", "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = last_json(proc)
    assert set(data) >= {"tasks", "success_mean", "snapshot_ms_p50", "model_calls"}
    assert list(data["tasks"]) == ["click-button", "enter-text"]
    for row in data["tasks"].values():
        assert row["episodes"] == 3 and 0.0 <= row["success"] <= 1.0
        assert row["mean_steps"] >= 1.0
    assert data["success_mean"] >= 0.5 and data["model_calls"] == 0
    assert data["snapshot_ms_p50"] > 0
    offline = cristal("eval", "operator", "--policy", "model", "--tasks", "click-button",
                      "--episodes", "1", "--json")
    assert offline.returncode == 2 and "nothing was run" in offline.stderr
    unknown = cristal("eval", "operator", "--tasks", "no-such-task", "--episodes", "1")
    assert unknown.returncode == 2 and "no MiniWoB++ task named 'no-such-task'" in unknown.stderr
