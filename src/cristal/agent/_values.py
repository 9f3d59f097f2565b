"""Values with provenance: every piece of data the loop handles says where it came from.

The user's request and the spec are trusted; tool results, documents, pages and
e-mails are untrusted unless a tool's policy vouches for some of its fields (records
the deploying system keeps itself: ids, senders, sizes). A value computed from
several values is trusted only when all of them are.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["TRUSTED", "Label", "Value", "appears_in", "normalise", "short", "to_data"]


@dataclass(frozen=True, slots=True)
class Label:
    """Where a value came from: its sources, and whether all of them are trusted."""

    trusted: bool
    sources: frozenset[str]

    @staticmethod
    def of(*labels: Label) -> Label:
        """The label of a value computed from values with these labels."""
        if not labels:
            return TRUSTED
        return Label(all(lb.trusted for lb in labels),
                     frozenset().union(*(lb.sources for lb in labels)))

    @staticmethod
    def untrusted(source: str) -> Label:
        """Data from outside: a tool result, a page, a document."""
        return Label(False, frozenset({source}))

    @staticmethod
    def trusted_from(source: str) -> Label:
        """Data the deployment vouches for (the request, the spec, a trusted record)."""
        return Label(True, frozenset({source}))

    def describe(self) -> str:
        """`trusted (user)` or `untrusted (tool:read_file#1)`."""
        kind = "trusted" if self.trusted else "untrusted"
        return f"{kind} ({', '.join(sorted(self.sources)) or 'none'})"


TRUSTED = Label(True, frozenset({"user"}))


@dataclass(frozen=True, slots=True)
class Value:
    """JSON-like data with its label."""

    data: Any
    label: Label

    @property
    def trusted(self) -> bool:
        """Whether every source of the value is trusted."""
        return self.label.trusted


def to_data(obj: Any) -> Any:
    """Plain JSON data from pydantic models, dataclasses, enums, dates and containers."""
    if obj is None or isinstance(obj, str | bool | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return to_data(dump(mode="json"))
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_data(v) for v in obj]
    value = getattr(obj, "value", None)  # enums
    if isinstance(value, str | int | float):
        return value
    iso = getattr(obj, "isoformat", None)
    if callable(iso):
        return iso()
    return str(obj)


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Compare texts loosely: NFKC, case-folded, whitespace squashed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _number_forms(value: float) -> set[str]:
    forms = {repr(value), str(value)}
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value):,}"}
    else:
        forms |= {f"{value:.2f}", f"{value:,.2f}"}
    return forms


def _leaves(data: Any) -> Iterable[Any]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _leaves(value)
    else:
        yield data


def appears_in(data: Any, texts: Sequence[str]) -> bool:
    """True when every leaf of `data` (text, number) occurs in one of the trusted texts."""
    haystacks = [normalise(t) for t in texts if t]
    leaves = [leaf for leaf in _leaves(data) if leaf not in (None, "")]
    if not leaves:
        return False
    for leaf in leaves:
        if isinstance(leaf, bool):
            return False
        if isinstance(leaf, int | float):
            forms = _number_forms(float(leaf))
            if not any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", h)
                       for f in forms for h in haystacks):
                return False
            continue
        needle = normalise(str(leaf))
        # Whole words only: "11" is in "May 11", not in "2011"; "bob@x.io" not in "jbob@x.io".
        # (Latin letters and digits only: Japanese has no spaces between words.)
        pattern = re.compile(rf"(?<![A-Za-z0-9_.@-]){re.escape(needle)}(?![A-Za-z0-9_@-])")
        if not needle or not any(pattern.search(h) for h in haystacks):
            return False
    return True


def short(data: Any, limit: int = 80) -> str:
    """A one-line rendering of a value for reasons and logs."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
