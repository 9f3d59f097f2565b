"""The PII guard at the gateway: allow, redact or block personal data per tenant and route.

`Guards.for_call` picks the mode for one call (tenant policy, then `[pii]` config;
see `governance.pii_mode`) and returns None when there is nothing to do (allow, or
a local provider), so the common path costs one dictionary lookup. A `CallGuard`
redacts what is sent (messages, tool-call arguments, tool results, texts to embed)
with typed placeholders and restores them in what comes back (text, tool calls,
parsed JSON, streamed deltas); in `block` mode it refuses before anything is sent,
naming entity types and where, never values. The call log gets types and counts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from cristal.config import Settings
from cristal.errors import PiiBlocked
from cristal.governance import DataPolicy, Tenant, get_data_policy, pii_mode
from cristal.governance.pii import Redactor, StreamRestorer
from cristal.models._routing import ResolvedRoute
from cristal.models._types import ChatResult, StreamEvent, ToolCall
from cristal.store import Store

__all__ = ["CallGuard", "Guards"]

_POLICY_TTL_S = 2.0  # like the tenant cache: a changed policy applies within seconds


class CallGuard:
    """The guard of one call: redacts outbound data and restores the reply."""

    def __init__(self, mode: str, tenant: Tenant, route: ResolvedRoute, redactor: Redactor):
        self.mode = mode
        self.tenant = tenant
        self.route = route
        self.redactor = redactor

    def messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages to send (redacted), or PiiBlocked when the mode is block."""
        out = [self._message(i, m) for i, m in enumerate(messages)]
        self._check()
        return out

    def texts(self, texts: list[str]) -> list[str]:
        """Texts to embed, redacted (or PiiBlocked)."""
        out = [self.redactor.redact(t, f"input {i}") for i, t in enumerate(texts)]
        self._check()
        return out

    def summary(self) -> dict[str, Any]:
        """What the call log keeps: the mode and entity counts by type, never values."""
        return {"mode": self.mode, "found": self.redactor.counts()}

    def restore(self, result: ChatResult) -> ChatResult:
        """The reply with placeholders swapped back (text, tool calls, parsed output)."""
        r = self.redactor
        result.text = r.restore(result.text) or ""
        result.parsed = r.restore_json(result.parsed)
        result.tool_calls = [_restore_call(r, c) for c in result.tool_calls]
        return result

    def stream(self, events: Iterator[StreamEvent]) -> Iterator[StreamEvent]:
        """Streamed events with placeholders restored, even across delta boundaries."""
        restorer = StreamRestorer(self.redactor)
        for event in events:
            if event.result is not None:
                tail = restorer.flush()
                if tail:
                    yield StreamEvent(delta=tail)
                yield StreamEvent(result=self.restore(event.result))
                return
            text = restorer.feed(event.delta)
            if text:
                yield StreamEvent(delta=text)
        tail = restorer.flush()
        if tail:
            yield StreamEvent(delta=tail)

    def _message(self, index: int, message: dict[str, Any]) -> dict[str, Any]:
        r = self.redactor
        where = f"message {index}"
        out = dict(message)
        content = message.get("content")
        if isinstance(content, str):
            out["content"] = r.redact(content, where)
        elif isinstance(content, list):
            out["content"] = [
                {**p, "text": r.redact(p["text"], f"{where} part {k}")}
                if isinstance(p, dict) and isinstance(p.get("text"), str) else p
                for k, p in enumerate(content)]
        if message.get("tool_calls"):
            calls = []
            for k, call in enumerate(message["tool_calls"]):
                fn = dict(call.get("function") or {})
                if isinstance(fn.get("arguments"), str):
                    fn["arguments"] = r.redact_json_text(
                        fn["arguments"], f"{where} tool call {k} arguments")
                calls.append({**call, "function": fn})
            out["tool_calls"] = calls
        return out

    def _check(self) -> None:
        if self.mode != "block" or not self.redactor.findings:
            return
        places = {}
        for f in self.redactor.findings:
            places.setdefault(f.type, []).append(f"{f.where} [{f.start}:{f.end}]")
        found = "; ".join(f"{t} at {', '.join(p[:5])}{' …' if len(p) > 5 else ''}"
                          for t, p in sorted(places.items()))
        t, route = self.tenant.name, self.route
        raise PiiBlocked(
            f"tenant {t}'s data policy blocks personal data on route {route.name!r} (provider "
            f"{route.provider!r}, region {route.provider_config.region!r}): found {found}. "
            f"Nothing was sent. Remove it, use a route the policy allows, or have an admin "
            f"choose redaction: `cristal pii policy set --tenant {t} --route {route.name} "
            f"--mode redact`.",
            tenant=t, route=route.name, provider=route.provider,
            entities=self.redactor.counts(),
            findings=[f.to_dict() for f in self.redactor.findings],
        )


def _restore_call(r: Redactor, call: ToolCall) -> ToolCall:
    import json

    if call.arguments is not None:
        args = r.restore_json(call.arguments)
        return replace(call, arguments=args, arguments_raw=json.dumps(args, ensure_ascii=False))
    return replace(call, arguments_raw=r.restore(call.arguments_raw) or "")


class Guards:
    """Chooses each call's guard from the tenant's data policy and the `[pii]` config."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._policies: dict[str, tuple[float, DataPolicy]] = {}

    def for_call(self, tenant: Tenant, route: ResolvedRoute, local: bool) -> CallGuard | None:
        """The guard for a call, or None when personal data may pass as it is."""
        config = self.settings.pii
        if local and not config.local:
            return None  # the data does not leave the machine
        mode = pii_mode(config, self._policy(tenant), route.name, route.provider_config.region)
        if mode == "allow":
            return None
        types = tuple(config.types) if config.types else None
        return CallGuard(mode, tenant, route, Redactor(ner=config.ner, types=types))

    def _policy(self, tenant: Tenant) -> DataPolicy:
        cached = self._policies.get(tenant.id)
        if cached is not None and time.monotonic() - cached[0] < _POLICY_TTL_S:
            return cached[1]
        policy = get_data_policy(self.store, tenant.id)
        self._policies[tenant.id] = (time.monotonic(), policy)
        return policy
