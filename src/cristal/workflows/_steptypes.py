"""The step-type seam: a `StepType` protocol and the registry specs look types up in.

A new step type is one file with a class implementing `StepType`, plus one call to
`register_step_type`. Most types are *operations* (`durable = False`): the engine
runs `run()` inside one checkpointed step, with retries, a timeout and an
idempotency key, so `run()` may do I/O freely. *Flow* types (`durable = True`:
approval, map, sleep, if/switch) run in the workflow itself and must reach the
outside world only through `ctx.flow`, whose every call is checkpointed.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from cristal.app import App
    from cristal.config import Settings

__all__ = [
    "Flow",
    "Options",
    "RetryPolicy",
    "StepContext",
    "StepProblem",
    "StepSpec",
    "StepType",
    "current_step",
    "get_step_type",
    "register_step_type",
    "step_types",
]


class Options(BaseModel):
    """Base of every step type's own keys: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class RetryPolicy(BaseModel):
    """Attempts with exponential backoff: wait backoff_s, then ×factor each time."""

    model_config = ConfigDict(extra="forbid")

    attempts: int = Field(3, ge=1, le=100)
    backoff_s: float = Field(1.0, ge=0)
    factor: float = Field(2.0, ge=1)


class StepProblem(Exception):
    """Raised by `StepType.check`: what is wrong, and the key it is about."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.key = key


@dataclass(eq=False)
class StepSpec:
    """One step of a spec, validated: common keys, the type's options, compiled templates."""

    id: str
    type: str
    options: Options
    templates: dict[str, Any]
    path: tuple[str | int, ...]
    index: int = 0
    when: Any = None
    needs: tuple[str, ...] = ()
    retry: RetryPolicy | None = None
    timeout_s: float | None = None
    inner: StepSpec | None = None


class Flow(Protocol):
    """Checkpointed primitives a flow step type uses (implemented by the engine)."""

    def render(self, value: Any, extra: dict[str, Any] | None = None) -> Any:
        """Render compiled templates against the run's inputs and step outputs."""

    def record(self, name: str, fn: Any, *args: Any) -> Any:
        """Run `fn(*args)` once as a checkpointed step called `name`; replays return its value."""

    def run_ops(self, step: StepSpec, args: list[dict[str, Any]], concurrency: int,
                extras: list[dict[str, Any]]) -> list[Any]:
        """Run the operation `step` once per args (map items), at most `concurrency` at once."""

    def sleep_until(self, until: float) -> None:
        """A durable sleep until an epoch time: a restart resumes the remaining time."""

    def receive(self, topic: str, timeout_s: float) -> Any:
        """Wait for a message on `topic` (None after the timeout); durable across restarts."""

    def set_waiting(self, info: dict[str, Any] | None) -> None:
        """Show the run as `waiting` with this reason (None: running again)."""


@dataclass
class StepContext:
    """What a running step knows: its run, tenant, idempotency key, rendered arguments."""

    run_id: str
    tenant: str
    step_id: str
    key: str
    args: dict[str, Any]
    app: App | None = None
    workflow: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    flow: Flow | None = None
    principal: dict[str, Any] | None = None  # who started the run (None: the local owner)

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of this step of this run, different for any other."""
        return self.key


_current: contextvars.ContextVar[StepContext | None] = contextvars.ContextVar(
    "cristal_step", default=None)


def current_step() -> StepContext | None:
    """The step running in this thread (inside `run()` of an operation step), if any."""
    return _current.get()


@runtime_checkable
class StepType(Protocol):
    """A kind of step: `check` when a spec loads, `run` when a run reaches the step.

    Attributes: `name` (the `type:` value), `options` (a pydantic `Options` model of
    the type's own keys), `templated` (keys rendered from templates before `run`),
    `durable` (False for operations, True for flow types), `attempts` (default
    attempts when the step sets no `retry:`).
    """

    name: str
    options: type[Options]
    templated: frozenset[str]
    durable: bool
    attempts: int

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Refuse a step that cannot work (raise StepProblem); `settings` may be None."""

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Do the step and return its output (JSON-like data)."""


_TYPES: dict[str, StepType] = {}


def register_step_type(step_type: StepType, *, replace: bool = False) -> None:
    """Make a step type available to specs; `replace=True` swaps a built-in one."""
    if not isinstance(step_type, StepType):
        raise TypeError(f"{step_type!r} does not implement the StepType protocol")
    if step_type.name in _TYPES and not replace:
        raise ValueError(f"step type {step_type.name!r} is already registered; "
                         "pass replace=True to swap it")
    _TYPES[step_type.name] = step_type


def get_step_type(name: str) -> StepType | None:
    """The registered step type called `name`."""
    return _TYPES.get(name)


def step_types() -> dict[str, StepType]:
    """Every registered step type by name."""
    return dict(_TYPES)
