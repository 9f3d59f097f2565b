"""`if`: run the steps listed in `then:` or in `else:`, by a condition on earlier outputs."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from cristal.config import Settings
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec

__all__ = ["IfStep"]


class IfOptions(Options):
    """`condition:` a template; `then:`/`else:` step ids gated by it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    condition: Any
    then: list[str] = []
    else_: list[str] = Field([], alias="else")


class IfStep:
    """Chooses a branch; steps in the other branch are skipped."""

    name = "if"
    options = IfOptions
    templated = frozenset({"condition"})
    durable = False
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """At least one branch."""
        if not step.options.then and not step.options.else_:
            raise StepProblem("an if step needs `then:` and/or `else:` (lists of step ids)",
                              "then")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """{"branch": "then"|"else", "value": the condition's truth}."""
        value = bool(ctx.args.get("condition"))
        return {"branch": "then" if value else "else", "value": value}
