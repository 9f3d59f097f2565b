"""Task logic for plans and skills, decided from the snapshot as a person would read it.

- `pick`: among the elements a target matches ("Book flight for *"), choose the one whose
  record holds the lowest (or highest) price, duration or number. A record is what a
  person sees as belonging to that element: its own name when the number is there
  ("Book flight for $312"), else the page text between it and the previous match (a
  card or row that ends with its button), else between it and the next one (a row
  that starts with it). Every match must have exactly one such number, or nothing is
  chosen and the step fails saying why.
- `until`: whether a text is on the page now (a step repeated until it is).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from cristal.operator._snapshot import Snapshot
from cristal.operator._targeting import THRESHOLD, TargetNotFound, parse_target, score_all
from cristal.operator._text import norm, similarity

__all__ = ["Pick", "choose", "shows"]

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_KEYS = {
    "price": re.compile(rf"(?:[$€£¥]\s*{_NUMBER})|(?:{_NUMBER}\s*(?:円|USD|EUR|JPY|dollars?))",
                        re.IGNORECASE),
    "duration": re.compile(r"(\d+)\s*h(?:ours?|rs?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?"
                           r"|(\d+)\s*m(?:in(?:utes?)?)?\b|(\d+):(\d{2})(?!\d)"
                           r"|(\d+)\s*時間\s*(?:(\d+)\s*分)?|(\d+)\s*分", re.IGNORECASE),
    "number": re.compile(_NUMBER),
}


class Pick(BaseModel):
    """Choose among the matches of a target by a number in each one's record."""

    by: Literal["min", "max"] = "min"
    key: Literal["price", "duration", "number"] = "number"
    label: str | None = Field(None, description="read the number after this text "
                                                "(e.g. 'Duration')")

    def describe(self) -> str:
        """`lowest duration after "Duration"`."""
        word = "lowest" if self.by == "min" else "highest"
        return f"{word} {self.key}" + (f' after "{self.label}"' if self.label else "")


def _value(match: re.Match[str], key: str) -> float:
    groups = match.groups()
    if key == "duration":
        h, m, only_m, hh, mm, jh, jm, jonly = groups
        if h is not None:
            return int(h) * 60 + int(m or 0)
        if only_m is not None:
            return float(only_m)
        if hh is not None:
            return int(hh) * 60 + int(mm)
        if jh is not None:
            return int(jh) * 60 + int(jm or 0)
        return float(jonly)
    whole, frac = next((w, f) for w, f in zip(groups[::2], groups[1::2], strict=True) if w)
    return float(whole.replace(",", "") + (f".{frac}" if frac else ""))


def _numbers(text: str, pick: Pick) -> list[float]:
    if pick.label:
        at = norm(text).find(norm(pick.label))
        if at < 0:
            return []
        text = norm(text)[at + len(norm(pick.label)):]
        found = _KEYS[pick.key].search(text)
        return [_value(found, pick.key)] if found else []
    return [_value(m, pick.key) for m in _KEYS[pick.key].finditer(text)]


def choose(snapshot: Snapshot, action: Any, pick: Pick) -> tuple[str, float]:
    """The ref of the match `pick` chooses for `action`'s target, and its number."""
    query = parse_target(action.target, match=getattr(action, "match", "fuzzy"))
    if isinstance(query, str):
        raise TargetNotFound("A pick needs a description that several elements match, not a "
                             f"ref ({query}).", query=query)
    found = [c for c in score_all(snapshot, query, "click") if c.score >= THRESHOLD]
    if found:  # the matches proper: as close as the best one (a fuzzy query also grazes others)
        found = [c for c in found if c.score >= found[0].score - 0.1]
    if not found:
        raise TargetNotFound(f"Nothing on the page matches {action.target!r}, so there is "
                             "nothing to choose from.", query=action.target)
    found.sort(key=lambda c: c.index)
    texts = [n.label() for n in snapshot.nodes]
    own = [_numbers(c.name, pick) for c in found]
    records = [own]
    starts = [-1] + [c.index for c in found[:-1]]
    records.append([_numbers(" ".join(texts[s + 1:c.index + 1]), pick)
                    for s, c in zip(starts, found, strict=True)])
    ends = [c.index for c in found[1:]] + [len(texts)]
    records.append([_numbers(" ".join(texts[c.index:e]), pick)
                    for c, e in zip(found, ends, strict=True)])
    for values in records:
        if all(len(v) == 1 for v in values):
            scored = [(v[0], c) for v, c in zip(values, found, strict=True)]
            value, best = (min if pick.by == "min" else max)(scored, key=lambda p: p[0])
            return best.ref, value
    raise TargetNotFound(
        f"Could not read one {pick.key} for each of the {len(found)} matches of "
        f"{action.target!r}; choose the element by name instead, or name the number's "
        "label (pick … after \"LABEL\").", query=action.target)


def shows(snapshot: Snapshot, text: str) -> bool:
    """Whether `text` is on the page (in any element's name, or the title)."""
    want = norm(text)
    return want in norm(snapshot.title) or any(
        want in norm(n.label()) or similarity(text, n.label()) >= 0.9 for n in snapshot.nodes)
