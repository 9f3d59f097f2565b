"""Compile a demonstration (plan steps or trajectory records) into a Skill.

Every string a demonstration typed, selected, clicked or opened is looked up in the
task instruction. Found ones become parameters, and the instruction becomes a
template whose regex pulls new values out of a new instruction of the same task.
Quoted strings and numbers the demonstration did not use become free parameters
(they vary between tasks). Consecutive steps of one kind whose values sit in the
instruction as a list ("Select A, B and C") become one step repeated over a list
parameter. A clicked name that is not in the instruction but starts/ends with typed
or free parameters ("Angola" for "starts with Ang, ends with ola") becomes a glob.
"""

from __future__ import annotations

import re
from typing import Any

from cristal.errors import InvalidInput
from cristal.operator._actions import parse_action
from cristal.operator._plan import Plan, parse_plan
from cristal.operator._records import StepRecord
from cristal.operator._skills import _BETWEEN, DemoStep, Skill, SkillParam, SkillStep
from cristal.operator._targeting import Query, parse_target

__all__ = ["compile_plan", "compile_skill", "written_skill"]

_FIELDS = {"goto": ("url",), "type": ("text", "target"), "select": ("values", "target"),
           "click": ("target",), "check": ("target",), "uncheck": ("target",),
           "hover": ("target",), "wait_for": ("text",), "extract": ("target",)}


def compile_plan(instruction: str, script: str, *, name: str, task: str | None = None) -> Skill:
    """A skill from a plan script demonstrated on `instruction` (targets as written)."""
    plan = parse_plan(script)
    return compile_skill(instruction, [DemoStep(s.action) for s in plan.steps
                                       if s.action.action != "done"], name=name, task=task)


def written_skill(plan: Plan | str, *, name: str, task: str | None = None) -> Skill:
    """A skill written by hand as a plan with `# pattern:` (a regex whose named groups are
    the parameters) and `# instruction:` (an example it must fit); its lines keep their
    `{{param}}` placeholders and their logic (`if`, `until`, `pick`)."""
    plan = parse_plan(plan) if isinstance(plan, str) else plan
    pattern, example = plan.header("pattern"), plan.header("instruction")
    if not pattern or not example:
        raise InvalidInput("A written skill needs '# pattern: REGEX' (named groups are its "
                           "parameters) and '# instruction: EXAMPLE' header lines.")
    text = " ".join(example.split())
    try:
        found = re.fullmatch(pattern, text, re.IGNORECASE | re.DOTALL)
    except re.error as exc:
        raise InvalidInput(f"The skill's pattern is not a valid regex ({exc}).") from None
    if found is None:
        raise InvalidInput(f"The skill's pattern does not match its own example instruction "
                           f"{text!r}; fix one of them.")
    spans = sorted((found.start(g), found.end(g), g) for g in found.re.groupindex
                   if found.group(g) is not None)
    template, last = "", 0
    for start, end, group in spans:
        template += text[last:start] + "{" + group + "}"
        last = end
    steps = [SkillStep(action=s.action.model_dump(exclude_none=True, exclude={"note"}),
                       when=s.when, until=s.until, pick=s.pick)
             for s in plan.steps if s.action.action != "done"]
    if not steps:
        raise InvalidInput("The written skill has no steps; add the lines it should run.")
    params = [SkillParam(name=g, example=found.group(g) or "") for g in found.re.groupindex]
    return Skill(name=name, task=task, instruction=text, template=template + text[last:],
                 pattern=pattern, params=params, steps=steps)


