"""Which model an injection eval talks to: a configured route, or the obedient double."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cristal.config import RouteConfig
from cristal.errors import ConfigError
from cristal.injection._obedient import DOUBLE_MODEL, DOUBLE_NOTE, ObedientDouble, Scenario
from cristal.models import Gateway
from cristal.models.providers.openai_compat import OpenAIProvider

__all__ = ["EvalModel", "eval_model"]


@dataclass
class EvalModel:
    """The gateway and route an eval uses, and how to name the model in its report."""

    gateway: Any
    route: str
    model: str
    double: ObedientDouble | None = None

    @property
    def is_double(self) -> bool:
        """True when the obedient test double answers (no real model)."""
        return self.double is not None


@contextlib.contextmanager
def eval_model(settings: Any, store: Any, gateway: Any, route: str | None,
               scenarios: list[Scenario], tenant: str | None = None) -> Iterator[EvalModel]:
    """A configured route when one is given (or OPENAI_* is set), else the obedient double.

    The double is served on 127.0.0.1 and reached through a real Gateway (OpenAI wire
    format, budgets, call log) like any model; its calls are logged under the route
    `obedient-double`.
    """
    if route is None and gateway.available("default", tenant):
        route = "default"
    if route is not None:
        if not gateway.available(route, tenant):
            raise ConfigError(f"route {route!r} has no model (offline); configure it in "
                              "cristal.toml or set OPENAI_API_KEY, or leave out --route to "
                              "use the obedient test double.", route=route)
        resolved = gateway.resolve(route, tenant)
        yield EvalModel(gateway, route, resolved.model or "default")
        return
    with ObedientDouble(scenarios) as double:
        provider = OpenAIProvider(DOUBLE_MODEL, base_url=double.url, api_key="test-double",
                                  key_source="(test double)", region="local", timeout_s=60,
                                  max_retries=0, default_model=DOUBLE_MODEL)
        provider.local = True  # a process on this machine: free, and budgets price it at 0
        routes = dict(settings.routes)
        routes[DOUBLE_MODEL] = RouteConfig(provider=DOUBLE_MODEL, model=DOUBLE_MODEL,
                                           max_output_tokens=4096)
        local = settings.model_copy(update={"routes": routes})
        local._sources = getattr(settings, "_sources", {})
        yield EvalModel(Gateway(local, store, providers={DOUBLE_MODEL: provider}),
                        DOUBLE_MODEL, DOUBLE_NOTE, double)
