"""A gateway wired to the fake OpenAI server through the real zero-config conventions."""

from __future__ import annotations

import pytest

from cristal.config import load_settings
from cristal.models import Gateway
from cristal.store import Store


@pytest.fixture
def make_gateway(monkeypatch, tmp_path, fake_openai):
    """Build (gateway, store) for a database URL, with OPENAI_* pointing at the fake server."""
    stores: list[Store] = []

    def build(db_url: str, **overrides) -> tuple[Gateway, Store]:
        monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url)
        monkeypatch.setenv("OPENAI_API_KEY", overrides.pop("api_key", "good-key"))
        settings = load_settings(data_dir=str(tmp_path / "data"), database_url=db_url,
                                 model=overrides.pop("model", "echo"),
                                 **{"max_retries": 2, "timeout_s": 5, **overrides})
        store = Store.open(settings.db_url)
        stores.append(store)
        return Gateway(settings, store), store

    yield build
    for store in stores:
        store.close()
