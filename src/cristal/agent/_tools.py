"""Tools and their policies, declared in Python (`@tool`) or YAML (`load_policies`).

A policy says whether a tool has side effects, which of its arguments must be
trusted (a recipient, an IBAN, a URL), which values are allow-listed anyway, what
happens when the rule is broken (refuse, or ask a person), and how far its output
is trusted (untrusted by default; `trusted_fields` names record fields the deploying
system vouches for, such as ids, senders or sizes; those are vouched for only when
the arguments in `selected_by`, all of them by default, were trusted: a search for a
name that came from a web page returns what the page chose).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from cristal.errors import InvalidInput

__all__ = ["Tool", "ToolPolicy", "ToolRegistry", "load_policies", "tool"]

OnViolation = Literal["refuse", "ask"]


class _PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    side_effect: bool = False
    trusted_args: list[str] = []
    allow: dict[str, list[str]] = {}
    on_violation: OnViolation = "ask"
    output: Literal["untrusted", "trusted"] = "untrusted"
    trusted_fields: list[str] = []
    selected_by: list[str] | None = None


@dataclass(frozen=True)
class ToolPolicy:
    """How a tool may be used: side effects, arguments that must be trusted, allow-lists."""

    side_effect: bool = False
    trusted_args: tuple[str, ...] = ()
    allow: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    on_violation: OnViolation = "ask"
    output: Literal["untrusted", "trusted"] = "untrusted"
    trusted_fields: tuple[str, ...] = ()
    selected_by: tuple[str, ...] | None = None  # arguments that choose what comes back (None: all)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "policy") -> ToolPolicy:
        """A policy from YAML/JSON data; InvalidInput names the bad key."""
        try:
            model = _PolicyModel.model_validate(dict(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"]) or "policy"
            raise InvalidInput(f"{where}: {key}: {first['msg']}. A policy has side_effect, "
                               "trusted_args, allow, on_violation (refuse|ask), output "
                               "(trusted|untrusted) and trusted_fields.", field=key) from None
        return cls(side_effect=model.side_effect, trusted_args=tuple(model.trusted_args),
                   allow={k: tuple(v) for k, v in model.allow.items()},
                   on_violation=model.on_violation, output=model.output,
                   trusted_fields=tuple(model.trusted_fields),
                   selected_by=None if model.selected_by is None else tuple(model.selected_by))

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain data (for traces and `--json`)."""
        return {"side_effect": self.side_effect, "trusted_args": list(self.trusted_args),
                "allow": {k: list(v) for k, v in self.allow.items()},
                "on_violation": self.on_violation, "output": self.output,
                "trusted_fields": list(self.trusted_fields),
                "selected_by": None if self.selected_by is None else list(self.selected_by)}


@dataclass(frozen=True)
class Tool:
    """A callable the loop may use: name, description, JSON-schema parameters and a policy."""

    name: str
    description: str
    parameters: dict[str, Any]
    fn: Callable[..., Any]
    policy: ToolPolicy = field(default_factory=ToolPolicy)

    def schema(self) -> dict[str, Any]:
        """The OpenAI-format tool declaration (what a model sees: never the policy's data)."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}

    def with_policy(self, policy: ToolPolicy) -> Tool:
        """The same tool under another policy."""
        return replace(self, policy=policy)

    def __call__(self, **kwargs: Any) -> Any:
        return self.fn(**kwargs)


def _parameters(fn: Callable[..., Any]) -> dict[str, Any]:
    """A JSON schema for a function's keyword parameters (a `ctx` parameter is skipped)."""
    fields: dict[str, Any] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name == "ctx" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        hint = param.annotation if param.annotation is not inspect.Parameter.empty else Any
        default = param.default if param.default is not inspect.Parameter.empty else ...
        fields[name] = (hint, default)
    model = create_model(f"{fn.__name__}_args", **fields)  # type: ignore[call-overload]
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    schema.setdefault("properties", {})
    schema["type"] = "object"
    return schema


def tool(fn: Callable[..., Any] | None = None, *, name: str | None = None,
         description: str | None = None, side_effect: bool = False,
         trusted_args: Iterable[str] = (), allow: Mapping[str, Iterable[str]] | None = None,
         on_violation: OnViolation = "ask", output: Literal["untrusted", "trusted"] = "untrusted",
         trusted_fields: Iterable[str] = (), selected_by: Iterable[str] | None = None) -> Any:
    """Declare a Python function as a Tool (parameters from its type hints, policy from here)."""
    def wrap(func: Callable[..., Any]) -> Tool:
        doc = inspect.getdoc(func) or ""
        policy = ToolPolicy(side_effect=side_effect, trusted_args=tuple(trusted_args),
                            allow={k: tuple(v) for k, v in (allow or {}).items()},
                            on_violation=on_violation, output=output,
                            trusted_fields=tuple(trusted_fields),
                            selected_by=None if selected_by is None else tuple(selected_by))
        unknown = [a for a in policy.trusted_args if a not in inspect.signature(func).parameters]
        if unknown:
            raise InvalidInput(f"tool {name or func.__name__}: trusted_args names "
                               f"{unknown[0]!r}, which is not a parameter of the function.")
        return Tool(name=name or func.__name__, description=description or doc.split("\n")[0],
                    parameters=_parameters(func), fn=func, policy=policy)

    return wrap(fn) if fn is not None else wrap


class ToolRegistry:
    """The tools one run may use, by name."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for item in tools:
            self.add(item)

    def add(self, item: Tool) -> None:
        """Register a tool; a second tool with the same name is refused."""
        if item.name in self._tools:
            raise InvalidInput(f"two tools are called {item.name!r}; tool names must be unique.")
        self._tools[item.name] = item

    def get(self, name: str) -> Tool | None:
        """The tool called `name`, if any."""
        return self._tools.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def names(self) -> list[str]:
        """Tool names in registration order."""
        return list(self._tools)

    def schemas(self) -> list[dict[str, Any]]:
        """OpenAI-format declarations of every tool."""
        return [t.schema() for t in self._tools.values()]

    def with_policies(self, policies: Mapping[str, ToolPolicy]) -> ToolRegistry:
        """A registry whose tools take the given policies (others keep theirs)."""
        return ToolRegistry(t.with_policy(policies[t.name]) if t.name in policies else t
                            for t in self._tools.values())


def load_policies(source: str | Path | Mapping[str, Any]) -> dict[str, ToolPolicy]:
    """Policies by tool name from YAML (a path, YAML text, or parsed data).

    ```yaml
    tools:
      send_money: {side_effect: true, trusted_args: [recipient], on_violation: ask}
      read_file: {output: untrusted}
    ```
    """
    where = "policies"
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and source.endswith((".yaml", ".yml"))):
        path = Path(source)
        where = str(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InvalidInput(f"cannot read tool policies {path}: {exc.strerror}.") from None
    elif isinstance(source, str):
        data = yaml.safe_load(source)
    else:
        data = source
    if isinstance(data, Mapping) and "tools" in data:
        data = data["tools"]
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{where}: expected a mapping of tool names to policies "
                           "(`tools: {name: {side_effect: true, ...}}`).")
    return {str(name): ToolPolicy.from_dict(body or {}, f"{where}: {name}")
            for name, body in data.items()}
