"""Any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp server, DeepSeek…).

The official `openai` SDK does the transport, with its own retries and
exponential backoff on connection errors, timeouts, 408/409/429 and 5xx
(honouring Retry-After). Its exceptions are converted here and never reach
features.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import httpx
import numpy as np
import openai

from cristal.errors import (
    ModelAuthError,
    ModelError,
    ModelRateLimited,
    ModelRequestError,
    ModelResponseError,
    ModelServerError,
    ModelTimeout,
    ModelUnreachable,
)
from cristal.models._tokens import estimate_tokens
from cristal.models._types import ChatRequest, ChatResult, EmbedResult, StreamEvent
from cristal.models.providers._base import parse_json_output, tool_call

__all__ = ["OpenAIProvider"]


class OpenAIProvider:
    """Chat and embeddings through the OpenAI wire format."""

    local = False

    def __init__(
        self,
        name: str,
        *,
        base_url: str | None,
        api_key: str | None,
        key_source: str,
        region: str = "global",
        timeout_s: float = 60.0,
        max_retries: int = 3,
        headers: dict[str, str] | None = None,
        default_model: str = "gpt-4o-mini",
    ) -> None:
        self.name = name
        self.region = region
        self.default_model = default_model
        self.base_url = base_url or "https://api.openai.com/v1"
        self._key_source = key_source
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key or "not-needed",
            timeout=timeout_s,
            max_retries=max_retries,
            default_headers=headers or None,
        )
        # OpenAI's own API wants max_completion_tokens; most compatible servers want max_tokens.
        self._tokens_param = (
            "max_completion_tokens" if "api.openai.com" in self.base_url else "max_tokens"
        )

    # -- requests ---------------------------------------------------------

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": request.model,
            "messages": request.messages,
            self._tokens_param: request.max_tokens,
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.tools:
            params["tools"] = request.tools
            if request.tool_choice is not None:
                params["tool_choice"] = request.tool_choice
        if request.json_schema is not None:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema},
            }
        return params

    def complete(self, request: ChatRequest) -> ChatResult:
        """One non-streaming chat completion."""
        try:
            response = self._client.chat.completions.create(**self._params(request))
        except openai.OpenAIError as exc:
            raise self._convert(exc, request.model) from None
        if not response.choices:
            raise ModelResponseError(
                f"{self.name} returned no choices for model {request.model}.",
                provider=self.name, model=request.model,
            )
        choice = response.choices[0]
        message = choice.message
        text = message.content or ""
        calls = [
            tool_call(c.id, c.function.name, c.function.arguments or "")
            for c in (message.tool_calls or [])
            if getattr(c, "function", None) is not None
        ]
        return self._result(request, text, calls, choice.finish_reason, response.usage,
                            response.model)

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]:
        """Stream text deltas; the last event carries the result with usage."""
        params = self._params(request)
        params["stream"] = True
        params["stream_options"] = {"include_usage": True}
        parts: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        finish = None
        usage = None
        model = request.model
        try:
            for chunk in self._client.chat.completions.create(**params):
                usage = chunk.usage or usage
                model = chunk.model or model
                for choice in chunk.choices:
                    delta = choice.delta
                    finish = choice.finish_reason or finish
                    if delta.content:
                        parts.append(delta.content)
                        yield StreamEvent(delta=delta.content)
                    for tc in delta.tool_calls or []:
                        slot = calls.setdefault(tc.index, {"id": "", "name": "", "args": ""})
                        slot["id"] = tc.id or slot["id"]
                        if tc.function is not None:
                            slot["name"] += tc.function.name or ""
                            slot["args"] += tc.function.arguments or ""
        except openai.OpenAIError as exc:
            raise self._convert(exc, request.model) from None
        tool_calls = [tool_call(c["id"], c["name"], c["args"]) for _, c in sorted(calls.items())]
        yield StreamEvent(
            result=self._result(request, "".join(parts), tool_calls, finish, usage, model)
        )

    @property
    def tokens_param(self) -> str:
        """The name this endpoint wants for the output-token limit."""
        return self._tokens_param

    def forward(self, body: dict[str, Any], stream: bool = False) -> Any:
        """Send an OpenAI-format chat body as it is; the raw HTTP response (for the proxy).

        The SDK still retries (connection errors, 429, 5xx) and its errors are converted
        here; the reply is not parsed into objects, so the proxy adds little work.
        """
        try:
            return self._client.post("/chat/completions", body=body, cast_to=httpx.Response,
                                     stream=stream, stream_cls=None)
        except openai.OpenAIError as exc:
            raise self._convert(exc, str(body.get("model"))) from None

    def embed(
        self, texts: list[str], model: str, kind: Literal["query", "passage"]
    ) -> EmbedResult:
        """Embeddings from the endpoint's /embeddings, L2-normalised."""
        try:
            response = self._client.embeddings.create(model=model, input=texts)
        except openai.OpenAIError as exc:
            raise self._convert(exc, model) from None
        vectors = np.asarray([d.embedding for d in response.data], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
        tokens = response.usage.prompt_tokens if response.usage else sum(
            estimate_tokens(t) for t in texts
        )
        return EmbedResult(vectors=vectors, model=model, input_tokens=tokens, kind=kind)

    # -- helpers ----------------------------------------------------------

    def _result(self, request, text, calls, finish, usage, model) -> ChatResult:
        estimated = usage is None
        input_tokens = usage.prompt_tokens if usage else 0
        output_tokens = usage.completion_tokens if usage else estimate_tokens(text)
        parsed = None
        if request.json_schema is not None and not calls:
            parsed = parse_json_output(text, request.model)
        return ChatResult(
            text=text, model=model or request.model, input_tokens=input_tokens,
            output_tokens=output_tokens, finish_reason=finish, tool_calls=calls,
            parsed=parsed, usage_estimated=estimated,
        )

    def _convert(self, exc: openai.OpenAIError, model: str) -> ModelError:
        where = f"{self.name} ({self.base_url})"
        fields = {"provider": self.name, "model": model}
        if isinstance(exc, openai.APITimeoutError):
            return ModelTimeout(
                f"{where} did not answer in time; raise timeout_s in cristal.toml "
                "(or CRISTAL_TIMEOUT_S) or try a smaller request.", **fields,
            )
        if isinstance(exc, openai.APIConnectionError):
            return ModelUnreachable(
                f"cannot reach {where}: is the server running and the URL right? "
                f"Check OPENAI_BASE_URL or providers.{self.name}.base_url.", **fields,
            )
        status = getattr(exc, "status_code", None)
        body = str(getattr(exc, "body", "") or exc)[:300]
        fields["status"] = status
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return ModelAuthError(
                f"{where} rejected the API key ({status}): check {self._key_source}.", **fields
            )
        if isinstance(exc, openai.RateLimitError):
            retry_after = None
            response = getattr(exc, "response", None)
            if response is not None:
                retry_after = response.headers.get("retry-after")
            return ModelRateLimited(
                f"{where} kept answering 429 Too Many Requests after retries; wait and "
                "try again, or lower the request rate.", retry_after=retry_after, **fields,
            )
        if isinstance(exc, openai.InternalServerError) or (status and status >= 500):
            return ModelServerError(
                f"{where} kept failing with {status} after retries: {body}", **fields
            )
        if isinstance(exc, openai.APIStatusError):
            return ModelRequestError(
                f"{where} refused the request for model {model} ({status}): {body}. Check the "
                "model name and options for this endpoint.", **fields,
            )
        return ModelResponseError(f"{where}: {exc}", **fields)
