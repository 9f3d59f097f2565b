"""Terminal output: Rich for people, one JSON object per command for programs."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

__all__ = ["console", "err_console", "literal", "print_json", "to_jsonable"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def to_jsonable(value: Any) -> Any:
    """Dates, paths and dataclass-like objects made JSON-friendly."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


def print_json(data: Any) -> None:
    """Print one JSON object on one line (the last line of the command's output)."""
    sys.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False) + "\n")
    sys.stdout.flush()


_CONTROL = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A))
_CONTROL.update(dict.fromkeys(range(0x7F, 0xA0)))


def literal(value: Any) -> Text:
    """Outside text (names, groups, audit details) as a Rich Text: no markup, no controls."""
    return Text("" if value is None else str(value).translate(_CONTROL))
