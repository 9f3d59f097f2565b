"""The offline provider: no model at all. It refuses clearly so features go extractive."""

from __future__ import annotations

from collections.abc import Iterator

from cristal.errors import ModelUnavailable
from cristal.models._types import ChatRequest, ChatResult, StreamEvent

__all__ = ["OfflineProvider"]

_HOW = (
    "no model is configured (offline mode). Set OPENAI_API_KEY (and optionally "
    "OPENAI_BASE_URL and CRISTAL_MODEL) to use any OpenAI-compatible endpoint, or configure "
    "a route in cristal.toml; features that can work without a model do so."
)


class OfflineProvider:
    """A provider that never generates; calling it raises ModelUnavailable."""

    local = True
    default_model = "none"

    def __init__(self, name: str = "offline", region: str = "local") -> None:
        self.name = name
        self.region = region

    def complete(self, request: ChatRequest) -> ChatResult:
        """Refuse: there is no model."""
        raise ModelUnavailable(_HOW, provider=self.name)

    def stream(self, request: ChatRequest) -> Iterator[StreamEvent]:
        """Refuse: there is no model."""
        raise ModelUnavailable(_HOW, provider=self.name)
