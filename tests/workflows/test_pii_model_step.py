"""The PII guard on a workflow `model` step: the model server never sees the values.

The run's tenant has a `redact` policy; the ticket holds a Japanese name, phone and
e-mail and an English name and e-mail. The fake model (tests/fake_openai.py, over real
HTTP) echoes what it received, so its requests show what left the machine, and the
step's output shows what the user gets back (the values restored).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cristal.governance import set_pii_policy
from cristal.models._tables import model_calls
from cristal.workflows import start_run, wait_run

VALUES = ["山田太郎", "090-1234-5678", "taro.yamada@example.co.jp", "John Smith",
          "john.smith@example.com"]
TICKET = ("山田太郎様（090-1234-5678、taro.yamada@example.co.jp）から返金の依頼。"
          "John Smith (john.smith@example.com) is in copy.")

PROMPT_SPEC = """
name: pii-prompt
inputs: {ticket: string}
steps:
  - id: summarise
    type: model
    route: smart
    prompt: "Summarise: {{ inputs.ticket }}"
outputs:
  summary: "{{ steps.summarise.output }}"
"""

CHAT_SPEC = """
name: pii-chat
inputs: {ticket: string}
steps:
  - id: reply
    type: model
    route: smart
    system: "You answer customers. The customer is {{ inputs.ticket }}"
    messages:
      - {role: user, content: "Draft a reply to {{ inputs.ticket }}"}
"""


def _bodies_since(fake, before: int) -> str:
    """The request bodies the fake received after the first `before` ones, as JSON text."""
    with fake.lock:
        return json.dumps([r["body"] for r in fake.requests[before:]], ensure_ascii=False)


def _calls(store, run_id: str) -> list:
    with store.read() as conn:
        return conn.execute(sa.select(model_calls).where(
            model_calls.c.caller.like(f"workflow:{run_id}:%"))).mappings().all()


def _run_under(mode: str, engine, spec, tenant, text: str):
    """Run `text` as a spec for `tenant` under PII `mode`; the run and its finished view."""
    set_pii_policy(engine.app.store, tenant, mode)
    run = start_run(engine, spec(text), {"ticket": TICKET}, tenant=tenant)
    return run, wait_run(engine, run.run_id, timeout_s=60)


def test_a_model_step_sends_placeholders_and_returns_the_values(engine, spec, tenant,
                                                                fake_model):
    before = len(fake_model.requests)
    run, view = _run_under("redact", engine, spec, tenant, PROMPT_SPEC)
    assert view.status == "succeeded", view.error
    assert view.steps[0].output == f"echo: Summarise: {TICKET}"  # restored for the user
    assert view.outputs == {"summary": f"echo: Summarise: {TICKET}"}
    sent = _bodies_since(fake_model, before)
    assert "<PERSON_1>" in sent and "<EMAIL_2>" in sent and "<PHONE_1>" in sent
    for value in VALUES:
        assert value not in sent, value
    [call] = _calls(engine.app.store, run.run_id)
    meta = call["meta"] if isinstance(call["meta"], dict) else json.loads(call["meta"])
    assert meta["pii"] == {"mode": "redact", "found": {"PERSON": 2, "PHONE": 1, "EMAIL": 2}}


def test_a_chat_model_step_redacts_system_and_messages(engine, spec, tenant, fake_model):
    before = len(fake_model.requests)
    run, view = _run_under("redact", engine, spec, tenant, CHAT_SPEC)
    assert view.status == "succeeded", view.error
    assert view.steps[0].output == f"echo: Draft a reply to {TICKET}"
    [sent] = json.loads(_bodies_since(fake_model, before))
    system, user = sent["messages"]
    assert system["content"].startswith("You answer customers. The customer is <PERSON_1>")
    assert user["content"].startswith("Draft a reply to <PERSON_1>")  # one name, one token
    for value in VALUES:
        assert value not in json.dumps(sent, ensure_ascii=False), value


def test_a_model_step_of_a_block_tenant_fails_without_sending(engine, spec, tenant,
                                                               fake_model):
    before = len(fake_model.requests)
    run, view = _run_under("block", engine, spec, tenant, PROMPT_SPEC)
    assert view.status == "failed"
    assert "blocks personal data" in (view.error or "")
    assert all(value not in (view.error or "") for value in VALUES)
    assert len(fake_model.requests) == before
    [call] = _calls(engine.app.store, run.run_id)
    assert call["status"] == "refused"
