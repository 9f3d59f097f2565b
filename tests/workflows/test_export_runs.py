"""`data export --from runs`: model steps of workflow runs as training rows."""

from __future__ import annotations

import datasets

from cristal.envs import export_dataset
from cristal.governance import get_tenant
from cristal.workflows import start_run, wait_run


def test_model_steps_of_finished_runs_become_sft_rows(engine, spec, tenant, tmp_path):
    s = spec("""
name: greet
steps:
  - id: ask
    type: model
    route: smart
    system: "You greet people."
    prompt: "Say hello to {{ inputs.name }}"
  - id: offline
    type: model
    route: default
    prompt: "Not sent"
    fallback: "offline"
inputs: {name: string}
""")
    view = wait_run(engine, start_run(engine, s, {"name": "Ada"}, tenant=tenant).run_id,
                    timeout_s=30)
    assert view.status == "succeeded", view.error
    owner = get_tenant(engine.app.store, tenant)
    report = export_dataset(engine.app, owner, source="runs", fmt="sft",
                            out=tmp_path / "runs.jsonl")
    rows = datasets.load_dataset("json", data_files=str(tmp_path / "runs.jsonl"), split="train")
    assert rows.num_rows == 1 and report.samples == 1  # the offline fallback is left out
    messages = rows[0]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert messages[1]["content"] == "Say hello to Ada"
    assert messages[2]["content"] == "echo: Say hello to Ada"
    kto = export_dataset(engine.app, owner, source="runs", fmt="kto", out=tmp_path / "k.jsonl")
    assert sum(kto.files.values()) == 1
