"""Stored trajectories and skills on SQLite and PostgreSQL: runs, steps, export, versions."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cristal.errors import InvalidInput, NotFound
from cristal.governance import get_tenant
from cristal.operator import (
    MemoryRecorder,
    Recorder,
    RunHooks,
    RunRequest,
    StoreRecorder,
    compile_run,
    export_lines,
    get_run,
    get_skill,
    list_runs,
    list_skills,
    run_records,
    save_skill,
)

from .doubles import make_app, run

LOGIN = """<html><body><h1>Sign in</h1>
<label for=u>User</label><input id=u>
<label for=p>Password</label><input id=p type=password>
<label for=t>API token</label><input id=t oninput="echo.textContent = 'Token: ' + this.value">
<div id=echo></div>
<button onclick="done.textContent = 'Signed in as ' + u.value">Sign in</button>
<div id=done></div></body></html>"""
PLAN = """# instruction: Sign in as ada
type "ada" into "User"
type "{{secret:PASSWORD}}" into "Password"
type "{{secret:API_TOKEN}}" into "API token"
extract "Token:"
click "Sign in"
extract "Signed in as"
"""
SECRETS = {"PASSWORD": "hunter2-Pa$$", "API_TOKEN": "tok-秘密-9f8e7d"}


def _dump(store) -> str:
    """Every operator row, as text."""
    with store.read() as conn:
        rows = [dict(r._mapping) for table in ("operator_runs", "operator_steps")
                for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    return json.dumps(rows, ensure_ascii=False, default=str)


def test_runs_and_steps_are_stored_and_secrets_never_are(db_url, tmp_path, browser, site):
    app = make_app(tmp_path, db_url, None)
    tenant = get_tenant(app.store, "default")
    asked = []
    hooks = RunHooks(confirm=lambda request: asked.append(request) or True,
                     secrets=lambda name, host: SECRETS[name])
    outcome = run(app, browser, RunRequest(start_url=site.add("/login", LOGIN), policy="plan",
                                           plan=PLAN), hooks)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.result["text"] == "Signed in as ada" and outcome.steps == 8
    assert len(asked) == 1 and "password field" in asked[0].prompt()

    [summary] = list_runs(app.store, tenant.id)
    assert (summary.id, summary.status, summary.steps, summary.policy) == (
        outcome.id, "succeeded", 8, "plan")
    assert summary.instruction == "Sign in as ada" and summary.finished_at is not None
    assert list_runs(app.store, tenant.id, status="failed") == []
    row = get_run(app.store, tenant.id, outcome.id)
    assert row["result"] == outcome.result and row["meta"]["allow"] == "127.0.0.1"

    steps = run_records(app.store, outcome.id)
    assert [s.step for s in steps] == list(range(1, 9))
    assert [s.source for s in steps] == ["start"] + ["plan"] * 7
    assert "<secret>" in json.dumps(steps[4].result["data"])  # read from the page, masked
    click = steps[5]
    assert click.action == {"action": "click", "target": "Sign in", "match": "fuzzy"}
    assert click.target["role"] == "button" and click.target["name"] == "Sign in"
    assert click.confirmation["approved"] is True and click.confirmation["kinds"] == [
        "password_form"]
    assert len(click.snapshot_hash) == 16 and "[untrusted page content" in click.snapshot_text
    assert click.timings_ms["total"] > 0 and click.run_id == outcome.id
    assert "Token: <secret>" in steps[6].snapshot_text  # the page echoed it; masked

    stored = _dump(app.store)
    lines = list(export_lines(app.store, tenant.id, outcome.id))
    chat = list(export_lines(app.store, tenant.id, outcome.id, "chat"))
    for value in SECRETS.values():
        assert value not in stored
        assert all(value not in line for line in lines + chat)
    assert "{{secret:PASSWORD}}" in stored
    assert [json.loads(line)["step"] for line in lines] == list(range(1, 9))
    assert set(json.loads(lines[0])) >= {"run_id", "snapshot_hash", "snapshot_text", "action",
                                         "target", "result", "timings_ms", "model_call_id"}
    example = json.loads(chat[0])
    assert [m["role"] for m in example["messages"]] == ["system", "user", "assistant"]
    assert "<page>" in example["messages"][1]["content"]
    assert example["messages"][2]["tool_calls"][0]["function"]["name"] == "type"
    assert len(chat) == 7  # every successful step but the start
    with pytest.raises(NotFound, match="operator runs list"):
        get_run(app.store, tenant.id, "opr_missing")
    with pytest.raises(InvalidInput, match="steps, chat"):
        list(export_lines(app.store, tenant.id, outcome.id, "csv"))
    app.close()


REGISTER = """<html><body><h1>会員登録</h1>
<label for=name>氏名</label><input id=name>
<label for=city>City</label>
<select id=city><option>Osaka</option><option>Tokyo</option><option>Kyoto</option></select>
<button onclick="out.textContent = name.value + '/' + city.value">登録</button>
<div id=out></div></body></html>"""
DEMO = 'type "山田" into "氏名"\nselect "Tokyo" in "City"\nclick "登録"\n'


def test_a_stored_run_compiles_into_versioned_skills(db_url, tmp_path, browser, site):
    app = make_app(tmp_path, db_url, None)
    tenant = get_tenant(app.store, "default")
    start = site.add("/register", REGISTER)
    good = run(app, browser, RunRequest(start_url=start, policy="plan", plan=DEMO,
                                        instruction="Register 山田 from Tokyo"))
    assert good.status == "succeeded"
    skill = compile_run(app.store, tenant.id, good.id, "register")
    assert skill.template == "Register {text} from {city}"
    assert [s.action["action"] for s in skill.steps] == ["type", "select", "click"]  # no goto
    first = save_skill(app.store, tenant.id, skill, good.id)
    second = save_skill(app.store, tenant.id, skill, good.id)
    assert (first.version, second.version) == (1, 2)
    [listed] = list_skills(app.store, tenant.id)
    assert listed["version"] == 2 and listed["params"] == ["text", "city"]
    again, info = get_skill(app.store, tenant.id, "register", version=1)
    assert again.template == skill.template and info["source_run_id"] == good.id

    bad = run(app, browser, RunRequest(start_url=start, policy="plan",
                                       plan='click "Missing button"\n', instruction="x"))
    assert bad.status == "failed" and "line 1" in bad.error
    with pytest.raises(InvalidInput, match="only a successful run can become a skill"):
        compile_run(app.store, tenant.id, bad.id, "broken")
    with pytest.raises(NotFound, match="skill compile RUN_ID"):
        get_skill(app.store, tenant.id, "nope")
    with pytest.raises(InvalidInput, match="skill name"):
        save_skill(app.store, tenant.id, skill.model_copy(update={"name": "no spaces"}))
    recorder = StoreRecorder(app.store, good.id)
    assert isinstance(recorder, Recorder) and isinstance(MemoryRecorder(), Recorder)
    app.close()
