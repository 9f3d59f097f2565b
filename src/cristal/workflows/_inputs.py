"""Declared inputs of a spec, and turning `--input key=value` strings into typed values."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cristal.errors import InvalidInput

__all__ = ["INPUT_TYPES", "InputSpec", "coerce_inputs", "parse_inputs", "parse_pairs"]

INPUT_TYPES = ("string", "number", "integer", "boolean", "list", "object", "any")
MAX_DEPTH = 64  # lists and objects inside each other; deeper JSON is refused
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One declared input: its type, and a default when it is optional."""

    name: str
    type: str
    default: Any = _MISSING
    description: str = ""

    @property
    def required(self) -> bool:
        """True when the input has no default."""
        return self.default is _MISSING


def parse_inputs(raw: Any, add: Callable[[tuple, str], None]) -> dict[str, InputSpec]:
    """`{ticket: string, amount: {type: number, default: 0}}` -> InputSpecs (problems to `add`)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        add(("inputs",), "`inputs` maps names to types, e.g. {ticket: string, amount: number}")
        return {}
    found: dict[str, InputSpec] = {}
    for name, decl in raw.items():
        path = ("inputs", name)
        if not _NAME.fullmatch(name):
            add(path, "input names use letters, digits and '_' (templates say inputs.<name>)")
            continue
        kind, default, description = decl, _MISSING, ""
        if isinstance(decl, dict):
            unknown = set(decl) - {"type", "default", "description"}
            if unknown:
                add(path, f"unknown key(s) {', '.join(sorted(unknown))}; an input has type, "
                    "default and description")
            kind = decl.get("type", "any")
            default = decl.get("default", _MISSING)
            description = str(decl.get("description") or "")
        if kind not in INPUT_TYPES:
            add(path, f"type {kind!r} is not one of {', '.join(INPUT_TYPES)}")
            continue
        spec = InputSpec(name, kind, default, description)
        if default is not _MISSING:
            try:
                _convert(spec, default, from_text=False)
            except InvalidInput as exc:
                add((*path, "default"), exc.message)
        found[name] = spec
    return found


def parse_pairs(pairs: list[str] | None) -> dict[str, str]:
    """`['ticket=hello', 'amount=12']` -> {'ticket': 'hello', 'amount': '12'}."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--input {pair!r}: use KEY=VALUE, e.g. --input ticket='refund'.")
        out[key.strip()] = value
    return out


def coerce_inputs(declared: dict[str, InputSpec], given: dict[str, Any],
                  from_text: bool = False) -> dict[str, Any]:
    """Check and convert inputs; InvalidInput names the input, its type and what to pass."""
    for name, value in given.items():
        depth = _depth_of_text(value) if isinstance(value, str) and from_text else _depth(value)
        if depth > MAX_DEPTH:
            raise InvalidInput(f"input `{name}` nests lists or objects {depth} levels deep; at "
                               f"most {MAX_DEPTH} are allowed. Nothing was run.", input=name)
    unknown = [k for k in given if k not in declared]
    if unknown:
        names = ", ".join(declared) or "none"
        raise InvalidInput(f"unknown input(s) {', '.join(unknown)}; this workflow takes: {names}.")
    out: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in given:
            out[name] = _convert(spec, given[name], from_text)
        elif spec.required:
            raise InvalidInput(f"input `{name}` ({spec.type}) is required: pass "
                               f"--input {name}=VALUE. Nothing was run.", input=name)
        else:
            out[name] = spec.default
    return out


def _convert(spec: InputSpec, value: Any, from_text: bool) -> Any:
    kind = spec.type
    try:
        if kind == "any":
            return _maybe_json(value) if from_text else value
        if kind == "string":
            return value if isinstance(value, str) else (
                json.dumps(value) if not from_text else str(value))
        if kind in ("number", "integer"):
            if isinstance(value, str):
                number = float(value)
                value = int(number) if number.is_integer() else number
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError
            if kind == "integer":
                if float(value) != int(value):
                    raise ValueError
                return int(value)
            return value
        if kind == "boolean":
            if isinstance(value, str):
                text = value.strip().lower()
                if text in ("true", "yes", "1", "on"):
                    return True
                if text in ("false", "no", "0", "off"):
                    return False
                raise ValueError
            if not isinstance(value, bool):
                raise ValueError
            return value
        parsed = json.loads(value) if isinstance(value, str) else value
        wanted = list if kind == "list" else dict
        if not isinstance(parsed, wanted):
            raise ValueError
        return parsed
    except (ValueError, TypeError, json.JSONDecodeError):
        example = {"number": "12.5", "integer": "3", "boolean": "true", "list": "'[1, 2]'",
                   "object": "'{\"a\": 1}'"}.get(kind, "text")
        raise InvalidInput(f"input `{spec.name}` must be {kind} (got {value!r}); e.g. "
                           f"--input {spec.name}={example}.", input=spec.name) from None


def _depth(value: Any) -> int:
    """How deeply lists and dicts nest in `value` (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list | tuple):
            level += 1
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((v, level) for v in (item.values() if isinstance(item, dict)
                                                  else item))
    return deepest


def _depth_of_text(text: str) -> int:
    """How deeply brackets nest in JSON text, outside strings (checked before parsing)."""
    deepest = level = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def _maybe_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value
