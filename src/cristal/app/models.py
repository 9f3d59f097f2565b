"""Use cases of the model gateway: chat, stream and embed through a route under the caller's
tenant (budget, residency, call log), and the models a caller may use."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np

from cristal.app._access import tenant_for
from cristal.app._app import App
from cristal.errors import CristalError, InvalidInput
from cristal.governance import Principal, Tenant, require
from cristal.models import (
    FEATURE_ROUTES,
    ChatResult,
    EmbedResult,
    StreamEvent,
    all_routes,
    completion_body,
    estimate_tokens,
)

__all__ = ["RESEARCH_MODEL", "caller_of", "chat", "complete", "embed", "embeddings", "models",
           "stream"]

RESEARCH_MODEL = "cristal-research"
_INTERNAL = {"embed"}  # routes that cannot chat are listed for embeddings only


def caller_of(principal: Principal, via: str) -> str:
    """The call log's `caller`: `api:key:key_…(alice)`; the command line's stays `cli:…`."""
    return via if principal.kind == "local" else f"{via}:{principal.actor}"[:200]


def _tenant(app: App, principal: Principal, tenant: str | None) -> Tenant:
    return tenant_for(app, principal, tenant, "chat", "call models")


def chat(app: App, principal: Principal, messages: list[dict[str, Any]], *,
         route: str = "default", tenant: str | None = None, via: str = "cli",
         **options: Any) -> ChatResult:
    """One chat completion through the gateway, charged to the caller's tenant."""
    where = _tenant(app, principal, tenant)
    return app.gateway.chat(messages, route=route, tenant=where.name,
                            caller=caller_of(principal, via), **options)


def stream(app: App, principal: Principal, messages: list[dict[str, Any]], *,
           route: str = "default", tenant: str | None = None, via: str = "cli",
           **options: Any) -> Iterator[StreamEvent]:
    """A streamed chat completion (text deltas, then the settled result)."""
    where = _tenant(app, principal, tenant)
    return app.gateway.stream(messages, route=route, tenant=where.name,
                              caller=caller_of(principal, via), **options)


def embed(app: App, principal: Principal, texts: list[str], *, route: str = "embed",
          kind: Literal["query", "passage"] = "passage", tenant: str | None = None,
          via: str = "api") -> EmbedResult:
    """Embeddings through a route, charged (when not local) to the caller's tenant."""
    where = _tenant(app, principal, tenant)
    return app.gateway.embed(texts, kind=kind, route=route, tenant=where.name,
                             caller=caller_of(principal, via))


def models(app: App, principal: Principal, tenant: str | None = None) -> list[dict[str, Any]]:
    """The routes this caller's tenant may use (residency checked) and `cristal-research`."""
    where = tenant_for(app, principal, tenant, "models.list", "list models")
    names = set(all_routes(app.settings)) | set(FEATURE_ROUTES) | set(where.routes)
    out = []
    for name in sorted(names):
        try:
            resolved = app.gateway.resolve(name, where.name)
        except CristalError:  # not allowed for this tenant (provider or region)
            continue
        if resolved.provider_config.type == "offline":
            continue  # no model behind it: nothing to call
        out.append({"id": name, "object": "model", "owned_by": resolved.provider,
                    "cristal": {"kind": "embeddings" if name in _INTERNAL else "route",
                                "model": resolved.model, "source": resolved.source,
                                "region": resolved.provider_config.region}})
    out.append({"id": RESEARCH_MODEL, "object": "model", "owned_by": "cristal",
                "cristal": {"kind": "agent", "model": "deep-research"}})
    return out


def _text_of(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content
                        if isinstance(p, dict) and p.get("type", "text") == "text")
    return content if isinstance(content, str) else ""


def _options(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("response_format") or {}
    schema = None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    return {"tools": body.get("tools"), "json_schema": schema, "max_tokens": limit,
            "temperature": body.get("temperature")}


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    payload = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
               "model": model, "choices": [{"index": 0, "delta": delta,
                                            "finish_reason": finish}], **extra}
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _stream_chunks(events: Iterator[StreamEvent], model: str, wants_usage: bool
                   ) -> Iterator[str]:
    cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    yield _chunk(cid, model, {"role": "assistant", "content": ""})
    for event in events:
        if event.result is None:
            if event.delta:
                yield _chunk(cid, model, {"content": event.delta})
            continue
        result = event.result
        for i, call in enumerate(result.tool_calls):
            yield _chunk(cid, model, {"tool_calls": [{"index": i, "id": call.id,
                                                      "type": "function", "function": {
                "name": call.name, "arguments": call.arguments_raw}}]})
        finish = result.finish_reason or ("tool_calls" if result.tool_calls else "stop")
        yield _chunk(cid, model, {}, finish)
        if wants_usage:
            usage = {"prompt_tokens": result.input_tokens,
                     "completion_tokens": result.output_tokens,
                     "total_tokens": result.input_tokens + result.output_tokens}
            payload = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                       "model": model, "choices": [], "usage": usage}
            yield f"data: {json.dumps(payload)}\n\n"
    yield "data: [DONE]\n\n"


