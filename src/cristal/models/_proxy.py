"""The metered OpenAI-format proxy: a client's chat body through the gateway, as it is.

For OpenAI-compatible providers the body (tools, response_format, any other field) is
forwarded unchanged except for the model (the route's) and the output limit (at most the
route's `max_output_tokens`, so the reservation always covers the call). The budget is
reserved before sending and settled with the usage the endpoint reports; the call log
gets one row, exactly as for `Gateway.chat`. A stream the client abandons is charged
what was streamed so far. Other providers (offline, local, plugins) go through
`Gateway.chat`/`stream` and the reply is put into the OpenAI shape.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cristal.errors import CristalError, InvalidInput, ModelResponseError, ModelUnreachable
from cristal.models._tokens import estimate_messages, estimate_tokens
from cristal.models._types import ChatResult

if TYPE_CHECKING:
    from cristal.models._gateway import Gateway

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
    prompt = estimate_messages(messages, body.get("tools"), _schema(body))
    meta = {"stream": stream, "tools": len(body.get("tools") or []), "proxy": True,
            "json_schema": _schema(body) is not None}
    call = gateway._open(tenant_obj, resolved, provider, model, "chat", prompt, limit, caller,
                         meta=meta)
    return call, provider, out


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
    call, provider, out = prepared
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
    call, provider, out = prepared
    wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    try:
        response = provider.forward(out, stream=True)
    except BaseException as exc:
        _fail(gateway, call, exc)
        raise
    return _relay(gateway, call, response, wants_usage)


def _relay(gateway: Gateway, call: Any, response: Any, wants_usage: bool) -> Iterator[str]:
    parts: list[str] = []
    usage = None
    settled = False
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
            if chunk.get("choices") or wants_usage:
                yield f"data: {payload}\n\n"
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
