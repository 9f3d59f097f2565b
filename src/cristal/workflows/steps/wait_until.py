"""`wait_until`: a durable pause until a date and time (ISO 8601, UTC if no zone)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from cristal.config import Settings
from cristal.workflows._errors import StepError
from cristal.workflows._steptypes import Options, StepContext, StepSpec
from cristal.workflows.steps.sleep import pause_until

__all__ = ["WaitUntilStep"]


class WaitUntilOptions(Options):
    """`at:` an ISO 8601 time or a template producing one."""

    at: Any


def _plan(at: str) -> dict[str, Any]:
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return {"until": moment.isoformat(), "seconds": max(0.0, moment.timestamp() - time.time())}


class WaitUntilStep:
    """Waits until a moment; a moment in the past does not wait."""

    name = "wait_until"
    options = WaitUntilOptions
    templated = frozenset({"at"})
    durable = True
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Nothing beyond the keys."""

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """{"until": ISO time, "seconds": how long it waited}."""
        at = str(ctx.args["at"])
        try:
            datetime.fromisoformat(at)
        except ValueError:
            raise StepError(f"step `{step.id}`: `at` must be an ISO 8601 time like "
                            f"2026-12-01T09:00:00+09:00, got {at!r}", step=step.id) from None
        assert ctx.flow is not None
        return pause_until(step, ctx, ctx.flow.record(step.id, _plan, at))