def complete(app: App, principal: Principal, body: dict[str, Any]) -> Any:
    """An OpenAI chat completion: a route name as `model` (metered proxy through the
    gateway), or `cristal-research` (Deep Research over what the caller may read).

    Returns the reply as a dict, or (`stream: true`) an iterator of SSE `data:` lines.
    """
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidInput("`model` is required: a route name (GET /v1/models) or "
                           f"{RESEARCH_MODEL}.")
    stream = bool(body.get("stream"))
    if model == RESEARCH_MODEL:
        return _research(app, principal, body, stream)
    # The caller's own tenant: the gateway looks it up (cached), no extra query here.
    require(principal, "chat", "call models")
    where = principal
    caller = caller_of(principal, "v1")
    done = app.gateway.proxy(body, route=model, tenant=where.tenant, caller=caller,
                             stream=stream)
    if done is not None:
        return done if stream else done[0]
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidInput("`messages` must be a non-empty list of {role, content} objects.")
    options = _options(body)
    if stream:
        events = app.gateway.stream(messages, route=model, tenant=where.tenant, caller=caller,
                                    **{k: v for k, v in options.items() if v is not None})
        wants = bool((body.get("stream_options") or {}).get("include_usage"))
        return _stream_chunks(events, model, wants)
    result = app.gateway.chat(messages, route=model, tenant=where.tenant, caller=caller,
                              tool_choice=body.get("tool_choice"), **options)
    return completion_body(result, model)


def _citations(report: Any) -> list[dict[str, Any]]:
    """The verified citations, numbered as the footnotes in the answer text."""
    numbers: dict[str, dict[str, Any]] = {}
    for claim in report.claims:
        if not claim.verified:
            continue
        for cite in claim.citations:
            key = cite.evidence or cite.quote
            if key not in numbers:
                numbers[key] = {"n": len(numbers) + 1, "doc": cite.doc, "quote": cite.quote,
                                "start": cite.start, "end": cite.end, "page": cite.page}
    return list(numbers.values())


def _research(app: App, principal: Principal, body: dict[str, Any], stream: bool) -> Any:
    from cristal.app import research

    messages = body.get("messages") or []
    question = next((_text_of(m.get("content")) for m in reversed(messages)
                     if isinstance(m, dict) and m.get("role") == "user"), "")
    collections = body.get("collections")
    if collections is not None and (not isinstance(collections, list) or not all(
            isinstance(c, str) for c in collections)):
        raise InvalidInput("`collections` must be a list of collection names.")
    report, _ = research.ask(app, principal, question, collections=collections or None)
    extra = {"session_id": report.id, "not_found": report.not_found, "mode": report.mode,
             "lang": report.lang, "collections": report.collection,
             "citations": _citations(report), "retrieved": report.retrieved[:10],
             "model_calls": report.model_calls}
    usage = {"prompt_tokens": estimate_tokens(question),
             "completion_tokens": estimate_tokens(report.answer)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    cid = f"chatcmpl-{report.id}"
    if stream:
        def chunks() -> Iterator[str]:
            yield _chunk(cid, RESEARCH_MODEL, {"role": "assistant", "content": report.answer})
            yield _chunk(cid, RESEARCH_MODEL, {}, "stop", cristal=extra)
            if (body.get("stream_options") or {}).get("include_usage"):
                payload = {"id": cid, "object": "chat.completion.chunk", "choices": [],
                           "created": int(time.time()), "model": RESEARCH_MODEL, "usage": usage}
                yield f"data: {json.dumps(payload)}\n\n"
            yield "data: [DONE]\n\n"
        return chunks()
    return {"id": cid, "object": "chat.completion", "created": int(time.time()),
            "model": RESEARCH_MODEL, "choices": [{"index": 0, "finish_reason": "stop",
                                                  "message": {"role": "assistant",
                                                              "content": report.answer}}],
            "usage": usage, "cristal": extra}


def embeddings(app: App, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI embeddings response (float lists, or base64 float32 when asked)."""
    model = body.get("model") or "embed"
    texts = body.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise InvalidInput("`input` must be a string or a list of strings (token arrays are "
                           "not supported).")
    if len(texts) > 2048:
        raise InvalidInput("at most 2048 inputs per request.")
    result = embed(app, principal, texts, route=model, via="v1")
    b64 = body.get("encoding_format") == "base64"
    data = []
    for i, row in enumerate(result.vectors):
        value: Any = (base64.b64encode(np.asarray(row, dtype="<f4").tobytes()).decode()
                      if b64 else [float(x) for x in row])
        data.append({"object": "embedding", "index": i, "embedding": value})
    return {"object": "list", "data": data, "model": model,
            "usage": {"prompt_tokens": result.input_tokens,
                      "total_tokens": result.input_tokens}}
