"""Datasets: TRL / OpenAI shapes that `datasets` loads, split by task, secrets never exported."""

from __future__ import annotations

import json

import datasets
import pytest

from agent_models import AgentModels
from cristal.app import App
from cristal.config import load_settings
from cristal.envs import export_dataset, run_eval
from cristal.governance import get_tenant

from .conftest import EXAMPLES, model_settings

pytestmark = pytest.mark.slow
ROLES = {"system", "user", "assistant", "tool"}


@pytest.fixture(scope="module")
def _scored(tmp_path_factory):
    """Episodes of two models and a random policy, rolled out once for the module."""
    server = AgentModels().start()
    tmp = tmp_path_factory.mktemp("export")
    app = App(load_settings(data_dir=str(tmp / "data"), database_url=f"sqlite:///{tmp}/c.db",
                            **model_settings(server.url)))
    for policy in (["careful", "lazy"], ["careful"]):  # the second run repeats the first
        run_eval(app, "cristal/Research-v0", policies=policy, episodes=1, concurrency=2,
                 env_kwargs={"set_dir": str(EXAMPLES)})
    run_eval(app, "cristal/Tools-v0", policies=["random"], tasks=["banking/user_task_0"],
             episodes=2, env_kwargs={"suite": "banking"})
    yield app, get_tenant(app.store, "default")
    app.close()
    server.shutdown()
    server.server_close()


@pytest.fixture
def scored(_scored):
    return _scored


def _check_messages(messages):
    assert messages and all(m["role"] in ROLES for m in messages)
    for m in messages:
        for call in m.get("tool_calls") or []:
            assert call["type"] == "function" and isinstance(call["function"]["name"], str)
            json.loads(call["function"]["arguments"])  # a JSON string, as OpenAI sends it
        if m["role"] == "tool":
            assert m["tool_call_id"]


def _load(path):
    return datasets.load_dataset("json", data_files=str(path), split="train")


def test_sft_rows_load_and_have_tool_calls_and_tool_messages(scored, tmp_path):
    app, tenant = scored
    report = export_dataset(app, tenant, source="episodes", fmt="sft", out=tmp_path / "sft.jsonl")
    ds = _load(tmp_path / "sft.jsonl")
    assert ds.column_names == ["messages", "tools"] and ds.num_rows == report.files[
        str(tmp_path / "sft.jsonl")] > 0
    for row in ds:
        _check_messages(row["messages"])
        assert row["messages"][0]["role"] == "system" and row["messages"][1]["role"] == "user"
        assert any(m["role"] == "tool" for m in row["messages"])
        assert {t["function"]["name"] for t in row["tools"]} >= {"answer"}
    assert report.skipped["failed"] > 0  # failures are not demonstrations
    assert report.duplicates > 0  # the repeated run gave identical conversations


def test_dpo_pairs_a_success_and_a_failure_on_the_same_task(scored, tmp_path):
    app, tenant = scored
    export_dataset(app, tenant, source="episodes", fmt="dpo", out=tmp_path / "dpo.jsonl")
    ds = _load(tmp_path / "dpo.jsonl")
    assert ds.column_names == ["prompt", "chosen", "rejected"] and ds.num_rows > 0
    for row in ds:
        assert [m["role"] for m in row["prompt"]] == ["system", "user"]
        assert row["chosen"][0]["role"] == row["rejected"][0]["role"] == "assistant"
        assert row["chosen"] != row["rejected"]
        _check_messages(row["chosen"])
        _check_messages(row["rejected"])


def test_kto_and_rewards_and_split_by_task(scored, tmp_path):
    app, tenant = scored
    report = export_dataset(app, tenant, source="episodes", fmt="kto",
                            out=tmp_path / "kto.jsonl", split=0.7, parquet=True)
    train, test = _load(tmp_path / "kto.train.jsonl"), _load(tmp_path / "kto.test.jsonl")
    assert train.column_names == ["prompt", "completion", "label"]
    assert {True, False} <= set(train["label"]) | set(test["label"])
    assert (tmp_path / "kto.train.parquet").exists()
    prompts = {json.dumps(r["prompt"][1]) for r in train}
    assert prompts.isdisjoint({json.dumps(r["prompt"][1]) for r in test})
    assert report.tasks["train"] > 0 and report.tasks["test"] > 0
    export_dataset(app, tenant, source="episodes", fmt="rewards", out=tmp_path / "r.jsonl")
    for row in _load(tmp_path / "r.jsonl"):
        assert len(row["step_rewards"]) == sum(m["role"] == "assistant"
                                               for m in row["completion"])
        assert row["reward"] == pytest.approx(sum(row["step_rewards"]))
    card = (tmp_path / "kto.card.md").read_text()
    assert "license: other" in card and "Split by task" in card


def test_secrets_are_never_exported(scored, tmp_path, monkeypatch):
    monkeypatch.setenv("CRISTAL_SECRET_BANK_PIN", "pin-847291")
    app, tenant = scored
    leaky = tmp_path / "leaky"
    (leaky / "docs").mkdir(parents=True)
    (leaky / "docs" / "note.md").write_text("The vault PIN is pin-847291 and the key is "
                                            "sk-abcdefghijklmnopqrstuvwx.\n")
    (leaky / "questions.jsonl").write_text(json.dumps(
        {"id": "q1", "question": "What is the vault PIN?", "answer_facts": ["pin-847291"],
         "gold_docs": ["note.md"]}) + "\n")
    run_eval(app, "cristal/Research-v0", policies=["careful"], env_kwargs={"set_dir": leaky})
    report = export_dataset(app, tenant, source="episodes", fmt="sft", out=tmp_path / "s.jsonl")
    text = (tmp_path / "s.jsonl").read_text()
    assert "pin-847291" not in text and "sk-abcdefghijklmnop" not in text
    assert "<secret>" in text and report.secrets_removed["env_secret"] > 0


def test_redact_replaces_personal_data_with_placeholders(scored, tmp_path):
    app, tenant = scored
    folder = tmp_path / "pii"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "contact.md").write_text(
        "# Contact\n\nClaims go to the desk of 山田太郎 at yamada.taro@example.co.jp, "
        "phone 090-1234-5678.\n", encoding="utf-8")
    (folder / "questions.jsonl").write_text(json.dumps(
        {"id": "c1", "question": "Which e-mail address do claims go to?",
         "answer_facts": ["yamada.taro@example.co.jp"], "gold_docs": ["contact.md"]}) + "\n")
    run_eval(app, "cristal/Research-v0", policies=["careful"], env_kwargs={"set_dir": folder})
    plain = export_dataset(app, tenant, source="episodes", fmt="sft", out=tmp_path / "p.jsonl")
    assert "yamada.taro@example.co.jp" in (tmp_path / "p.jsonl").read_text()
    assert not plain.redacted and plain.pii_redacted == {}
    report = export_dataset(app, tenant, source="episodes", fmt="sft", out=tmp_path / "r.jsonl",
                            redact=True)
    text = (tmp_path / "r.jsonl").read_text(encoding="utf-8")
    for value in ("yamada.taro@example.co.jp", "090-1234-5678", "山田太郎"):
        assert value not in text
    assert "<EMAIL_1>" in text and "<PHONE_1>" in text
    assert report.redacted and report.pii_redacted["EMAIL"] > 0
    assert report.pii_redacted["PHONE"] > 0
    card = (tmp_path / "r.card.md").read_text(encoding="utf-8")
    assert "EMAIL: " in card and "typed placeholders" in card
