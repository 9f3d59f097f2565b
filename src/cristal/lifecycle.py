"""Data lifecycle use cases: erase data everywhere it lives, and enforce retention.

This module sits above the feature areas: it registers each area's erasure and
retention handlers with `governance` (which knows no feature), then runs them.
A table added by a new area is covered by one more registration here (or by the
area calling `governance.register_eraser` itself).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from cristal.governance import (
    erase_data,
    erase_exports,
    erase_identity,
    register_eraser,
    register_expirer,
    run_retention,
)

__all__ = ["erase", "retention", "start_retention_thread"]

_lock = threading.Lock()
_registered = False


def _register() -> None:
    global _registered
    with _lock:
        if _registered:
            return
        from cristal.envs._lifecycle import erase_episodes, expire_episodes
        from cristal.knowledge._lifecycle import erase_documents
        from cristal.models._lifecycle import erase_calls, expire_calls
        from cristal.operator._lifecycle import erase_trajectories, expire_trajectories
        from cristal.research._lifecycle import erase_sessions, expire_sessions
        from cristal.workflows._lifecycle import erase_runs, expire_runs

        register_eraser("knowledge", erase_documents, stage=0)
        register_eraser("research", erase_sessions)
        register_eraser("operator", erase_trajectories)
        register_eraser("workflows", erase_runs)
        register_eraser("envs", erase_episodes)
        register_eraser("identities", erase_identity)
        register_eraser("calls", erase_calls, stage=2)  # after the areas that make calls
        register_eraser("exports", erase_exports, stage=3)  # files, once all marks are known
        register_expirer("calls", "calls", expire_calls)
        register_expirer("research", "research", expire_sessions)
        register_expirer("operator", "operator", expire_trajectories)
        register_expirer("workflows", "workflows", expire_runs)
        register_expirer("envs", "envs", expire_episodes)
        _registered = True


def erase(app: Any, selector: str, value: str, *, tenant: str | None = None,
          requested_by: str | None = None) -> dict[str, Any]:
    """Erase a document, collection, user (record, keys, sessions, runs) or text everywhere."""
    _register()
    return erase_data(app, selector, value, tenant=tenant, requested_by=requested_by)


def retention(app: Any, *, now: datetime | None = None, tenant: str | None = None
              ) -> dict[str, Any]:
    """Delete data older than each tenant's retention periods."""
    _register()
    return run_retention(app, now=now, tenant=tenant)


def start_retention_thread(app: Any, stop: threading.Event, log: Any) -> threading.Thread:
    """Run retention every `retention.interval_s` until `stop` is set (for workers)."""

    def loop() -> None:
        while not stop.is_set():
            try:
                retention(app)
            except Exception as exc:  # a failed pass is retried next interval
                log(f"retention failed: {type(exc).__name__}: {exc}")
            stop.wait(app.settings.retention.interval_s)

    thread = threading.Thread(target=loop, name="cristal-retention", daemon=True)
    thread.start()
    return thread
