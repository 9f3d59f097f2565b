"""The provider seams: a chat provider (complete, stream) and an embedder (embed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal, Protocol, runtime_checkable

from cristal.errors import ModelResponseError
from cristal.models._types import ChatRequest, ChatResult, EmbedResult, StreamEvent, ToolCall

__all__ = ["ChatProvider", "Embedder", "parse_json_output", "tool_call"]


@runtime_checkable
class ChatProvider(Protocol):
    """Something that completes OpenAI-format chats. `local`: free and on this machine."""

    name: str
    region: str
    local: bool
    default_model: str

    def complete(self, request: ChatRequest) -> ChatResult:
        """Run the request to completion."""
        ...

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]:
        """Yield text deltas, then one event carrying the finished ChatResult."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """Something that turns texts into L2-normalised vectors."""

    name: str
    region: str
    local: bool
    default_model: str

    def embed(
        self, texts: list[str], model: str, kind: Literal["query", "passage"]
    ) -> EmbedResult:
        """Embed `texts` for search (`query`) or for the index (`passage`)."""
        ...


def parse_json_output(text: str, model: str) -> Any:
    """Parse a structured-output reply, or raise ModelResponseError saying what came back."""
    cleaned = text.strip()
    if cleaned.startswith("```"):  # some servers wrap JSON in a fenced block
        cleaned = cleaned.strip("`")
        cleaned = cleaned[4:] if cleaned.lower().startswith("json") else cleaned
    try:
        return json.loads(cleaned)
    except json.JSONDecodeError as exc:
        raise ModelResponseError(
            f"model {model} was asked for JSON but answered {text[:200]!r} ({exc.msg}); "
            "use a model or server that supports structured output (response_format).",
            model=model,
        ) from None


def tool_call(call_id: str, name: str, raw: str) -> ToolCall:
    """A ToolCall with its JSON arguments parsed when they parse."""
    try:
        args = json.loads(raw) if raw else {}
        if not isinstance(args, dict):
            args = None
    except json.JSONDecodeError:
        args = None
    return ToolCall(id=call_id, name=name, arguments=args, arguments_raw=raw)
