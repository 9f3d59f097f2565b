"""The metered OpenAI-format proxy: a client's chat body through the gateway, as it is.

For OpenAI-compatible providers the body (tools, response_format, any other field) is
forwarded unchanged except for the model (the route's) and the output limit (at most the
route's `max_output_tokens`, so the reservation always covers the call). The budget is
reserved before sending and settled with the usage the endpoint reports; the call log
gets one row, exactly as for `Gateway.chat`. The PII guard applies as for `Gateway.chat`:
in `redact` mode the messages leave with placeholders and the reply (content, tool-call
arguments, streamed deltas) comes back restored; in `block` mode nothing is sent. A stream
the client abandons is charged what was streamed so far. Other providers (offline, local,
plugins) go through `Gateway.chat`/`stream` and the reply is put into the OpenAI shape.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cristal.errors import CristalError, InvalidInput, ModelResponseError, ModelUnreachable
from cristal.governance.pii import StreamRestorer
from cristal.models._tokens import estimate_messages, estimate_tokens
from cristal.models._types import ChatResult

if TYPE_CHECKING:
    from cristal.models._gateway import Gateway
    from cristal.models._guard import CallGuard

__all__ = ["completion_body", "proxy_chat", "proxy_stream"]

_LIMITS = ("max_tokens", "max_completion_tokens")


def _schema(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema") or {}
    return None


def _limit(body: dict[str, Any], route_max: int) -> int:
    asked = next((body[k] for k in _LIMITS if isinstance(body.get(k), int)), None)
    if asked is not None and asked <= 0:
        raise InvalidInput("max_tokens must be a positive integer.")
    return min(asked, route_max) if asked else route_max


def _check(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and "role" in m for m in messages):
        raise InvalidInput("`messages` must be a non-empty list of {role, content} objects.")
    if body.get("n", 1) not in (1, None):
        raise InvalidInput("only n=1 is supported (one choice per request).")
    return messages


def _prepare(gateway: Gateway, body: dict[str, Any], route: str, tenant: str | None,
             caller: str | None, stream: bool):
    messages = _check(body)
    tenant_obj = gateway._tenant(tenant)
    resolved = gateway._resolve(route, tenant_obj)
    provider = gateway._provider(resolved)
    if not hasattr(provider, "forward"):
        return None
    model = resolved.model or provider.default_model
    limit = _limit(body, resolved.max_output_tokens)
    out = {k: v for k, v in body.items() if k not in _LIMITS}
    out.update({"model": model, provider.tokens_param: limit})
    if stream:
        out.update(stream=True, stream_options={"include_usage": True})
    meta = {"stream": stream, "tools": len(body.get("tools") or []), "proxy": True,
            "json_schema": _schema(body) is not None}
    guard = gateway._guards.for_call(tenant_obj, resolved, provider.local)
    if guard is not None:
        messages = gateway._guarded(guard, tenant_obj, resolved, model, "chat", caller, meta,
                                    lambda: guard.messages(messages))
        out["messages"] = messages
        meta["pii"] = guard.summary()
    prompt = estimate_messages(messages, body.get("tools"), _schema(body))
    call = gateway._open(tenant_obj, resolved, provider, model, "chat", prompt, limit, caller,
                         meta=meta)
    return call, provider, out, guard


def _restore_message(guard: CallGuard, message: dict[str, Any]) -> None:
    """Placeholders in a reply message (content, tool-call arguments) back to the values."""
    r = guard.redactor
    if isinstance(message.get("content"), str):
        message["content"] = r.restore(message["content"])
    for call in message.get("tool_calls") or ():
        fn = call.get("function") or {}
        if isinstance(fn.get("arguments"), str):
            fn["arguments"] = r.restore(fn["arguments"])


def _charge(gateway: Gateway, call: Any, usage: dict[str, Any] | None, text: str) -> None:
    usage = usage or {}
    prompt = usage.get("prompt_tokens") or call.prompt_estimate
    output = usage.get("completion_tokens")
    gateway._settle(call, "ok", int(prompt), int(output if output is not None
                                                 else estimate_tokens(text)))


def _fail(gateway: Gateway, call: Any, exc: BaseException, used: int = 0) -> None:
    gateway._fail(call, exc, used)


def proxy_chat(gateway: Gateway, body: dict[str, Any], *, route: str, tenant: str | None,
               caller: str | None) -> tuple[dict[str, Any], str] | None:
    """Forward a non-streaming chat; the endpoint's JSON reply and the call id.

    None when the route's provider cannot forward (use `Gateway.chat` instead).
    """
    prepared = _prepare(gateway, body, route, tenant, caller, stream=False)
    if prepared is None:
        return None
    call, provider, out, guard = prepared
    try:
        response = provider.forward(out)
        data = json.loads(response.content)
        if not isinstance(data, dict) or not data.get("choices"):
            raise ModelResponseError(f"{call.route.provider} returned no choices for model "
                                     f"{call.model}.", provider=call.route.provider)
    except BaseException as exc:
        _fail(gateway, call, exc)
        raise
    message = (data["choices"][0] or {}).get("message") or {}
    _charge(gateway, call, data.get("usage"), message.get("content") or "")
    if guard is not None:
        for choice in data["choices"]:
            _restore_message(guard, (choice or {}).get("message") or {})
    return data, call.id


def proxy_stream(gateway: Gateway, body: dict[str, Any], *, route: str, tenant: str | None,
                 caller: str | None) -> Iterator[str] | None:
    """Forward a streaming chat: the endpoint's `data:` lines as they come, then settle.

    The usage chunk is passed on only when the client asked for it (`stream_options`).
    None when the route's provider cannot forward.
    """
    prepared = _prepare(gateway, body, route, tenant, caller, stream=True)
    if prepared is None:
        return None
    call, provider, out, guard = prepared
    wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    try:
        response = provider.forward(out, stream=True)
    except BaseException as exc:
        _fail(gateway, call, exc)
        raise
    return _relay(gateway, call, response, wants_usage, guard)


class _DeltaRestorer:
    """Restores placeholders in streamed chunks: content and each tool call's arguments."""

    def __init__(self, guard: CallGuard) -> None:
        self.guard = guard
        self.streams: dict[tuple, StreamRestorer] = {}
        self.last: dict[str, Any] = {}

    def _feed(self, key: tuple, text: str) -> str:
        restorer = self.streams.setdefault(key, StreamRestorer(self.guard.redactor))
        return restorer.feed(text)

    def chunk(self, chunk: dict[str, Any]) -> dict[str, Any]:
        """The chunk with its deltas restored (a possible half placeholder held back)."""
        self.last = {k: chunk[k] for k in ("id", "object", "created", "model") if k in chunk}
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            index = choice.get("index", 0)
            if isinstance(delta.get("content"), str):
                delta["content"] = self._feed((index, "content"), delta["content"])
            for call in delta.get("tool_calls") or ():
                fn = call.get("function") or {}
                if isinstance(fn.get("arguments"), str):
                    key = (index, "tool", call.get("index", 0))
                    fn["arguments"] = self._feed(key, fn["arguments"])
        return chunk

    def tail(self) -> list[dict[str, Any]]:
        """Chunks carrying whatever was held back at the end of the stream."""
        out = []
        for key, restorer in self.streams.items():
            text = restorer.flush()
            if not text:
                continue
            delta: dict[str, Any] = ({"content": text} if key[1] == "content" else
                                     {"tool_calls": [{"index": key[2],
                                                      "function": {"arguments": text}}]})
            out.append({**self.last, "choices": [{"index": key[0], "delta": delta,
                                                  "finish_reason": None}]})
        return out


