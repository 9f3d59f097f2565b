"""Our own Operator drives the console, with plans and no model (issue 14, item 5): it signs
in, asks a research question and reads the cited answer, then, as an approver, approves a
waiting run. The Operator finds every control by its role and accessible name or label, so
this also shows the pages are operable by assistive tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from console_runs import until, waiting_runs
from cristal.app import research
from cristal.app import workflows as uc

ASK = """# instruction: Ask the console who approves expense claims
type "{{secret:CONSOLE_KEY}}" into "API key"
click "Sign in with key"
click "Research"
type "Who approves expense claims?" into "Question"
click "Ask"
wait_for "Sources"
extract "line manager"
"""

APPROVE = """# instruction: Approve the waiting expense claim
type "{{secret:CONSOLE_KEY}}" into "API key"
click "Sign in with key"
click "Approvals"
type "Checked against the receipt" into "Comment"
click "Approve"
wait_for "You approved run"
"""


def _operate(console, tmp_path, who: str, plan: str, name: str) -> dict:
    plan_file = tmp_path / f"{name}.plan"
    plan_file.write_text(plan, encoding="utf-8")
    env = {**os.environ, "CRISTAL_SECRET_CONSOLE_KEY": console.keys[who],
           "CRISTAL_DATA_DIR": str(tmp_path / f"operator-{name}")}
    done = subprocess.run(
        [sys.executable, "-m", "cristal", "operator", "run", "--start",
         f"{console.url}/signin", "--plan", str(plan_file), "--yes", "--json",
         "--screenshots", str(tmp_path / f"shots-{name}")],
        env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert console.keys[who] not in done.stdout + done.stderr  # the key is never shown
    return result


@pytest.mark.slow
def test_the_operator_asks_a_question_and_approves_a_run_in_the_console(console, tmp_path):
    asked = _operate(console, tmp_path, "member", ASK, "ask")
    assert asked["status"] == "succeeded"
    assert "line manager" in json.dumps(asked["result"])
    world = console.world
    asked_by_alice = [s.question for s in research.sessions(world.app, world.alice)]
    assert "Who approves expense claims?" in asked_by_alice
    with waiting_runs(console, "taxi to the client") as (run_id,):
        approved = _operate(console, tmp_path, "approver", APPROVE, "approve")
        assert approved["status"] == "succeeded"
        view = until(world.app, world.admin, run_id, "succeeded")
        assert view.status == "succeeded"
        decision = uc.run(world.app, world.admin, run_id).steps[0].output
        assert decision["by"] == "paula" and decision["comment"] == "Checked against the receipt"
