"""The openai provider against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from cristal.errors import (
    ModelAuthError,
    ModelRateLimited,
    ModelRequestError,
    ModelServerError,
    ModelTimeout,
    ModelUnreachable,
)
from cristal.models import get_call, list_calls

USER = [{"role": "user", "content": "hello there"}]


def test_chat_returns_text_usage_and_logs_one_row(make_gateway, sqlite_url, fake_openai):
    gateway, store = make_gateway(sqlite_url)
    result = gateway.chat(USER, caller="test")
    assert result.text == "echo: hello there"
    assert (result.input_tokens, result.output_tokens) == (11, 3)
    assert result.provider == "openai" and result.route == "default" and result.model == "echo"
    call = get_call(store, result.call_id)
    assert call.status == "ok" and call.tenant == "default" and call.caller == "test"
    assert (call.input_tokens, call.output_tokens) == (11, 3)
    assert call.latency_ms is not None and call.latency_ms > 0
    sent = fake_openai.chat_requests()[-1]["body"]
    assert sent["model"] == "echo" and sent["max_tokens"] == 1024


def test_streaming_yields_deltas_then_settled_result(make_gateway, sqlite_url):
    gateway, store = make_gateway(sqlite_url)
    events = list(gateway.stream([{"role": "user", "content": "one two three"}]))
    deltas = "".join(e.delta for e in events if e.result is None)
    assert deltas == "echo: one two three"
    result = events[-1].result
    assert result is not None and result.text == deltas and result.output_tokens == 4
    assert get_call(store, result.call_id).status == "ok"


def test_stream_closed_early_is_logged_as_cancelled(make_gateway, sqlite_url):
    gateway, store = make_gateway(sqlite_url)
    stream = gateway.stream([{"role": "user", "content": "a b c d e f"}])
    next(stream)
    stream.close()
    assert list_calls(store)[0].status == "cancelled"


def test_tool_calls_are_parsed(make_gateway, sqlite_url):
    gateway, _ = make_gateway(sqlite_url)
    tools = [{"type": "function", "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}}]
    result = gateway.chat(USER, tools=tools)
    assert [c.name for c in result.tool_calls] == ["get_weather"]
    assert result.tool_calls[0].arguments == {"city": "text"}
    streamed = list(gateway.stream(USER, tools=tools))[-1].result
    assert streamed.tool_calls[0].arguments == {"city": "text"}


def test_json_schema_output_is_parsed(make_gateway, sqlite_url, fake_openai):
    gateway, _ = make_gateway(sqlite_url)
    schema = {"type": "object", "properties": {"label": {"type": "string"},
                                               "score": {"type": "number"}}}
    result = gateway.chat(USER, json_schema=schema, schema_name="triage")
    assert result.parsed == {"label": "text", "score": 1}
    sent = fake_openai.chat_requests()[-1]["body"]["response_format"]
    assert sent["json_schema"]["name"] == "triage"


def test_429_once_is_retried(make_gateway, sqlite_url, fake_openai):
    gateway, store = make_gateway(sqlite_url, model="fail-429-once")
    assert gateway.chat(USER).text == "echo: hello there"
    assert len(fake_openai.chat_requests()) == 2
    assert list_calls(store)[0].status == "ok"


def test_persistent_429_and_500_become_clear_errors(make_gateway, sqlite_url, fake_openai):
    gateway, store = make_gateway(sqlite_url, model="fail-429")
    with pytest.raises(ModelRateLimited) as info:
        gateway.chat(USER)
    assert info.value.retryable and len(fake_openai.chat_requests()) == 3  # 1 + 2 retries
    gateway, store = make_gateway(sqlite_url, model="fail-500")
    with pytest.raises(ModelServerError, match="500"):
        gateway.chat(USER)
    failed = list_calls(store, status="error")
    assert {c.error_class for c in failed} == {"ModelRateLimited", "ModelServerError"}
    assert all(c.cost_usd == 0 and c.input_tokens == 0 for c in failed)


def test_timeout(make_gateway, sqlite_url):
    gateway, store = make_gateway(sqlite_url, model="slow", timeout_s=0.5, max_retries=0)
    with pytest.raises(ModelTimeout, match="did not answer in time"):
        gateway.chat(USER)
    assert list_calls(store)[0].error_class == "ModelTimeout"


def test_bad_key_is_reported_with_the_variable_name(make_gateway, sqlite_url):
    gateway, _ = make_gateway(sqlite_url, api_key="wrong")
    with pytest.raises(ModelAuthError, match="OPENAI_API_KEY"):
        gateway.chat(USER)


def test_unreachable_endpoint(make_gateway, sqlite_url, monkeypatch):
    gateway, _ = make_gateway(sqlite_url, max_retries=0)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    from cristal.config import load_settings
    from cristal.models import Gateway

    dead = Gateway(load_settings(data_dir=str(gateway.settings.data_dir),
                                 database_url=sqlite_url, model="echo", max_retries=0),
                   gateway.store)
    with pytest.raises(ModelUnreachable, match="cannot reach"):
        dead.chat(USER)


def test_missing_usage_is_estimated(make_gateway, sqlite_url):
    gateway, store = make_gateway(sqlite_url, model="no-usage")
    result = gateway.chat(USER)
    assert result.usage_estimated and result.input_tokens > 0 and result.output_tokens > 0
    assert get_call(store, result.call_id).input_tokens == result.input_tokens


def test_openai_embeddings_route(make_gateway, sqlite_url):
    gateway, store = make_gateway(
        sqlite_url, routes={"embed": {"provider": "openai", "model": "text-embedding-3-small"}})
    result = gateway.embed(["a", "bb"], kind="query")
    assert result.vectors.shape == (2, 3)
    assert abs(float((result.vectors[0] ** 2).sum()) - 1) < 1e-5
    call = get_call(store, result.call_id)
    assert call.kind == "embed" and call.input_tokens == 10 and call.cost_usd > 0


def test_unknown_model_is_a_request_error(make_gateway, sqlite_url):
    gateway, store = make_gateway(sqlite_url, model="missing-model")
    with pytest.raises(ModelRequestError, match="missing-model") as info:
        gateway.chat(USER)
    assert info.value.status == 404 and not info.value.retryable
    assert list_calls(store)[0].error_class == "ModelRequestError"
