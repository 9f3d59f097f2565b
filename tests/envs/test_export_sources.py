"""Exports from research sessions and stored operator runs (real Chromium)."""

from __future__ import annotations

import json

import datasets
import pytest

from cristal.envs import export_dataset
from cristal.governance import get_tenant
from cristal.research import ResearchRequest, run_research

from .conftest import EXAMPLES


def test_research_sessions_become_sft_rows_but_not_preferences(make_app, tmp_path):
    app = make_app()
    question = "How many days a month can employees work from home?"
    run_research(app.store, app.gateway, ResearchRequest(question=question,
                                                         docs=EXAMPLES / "docs", embed=False))
    tenant = get_tenant(app.store, "default")
    report = export_dataset(app, tenant, source="research", fmt="sft", out=tmp_path / "r.jsonl")
    rows = datasets.load_dataset("json", data_files=str(tmp_path / "r.jsonl"), split="train")
    assert rows.num_rows == 1 and report.samples == 1
    roles = [m["role"] for m in rows[0]["messages"]]
    assert roles == ["system", "user", "assistant"] and rows[0]["messages"][1]["content"] == \
        question
    dpo = export_dataset(app, tenant, source="research", fmt="dpo", out=tmp_path / "d.jsonl")
    assert sum(dpo.files.values()) == 0 and dpo.skipped == {"no_label": 1}


@pytest.mark.slow
def test_operator_runs_become_tool_call_conversations_and_pairs(make_app, tmp_path, chromium):
    from cristal.operator import (
        AllowList,
        Browser,
        Click,
        MiniWobTask,
        Runtime,
        StoreRecorder,
        finish_run,
        start_run,
    )

    app = make_app()
    tenant = get_tenant(app.store, "default")
    with Browser() as browser, browser.new_session(allow=AllowList(allow_file=True)) as s:
        task = MiniWobTask(s.page, "click-button")
        for target, status in (("submit", "succeeded"), ("no", "failed")):
            task.open()
            instruction = task.reset(5)
            run_id = start_run(app.store, tenant.id, instruction=instruction,
                               start_url=task.url, policy="plan")
            runtime = Runtime(s, recorder=StoreRecorder(app.store, run_id),
                              confirm=lambda request: True, run_id=run_id)
            runtime.step(Click(target=target))
            finish_run(app.store, run_id, status=status)
    export_dataset(app, tenant, source="operator", fmt="sft", out=tmp_path / "s.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert len(rows) == 1  # the failed run is not a demonstration
    call = rows[0]["messages"][2]["tool_calls"][0]["function"]
    assert call["name"] == "click" and json.loads(call["arguments"])["target"] == "submit"
    assert rows[0]["messages"][3]["role"] == "tool"
    assert {t["function"]["name"] for t in rows[0]["tools"]} >= {"click", "type", "done"}
    export_dataset(app, tenant, source="operator", fmt="dpo", out=tmp_path / "d.jsonl")
    pair = json.loads((tmp_path / "d.jsonl").read_text())
    assert "submit" in pair["chosen"][0]["tool_calls"][0]["function"]["arguments"]
    assert '"no"' in pair["rejected"][0]["tool_calls"][0]["function"]["arguments"]
