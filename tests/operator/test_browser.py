"""The browser: Debian Chromium, a clear error when it is missing, and a human takeover port."""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest

import cristal.operator as operator
from conftest import require
from cristal.errors import ConfigError, InvalidInput
from cristal.operator import Browser, BrowserNotFound, find_chromium

from .conftest import chromium_available


def test_public_names_are_pinned():
    assert sorted(operator.__all__) == [
        "Action",
        "ActionFailed",
        "ActionRejected",
        "ActionResult",
        "AllowList",
        "AnswerRequired",
        "Approvals",
        "AskUser",
        "BlockedRequest",
        "Browser",
        "BrowserNotFound",
        "CHROMIUM_ARGS",
        "Candidate",
        "Check",
        "Click",
        "ConfirmationRequest",
        "ConfirmationRequired",
        "Confirmer",
        "DEFAULT_SENSITIVE_WORDS",
        "DEMOS_DIR",
        "DemoStep",
        "DomainBlocked",
        "Done",
        "EXPORT_FORMATS",
        "Effect",
        "EpisodeResult",
        "EvalReport",
        "Extract",
        "FlowGuard",
        "FunctionPolicy",
        "Goto",
        "GuardPolicy",
        "Hover",
        "JsonlRecorder",
        "MemoryRecorder",
        "MiniWobTask",
        "ModelPolicy",
        "Node",
        "OutsideTaskFolder",
        "Pick",
        "Plan",
        "PlanPolicy",
        "PlanRun",
        "PlanStep",
        "PlanSyntaxError",
        "Policy",
        "Press",
        "Query",
        "Recorder",
        "Repair",
        "ReplayReport",
        "Resolution",
        "RunHooks",
        "RunOutcome",
        "RunRequest",
        "RunSummary",
        "Runtime",
        "SECRET_PREFIX",
        "STOP_STATUSES",
        "SYSTEM_PROMPT",
        "Scroll",
        "SecretMask",
        "SecretRefused",
        "SecretResolver",
        "SecretScope",
        "Select",
        "Session",
        "Skill",
        "SkillParam",
        "SkillPolicy",
        "SkillStep",
        "Snapshot",
        "StepRecord",
        "StoreRecorder",
        "TakenOver",
        "TargetNotFound",
        "TaskRun",
        "Type",
        "Uncheck",
        "Upload",
        "Verdict",
        "WaitFor",
        "action_schema",
        "action_tools",
        "build_messages",
        "compile_plan",
        "compile_run",
        "compile_skill",
        "demo_skills",
        "evaluate",
        "export_lines",
        "find_chromium",
        "finish_run",
        "get_run",
        "get_skill",
        "list_runs",
        "list_skills",
        "list_tasks",
        "locate",
        "miniwob_dir",
        "operate",
        "parse_action",
        "parse_plan",
        "parse_target",
        "predict",
        "refused_step",
        "replay_skill",
        "resolve",
        "review",
        "run_episode",
        "run_plan",
        "run_records",
        "run_task",
        "save_skill",
        "secret_from_env",
        "skill_from_demo",
        "skill_instruction",
        "split_list",
        "start_run",
        "take_snapshot",
        "written_skill",
    ]
    assert all(getattr(operator, name) is not None for name in operator.__all__)


def test_action_schema_lists_every_action():
    schema = operator.action_schema()
    names = sorted(schema["$defs"])
    assert names == ["AskUser", "Check", "Click", "Done", "Extract", "Goto", "Hover", "Press",
                     "Scroll", "Select", "Type", "Uncheck", "Upload", "WaitFor"]
    assert schema["discriminator"]["propertyName"] == "action"
    action = operator.parse_action('{"action": "click", "target": "Submit"}')
    assert action == operator.Click(target="Submit")
    with pytest.raises(InvalidInput, match="Not a valid operator action"):
        operator.parse_action({"action": "type", "target": "Name"})


def test_a_missing_chromium_says_how_to_install_it(tmp_path):
    with pytest.raises(BrowserNotFound) as err:
        find_chromium(tmp_path / "no-chromium")
    assert "apt-get install -y chromium" in err.value.message
    assert "cristal setup browser" in err.value.message
    assert isinstance(err.value, ConfigError) and err.value.exit_code == 2
    with pytest.raises(BrowserNotFound):
        Browser(executable=tmp_path / "no-chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_debug_port_lets_a_person_take_over(site):
    require(chromium_available(), "Chromium (apt-get install -y chromium)")
    port = _free_port()
    with Browser(debug_port=port) as browser, browser.new_session() as session:
        session.page.goto(site.add("/takeover", "<title>Takeover</title><h1>Hello</h1>"))
        info = browser.takeover_info()
        assert info["endpoint"] == f"http://127.0.0.1:{port}" == browser.cdp_endpoint
        assert info["websocket"].startswith(f"ws://127.0.0.1:{port}/devtools/browser/")
        with urllib.request.urlopen(f"{browser.cdp_endpoint}/json/list", timeout=5) as resp:
            targets = json.load(resp)
        assert any(t.get("title") == "Takeover" for t in targets)


def test_takeover_needs_a_debug_port(browser):
    with pytest.raises(ConfigError, match="debug_port"):
        browser.takeover_info()
