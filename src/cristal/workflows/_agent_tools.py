"""Tools a workflow's `model` step may call: `http` and `python`, each with a policy.

```yaml
- id: refund
  type: model
  prompt: "Refund the customer of ticket {{ inputs.ticket }} by 20 EUR"
  data: {ticket: "{{ steps.fetch.output.body }}"}   # untrusted: only the extractor reads it
  tools:
    - name: refund
      type: http
      method: POST
      url: http://127.0.0.1:8099/refunds             # host must be allow-listed
      parameters: {email: {type: string}, amount: {type: number}}
      policy: {side_effect: true, trusted_args: [email], allow: {email: ["*@example.com"]}}
    - name: score
      type: python
      function: score_ticket                          # registered with @function
```

The step then runs `cristal.agent.run`: the prompt (spec and inputs) is trusted, tool
results and `data:` are not. `{name}` in an http URL is filled from the argument of
that name; other arguments go in the query (GET, DELETE, HEAD) or the JSON body.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from cristal.agent import Tool, ToolPolicy
from cristal.errors import InvalidInput
from cristal.workflows._http import host_allowed, send
from cristal.workflows._python import call_function, find_function
from cristal.workflows._steptypes import StepContext, StepProblem

__all__ = ["ToolSpec", "build_tools", "check_tools"]

_PLACE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ToolSpec(BaseModel):
    """One tool of a `model` step: an http endpoint or a registered Python function."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    type: Literal["http", "python"]
    description: str = ""
    parameters: dict[str, dict[str, Any]] = {}
    required: list[str] | None = None
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    url: str | None = None
    headers: dict[str, str] = {}
    function: str | None = None
    policy: dict[str, Any] = {}


def check_tools(specs: list[ToolSpec], settings: Any) -> None:
    """Refuse tools that cannot work: duplicate names, bad policies, hosts, functions."""
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        where = f"tools.{i}"
        if spec.name in seen:
            raise StepProblem(f"two tools are called `{spec.name}`; tool names are unique",
                              f"{where}.name")
        seen.add(spec.name)
        try:
            policy = ToolPolicy.from_dict(spec.policy, f"tool {spec.name}")
        except InvalidInput as exc:
            raise StepProblem(exc.message, f"{where}.policy") from None
        unknown = [a for a in policy.trusted_args if a not in spec.parameters]
        if unknown:
            raise StepProblem(f"trusted_args names `{unknown[0]}`, which is not one of the "
                              "tool's parameters", f"{where}.policy")
        if spec.type == "http":
            if not spec.url:
                raise StepProblem("an http tool needs `url:`", f"{where}.url")
            missing = [p for p in _PLACE.findall(spec.url) if p not in spec.parameters]
            if missing:
                raise StepProblem(f"the URL uses {{{missing[0]}}}, which is not a parameter",
                                  f"{where}.url")
            if settings is not None and not host_allowed(_PLACE.sub("x", spec.url),
                                                         settings.workflows.http_allow):
                raise StepProblem(f"the host of {spec.url} is not allow-listed: add it to "
                                  "workflows.http_allow or CRISTAL_HTTP_ALLOW", f"{where}.url")
        elif not spec.function:
            raise StepProblem("a python tool needs `function:`", f"{where}.function")
        elif find_function(spec.function, settings) is None:
            raise StepProblem(f"function `{spec.function}` is not registered: decorate it with "
                              "@cristal.workflows.function and list its module in "
                              "workflows.modules", f"{where}.function")


def _schema(spec: ToolSpec) -> dict[str, Any]:
    required = spec.required if spec.required is not None else list(spec.parameters)
    return {"type": "object", "properties": spec.parameters, "required": required}


def build_tools(specs: list[ToolSpec], ctx: StepContext) -> list[Tool]:
    """The step's tools, bound to this run (its tenant, allow-list and idempotency key)."""
    assert ctx.app is not None
    allow = ctx.app.settings.workflows.http_allow
    counter = itertools.count(1)
    tools = []
    for spec in specs:
        if spec.type == "http":
            def fn(_spec: ToolSpec = spec, **kwargs: Any) -> Any:
                url = _PLACE.sub(lambda m: quote(str(kwargs.pop(m.group(1), "")), safe=""),
                                 str(_spec.url))
                query = _spec.method in ("GET", "DELETE", "HEAD")
                result = send(_spec.method, url, key=f"{ctx.key}/{_spec.name}/{next(counter)}",
                              allow=allow, headers=_spec.headers,
                              params=kwargs if query else None,
                              json_body=None if query else kwargs)
                return result["body"]
        else:
            def fn(_spec: ToolSpec = spec, **kwargs: Any) -> Any:
                return call_function(str(_spec.function), kwargs, ctx)
        tools.append(Tool(name=spec.name, description=spec.description or spec.name,
                          parameters=_schema(spec), fn=fn,
                          policy=ToolPolicy.from_dict(spec.policy, f"tool {spec.name}")))
    return tools
