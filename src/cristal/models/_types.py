"""Plain data passed between the gateway, providers and features."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = [
    "ChatRequest",
    "ChatResult",
    "EmbedResult",
    "StreamEvent",
    "ToolCall",
]

Message = dict[str, Any]  # OpenAI chat format: {"role": ..., "content": ..., ...}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """What a provider is asked to do: OpenAI-format messages plus options."""

    model: str
    messages: list[Message]
    max_tokens: int
    temperature: float | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    json_schema: dict[str, Any] | None = None
    schema_name: str = "output"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call the model asked for."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    arguments_raw: str


@dataclass(slots=True)
class ChatResult:
    """A finished chat completion, with usage, cost and the call-log id."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    finish_reason: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    parsed: Any = None
    usage_estimated: bool = False
    call_id: str | None = None
    provider: str | None = None
    route: str | None = None
    cost_usd: float = 0.0
    latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One streamed piece: a text delta, or (last) the finished result."""

    delta: str = ""
    result: ChatResult | None = None


@dataclass(slots=True)
class EmbedResult:
    """Vectors (one row per text, L2-normalised) and the tokens they cost."""

    vectors: np.ndarray
    model: str
    input_tokens: int
    kind: Literal["query", "passage"] = "passage"
    call_id: str | None = None
