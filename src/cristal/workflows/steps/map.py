"""`map`: run one operation step for each item of a list, at most `concurrency` at once.

Each item is its own checkpointed step (`<id>[<index>]`) with its own idempotency
key, so a restart re-runs only the items that had not finished.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from cristal.config import Settings
from cristal.workflows._errors import StepError
from cristal.workflows._steptypes import (
    Options,
    StepContext,
    StepProblem,
    StepSpec,
    get_step_type,
)

__all__ = ["MapStep"]


class MapOptions(Options):
    """`items:` a list or template; `step:` the operation per item; `concurrency:`."""

    items: Any
    step: dict[str, Any]
    concurrency: int = Field(4, ge=1, le=256)


class MapStep:
    """Fans out over a list; its output is the list of the items' outputs, in order."""

    name = "map"
    options = MapOptions
    templated = frozenset({"items"})
    durable = True
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """The per-item step must be an operation (model, http, python, research...)."""
        inner = step.inner
        if inner is None:
            return
        inner_type = get_step_type(inner.type)
        if inner_type is not None and inner_type.durable:
            raise StepProblem(f"map can fan out operation steps (model, http, python, research),"
                              f" not `{inner.type}`", "step")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """The list of outputs, one per item."""
        assert ctx.flow is not None and step.inner is not None
        items = ctx.args.get("items")
        if not isinstance(items, list):
            raise StepError(f"step `{step.id}`: items must be a list, got "
                            f"{type(items).__name__}; check the `items:` template.", step=step.id)
        extras = [{"item": item, "index": i} for i, item in enumerate(items)]
        args = [ctx.flow.render_step(step.inner, extra) for extra in extras]
        return ctx.flow.run_ops(step.inner, args, step.options.concurrency, extras)
