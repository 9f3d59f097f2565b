"""`sleep`: a durable pause; a restart resumes the remaining time."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from cristal.config import Settings
from cristal.workflows._errors import StepError
from cristal.workflows._steptypes import Options, StepContext, StepSpec

__all__ = ["SleepStep", "pause_until"]

WAITING_AFTER_S = 60.0  # longer pauses show the run as `waiting`


class SleepOptions(Options):
    """`seconds:` a number or a template."""

    seconds: Any


def _wake_at(seconds: float) -> dict[str, Any]:
    until = time.time() + seconds
    return {"until": datetime.fromtimestamp(until, UTC).isoformat(), "seconds": seconds}


def pause_until(step: StepSpec, ctx: StepContext, plan: dict[str, Any]) -> dict[str, Any]:
    """Sleep durably for plan["seconds"], showing `waiting` for long pauses."""
    assert ctx.flow is not None
    long = plan["seconds"] >= WAITING_AFTER_S
    if long:
        ctx.flow.set_waiting({"step": step.id, "kind": "sleep", "until": plan["until"]})
    # A long pause can be cut short (cancel) and parked; a short one is a plain durable
    # sleep, several times cheaper to replay (no message wait). `long` comes from the
    # recorded plan, so a replay takes the same path.
    ctx.flow.sleep_until(datetime.fromisoformat(plan["until"]).timestamp(), wakeable=long)
    if long:
        ctx.flow.set_waiting(None)
    return plan


class SleepStep:
    """Waits a number of seconds without holding anything but a thread."""

    name = "sleep"
    options = SleepOptions
    templated = frozenset({"seconds"})
    durable = True
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Nothing beyond the keys."""

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """{"until": ISO time, "seconds": n}."""
        try:
            seconds = max(0.0, float(ctx.args["seconds"]))
        except (TypeError, ValueError):
            raise StepError(f"step `{step.id}`: seconds must be a number, got "
                            f"{ctx.args['seconds']!r}", step=step.id) from None
        assert ctx.flow is not None
        plan = ctx.flow.record(step.id, _wake_at, seconds)
        return pause_until(step, ctx, plan)
