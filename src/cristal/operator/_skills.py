"""Skills: a demonstration compiled into a parameterised, replayable procedure.

A Skill keeps an instruction template (and its regex), the parameters it pulls out
of a new instruction (lists split on commas and 'and'; 'nothing' is an empty list),
and action templates whose targets are semantic (role word + name template), never
refs or CSS. `_compile.py` builds skills from demonstrations; a written skill (a plan
with a `# pattern:` header) also carries task logic: steps that run only `when` a
parameter has a value (or a given one), steps repeated `until` a text shows, and
clicks that `pick` among several matches by a price, duration or number.
Placeholders may pass a value through a filter: `{{day|int}}` ('07' -> '7'),
`{{month|month}}` ('11' -> 'November').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from cristal.errors import InvalidInput
from cristal.operator._actions import parse_action
from cristal.operator._pick import Pick
from cristal.operator._targeting import parse_target

__all__ = ["Bound", "DemoStep", "Skill", "SkillParam", "SkillStep", "filtered", "holds",
           "split_list"]

_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|\s+and\s+|\s+or\s+|、|及び|および|&)\s*", re.I)
_BETWEEN = re.compile(r"^\s*(?:,\s*(?:and|or)\s+|,|and|or|、|及び|および|と|&)?\s*$", re.I)
_EMPTY = {"nothing", "none", "no items", "なし", "無し", "何も"}
_ROLE_WORD = {"button": "button", "link": "link", "checkbox": "checkbox", "radio": "radio",
              "tab": "tab", "textbox": "text field", "searchbox": "text field",
              "combobox": "dropdown", "listbox": "dropdown", "menuitem": "menu item",
              "option": "option"}


def split_list(text: str) -> list[str]:
    """'A, B and C' -> ['A', 'B', 'C']; 'nothing' -> []."""
    if text.strip().casefold() in _EMPTY:
        return []
    return [p.strip() for p in _LIST_SEP.split(text) if p and p.strip()]


@dataclass(frozen=True)
class DemoStep:
    """One demonstrated action, with the role and name of the element it acted on if known."""

    action: Any
    role: str | None = None
    name: str | None = None


class SkillParam(BaseModel):
    """A value taken from the instruction; `is_list` ones are split on commas and 'and'."""

    name: str
    example: str | list[str]
    is_list: bool = False


class SkillStep(BaseModel):
    """An action template; `{{param}}` placeholders, `repeat` runs it once per list item,
    `when` makes it conditional, `until` repeats it, `pick` chooses among matches."""

    action: dict[str, Any]
    role: str | None = None
    repeat: str | None = None
    when: str | None = None  # "name" (has a value), "name=value" or "name!=value"
    until: str | None = None  # a text template: repeat the action until the page shows it
    pick: Pick | None = None


@dataclass(frozen=True)
class Bound:
    """One concrete step: its action, and the text it repeats until, or how it picks."""

    action: Any
    until: str | None = None
    pick: Pick | None = None


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def holds(condition: str, values: dict[str, Any]) -> bool:
    """Whether a `when` condition holds for these parameter values (case-insensitive)."""
    name, op, want = re.match(r"\s*(\w+)\s*(!?=)?\s*(.*?)\s*$", condition).groups()
    have = values.get(name)
    if not op:
        return have not in (None, "", [])
    equal = str(have or "").casefold() == want.strip("\"'").casefold()
    return equal if op == "=" else not equal


class Skill(BaseModel):
    """A replayable procedure for one kind of instruction."""

    name: str
    task: str | None = None
    instruction: str
    template: str
    pattern: str
    params: list[SkillParam] = Field(default_factory=list)
    steps: list[SkillStep]
    version: int = 1

    def match(self, instruction: str) -> dict[str, Any] | None:
        """Parameter values for `instruction`, or None when it is not this skill's kind."""
        text = " ".join(instruction.split())
        for pattern in [self.pattern, *_relaxed(self.pattern, [p.name for p in self.params])]:
            m = re.fullmatch(pattern, text, re.IGNORECASE | re.DOTALL)
            if m:
                values = m.groupdict()
                lists = {p.name for p in self.params if p.is_list}
                return {k: (split_list(v) if k in lists and v is not None else v)
                        for k, v in values.items()}
        return None

    def bind(self, instruction: str) -> list[Any]:
        """The concrete actions for `instruction`; InvalidInput when it does not fit."""
        values = self.match(instruction)
        if values is None:
            raise InvalidInput(f"The instruction does not fit skill {self.name!r} (expected "
                               f"something like: {self.template!r}). Record a demonstration "
                               "for this kind of instruction.", skill=self.name)
        return self.actions(values)

    def actions(self, values: dict[str, Any]) -> list[Any]:
        """The concrete actions for explicit parameter values."""
        return [b.action for b in self.plan(values)]

    def plan(self, values: dict[str, Any]) -> list[Bound]:
        """The concrete steps for explicit parameter values (with their `until` and `pick`)."""
        out = []
        for step in self.steps:
            if step.when and not holds(step.when, values):
                continue
            items = values.get(step.repeat) if step.repeat else [None]
            for item in items or []:
                bound = dict(values, **({step.repeat: item} if step.repeat else {}))
                data = _fill(step.action, bound)
                if data is None:
                    continue  # an optional clause this instruction leaves out
                if step.role and data.get("match", "fuzzy") == "fuzzy" and data.get("target"):
                    data["target"] = _with_role(data["target"], step.role)
                until = _fill_str(step.until, bound) if step.until else None
                out.append(Bound(parse_action(data), until, step.pick))
        return out

    def save(self, path: str | Path) -> None:
        """Write the skill as JSON."""
        Path(path).write_text(self.model_dump_json(indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Skill:
        """Read a skill written by `save`."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


_PLACEHOLDER = re.compile(r"\{\{\s*(?!secret:)([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(\w+)\s*)?\}\}")
_FILTERS = {
    "int": lambda v: str(int(v)) if v.strip().isdigit() else v,
    "month": lambda v: _MONTHS[int(v) - 1] if v.strip().isdigit() and 1 <= int(v) <= 12 else v,
    "lower": str.lower,
    "upper": str.upper,
}


def _fill(action: dict[str, Any], values: dict[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, value in action.items():
        if isinstance(value, list):
            filled = [_fill_str(v, values) if isinstance(v, str) else v for v in value]
            if any(v is None for v in filled):
                return None
            out[key] = filled
        elif isinstance(value, str):
            filled_str = _fill_str(value, values)
            if filled_str is None:
                return None
            out[key] = filled_str
        else:
            out[key] = value
    return out


def filtered(value: str, name: str | None) -> str:
    """`value` through the placeholder filter `name` (`int`, `month`, `lower`, `upper`)."""
    if not name:
        return value
    if name not in _FILTERS:
        raise InvalidInput(f"Unknown filter |{name}; use one of {', '.join(_FILTERS)}.")
    return _FILTERS[name](value)


def _fill_str(text: str, values: dict[str, Any]) -> str | None:
    names = [name for name, _ in _PLACEHOLDER.findall(text)]
    missing = names and all(values.get(n) is None for n in names)
    if missing and _PLACEHOLDER.sub("", text) in ("", "*"):
        return None

    return _PLACEHOLDER.sub(lambda m: filtered(str(values.get(m.group(1)) or ""), m.group(2)),
                            text)


def _relaxed(pattern: str, names: list[str]) -> list[str]:
    """Variants where one later parameter, with the words just before it, is optional."""
    out = []
    for name in reversed(names[1:]):
        group = f"(?P<{name}>.+?)"
        i = pattern.find(group)
        if i < 0:
            continue
        prev = max(pattern.rfind(".+?)", 0, i) + 4, 1)
        rest = pattern[i + len(group):]
        out.append(pattern[:prev] + "(?:" + pattern[prev:i] + group + ")?" + rest)
    return out


def _with_role(target: str, role: str) -> str:
    """'Submit' + button -> 'button "Submit"' (not for refs, bare roles or quoted targets)."""
    word = _ROLE_WORD.get(role)
    query = parse_target(target)
    if not word or isinstance(query, str) or not query.text or query.role or '"' in target:
        return target
    return f'{word} "{target}"'
