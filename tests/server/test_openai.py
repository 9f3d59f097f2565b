"""The OpenAI-compatible API with the official `openai` client (sync, async, streaming) against
a real server, the upstream model being tests/fake_openai.py: metered, budgeted, audited."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
import openai
import pytest

from cristal.governance import audit_entries, current_usage, update_tenant
from cristal.models import list_calls

ASK = [{"role": "user", "content": "hello there"}]
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {
    "type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}}}
SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {
    "type": "object", "properties": {"total": {"type": "number"}, "ok": {"type": "boolean"}},
    "required": ["total", "ok"]}}}


def _client(site, who: str = "member") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{site.url}/v1", api_key=site.keys[who], max_retries=0)


def test_chat_sync_stream_tools_and_json_schema_are_metered(site, fake_openai):
    client = _client(site)
    models = [m.id for m in client.models.list()]
    assert "fast" in models and "cristal-research" in models and "embed" in models
    reply = client.chat.completions.create(model="fast", messages=ASK)
    assert reply.choices[0].message.content == "echo: hello there"
    assert reply.usage.prompt_tokens == 11
    streamed = client.chat.completions.create(model="fast", messages=ASK, stream=True,
                                              stream_options={"include_usage": True})
    chunks = list(streamed)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == \
        "echo: hello there"
    assert chunks[-1].usage.completion_tokens == 3
    called = client.chat.completions.create(model="fast", messages=ASK, tools=[TOOL])
    call = called.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup" and json.loads(call.function.arguments) == {"id": 1}
    shaped = client.chat.completions.create(model="fast", messages=ASK, response_format=SCHEMA)
    assert json.loads(shaped.choices[0].message.content) == {"total": 1, "ok": True}

    sent = fake_openai.chat_requests()
    assert [r["body"]["model"] for r in sent] == ["echo"] * 4  # the route's model upstream
    assert sent[2]["body"]["tools"] == [TOOL] and sent[3]["body"]["response_format"] == SCHEMA
    assert all(r["body"]["max_tokens"] == 64 for r in sent)  # the route's output limit
    store = site.world.app.store
    calls = list_calls(store, tenant="acme")
    assert len(calls) == 4 and {c.status for c in calls} == {"ok"}
    assert all(c.caller == f"v1:key:{site.key_ids['member']}(alice)" for c in calls)
    assert calls[-1].cost_usd == pytest.approx((11 * 1.0 + 3 * 2.0) / 1e6)
    usage = current_usage(store, "acme")[0]
    assert usage.calls == 4 and usage.spent_usd == pytest.approx(sum(c.cost_usd for c in calls))
    assert usage.reserved_usd == 0


def test_async_client_and_concurrent_calls(site):
    async def main() -> list[str]:
        client = openai.AsyncOpenAI(base_url=f"{site.url}/v1", api_key=site.keys["builder"],
                                    max_retries=0)
        replies = await asyncio.gather(*[client.chat.completions.create(
            model="fast", messages=[{"role": "user", "content": f"n{i}"}]) for i in range(8)])
        stream = await client.chat.completions.create(model="fast", messages=ASK, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        await client.close()
        return [r.choices[0].message.content for r in replies] + [text]

    answers = asyncio.run(main())
    assert answers == [f"echo: n{i}" for i in range(8)] + ["echo: hello there"]
    assert current_usage(site.world.app.store, "acme")[0].calls == 9


def test_budget_and_residency_are_enforced(site):
    store = site.world.app.store
    update_tenant(store, "acme", budget_usd=0.0)
    client = _client(site)
    with pytest.raises(openai.APIStatusError) as refused:
        client.chat.completions.create(model="fast", messages=ASK)
    assert refused.value.status_code == 402
    assert "cristal tenant update acme" in refused.value.response.json()["error"]["message"]
    update_tenant(store, "acme", budget_usd=None, allowed_regions=["jp"])
    time.sleep(2.2)  # the gateway caches a tenant's routing policy for two seconds
    assert [m.id for m in client.models.list()] == ["cristal-research"]  # no route in jp
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="fast", messages=ASK)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-route", messages=ASK)
    refused_calls = [c for c in list_calls(store, tenant="acme") if c.status == "refused"]
    assert len(refused_calls) == 1  # the budget refusal is in the call log; nothing was sent


def test_embeddings_float_and_base64(site):
    client = _client(site)
    result = client.embeddings.create(model="embed", input=["経費精算", "expense claims"])
    assert len(result.data) == 2 and len(result.data[0].embedding) == 384
    vectors = np.array([d.embedding for d in result.data])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    raw = client.embeddings.create(model="embed", input="expense claims",
                                   encoding_format="float")
    assert np.allclose(raw.data[0].embedding, vectors[1], atol=1e-5)


def test_cristal_research_cites_and_is_audited(site):
    client = _client(site)
    reply = client.chat.completions.create(
        model="cristal-research",
        messages=[{"role": "user", "content": "Who is the approver for expense claims?"}])
    text = reply.choices[0].message.content
    extra = reply.model_dump()["cristal"]
    assert "line manager" in text and "[1]" in text and not extra["not_found"]
    first = extra["citations"][0]
    assert first["n"] == 1 and first["doc"] == "expense-policy.md" and first["quote"] in text
    assert extra["collections"] == "handbook"
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="cristal-research", messages=[
            {"role": "user", "content": "x"}], extra_body={"collections": ["no-such"]})
    asked = [e for e in audit_entries(site.world.app.store) if e.action == "research.asked"]
    assert asked[-1].target == extra["session_id"]
    assert asked[-1].details["question"] == "Who is the approver for expense claims?"
    assert asked[-1].actor == f"key:{site.key_ids['member']}(alice)"
    cited = [e for e in audit_entries(site.world.app.store) if e.action == "research.cited"]
    assert cited[-1].details["documents"] == ["expense-policy.md"]
    stream = client.chat.completions.create(
        model="cristal-research", stream=True,
        messages=[{"role": "user", "content": "Who is the approver for expense claims?"}])
    chunks = [c.model_dump() for c in stream]
    assert "line manager" in "".join(c["choices"][0]["delta"].get("content") or ""
                                     for c in chunks if c["choices"])
    assert chunks[-1]["cristal"]["citations"][0]["doc"] == "expense-policy.md"