def compile_skill(instruction: str, demo: list[DemoStep] | list[StepRecord], *, name: str,
                  task: str | None = None) -> Skill:
    """Compile a successful demonstration (plan steps or trajectory records) into a Skill."""
    steps = [_demo_step(d) if isinstance(d, StepRecord) else d for d in demo]
    steps = [s for s in steps if s is not None and s.action.action not in ("done", "ask_user")]
    if not steps:
        raise InvalidInput("The demonstration has no actions to compile; record one that works.")
    text = " ".join(instruction.split())
    actions = [_semantic(s) for s in steps]
    spans: list[tuple[int, int, str, bool]] = []  # start, end, param, is_list
    params: dict[str, SkillParam] = {}
    by_value: dict[str, str] = {}
    templates = [dict(a) for a in actions]
    repeat: dict[int, str] = {}
    skip: set[int] = set()
    for run in _list_runs(actions, [s.role for s in steps], text):
        pname = _unique("items", params)
        first, last = run[0], run[-1]
        spans.append((first[2], last[3], pname, True))
        params[pname] = SkillParam(name=pname, example=[v for _, _, _, _, v in run], is_list=True)
        i0, field = first[0], first[1]
        _set_field(templates[i0], field, "{{" + pname + "}}")
        repeat[i0] = pname
        skip.update(i for i, *_ in run[1:])
    slots = sorted(((i, f, v) for i, a in enumerate(actions) if i not in skip and i not in repeat
                    for f, v in _values(a)), key=lambda s: -len(s[2]))
    for i, field, value in slots:
        if value in by_value:
            _set_field(templates[i], field, "{{" + by_value[value] + "}}")
            continue
        where = _find(text, value, spans)
        if where is None:
            continue
        pname = _unique(_param_name(actions[i], field), params)
        spans.append((where[0], where[1], pname, False))
        params[pname] = SkillParam(name=pname, example=text[where[0]:where[1]])
        by_value[value] = pname
        _set_field(templates[i], field, "{{" + pname + "}}")
    # Names may be built from typed text and free slots, not from other steps' click targets.
    derivable = {p for i, f, v in slots if (p := by_value.get(v)) and f != "target"}
    for start, end, kind in _free_slots(text, spans):  # quoted strings and numbers vary too
        pname = _unique(kind, params)
        spans.append((start, end, pname, False))
        params[pname] = SkillParam(name=pname, example=text[start:end])
        by_value.setdefault(text[start:end], pname)
        derivable.add(pname)
    for i, a in enumerate(actions):  # clicked names built from parameters: globs
        target = a.get("target")
        templated = "{{" in templates[i].get("target", "")
        if i in skip or not target or templated or a["action"] == "type":
            continue
        glob = _derive_glob(target, {k: v for v, k in by_value.items() if k in derivable})
        if glob:
            templates[i]["target"], templates[i]["match"] = glob, "glob"
    spans.sort()
    ordered = [params[s[2]] for s in spans]
    return Skill(name=name, task=task, instruction=text, template=_template(text, spans),
                 pattern=_pattern(text, spans), params=ordered,
                 steps=[SkillStep(action=t, role=steps[i].role, repeat=repeat.get(i))
                        for i, t in enumerate(templates) if i not in skip])


def _demo_step(record: StepRecord) -> DemoStep | None:
    if not record.ok:
        return None
    target = record.target or {}
    return DemoStep(parse_action(record.action), target.get("role"), target.get("name"))


def _semantic(step: DemoStep) -> dict[str, Any]:
    """The action as data, its target as a name (a ref becomes the element's name)."""
    data = step.action.model_dump(exclude_none=True, exclude={"note"})
    target = data.get("target")
    if target:
        query = parse_target(target)
        if isinstance(query, str):
            data["target"] = step.name or target
        elif query.text and ('"' in target or "「" in target):
            data["target"] = query.text  # 'the "OK" button' -> 'OK'; the role is kept apart
    if data.get("match") == "fuzzy":
        data.pop("match")
    return data


