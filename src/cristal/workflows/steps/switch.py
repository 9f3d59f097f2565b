"""`switch`: run the steps of the case matching a value (or `default:`)."""

from __future__ import annotations

from typing import Any

from cristal.config import Settings
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec

__all__ = ["SwitchStep"]


class SwitchOptions(Options):
    """`value:` a template; `cases:` value -> step ids; `default:` step ids."""

    value: Any
    cases: dict[str, list[str]]
    default: list[str] = []


class SwitchStep:
    """Chooses the case whose key equals the value (compared as text)."""

    name = "switch"
    options = SwitchOptions
    templated = frozenset({"value"})
    durable = False
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """At least one case."""
        if not step.options.cases:
            raise StepProblem("a switch step needs `cases:` (value: [step ids])", "cases")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """{"branch": "cases.<key>"|"default", "value": the value}."""
        value = ctx.args.get("value")
        text = value if isinstance(value, str) else str(value).lower() if isinstance(
            value, bool) else str(value)
        branch = f"cases.{text}" if text in step.options.cases else "default"
        return {"branch": branch, "value": value}
