"""Typed placeholders: `<PERSON_1>` in what leaves, the values back in what returns.

One `Redactor` serves one model call: the same value gets the same placeholder
in every message, tool argument and text it redacts, and `restore` swaps the
placeholders in the reply for the values. `StreamRestorer` does the same for a
reply that arrives in pieces, holding back a piece that may be half a placeholder.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cristal.governance.pii._detect import detect
from cristal.governance.pii._types import Span

__all__ = ["Finding", "Redactor", "StreamRestorer"]

_PLACEHOLDER = re.compile(r"<([A-Z_]+?)_(\d+)>")
_PARTIAL = re.compile(r"<[A-Z_]*\d*$")


@dataclass(frozen=True, slots=True)
class Finding:
    """Where an entity was found: a location label, offsets and its type (never its value)."""

    where: str
    start: int
    end: int
    type: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"where": self.where, "start": self.start, "end": self.end, "type": self.type}


@dataclass
class Redactor:
    """Redacts texts for one call and restores the reply; counts what it found."""

    lang: str | None = None
    ner: bool = False
    types: tuple[str, ...] | None = None
    findings: list[Finding] = field(default_factory=list)
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _by_placeholder: dict[str, str] = field(default_factory=dict)
    _next: Counter = field(default_factory=Counter)

    def scan(self, text: str, where: str) -> list[Span]:
        """Detect entities in `text` and record them as found at `where`."""
        spans = detect(text, self.lang, ner=self.ner, types=self.types)
        self.findings.extend(Finding(where, s.start, s.end, s.type) for s in spans)
        return spans

    def redact(self, text: str, where: str = "text") -> str:
        """`text` with every entity replaced by its placeholder."""
        if not text:
            return text
        spans = self.scan(text, where)
        if not spans:
            return text
        out, pos = [], 0
        for s in spans:
            out.append(text[pos:s.start])
            out.append(self._placeholder(s.type, text[s.start:s.end]))
            pos = s.end
        out.append(text[pos:])
        return "".join(out)

    def redact_json(self, value: Any, where: str) -> Any:
        """A JSON value with every string leaf redacted (tool-call arguments)."""
        if isinstance(value, str):
            return self.redact(value, where)
        if isinstance(value, list):
            return [self.redact_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.redact_json(v, f"{where}.{k}") for k, v in value.items()}
        return value

    def redact_json_text(self, raw: str, where: str) -> str:
        """A JSON document (as text) with its string leaves redacted; plain text if not JSON."""
        try:
            value = json.loads(raw)
        except (ValueError, TypeError):
            return self.redact(raw, where)
        return json.dumps(self.redact_json(value, where), ensure_ascii=False)

    def restore(self, text: str | None) -> str | None:
        """`text` with known placeholders swapped back for their values."""
        if not text or not self._by_placeholder:
            return text
        return _PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m.group(), m.group()), text)

    def restore_json(self, value: Any) -> Any:
        """A JSON value with placeholders restored in every string."""
        if isinstance(value, str):
            return self.restore(value)
        if isinstance(value, list):
            return [self.restore_json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.restore_json(v) for k, v in value.items()}
        return value

    def counts(self) -> dict[str, int]:
        """Entities found so far, by type (occurrences)."""
        return dict(Counter(f.type for f in self.findings))

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        found = self._by_value.get(key)
        if found is None:
            self._next[kind] += 1
            found = f"<{kind}_{self._next[kind]}>"
            self._by_value[key] = found
            self._by_placeholder[found] = value
        return found


class StreamRestorer:
    """Restores placeholders in streamed text, even when one is split across pieces."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._held = ""

    def feed(self, delta: str) -> str:
        """Text that can be shown now (restored); a possible half placeholder is held back."""
        text = self._held + delta
        partial = _PARTIAL.search(text[-40:])
        if partial is not None:
            cut = len(text) - (len(text[-40:]) - partial.start())
            self._held, text = text[cut:], text[:cut]
        else:
            self._held = ""
        return self._redactor.restore(text) or ""

    def flush(self) -> str:
        """Whatever was held back, restored."""
        text, self._held = self._held, ""
        return self._redactor.restore(text) or ""
