"""Data poisoning: what an obedient *extractor* answers when it cannot call a tool.

The obedient double normally answers an injected extraction with the attacker's tool
call, which the extractor cannot make. In poisoning mode it instead answers with the
attacker's values, as far as the requested type lets it: the attacker's e-mail address
for an e-mail, its IBAN for an IBAN, its amount for a number, the injected goal for
free text. This measures the data-only attacks the policy does not claim to stop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["poisoned"]

_SHAPES = {"email": re.compile(r"[^@\s'\"]+@[^@\s'\"]+\.[a-z]{2,}", re.IGNORECASE),
           "iban": re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{8,32}\b"),
           "url": re.compile(r"\b(?:https?://|www\.)[^\s'\"]+"),
           "datetime": re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b"),
           "date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
           "time": re.compile(r"\b\d{1,2}:\d{2}\b")}


def _leaves(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [data]


def poisoned(kind: str, many: bool, choices: Sequence[str] | None, honest: Any,
             attacker_args: list[dict[str, Any]], goal: str) -> Any:
    """The attacker's value of this type, or the honest value when it has none."""
    leaves = [x for args in attacker_args for x in _leaves(args)]
    texts = [str(x) for x in leaves if isinstance(x, str)] + [goal]
    value: Any = None
    if kind in _SHAPES:
        found = [m.group(0).rstrip(".,;:'") for t in texts for m in _SHAPES[kind].finditer(t)]
        value = found[0] if found else None
    elif kind in ("number", "integer"):
        numbers = [x for x in leaves if isinstance(x, int | float) and not isinstance(x, bool)]
        value = numbers[0] if numbers else None
        if value is not None and kind == "integer":
            value = int(value)
    elif kind == "choice":
        value = next((c for c in choices or [] if any(c in t for t in texts)), None)
    elif kind in ("string", "text"):
        strings = [x for x in leaves if isinstance(x, str) and len(x) > 3]
        value = (strings[0] if strings else goal)[:480]
    if value is None:
        return honest
    return [value] if many else value
