"""A small bilingual corpus and an App over it, ingested once per database."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import write_corpus
from cristal.app import App
from cristal.config import load_settings
from research_corpus import research_over
from research_double import serve


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A fresh copy of the corpus in this test's directory."""
    return write_corpus(tmp_path)


@pytest.fixture
def app_for(tmp_path):
    """Build an App on a database URL (data dir in tmp), closed afterwards."""
    apps: list[App] = []

    def build(db_url: str, **overrides) -> App:
        app = App(load_settings(data_dir=str(tmp_path / "data"), database_url=db_url,
                                **overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def ask_over(tmp_path):
    """Offline research over small files written to tmp: ask_over({name: text}) gives
    ask(question) -> Report (one App, closed afterwards)."""
    apps: list[App] = []

    def build(files: dict[str, str]):
        ask, app = research_over(tmp_path, files)
        apps.append(app)
        return ask

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def double(monkeypatch):
    """The deterministic OpenAI-compatible research model double, on 127.0.0.1."""
    server = serve()
    monkeypatch.setenv("CRISTAL_TEST_DOUBLE_KEY", "good-key")
    yield server
    server.shutdown()
    server.server_close()
