"""Token estimates for budget reservations, without downloading any tokenizer.

Estimates err on the high side so reservations cover the real usage: a CJK
character counts as one token, other text as one token per three characters.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["estimate_messages", "estimate_tokens"]


def _is_wide(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def estimate_tokens(text: str) -> int:
    """A conservative token count for `text`."""
    if not text:
        return 0
    if text.isascii():
        return math.ceil(len(text) / 3)
    wide = sum(1 for ch in text if _is_wide(ch))
    return wide + math.ceil((len(text) - wide) / 3)


def estimate_messages(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    json_schema: dict[str, Any] | None = None,
) -> int:
    """A conservative prompt-token count for a chat request."""
    total = 3
    for message in messages:
        total += 4
        content = message.get("content")
        if isinstance(content, str):
            total += estimate_tokens(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    total += estimate_tokens(part["text"])
                else:
                    total += 800  # images and other parts: a generous flat charge
        for extra in ("tool_calls", "name", "tool_call_id"):
            if extra in message:
                total += estimate_tokens(json.dumps(message[extra], ensure_ascii=False))
    if tools:
        total += estimate_tokens(json.dumps(tools, ensure_ascii=False))
    if json_schema:
        total += estimate_tokens(json.dumps(json_schema, ensure_ascii=False))
    return total
