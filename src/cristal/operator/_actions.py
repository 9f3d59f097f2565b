"""The operator's action space: one pydantic model per action, a JSON Schema for policies."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cristal.errors import InvalidInput

__all__ = [
    "Action",
    "ActionResult",
    "AskUser",
    "Check",
    "Click",
    "Done",
    "Extract",
    "Goto",
    "Hover",
    "Press",
    "Scroll",
    "Select",
    "Type",
    "Uncheck",
    "Upload",
    "WaitFor",
    "action_schema",
    "parse_action",
]

_TARGET = ("The element: a ref from the latest snapshot ('e12'), or a description such as "
           "'Submit', 'the second \"OK\" button', '氏名', 'Email field'.")


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, description="Why this action (kept in the trajectory).")

    def describe(self) -> str:
        """A one-line human rendering, e.g. `click 'Submit'`."""
        data = self.model_dump(exclude_none=True, exclude={"action", "note"})
        args = " ".join(f"{k}={v!r}" for k, v in data.items())
        return f"{self.action} {args}".strip()  # type: ignore[attr-defined]


class _Targeted(_Base):
    target: str = Field(..., description=_TARGET)
    near: str | None = Field(None, description="Prefer the match closest to this text.")
    match: Literal["fuzzy", "exact", "glob"] = Field(
        "fuzzy", description="How to compare names: fuzzy (default), exact, or glob with '*'.")


class Goto(_Base):
    """Open a URL in the current tab."""

    action: Literal["goto"] = "goto"
    url: str


class Click(_Targeted):
    """Click an element."""

    action: Literal["click"] = "click"


class Type(_Targeted):
    """Type text into a field; `{{secret:NAME}}` is filled by the runtime and never recorded."""

    action: Literal["type"] = "type"
    text: str
    mode: Literal["clear", "append"] = "clear"


class Select(_Targeted):
    """Choose one or more options of a select or listbox, by visible text."""

    action: Literal["select"] = "select"
    values: list[str] = Field(..., min_length=1)


class Check(_Targeted):
    """Make a checkbox, radio button or switch checked."""

    action: Literal["check"] = "check"


class Uncheck(_Targeted):
    """Make a checkbox or switch unchecked."""

    action: Literal["uncheck"] = "uncheck"


class Press(_Base):
    """Press keys ('Enter', 'Control+A'), in a target element or wherever the focus is."""

    action: Literal["press"] = "press"
    keys: str
    target: str | None = Field(None, description=_TARGET)

    def key_list(self) -> list[str]:
        """The keys pressed one after another: "Tab Tab Enter" is three; " " is the space bar."""
        return self.keys.split() or (["Space"] if self.keys else [])


class Scroll(_Base):
    """Scroll the page, or a scrollable element, up or down."""

    action: Literal["scroll"] = "scroll"
    direction: Literal["up", "down"] = "down"
    amount: int = Field(600, description="Pixels.")
    target: str | None = Field(None, description=_TARGET)


class Hover(_Targeted):
    """Move the mouse over an element."""

    action: Literal["hover"] = "hover"


class Upload(_Targeted):
    """Attach files from the task folder to a file input."""

    action: Literal["upload"] = "upload"
    files: list[str] = Field(..., min_length=1, description="Paths relative to the task folder.")


class WaitFor(_Base):
    """Wait until text (or an element) appears, or with `gone`, disappears."""

    action: Literal["wait_for"] = "wait_for"
    text: str
    gone: bool = False
    timeout_s: float = 5.0


class Extract(_Base):
    """Read data from the page: a target's text or value, or a table or list as rows."""

    action: Literal["extract"] = "extract"
    target: str | None = Field(None, description=_TARGET + " Omit for the whole page.")
    kind: Literal["text", "table", "list"] = "text"


class AskUser(_Base):
    """Ask the person running the task a question and wait for the answer."""

    action: Literal["ask_user"] = "ask_user"
    question: str


class Done(_Base):
    """Finish the task, with its result (or a failure report when `ok` is false)."""

    action: Literal["done"] = "done"
    result: Any = None
    ok: bool = True


Action = Annotated[
    Goto | Click | Type | Select | Check | Uncheck | Press | Scroll | Hover | Upload | WaitFor
    | Extract | AskUser | Done,
    Field(discriminator="action"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Action)


def action_schema() -> dict[str, Any]:
    """The JSON Schema of one action, for a model policy's tool/JSON mode."""
    return _ADAPTER.json_schema()


def parse_action(data: dict[str, Any] | str) -> Any:
    """An Action from a dict or JSON text; InvalidInput says which field is wrong."""
    try:
        if isinstance(data, str):
            return _ADAPTER.validate_json(data)
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "action"
        raise InvalidInput(
            f"Not a valid operator action ({where}: {first['msg']}). Send one JSON object with "
            "an 'action' field (goto, click, type, select, check, uncheck, press, scroll, hover, "
            "upload, wait_for, extract, ask_user, done) and that action's fields.",
            field=where) from None


class ActionResult(BaseModel):
    """What happened when one action was applied."""

    ok: bool
    error: str | None = None
    error_type: str | None = None
    detail: str = ""
    data: Any = None
    ms: float = 0.0

    @classmethod
    def failed(cls, exc: BaseException, started: float) -> ActionResult:
        """A failed result from an exception."""
        message = getattr(exc, "message", None) or str(exc).splitlines()[0][:500]
        return cls(ok=False, error=message, error_type=type(exc).__name__,
                   ms=(time.perf_counter() - started) * 1000)
