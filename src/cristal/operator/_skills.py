"""Skills: a demonstration compiled into a parameterised, replayable procedure.

A Skill keeps an instruction template (and its regex), the parameters it pulls out
of a new instruction (lists split on commas and 'and'; 'nothing' is an empty list),
and action templates whose targets are semantic (role word + name template), never
refs or CSS. `_compile.py` builds skills from demonstrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from cristal.errors import InvalidInput
from cristal.operator._actions import parse_action
from cristal.operator._targeting import parse_target

__all__ = ["DemoStep", "Skill", "SkillParam", "SkillStep", "split_list"]

_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|\s+and\s+|\s+or\s+|、|及び|および|&)\s*", re.I)
_BETWEEN = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|and|or|、|及び|および|と|&)?\s*", re.I)
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
    """An action template; `{{param}}` placeholders, `repeat` runs it once per list item."""

    action: dict[str, Any]
    role: str | None = None
    repeat: str | None = None


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
        out = []
        for step in self.steps:
            items = values.get(step.repeat) if step.repeat else [None]
            for item in items or []:
                bound = dict(values, **({step.repeat: item} if step.repeat else {}))
                data = _fill(step.action, bound)
                if data is None:
                    continue  # an optional clause this instruction leaves out
                if step.role and data.get("match", "fuzzy") == "fuzzy" and data.get("target"):
                    data["target"] = _with_role(data["target"], step.role)
                out.append(parse_action(data))
        return out

    def save(self, path: str | Path) -> None:
        """Write the skill as JSON."""
        Path(path).write_text(self.model_dump_json(indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Skill:
        """Read a skill written by `save`."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


_PLACEHOLDER = re.compile(r"\{\{\s*(?!secret:)([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


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


def _fill_str(text: str, values: dict[str, Any]) -> str | None:
    names = _PLACEHOLDER.findall(text)
    missing = names and all(values.get(n) is None for n in names)
    if missing and _PLACEHOLDER.sub("", text) in ("", "*"):
        return None
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1)) or ""), text)


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