def _relay(gateway: Gateway, call: Any, response: Any, wants_usage: bool,
           guard: CallGuard | None) -> Iterator[str]:
    parts: list[str] = []
    usage = None
    settled = False
    restorer = _DeltaRestorer(guard) if guard is not None else None
    try:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            chunk = json.loads(payload)
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    parts.append(piece)
            if restorer is not None:
                if chunk.get("choices") and chunk["choices"][0].get("finish_reason"):
                    for held in restorer.tail():  # before the chunk that ends the choice
                        yield f"data: {json.dumps(held, ensure_ascii=False)}\n\n"
                chunk = restorer.chunk(chunk)
                payload = json.dumps(chunk, ensure_ascii=False)
            if chunk.get("choices") or wants_usage:
                yield f"data: {payload}\n\n"
        if restorer is not None:
            for held in restorer.tail():
                yield f"data: {json.dumps(held, ensure_ascii=False)}\n\n"
        _charge(gateway, call, usage, "".join(parts))
        settled = True
        yield "data: [DONE]\n\n"
    except GeneratorExit as exc:  # the client went away: charge what was streamed
        if not settled:
            _fail(gateway, call, exc, estimate_tokens("".join(parts)))
        raise
    except CristalError as exc:
        if not settled:
            _fail(gateway, call, exc, estimate_tokens("".join(parts)))
        raise
    except Exception as exc:  # the connection broke mid-stream
        if not settled:
            _fail(gateway, call, exc, estimate_tokens("".join(parts)))
        raise ModelUnreachable(f"{call.route.provider} broke off the stream: "
                               f"{type(exc).__name__}.", provider=call.route.provider) from None
    finally:
        response.close()


def completion_body(result: ChatResult, model: str) -> dict[str, Any]:
    """A ChatResult in the OpenAI chat.completion shape (for providers that cannot forward)."""
    message: dict[str, Any] = {"role": "assistant", "content": result.text or None}
    if result.tool_calls:
        message["tool_calls"] = [{"id": c.id, "type": "function", "function": {
            "name": c.name, "arguments": c.arguments_raw}} for c in result.tool_calls]
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message,
                         "finish_reason": result.finish_reason or (
                             "tool_calls" if result.tool_calls else "stop")}],
            "usage": {"prompt_tokens": result.input_tokens,
                      "completion_tokens": result.output_tokens,
                      "total_tokens": result.input_tokens + result.output_tokens}}
