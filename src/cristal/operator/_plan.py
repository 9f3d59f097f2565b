"""Plan mode: a small line-per-action script, run with the same semantic targeting, no model.

```
# comments start with '#'
goto "http://127.0.0.1:8000/form"
type "山田" into "氏名"
select "Tokyo" in "City"
check "I agree"
click "Submit"                  # or: click "Delete" near "Invoice 42"
press "Enter" [in "Search"]
wait_for "Thank you"
extract "Total" [as table|list|text]
done ["result"]
```
Strings use double quotes (with \\" escapes) or 「」. `{{name}}` is replaced by a parameter
(`{{day|int}}`, `{{month|month}}` pass it through a filter); `{{secret:NAME}}` is left for
the runtime to fill. Task logic, for written skills above all:

```
if forward: click "Forward"          # only when the parameter has a value
if goal = "cheapest": click "Book flight for *" glob pick lowest price
click "Book flight for *" glob pick lowest duration after "Duration"
click "Prev" until "{{month|month}} {{year}}"   # repeat until the page shows it
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cristal.errors import InvalidInput
from cristal.operator._actions import (
    AskUser,
    Check,
    Click,
    Done,
    Extract,
    Goto,
    Hover,
    Press,
    Scroll,
    Select,
    Type,
    Uncheck,
    Upload,
    WaitFor,
)
from cristal.operator._pick import Pick
from cristal.operator._skills import filtered, holds

__all__ = ["Plan", "PlanStep", "PlanSyntaxError", "parse_plan"]

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|「([^」]*)」|(-?\d+(?:\.\d+)?)\b|([A-Za-z_]+)|(,))')
_PARAM = re.compile(r"\{\{\s*(?!secret:)([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(\w+)\s*)?\}\}")
_IF = re.compile(r'^if\s+(\w+)\s*(?:(!?=)\s*("(?:[^"\\]|\\.)*"|[^\s:]+))?\s*:\s*(.+)$', re.I)
USAGE = {
    "goto": 'goto "URL"',
    "click": 'click "TARGET" [near "TEXT"] [exact|glob] [pick lowest|highest price|duration|'
             'number [after "LABEL"]] [until "TEXT"]',
    "type": 'type "TEXT" into "TARGET" [append]',
    "select": 'select "OPTION"[, "OPTION"...] in "TARGET"',
    "check": 'check "TARGET"',
    "uncheck": 'uncheck "TARGET"',
    "press": 'press "KEYS" [in "TARGET"] [until "TEXT"]',
    "scroll": 'scroll [down|up] [PIXELS] [in "TARGET"]',
    "hover": 'hover "TARGET"',
    "upload": 'upload "FILE"[, "FILE"...] to "TARGET"',
    "wait_for": 'wait_for "TEXT" [gone] [timeout SECONDS]',
    "extract": 'extract ["TARGET"] [as text|table|list]',
    "ask": 'ask "QUESTION"',
    "done": 'done ["RESULT"]',
}


class PlanSyntaxError(InvalidInput):
    """A plan line could not be parsed; the message names the line and the expected form."""


@dataclass(frozen=True)
class PlanStep:
    """One parsed line: its number, its text, the action it stands for, and its logic."""

    line: int
    text: str
    action: Any
    when: str | None = None  # `if NAME[=VALUE]:`, kept when the plan is parsed without values
    until: str | None = None
    pick: Pick | None = None


@dataclass(frozen=True)
class Plan:
    """A parsed plan script."""

    steps: tuple[PlanStep, ...]
    comments: tuple[str, ...] = ()

    @property
    def logic(self) -> bool:
        """Whether any step repeats (`until`) or picks (`pick`)."""
        return any(s.until or s.pick for s in self.steps)

    def header(self, key: str) -> str | None:
        """The value of a `# key: value` comment line, if any."""
        for c in self.comments:
            k, sep, v = c.partition(":")
            if sep and k.strip().lower() == key.lower():
                return v.strip()
        return None


def _tokens(text: str, lineno: int) -> list[tuple[str, str]]:
    out, pos = [], 0
    body = text.strip()
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m or m.end() == pos:
            raise PlanSyntaxError(f"line {lineno}: cannot read {body[pos:pos + 20]!r} (strings "
                                  f'need double quotes: "like this").\n  {text.strip()}',
                                  line=lineno)
        s1, s2, num, word, comma = m.groups()
        if s1 is not None:
            out.append(("str", re.sub(r"\\(.)", r"\1", s1)))
        elif s2 is not None:
            out.append(("str", s2))
        elif num is not None:
            out.append(("num", num))
        elif word is not None:
            out.append(("word", word.lower()))
        else:
            out.append((",", comma))
        pos = m.end()
    return out


class _Line:
    def __init__(self, verb: str, toks: list[tuple[str, str]], lineno: int, text: str) -> None:
        self.verb, self.toks, self.lineno, self.text = verb, toks, lineno, text

    def fail(self, why: str) -> PlanSyntaxError:
        usage = USAGE.get(self.verb, "")
        return PlanSyntaxError(f"line {self.lineno}: {why}.\n  {self.text.strip()}\n"
                               f"Expected: {usage}", line=self.lineno)

    def strings(self) -> list[str]:
        out = []
        while self.toks and self.toks[0][0] == "str":
            out.append(self.toks.pop(0)[1])
            if self.toks and self.toks[0][0] == ",":
                self.toks.pop(0)
        return out

    def string(self, what: str) -> str:
        if not self.toks or self.toks[0][0] != "str":
            raise self.fail(f"expected {what} in double quotes")
        return self.toks.pop(0)[1]

    def keyword(self, *words: str) -> str | None:
        if self.toks and self.toks[0][0] == "word" and self.toks[0][1] in words:
            return self.toks.pop(0)[1]
        return None

    def end(self) -> None:
        if self.toks:
            raise self.fail(f"unexpected {self.toks[0][1]!r}")


def _logic(line: _Line) -> tuple[str | None, Pick | None]:
    """The optional `pick …` and `until "TEXT"` at the end of a click or press."""
    pick = None
    if line.verb == "click" and line.keyword("pick"):
        way = line.keyword("lowest", "highest", "cheapest", "shortest", "min", "max")
        key = line.keyword("price", "duration", "number")
        if not way or not key:
            raise line.fail("expected 'pick lowest|highest price|duration|number'")
        label = line.string("the label") if line.keyword("after") else None
        pick = Pick(by="max" if way in ("highest", "max") else "min", key=key, label=label)
    until = line.string("the text to wait for") if line.keyword("until") else None
    return until, pick


def _action(line: _Line) -> tuple[Any, str | None, Pick | None]:
    verb = line.verb
    until, pick = None, None
    if verb == "goto":
        action: Any = Goto(url=line.string("a URL"))
    elif verb in ("click", "hover", "check", "uncheck"):
        target = line.string("the element")
        near = line.string("the nearby text") if line.keyword("near") else None
        match = line.keyword("exact", "glob") or "fuzzy"
        cls = {"click": Click, "hover": Hover, "check": Check, "uncheck": Uncheck}[verb]
        action = cls(target=target, near=near, match=match)
        until, pick = _logic(line)
    elif verb == "type":
        text = line.string("the text to type")
        if not line.keyword("into", "in"):
            raise line.fail("expected 'into' after the text")
        target = line.string("the field")
        mode = "append" if line.keyword("append") else "clear"
        action = Type(text=text, target=target, mode=mode)
    elif verb == "select":
        values = line.strings()
        if not values:
            raise line.fail("expected the option text in double quotes")
        if not line.keyword("in", "from"):
            raise line.fail("expected 'in' after the option")
        action = Select(values=values, target=line.string("the list"))
    elif verb == "press":
        keys = line.string("the keys")
        target = line.string("the element") if line.keyword("in", "on") else None
        action = Press(keys=keys, target=target)
        until, _ = _logic(line)
    elif verb == "scroll":
        direction = line.keyword("up", "down") or "down"
        amount = int(float(line.toks.pop(0)[1])) if line.toks and line.toks[0][0] == "num" else 600
        target = line.string("the element") if line.keyword("in") else None
        action = Scroll(direction=direction, amount=amount, target=target)
    elif verb == "upload":
        files = line.strings()
        if not files or not line.keyword("to", "into", "in"):
            raise line.fail("expected file names, then 'to' and the file input")
        action = Upload(files=files, target=line.string("the file input"))
    elif verb in ("wait_for", "wait"):
        line.keyword("for")
        text = line.string("the text to wait for")
        gone = bool(line.keyword("gone"))
        timeout = 5.0
        if line.keyword("timeout"):
            if not line.toks or line.toks[0][0] != "num":
                raise line.fail("expected seconds after 'timeout'")
            timeout = float(line.toks.pop(0)[1])
        action = WaitFor(text=text, gone=gone, timeout_s=timeout)
    elif verb == "extract":
        target = line.toks.pop(0)[1] if line.toks and line.toks[0][0] == "str" else None
        kind = line.keyword("text", "table", "list") if line.keyword("as") else None
        action = Extract(target=target, kind=kind or "text")
    elif verb in ("ask", "ask_user"):
        action = AskUser(question=line.string("the question"))
    elif verb == "done":
        result = line.toks.pop(0)[1] if line.toks and line.toks[0][0] == "str" else None
        action = Done(result=result)
    else:
        known = ", ".join(USAGE)
        raise PlanSyntaxError(f"line {line.lineno}: unknown command {verb!r}; use one of: {known}."
                              f"\n  {line.text.strip()}", line=line.lineno)
    line.end()
    return action, until, pick


def parse_plan(script: str, params: dict[str, str] | None = None) -> Plan:
    """Parse a plan script; PlanSyntaxError names the first bad line and the expected form."""
    steps, comments = [], []
    for lineno, raw in enumerate(script.splitlines(), start=1):
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            comments.append(text.lstrip("#").strip())
            continue
        when = None
        condition = _IF.match(_strip_comment(text))
        if condition:
            name, op, value, text = condition.groups()
            when = name + (f"{op}{value.strip(chr(34))}" if op else "")
            if params is not None:
                if name not in params:
                    raise PlanSyntaxError(f"line {lineno}: no value for parameter {name!r} in "
                                          f"its `if`; pass it.", line=lineno)
                if not holds(when, params):
                    continue
                when = None
        if params is not None:
            text = _substitute(text, params, lineno)
        toks = _tokens(_strip_comment(text), lineno)
        if not toks:
            continue
        kind, verb = toks[0]
        if kind != "word":
            raise PlanSyntaxError(f"line {lineno}: a line starts with a command such as click, "
                                  f"type or goto, not {verb!r}.\n  {text}", line=lineno)
        action, until, pick = _action(_Line(verb, toks[1:], lineno, raw))
        steps.append(PlanStep(lineno, text, action, when, until, pick))
    return Plan(tuple(steps), tuple(comments))


def _strip_comment(text: str) -> str:
    """Drop a trailing `# comment` that is not inside a string."""
    in_str = False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            in_str = not in_str
        elif ch == "#" and not in_str and (i == 0 or text[i - 1].isspace()):
            return text[:i]
    return text


def _substitute(text: str, params: dict[str, str], lineno: int) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1) not in params:
            raise PlanSyntaxError(f"line {lineno}: no value for parameter {{{{{m.group(1)}}}}}; "
                                  f"pass it (known: {', '.join(sorted(params)) or 'none'}).",
                                  line=lineno)
        value = filtered(str(params[m.group(1)]), m.group(2))
        return value.replace("\\", "\\\\").replace('"', '\\"')

    return _PARAM.sub(one, text)
