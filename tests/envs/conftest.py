"""Apps on real SQLite files, the bundled examples as a task set, agent models over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_models import AgentModels
from conftest import require
from cristal.app import App
from cristal.config import load_settings
from cristal.operator import find_chromium

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def make_app(tmp_path):
    """Build an App on a SQLite file in tmp (extra settings as keyword arguments)."""
    apps: list[App] = []

    def build(**overrides) -> App:
        app = App(load_settings(data_dir=str(tmp_path / "data"),
                                database_url=f"sqlite:///{tmp_path / 'cristal.db'}", **overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def agent_models():
    """Two fake agent models (`careful`, `lazy`) behind one OpenAI-compatible server."""
    server = AgentModels().start()
    yield server
    server.shutdown()
    server.server_close()


def model_settings(url: str) -> dict:
    """Routes `careful` and `lazy` on the agent-model server, with prices."""
    return {
        "providers": {"agents": {"type": "openai", "base_url": url}},
        "routes": {"careful": {"provider": "agents", "model": "careful"},
                   "lazy": {"provider": "agents", "model": "lazy"}},
        "prices": {"careful": {"input_per_mtok": 3.0, "output_per_mtok": 15.0},
                   "lazy": {"input_per_mtok": 0.1, "output_per_mtok": 0.4}},
    }


@pytest.fixture
def chromium():
    """Skip (or fail in strict mode) without Chromium and MiniWoB++."""
    try:
        find_chromium()
        import miniwob  # noqa: F401
        ok = True
    except Exception:
        ok = False
    require(ok, "Chromium and miniwob")
