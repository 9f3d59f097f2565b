"""Workflows in Python: `@workflow`, `@step`, `@function`, and `idempotency_key()`.

```python
from cristal.workflows import idempotency_key, step, workflow

@step(retries=3)
def charge(order: str, cents: int) -> dict:
    return bank.charge(order, cents, idempotency_key=idempotency_key())

@workflow(name="orders.charge")
def charge_order(order: str, cents: int) -> dict:
    return charge(order, cents)
```

Thin wrappers over DBOS decorators: typed arguments are validated with pydantic,
and names are stable so any worker that imports the module can run them.
`@function` registers a plain function for YAML `python` steps.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from dbos import DBOS, pydantic_args_validator
from pydantic import ValidationError, validate_call

from cristal.config import Settings
from cristal.errors import ConfigError
from cristal.workflows._errors import StepError
from cristal.workflows._steptypes import StepContext, current_step

__all__ = [
    "call_function",
    "find_function",
    "function",
    "idempotency_key",
    "import_modules",
    "registered_workflow",
    "step",
    "workflow",
]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class _Function:
    fn: Callable[..., Any]
    checked: Callable[..., Any]
    wants_ctx: bool


_FUNCTIONS: dict[str, _Function] = {}
_WORKFLOWS: dict[str, Callable[..., Any]] = {}
_imported: set[str] = set()


@overload
def function(fn: F) -> F: ...
@overload
def function(*, name: str | None = None) -> Callable[[F], F]: ...


def function(fn: Any = None, *, name: str | None = None) -> Any:
    """Register a function for YAML `python` steps (`function: NAME`); returns it unchanged.

    Arguments are validated against its type hints; a parameter named `ctx` receives
    the StepContext (run id, tenant, idempotency key).
    """
    def register(func: F) -> F:
        params = inspect.signature(func).parameters
        _FUNCTIONS[name or func.__name__] = _Function(
            func, validate_call(func), "ctx" in params)
        return func

    return register(fn) if fn is not None else register


def import_modules(modules: list[str]) -> None:
    """Import the modules that register functions and workflows (workflows.modules)."""
    for module in modules:
        if module in _imported:
            continue
        try:
            importlib.import_module(module)
        except Exception as exc:  # any import-time failure is a configuration problem
            raise ConfigError(
                f"workflows.modules: cannot import {module!r} ({type(exc).__name__}: {exc}); "
                "check the module name and PYTHONPATH.", key="workflows.modules") from exc
        _imported.add(module)


def find_function(name: str, settings: Settings | None = None) -> Callable[..., Any] | None:
    """The function registered as `name`, importing workflows.modules first if needed."""
    if name not in _FUNCTIONS and settings is not None:
        import_modules(settings.workflows.modules)
    found = _FUNCTIONS.get(name)
    return found.fn if found else None


def call_function(name: str, args: dict[str, Any], ctx: StepContext) -> Any:
    """Call a registered function with validated keyword arguments."""
    found = _FUNCTIONS.get(name)
    if found is None:
        raise StepError(f"function `{name}` is not registered in this worker: list its module "
                        "in workflows.modules on every worker.")
    kwargs = dict(args)
    if found.wants_ctx:
        kwargs["ctx"] = ctx
    try:
        return found.checked(**kwargs)
    except ValidationError as exc:
        raise StepError(f"function `{name}` rejected its arguments: {_short(exc)}; fix `args` "
                        "in the spec.") from None


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])


@function(name="echo")
def _echo(**values: Any) -> dict[str, Any]:
    """Built-in: return the arguments as the output (shape data between steps)."""
    return values


def workflow(fn: Any = None, *, name: str | None = None,
             max_recovery_attempts: int | None = None) -> Any:
    """Declare a durable workflow; typed arguments are validated when it runs."""
    def register(func: F) -> F:
        wf_name = name or f"{func.__module__}.{func.__qualname__}"
        options: dict[str, Any] = {"name": wf_name, "validate_args": pydantic_args_validator}
        if max_recovery_attempts is not None:
            options["max_recovery_attempts"] = max_recovery_attempts
        wrapped = DBOS.workflow(**options)(func)
        wrapped.__cristal_workflow__ = wf_name  # type: ignore[attr-defined]
        _WORKFLOWS[wf_name] = wrapped
        return wrapped

    return register(fn) if fn is not None else register


def registered_workflow(name: str) -> Callable[..., Any] | None:
    """The Python workflow registered under `name`."""
    return _WORKFLOWS.get(name)


def step(fn: Any = None, *, name: str | None = None, retries: int = 1, backoff_s: float = 1.0,
         factor: float = 2.0, timeout_s: float | None = None) -> Any:
    """Declare a checkpointed step: `retries` attempts with exponential backoff.

    `timeout_s` needs an `async def` step (DBOS cancels only coroutines).
    """
    def register(func: F) -> F:
        if timeout_s is not None and not inspect.iscoroutinefunction(func):
            raise TypeError(f"@step(timeout_s=...) on {func.__qualname__}: step timeouts need an "
                            "async def function; for a sync step, set the timeout on the client "
                            "it calls.")
        return DBOS.step(name=name or f"{func.__module__}.{func.__qualname__}",
                         retries_allowed=retries > 1, max_attempts=max(1, retries),
                         interval_seconds=backoff_s, backoff_rate=factor,
                         timeout_seconds=timeout_s)(func)

    return register(fn) if fn is not None else register


def idempotency_key() -> str:
    """The key of the step running now: the same on every attempt, unique per run and step."""
    ctx = current_step()
    if ctx is not None:
        return ctx.key
    workflow_id, step_id = DBOS.workflow_id, DBOS.step_id
    if not workflow_id or step_id is None:
        raise RuntimeError("idempotency_key() only works inside a workflow step.")
    return f"{workflow_id}/{step_id}"
