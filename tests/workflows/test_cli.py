"""The workflow commands as a person runs them: real processes, exit codes, JSON contracts."""

from __future__ import annotations

from pathlib import Path

import pytest
from wfkit import Receiver, Worker, base_env, cli, last_json, wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "workflows" / "triage.yaml"


@pytest.fixture
def env(tmp_path):
    return base_env(f"sqlite:///{tmp_path / 'cristal.db'}", tmp_path / "data")


@pytest.fixture
def example(tmp_path):
    """The README example, pointed at a receiver on a free port."""
    receiver = Receiver().start()
    path = tmp_path / "triage.yaml"
    path.write_text(EXAMPLE.read_text().replace("http://127.0.0.1:8099", receiver.url))
    yield path, receiver
    receiver.stop()


def test_readme_example_runs_offline_to_completion(env, example):
    spec, receiver = example
    ok = cli(env, "workflow", "validate", str(spec), "--json")
    assert ok.returncode == 0 and last_json(ok)["steps"][0] == {"id": "classify",
                                                                 "type": "model"}
    proc = cli(env, "workflow", "run", str(spec), "--input", "ticket=My order arrived broken",
               "--input", "amount=40", "--wait", "--json")
    assert proc.returncode == 0, proc.stderr
    result = last_json(proc)
    assert list(result)[:3] == ["run_id", "status", "outputs"]
    assert result["status"] == "succeeded"
    assert result["outputs"] == {"label": "refund", "notified": True}
    [request] = receiver.requests
    assert request["key"] == f"{result['run_id']}/notify"
    assert request["body"]["approved_by"] == "auto"
    shown = last_json(cli(env, "runs", "show", result["run_id"], "--json"))
    assert {k: shown[k] for k in ("run_id", "status", "outputs")} == result
    steps = {s["id"]: s for s in shown["steps"]}
    assert steps["classify"]["meta"]["fallback"] is True
    assert steps["research"]["status"] == "skipped" and steps["approve"]["status"] == "skipped"
    assert steps["notify"]["duration_ms"] is not None
    listed = last_json(cli(env, "runs", "list", "--status", "succeeded", "--json"))
    assert [r["run_id"] for r in listed["runs"]] == [result["run_id"]]
    human = cli(env, "runs", "show", result["run_id"])
    assert "offline fallback" in human.stdout and "notified: true" in human.stdout


def test_bad_specs_are_refused_before_anything_runs(env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("type: approval", "type: aproval")
                   .replace("inputs.amount }} EUR", "inputs.amout }} EUR"))
    proc = cli(env, "workflow", "run", str(bad), "--input", "ticket=x", "--wait")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = bad.read_text().splitlines().index("    type: aproval") + 1
    assert f"bad.yaml:{line}: steps[2].type: unknown step type 'aproval'" in proc.stderr
    as_json = cli(env, "workflow", "validate", str(bad), "--json")
    assert as_json.returncode == 2 and last_json(as_json)["error"] == "SpecError"
    assert {e["field"] for e in last_json(as_json)["errors"]} == {"steps[2].type"}
    missing = cli(env, "workflow", "run", str(EXAMPLE), "--wait")
    assert missing.returncode == 2 and "input `ticket` (string) is required" in missing.stderr
    assert last_json(cli(env, "runs", "list", "--json")) == {"runs": []}


def test_wait_hands_a_waiting_run_to_a_worker(env, example, tmp_path):
    spec, receiver = example
    proc = cli(env, "workflow", "run", str(spec), "-i", "ticket=Refund please", "-i",
               "amount=250", "--key", "ticket-42", "--wait", "--json")
    assert proc.returncode == 0, proc.stderr
    waiting = last_json(proc)
    assert waiting["status"] == "waiting" and waiting["waiting"]["step"] == "approve"
    assert waiting["outputs"] == {"classify": {"label": "refund", "needs_research": False}}
    again = last_json(cli(env, "workflow", "run", str(spec), "-i", "ticket=Refund please",
                          "-i", "amount=250", "--key", "ticket-42", "--json"))
    assert again["run_id"] == waiting["run_id"]  # same key, same run
    carol = {**env, "CRISTAL_IDENTITY__USER": "carol", "CRISTAL_IDENTITY__GROUPS": '["finance"]'}
    rejected = cli(carol, "approve", waiting["run_id"], "approve", "--reject", "--comment",
                   "no receipt", "--by", "carol", "--json")
    assert last_json(rejected)["decision"] == "rejected"
    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_until(lambda: last_json(cli(env, "runs", "show", waiting["run_id"], "--json"))[
            "status"] == "failed", 60, "the rejected run to end")
    finally:
        worker.stop()
    shown = last_json(cli(env, "runs", "show", waiting["run_id"], "--json"))
    assert "rejected by carol: no receipt" in shown["error"]
    assert receiver.requests == []
    retried = cli(env, "runs", "retry", waiting["run_id"], "--json")
    assert retried.returncode == 0 and last_json(retried)["run_id"] != waiting["run_id"]
    assert cli(env, "runs", "cancel", "nope").returncode == 2


def test_schedule_commands(env, example):
    spec, _ = example
    added = cli(env, "schedule", "add", "nightly", str(spec), "--cron", "0 2 * * *",
                "--input", "ticket=batch", "--timezone", "Asia/Tokyo", "--json")
    assert added.returncode == 0, added.stderr
    assert last_json(added)["workflow"] == "triage" and last_json(added)["tenant"] == "default"
    assert cli(env, "schedule", "add", "x", str(spec), "--cron", "never").returncode == 2
    assert last_json(cli(env, "schedule", "pause", "nightly", "--json"))["status"] == "paused"
    listed = last_json(cli(env, "schedule", "list", "--json"))["schedules"]
    assert [(s["name"], s["cron"], s["timezone"]) for s in listed] == [
        ("nightly", "0 2 * * *", "Asia/Tokyo")]
    assert cli(env, "schedule", "remove", "nightly").returncode == 0
    assert last_json(cli(env, "schedule", "list", "--json")) == {"schedules": []}
