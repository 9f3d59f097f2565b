"""A provider backed by a Python function: for plugins and tests, beside the real ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cristal.models._tokens import estimate_messages, estimate_tokens
from cristal.models._types import ChatRequest, ChatResult, StreamEvent
from cristal.models.providers._base import parse_json_output

__all__ = ["FunctionProvider"]


class FunctionProvider:
    """Answers each request with `fn(request)`: a string or a full ChatResult."""

    def __init__(self, fn: Callable[[ChatRequest], str | ChatResult], name: str = "function",
                 region: str = "local", local: bool = True, default_model: str = "function"):
        self.fn = fn
        self.name = name
        self.region = region
        self.local = local
        self.default_model = default_model

    def complete(self, request: ChatRequest) -> ChatResult:
        """Call the function and wrap a plain string answer."""
        answer = self.fn(request)
        if isinstance(answer, ChatResult):
            return answer
        return ChatResult(
            text=answer, model=request.model,
            input_tokens=estimate_messages(request.messages, request.tools, request.json_schema),
            output_tokens=estimate_tokens(answer), finish_reason="stop",
            parsed=parse_json_output(answer, request.model) if request.json_schema else None,
        )

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]:
        """Stream the answer word by word."""
        result = self.complete(request)
        for piece in result.text.split(" "):
            yield StreamEvent(delta=piece + " ")
        yield StreamEvent(result=result)
