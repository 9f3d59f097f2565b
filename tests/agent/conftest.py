"""A gateway whose `default` route is a FunctionProvider: a model double behind the real gateway."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.models import ChatRequest, FunctionProvider


@pytest.fixture
def make_gateway(tmp_path):
    """Build a real Gateway (SQLite call log, budgets) whose model is `fn(request)`."""
    apps: list[App] = []

    def build(fn: Callable[[ChatRequest], Any]) -> Any:
        settings = load_settings(data_dir=str(tmp_path / "data"),
                                 database_url=f"sqlite:///{tmp_path / 'cristal.db'}",
                                 routes={"default": {"provider": "fn", "model": "fn"}})
        app = App(settings, providers={"fn": FunctionProvider(fn, name="fn")})
        apps.append(app)
        return app.gateway

    yield build
    for app in apps:
        app.close()