def _values(action: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for field in _FIELDS.get(action["action"], ()):
        value = action.get(field)
        if isinstance(value, list):
            out += [(f"{field}.{k}", v) for k, v in enumerate(value) if isinstance(v, str)]
        elif isinstance(value, str) and value.strip() and "{{secret:" not in value:
            if field == "target" and not isinstance(q := parse_target(value), str) and not q.text:
                continue  # a bare role ("text field") is not a value
            out.append((field, value))
    return out


def _set_field(action: dict[str, Any], field: str, value: str) -> None:
    key, _, index = field.partition(".")
    if index:
        action[key] = list(action[key])
        action[key][int(index)] = value
    else:
        action[key] = value


def _find(text: str, value: str, taken: list[tuple[int, int, str, bool]],
          start: int = 0) -> tuple[int, int] | None:
    pattern = r"\s+".join(re.escape(w) for w in value.split())
    if not pattern:
        return None
    for m in re.finditer(rf"(?<![0-9A-Za-z]){pattern}(?![0-9A-Za-z])", text[start:], re.I):
        s, e = m.start() + start, m.end() + start
        if not any(s < t_end and t_start < e for t_start, t_end, *_ in taken):
            return s, e
    return None


def _list_runs(actions: list[dict[str, Any]], roles: list[str | None],
               text: str) -> list[list[tuple]]:
    """Runs of 2+ consecutive same-kind steps whose values form a list in the instruction."""
    runs: list[list[tuple]] = []
    i = 0
    while i < len(actions):
        kind = actions[i]["action"]
        field = "values.0" if kind == "select" else "target" if kind != "type" else "text"
        run: list[tuple] = []
        j, pos = i, 0
        while j < len(actions) and actions[j]["action"] == kind and roles[j] == roles[i]:
            value = dict(_values(actions[j])).get(field)
            where = _find(text, value, [], pos) if value else None
            if where is None or (run and not _BETWEEN.match(text[run[-1][3]:where[0]])):
                break
            run.append((j, field, where[0], where[1], value))
            pos = where[1]
            j += 1
        # "A, B, C" or "A, B and C": a list; "X and Y" alone is two separate things.
        gaps = [text[a[3]:b[2]] for a, b in zip(run, run[1:], strict=False)]
        if len(run) >= 3 or (len(run) == 2 and any("," in g or "、" in g for g in gaps)):
            runs.append(run)
            i = j
        else:
            i += 1
    return runs


_FREE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|(?<![\w.])(\d+(?:st|nd|rd|th)?)(?![\w])')


def _free_slots(text: str, spans: list[tuple[int, int, str, bool]]) -> list[tuple[int, int, str]]:
    """Quoted strings and numbers the demonstration did not use: they vary between tasks."""
    out = []
    for m in _FREE.finditer(text):
        group = next(g for g in range(1, 5) if m.group(g) is not None)
        start, end = m.span(group)
        if not any(start < e and s < end for s, e, *_ in spans):
            out.append((start, end, "number" if group == 4 else "quoted"))
    return out


def _param_name(action: dict[str, Any], field: str) -> str:
    kind = action["action"]
    if kind in ("type", "select") and field != "target":
        target = str(action.get("target", ""))
        query = parse_target(target)
        slug = re.sub(r"[^a-z0-9]+", "_", target.lower()).strip("_")
        if isinstance(query, Query) and query.text and slug and len(slug) <= 24:
            return slug
        return "text" if kind == "type" else "option"
    return {"goto": "url", "wait_for": "text"}.get(kind, "target")


def _unique(base: str, taken: dict[str, Any]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _derive_glob(target: str, params: dict[str, str]) -> str | None:
    low = target.casefold()
    head = max((v for v in params.values() if low.startswith(v.casefold()) and v != target),
               key=len, default=None)
    tail = max((v for v in params.values() if low.endswith(v.casefold()) and v != target),
               key=len, default=None)
    if head is None and tail is None:
        return None
    name = {v: k for k, v in params.items()}
    left = "{{" + name[head] + "}}" if head else ""
    right = "{{" + name[tail] + "}}" if tail else ""
    return f"{left}*{right}"


def _template(text: str, spans: list[tuple[int, int, str, bool]]) -> str:
    out, pos = [], 0
    for s, e, name, _ in spans:
        out += [text[pos:s], "{" + name + "}"]
        pos = e
    return "".join(out + [text[pos:]])


def _literal(text: str) -> str:
    return "".join(r"\s+" if p.isspace() else re.escape(p) for p in re.split(r"(\s+)", text) if p)


def _pattern(text: str, spans: list[tuple[int, int, str, bool]]) -> str:
    out, pos = [], 0
    for s, e, name, _ in spans:
        out += [_literal(text[pos:s]), f"(?P<{name}>.+?)"]
        pos = e
    return "".join(out + [_literal(text[pos:])])

