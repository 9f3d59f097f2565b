"""Plans: what the planner (which sees only trusted input) decides, as checked data.

A plan is a list of steps and an answer template:

```json
{"steps": [
   {"id": "bill", "call": "read_file", "args": {"file_path": "bill-december-2023.txt"}},
   {"id": "iban", "extract": {"question": "The IBAN to pay", "from": [{"$ref": "bill"}],
                              "type": "iban"}},
   {"id": "paid", "call": "send_money", "args": {"recipient": {"$ref": "iban"}, "amount": 98.7}}],
 "answer": "Paid the bill to {{iban}}."}
```

An argument is a JSON literal (written by the planner, so trusted), a reference
`{"$ref": "id"}` to an earlier step's value (optionally `"fields": [...]`, a projection
onto record fields), or `{"$format": "text with {{id}}"}`. Extraction steps are the only
way untrusted data turns into values, and they return typed values, never instructions.

When the request itself hands the choice of actions to data ("do the actions in David's
e-mail", "follow the instructions in the file"), a `follow` step names that data:
`{"id": "f1", "follow": {"instructions": "the actions in the e-mail", "from": [{"$ref":
"s1"}]}}`. A separate planning call reads it and plans those actions (a sub-plan, with
no `follow` of its own); every action the data chose needs a person's confirmation.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cristal.agent._tools import ToolRegistry
from cristal.errors import InvalidInput

__all__ = ["EXTRACT_TYPES", "PLAN_SCHEMA", "Extract", "Follow", "Plan", "Step", "parse_plan",
           "refs_in"]

EXTRACT_TYPES = ("string", "text", "number", "integer", "boolean", "email", "url", "iban",
                 "date", "datetime", "time", "choice")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


class Extract(BaseModel):
    """A question answered by the quarantined extractor from referenced data."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    question: str = Field(min_length=1)
    sources: list[dict[str, Any]] = Field(alias="from", min_length=1)
    type: Literal["string", "text", "number", "integer", "boolean", "email", "url", "iban",
                  "date", "datetime", "time", "choice"] = "string"
    choices: list[str] | dict[str, Any] | None = None
    many: bool = Field(False, alias="list")

    @model_validator(mode="after")
    def _choices(self) -> Extract:
        if self.type == "choice" and not self.choices:
            raise ValueError("type `choice` needs `choices` (a list, or a $ref to one)")
        return self


class Follow(BaseModel):
    """Instructions the request says are written in data: planned from that data."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    instructions: str = Field(min_length=1)
    sources: list[dict[str, Any]] = Field(alias="from", min_length=1)


class Step(BaseModel):
    """One plan step: a tool call, an extraction, or instructions to follow from data."""

    model_config = ConfigDict(extra="forbid")

    id: str
    call: str | None = None
    args: dict[str, Any] = {}
    extract: Extract | None = None
    follow: Follow | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        if sum(x is not None for x in (self.call, self.extract, self.follow)) != 1:
            raise ValueError("a step has exactly one of `call` (with `args`), `extract` or "
                             "`follow`")
        if not _ID.fullmatch(self.id):
            raise ValueError(f"step id {self.id!r}: letters, digits, '_', '.', '-'")
        return self


class Plan(BaseModel):
    """The planner's output: steps in order, and the answer template for the person."""

    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = []
    answer: str = ""


PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "steps": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "call": {"type": "string", "description": "tool name"},
                "args": {"type": "object", "description": "arguments: literals, "
                         "{\"$ref\": id}, {\"$ref\": id, \"fields\": [...]}, "
                         "{\"$format\": \"text {{id}}\"}"},
                "extract": {"type": "object", "properties": {
                    "question": {"type": "string"},
                    "from": {"type": "array", "items": {"type": "object"}},
                    "type": {"type": "string", "enum": list(EXTRACT_TYPES)},
                    "choices": {},
                    "list": {"type": "boolean"}},
                    "required": ["question", "from", "type"]},
                "follow": {"type": "object", "description": "instructions the request says "
                           "are written in data", "properties": {
                               "instructions": {"type": "string"},
                               "from": {"type": "array", "items": {"type": "object"}}},
                           "required": ["instructions", "from"]}},
            "required": ["id"]}},
        "answer": {"type": "string", "description": "text for the person; {{id}} inserts a "
                   "value"},
    },
    "required": ["steps", "answer"],
}


def refs_in(expr: Any) -> list[str]:
    """Step ids an argument expression refers to."""
    if isinstance(expr, dict):
        if "$ref" in expr:
            return [str(expr["$ref"])]
        if "$format" in expr:
            return PLACEHOLDER.findall(str(expr["$format"]))
        return [r for v in expr.values() for r in refs_in(v)]
    if isinstance(expr, list):
        return [r for v in expr for r in refs_in(v)]
    return []


def parse_plan(data: Any, tools: ToolRegistry, data_names: tuple[str, ...] = (), *,
               known: tuple[str, ...] = (), follow: bool = True) -> Plan:
    """Validate a plan against the tools; InvalidInput says what is wrong, for a retry.

    `known` are ids of values that exist already (a sub-plan may refer to its parent's
    steps); `follow=False` forbids `follow` steps (a sub-plan has none of its own).
    """
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "plan"
        raise InvalidInput(f"plan {where}: {first['msg']}") from None
    known_ids = {f"data.{n}" for n in data_names} | set(known)
    for step in plan.steps:
        if step.id in known_ids:
            raise InvalidInput(f"plan: step id {step.id!r} is used twice")
        if step.call is not None:
            found = tools.get(step.call)
            if found is None:
                raise InvalidInput(f"plan step {step.id}: no tool {step.call!r}; tools: "
                                   f"{', '.join(tools.names())}")
            params = set(found.parameters.get("properties", {}))
            extra = sorted(set(step.args) - params)
            if extra and params:
                raise InvalidInput(f"plan step {step.id}: {step.call} has no argument "
                                   f"{extra[0]!r}; its arguments: {', '.join(sorted(params))}")
            refs = refs_in(step.args)
        elif step.extract is not None:
            refs = refs_in(step.extract.sources) + refs_in(step.extract.choices)
        else:
            assert step.follow is not None
            if not follow:
                raise InvalidInput(f"plan step {step.id}: a plan made from data cannot "
                                   "`follow` more data")
            refs = refs_in(step.follow.sources)
        missing = [r for r in refs if r not in known_ids]
        if missing:
            raise InvalidInput(f"plan step {step.id}: refers to {missing[0]!r}, which is not an "
                               "earlier step or a data input")
        known_ids.add(step.id)
    missing = [r for r in PLACEHOLDER.findall(plan.answer) if r not in known_ids]
    if missing:
        raise InvalidInput(f"plan answer: {{{{{missing[0]}}}}} is not a step or data input")
    return plan
