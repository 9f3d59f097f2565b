"""The PII guard on Deep Research with a model: evidence goes out with placeholders.

The documents name a Japanese and an English contact (name, phone, e-mail). Tenant
`acme` redacts personal data on the `research` route. The model is the research
double (tests/research_double.py) over real HTTP: it plans, judges, writes claims
from the quotes it was shown, and checks support. Its requests must hold no value;
the report's answer, written from its claims, shows the values again.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from corpus import write_docs
from cristal.app import App
from cristal.config import load_settings
from cristal.governance import create_tenant, set_pii_policy
from cristal.models._tables import model_calls
from cristal.research import ResearchRequest, run_research

VALUES = ["山田太郎", "090-1234-5678", "taro.yamada@example.co.jp", "John Smith",
          "john.smith@example.com"]
DOCS = {
    "refunds.md": (
        "# Refund policy\n\n## Approval\n\n"
        "Refunds over 100 EUR are approved by John Smith (john.smith@example.com), in "
        "Japan by 山田太郎 (090-1234-5678, taro.yamada@example.co.jp).\n\n"
        "## Shipping\n\nParcels ship on weekdays.\n"),
    "返金.md": (
        "# 返金規程\n\n## 第3条（承認）\n\n"
        "1万円を超える返金は山田太郎（090-1234-5678、taro.yamada@example.co.jp）が承認する。\n"),
}


def _research(tmp_path, double, db_url: str, question: str, mode: str = "redact"):
    app = App(load_settings(
        data_dir=str(tmp_path / "data"), database_url=db_url, max_retries=0,
        providers={"double": {"type": "openai", "base_url": double.url,
                              "api_key_env": "CRISTAL_TEST_DOUBLE_KEY", "region": "us"}},
        routes={"research": {"provider": "double", "model": "research-double"}}))
    try:
        create_tenant(app.store, "acme")
        set_pii_policy(app.store, "acme", mode, route="research")
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question=question, docs=write_docs(tmp_path, DOCS), tenant="acme", embed=False))
        with app.store.read() as conn:
            calls = conn.execute(sa.select(model_calls.c.status, model_calls.c.meta).where(
                model_calls.c.caller == f"research:{report.id}")).all()
    finally:
        app.close()
    return report, calls


def _sent(double) -> str:
    with double.lock:
        return json.dumps([r["body"] for r in double.requests], ensure_ascii=False)


def test_research_sends_placeholders_and_the_answer_shows_the_values(tmp_path, double,
                                                                      db_url):
    report, calls = _research(tmp_path, double, db_url,
                              "Who approves refunds over 100 EUR?")
    names = [r["body"]["response_format"]["json_schema"]["name"]
             for r in double.chat_requests()]
    assert names == ["plan", "answerable", "answer", "support"]
    sent = _sent(double)
    assert "<PERSON_2>" in sent and "<PHONE_1>" in sent and "<EMAIL_2>" in sent
    for value in VALUES:
        assert value not in sent, value
    assert report.mode == "model" and not report.not_found
    [claim] = report.claims  # written by the model from placeholders, shown with values
    assert all(value in claim.text for value in VALUES) and "<" not in claim.text
    assert claim.text in report.answer
    assert len(calls) == 4
    for status, meta in calls:
        meta = meta if isinstance(meta, dict) else json.loads(meta)
        assert status == "ok" and meta["pii"]["mode"] == "redact"


def test_a_japanese_question_naming_a_person_is_redacted_too(tmp_path, double, sqlite_url):
    report, _ = _research(tmp_path, double, sqlite_url,
                          "山田太郎さんが承認する返金はいくらを超えるものですか？")
    plan = double.chat_requests()[0]["body"]["messages"][-1]["content"]
    assert plan.startswith("<PERSON_1>さん")
    sent = _sent(double)
    assert "<PHONE_1>" in sent  # the Japanese evidence went out too, redacted
    for value in VALUES:
        assert value not in sent, value
    [claim] = report.claims
    assert "山田太郎（090-1234-5678、taro.yamada@example.co.jp）" in claim.text


def test_a_block_policy_keeps_evidence_from_the_model_and_answers_offline(
        tmp_path, double, sqlite_url):
    report, calls = _research(tmp_path, double, sqlite_url,
                              "Who approves refunds over 100 EUR?", mode="block")
    names = [r["body"]["response_format"]["json_schema"]["name"]
             for r in double.chat_requests()]
    assert names == ["plan"]  # the question held no personal data; the evidence did
    sent = _sent(double)
    for value in VALUES:
        assert value not in sent, value
    # The answer is made here from the documents, which the user may read, and says why.
    assert report.mode == "extractive" and not report.not_found
    assert "John Smith" in report.answer
    [note] = [n for n in report.notes if "blocks personal data" in n]
    assert "PERSON" in note and "EMAIL" in note and "without the model" in note
    assert all(value not in note for value in VALUES)
    # The plan went out; the one call that would have carried the evidence was refused
    # and stops the model's part (nothing more is tried with the same evidence).
    assert sorted(status for status, _ in calls) == ["ok", "refused"]


def test_a_question_naming_a_person_under_block_is_researched_without_the_model(
        tmp_path, double, sqlite_url):
    report, _ = _research(tmp_path, double, sqlite_url,
                          "山田太郎さんが承認する返金はいくらを超えるものですか？", mode="block")
    assert double.chat_requests() == []  # not even the plan went out
    assert report.mode == "extractive" and not report.not_found
    assert "1万円を超える返金" in report.answer
    assert any("planned, judged and written without the model" in n for n in report.notes)
