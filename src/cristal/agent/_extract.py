"""The quarantined extractor: a tool-less model call turning untrusted data into a typed value.

It gets the question and the data (never the tools), must answer JSON `{found, value}`,
and its value is checked against the declared type (an e-mail, an amount, a date, one
of the choices). A reply that tries to call a tool is refused and recorded: the
extractor has no tools, so whatever the data told it to do cannot happen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cristal.agent._prompts import EXTRACTOR_SYSTEM
from cristal.agent._values import Label, Value, normalise, short
from cristal.errors import CristalError, ModelResponseError

__all__ = ["ExtractionFailed", "Extraction", "extract", "project", "render_data", "value_schema"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?://)?[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?$", re.IGNORECASE)
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")
_LIMITS = {"string": 500, "text": 20000}


class ExtractionFailed(CristalError):
    """The extractor gave no usable value (not found, wrong type, or it tried to act)."""


@dataclass
class Extraction:
    """A typed value, and whether the extractor tried to call a tool on the way."""

    value: Value
    tool_calls: list[dict[str, Any]]
    call_id: str | None


def project(data: Any, fields: Sequence[str]) -> Any:
    """Keep only `fields` of records (dicts), through lists and mappings of records."""
    wanted = set(fields)
    if isinstance(data, list):
        return [project(item, fields) for item in data]
    if isinstance(data, dict):
        if wanted & set(data):
            return {k: v for k, v in data.items() if k in wanted}
        return {k: project(v, fields) for k, v in data.items() if isinstance(v, dict | list)}
    return None


def render_data(sources: Sequence[tuple[str, Any]]) -> str:
    """Data blocks for the extractor; a block cannot close itself early."""
    blocks = []
    for name, data in sources:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1,
                                                             default=str)
        text = text.replace("</data", "<\\/data")
        blocks.append(f'<data source="{name}">\n{text}\n</data>')
    return "\n".join(blocks)


def value_schema(kind: str, choices: Sequence[str] | None, many: bool) -> dict[str, Any]:
    """The JSON schema of the `value` the extractor must return."""
    one: dict[str, Any] = {"type": "string"}
    if kind in ("number", "integer", "boolean"):
        one = {"type": kind}
    elif kind == "email":
        one = {"type": "string", "format": "email"}
    elif kind == "url":
        one = {"type": "string", "format": "uri"}
    elif kind == "date":
        one = {"type": "string", "format": "date"}
    elif kind == "datetime":
        one = {"type": "string", "description": "YYYY-MM-DD HH:MM"}
    elif kind == "time":
        one = {"type": "string", "description": "HH:MM"}
    elif kind == "choice":
        one = {"type": "string", "enum": list(choices or [])}
    value = {"type": "array", "items": one} if many else one
    return {"type": "object", "properties": {"found": {"type": "boolean"}, "value": value},
            "required": ["found", "value"], "additionalProperties": False}


def _check_one(value: Any, kind: str, choices: Sequence[str] | None) -> Any:
    if kind in ("number", "integer"):
        if isinstance(value, str):
            cleaned = value.strip().replace(",", "").lstrip("$€£¥")
            try:
                value = float(cleaned)
            except ValueError:
                raise ExtractionFailed(f"expected a number, got {short(value)}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExtractionFailed(f"expected a number, got {short(value)}")
        if kind == "integer":
            if float(value) != int(value):
                raise ExtractionFailed(f"expected an integer, got {value}")
            return int(value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ExtractionFailed(f"expected true or false, got {short(value)}")
        return value
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ExtractionFailed(f"expected text, got {short(value)}")
    text = str(value).strip()
    if not text:
        raise ExtractionFailed("the value is empty")
    checks = {"email": _EMAIL, "url": _URL, "date": _DATE, "datetime": _DATETIME, "time": _TIME}
    if kind == "iban":
        text = text.replace(" ", "").upper()
        if not _IBAN.match(text):
            raise ExtractionFailed(f"{short(text)} is not an IBAN")
    elif kind in checks and not checks[kind].match(text):
        raise ExtractionFailed(f"{short(text)} is not a valid {kind}")
    elif kind == "choice":
        by_norm = {normalise(c): c for c in choices or []}
        if normalise(text) not in by_norm:
            raise ExtractionFailed(f"{short(text)} is not one of the choices")
        return by_norm[normalise(text)]
    if len(text) > _LIMITS.get(kind, 500):
        raise ExtractionFailed(f"the value is longer than {_LIMITS.get(kind, 500)} characters")
    return text


def check_value(value: Any, kind: str, choices: Sequence[str] | None, many: bool) -> Any:
    """The value, normalised, if it has the declared type; ExtractionFailed otherwise."""
    if many:
        if not isinstance(value, list):
            raise ExtractionFailed(f"expected a list, got {short(value)}")
        return [_check_one(v, kind, choices) for v in value]
    return _check_one(value, kind, choices)


def extract(gateway: Any, *, question: str, sources: Sequence[tuple[str, Value]], kind: str,
            choices: Sequence[str] | None = None, many: bool = False, route: str = "default",
            tenant: str | None = None, caller: str = "agent:extract") -> Extraction:
    """Ask the extractor; the value's label joins the labels of the data it was given."""
    label = Label.of(*(v.label for _, v in sources))
    content = (f"Question: {question}\nType: {kind}{' (a list)' if many else ''}"
               + (f"\nChoices: {json.dumps(list(choices), ensure_ascii=False)}" if choices else "")
               + "\n\n" + render_data([(name, v.data) for name, v in sources]))
    messages = [{"role": "system", "content": EXTRACTOR_SYSTEM},
                {"role": "user", "content": content}]
    try:
        result = gateway.chat(messages, route=route, tenant=tenant,
                              json_schema=value_schema(kind, choices, many),
                              schema_name="extraction", caller=caller)
    except ModelResponseError as exc:
        raise ExtractionFailed(f"the extractor's answer was not JSON ({exc.message})") from None
    attempted = [{"name": c.name, "arguments": c.arguments if c.arguments is not None
                  else c.arguments_raw} for c in result.tool_calls]
    if attempted:
        raise ExtractionFailed(
            f"the extractor tried to call {attempted[0]['name']}: refused, the extractor has no "
            "tools (the data it read probably holds injected instructions)",
            tool_calls=attempted, call_id=result.call_id)
    answer = result.parsed if isinstance(result.parsed, dict) else None
    if answer is None:
        try:
            answer = json.loads(result.text or "")
        except json.JSONDecodeError:
            answer = None
    if not isinstance(answer, dict) or "value" not in answer:
        raise ExtractionFailed(f"the extractor did not answer {{found, value}}: "
                               f"{short(result.text or '')}")
    if answer.get("found") is False:
        raise ExtractionFailed("the data does not contain the answer")
    checked = check_value(answer["value"], kind, choices, many)
    return Extraction(Value(checked, label), [], result.call_id)
