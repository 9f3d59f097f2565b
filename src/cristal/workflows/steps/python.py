"""`python`: call a function registered with `@cristal.workflows.function`."""

from __future__ import annotations

from typing import Any

from cristal.config import Settings
from cristal.workflows._python import call_function, find_function
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec

__all__ = ["PythonStep"]


class PythonOptions(Options):
    """`function:` a registered name; `args:` keyword arguments (templates allowed)."""

    function: str
    args: dict[str, Any] = {}


class PythonStep:
    """Runs a registered Python function with the step's arguments."""

    name = "python"
    options = PythonOptions
    templated = frozenset({"args"})
    durable = False
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """The function must be registered (modules in workflows.modules are imported first)."""
        name = step.options.function
        if find_function(name, settings) is None:
            raise StepProblem(
                f"function `{name}` is not registered: decorate it with "
                "@cristal.workflows.function and list its module in workflows.modules "
                "(CRISTAL_WORKFLOWS__MODULES='[\"my.module\"]')", "function")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Call the function with the rendered `args`."""
        return call_function(step.options.function, ctx.args.get("args") or {}, ctx)
