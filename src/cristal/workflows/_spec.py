"""Workflow specs: YAML in, a validated `Spec` out, or one SpecError naming lines and fields.

Everything a run needs is checked before it starts: the shape, step types and
their keys, templates (syntax and every name they use), references to inputs and
earlier steps, and the dependency graph (no cycles). A validated spec travels to
workers as plain data (`Spec.data`) and is compiled again there, once per digest.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cristal.config import Settings
from cristal.workflows._errors import Problem, SpecError
from cristal.workflows._graph import order_steps
from cristal.workflows._inputs import InputSpec, parse_inputs
from cristal.workflows._steptypes import (
    RetryPolicy,
    StepProblem,
    StepSpec,
    get_step_type,
    secret_fields,
    step_types,
)
from cristal.workflows._templates import (
    TemplateError,
    compile_value,
    is_template,
    names,
    references,
)
from cristal.workflows._yaml import Lines, YamlProblem, field_name, load_with_lines

__all__ = ["Spec", "load_spec", "parse_spec", "spec_from_data"]

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")
_STEP_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_TOP = {"name", "description", "version", "inputs", "steps", "outputs", "queue", "priority",
        "timeout_s"}
_COMMON = {"id", "type", "description", "when", "needs", "retry", "timeout_s"}
_RUN_KEYS = {"id", "tenant", "workflow"}
_GLOBALS = {"range", "dict", "cycler", "joiner", "namespace", "true", "false", "none",
            "True", "False", "None"}


@dataclass(eq=False)
class Spec:
    """A validated workflow spec: steps in run order, inputs, outputs, queue options."""

    name: str
    data: dict[str, Any]
    digest: str
    inputs: dict[str, InputSpec]
    steps: dict[str, StepSpec]
    order: list[str]
    gates: dict[str, tuple[str, str]]
    outputs: dict[str, Any] | None = None
    description: str = ""
    queue: str | None = None
    priority: int | None = None
    timeout_s: float | None = None
    source: str = "<spec>"
    branches: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def load_spec(path: str | Path, settings: Settings | None = None) -> Spec:
    """Read and validate a YAML spec file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read workflow spec {file}: {exc.strerror}; check the path.",
                        path=str(file)) from None
    return parse_spec(text, str(file), settings)


def parse_spec(text: str, source: str = "<spec>", settings: Settings | None = None) -> Spec:
    """Validate YAML text; raise SpecError listing every problem with its line and field."""
    try:
        data, lines = load_with_lines(text)
    except YamlProblem as exc:
        raise SpecError.from_problems(source, [exc.problem]) from None
    return _validate(data, lines, source, settings)


_cache: dict[str, Spec] = {}


def spec_from_data(data: dict[str, Any], digest: str | None = None) -> Spec:
    """Compile spec data that was validated before (in a worker); cached by digest."""
    key = digest or _digest(data)
    found = _cache.get(key)
    if found is None:
        if len(_cache) > 256:
            _cache.clear()
        found = _cache[key] = _validate(data, Lines(), "<spec>", None)
    return found


def _digest(data: dict[str, Any]) -> str:
    canon = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode()).hexdigest()[:32]


class _Collector:
    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(message, field_name(path), self.lines.of(path)))


def _validate(data: Any, lines: Lines, source: str, settings: Settings | None) -> Spec:
    out = _Collector(lines)
    if not isinstance(data, dict):
        raise SpecError.from_problems(source, [Problem(
            "a spec is a mapping with `name`, `inputs` and `steps`", line=1)])
    for key in data:
        if key not in _TOP:
            out.add((key,), f"unknown key; a spec has {', '.join(sorted(_TOP))}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        out.add(("name",), "`name` is required: lower-case letters, digits, '.', '_' or '-'")
    inputs = parse_inputs(data.get("inputs"), out.add)
    raw_steps = data.get("steps")
    steps: dict[str, StepSpec] = {}
    if not isinstance(raw_steps, list) or not raw_steps:
        out.add(("steps",), "`steps` is required: a list of steps, each with `id` and `type`")
        raw_steps = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_steps):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str) and raw_id in seen:
            out.add(("steps", i, "id"), f"step id `{raw_id}` is used twice; ids must be unique")
            continue
        if isinstance(raw_id, str):
            seen.add(raw_id)
        step = _parse_step(raw, ("steps", i), i, out)
        if step is not None:
            steps[step.id] = step
    # Steps already reported as broken are still known: no second "unknown step" for them.
    known = seen | set(steps)
    deps, gates, branches = _references(steps, inputs, out, known)
    order = order_steps(steps, deps, out.add)
    outputs = _outputs(data.get("outputs"), steps, inputs, out)
    for step in steps.values():
        _check_type(step, settings, out)
    queue = data.get("queue")
    if queue is not None and (not isinstance(queue, str) or (
            settings is not None and queue not in settings.workflows.queues)):
        known = ", ".join(sorted(settings.workflows.queues)) if settings else "default"
        out.add(("queue",), f"queue {queue!r} is not configured; use one of: {known}")
    priority = _number(data, "priority", out, integer=True)
    timeout_s = _number(data, "timeout_s", out)
    if out.problems:
        raise SpecError.from_problems(source, out.problems)
    return Spec(
        name=name, data=data, digest=_digest(data), inputs=inputs, steps=steps, order=order,
        gates=gates, outputs=outputs, description=str(data.get("description") or ""),
        queue=queue, priority=priority, timeout_s=timeout_s, source=source, branches=branches,
    )


def _number(data: dict, key: str, out: _Collector, integer: bool = False) -> Any:
    value = data.get(key)
    if value is None:
        return None
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if not ok or isinstance(value, bool) or value <= 0:
        out.add((key,), f"`{key}` must be a positive {'integer' if integer else 'number'}")
        return None
    return value


def _parse_step(raw: Any, path: tuple, index: int, out: _Collector,
                inner: bool = False) -> StepSpec | None:
    if not isinstance(raw, dict):
        out.add(path, "each step is a mapping with `id` and `type`")
        return None
    step_id = raw.get("id")
    if inner:
        step_id = "item"
    elif not isinstance(step_id, str) or not _STEP_ID.fullmatch(step_id):
        out.add((*path, "id"), "`id` is required: letters, digits and '_', not starting with "
                "a digit (templates use it as steps.<id>)")
        return None
    type_name = raw.get("type")
    step_type = get_step_type(type_name) if isinstance(type_name, str) else None
    if step_type is None:
        known = ", ".join(sorted(step_types()))
        out.add((*path, "type"), f"unknown step type {type_name!r}; use one of: {known}")
        return None
    own = {k: v for k, v in raw.items() if k not in _COMMON}
    options = _options(step_type.options, own, path, out)
    if options is None:
        return None
    templates: dict[str, Any] = {}
    for key in step_type.templated:
        if key in own:
            try:
                templates[key] = compile_value(own[key])
            except TemplateError as exc:
                out.add((*path, key), f"{exc}; fix the template")
    when = None
    if raw.get("when") is not None:
        try:
            when = compile_value(raw["when"] if is_template(raw["when"])
                                 else "{{ " + str(raw["when"]) + " }}")
        except TemplateError as exc:
            out.add((*path, "when"), f"{exc}; fix the condition")
    retry = None
    if raw.get("retry") is not None:
        try:
            retry = RetryPolicy.model_validate(raw["retry"])
        except ValidationError as exc:
            _pydantic_problems(exc, (*path, "retry"), out)
    needs = raw.get("needs") or []
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        out.add((*path, "needs"), "`needs` is a list of step ids")
        needs = []
    timeout = raw.get("timeout_s")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                or timeout <= 0):
        out.add((*path, "timeout_s"), "`timeout_s` must be a positive number of seconds")
        timeout = None
    step = StepSpec(id=step_id, type=type_name, options=options, templates=templates,
                    path=path, index=index, when=when, needs=tuple(needs), retry=retry,
                    timeout_s=timeout)
    if type_name == "map" and isinstance(own.get("step"), dict):
        step.inner = _parse_step(own["step"], (*path, "step"), index, out, inner=True)
    return step


def _options(model: type[BaseModel], own: dict, path: tuple, out: _Collector) -> Any:
    try:
        return model.model_validate(own)
    except ValidationError as exc:
        _pydantic_problems(exc, path, out)
        return None


def _pydantic_problems(exc: ValidationError, path: tuple, out: _Collector) -> None:
    for err in exc.errors():
        loc = (*path, *err["loc"])
        if err["type"] == "extra_forbidden":
            out.add(loc, "unknown key for this step type; remove it or check its spelling")
        elif err["type"] == "missing":
            out.add(loc, "required key is missing")
        else:
            out.add(loc, err["msg"])


def _references(steps: dict[str, StepSpec], inputs: dict[str, InputSpec], out: _Collector,
                known: set[str]):
    """Dependencies between steps (templates, needs, branches) and which branch gates a step."""
    deps: dict[str, set[str]] = {sid: set() for sid in steps}
    gates: dict[str, tuple[str, str]] = {}
    branches: dict[str, dict[str, list[str]]] = {}
    for step in steps.values():
        for need in step.needs:
            if need not in steps:
                if need not in known:
                    out.add((*step.path, "needs"), f"unknown step `{need}` in needs")
            elif need != step.id:
                deps[step.id].add(need)
        fields = [("when", step.when), *step.templates.items()]
        if step.inner is not None:
            fields += [(f"step.{k}", v) for k, v in step.inner.templates.items()]
        for key, value in fields:
            for root, attr in _refs_in(value):
                _check_ref(step, key, root, attr, steps, inputs, deps, out, known)
            if key.split(".")[-1] not in _secret_keys(step, key) and _mentions(value, "secrets"):
                out.add((*step.path, *key.split(".")), "secrets may only be used in an http "
                        "step's `headers` (not even assigned to another name): elsewhere they "
                        "do not exist, so they never reach a prompt, a URL or recorded data")
        for label, targets in _branch_targets(step).items():
            branches.setdefault(step.id, {})[label] = targets
            for target in targets:
                if target not in steps:
                    if target not in known:
                        out.add((*step.path, label), f"unknown step `{target}` in a branch")
                elif target in gates:
                    out.add((*step.path, label), f"step `{target}` is already in the branch "
                            f"`{gates[target][1]}` of `{gates[target][0]}`; a step has one gate")
                else:
                    gates[target] = (step.id, label)
                    deps[target].add(step.id)
    return deps, gates, branches


def _secret_keys(step: StepSpec, key: str) -> frozenset[str]:
    owner = step.inner if key.startswith("step.") and step.inner is not None else step
    return secret_fields(owner.type)


def _mentions(value: Any, name: str) -> bool:
    from cristal.workflows._templates import Template

    if isinstance(value, Template):
        return name in names(value.source)
    if isinstance(value, dict):
        return any(_mentions(v, name) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, name) for v in value)
    return False


def _branch_targets(step: StepSpec) -> dict[str, list[str]]:
    options = step.options
    if step.type == "if":
        return {"then": list(options.then), "else": list(options.else_)}
    if step.type == "switch":
        found = {f"cases.{k}": list(v) for k, v in options.cases.items()}
        found["default"] = list(options.default)
        return found
    return {}


def _refs_in(value: Any):
    from cristal.workflows._templates import Template

    if isinstance(value, Template):
        yield from references(value.source)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs_in(v)


def _check_ref(step: StepSpec, key: str, root: str, attr: str | None, steps: dict,
               inputs: dict, deps: dict, out: _Collector, known: set[str]) -> None:
    where = (*step.path, *key.split("."))
    in_item = key.startswith("step.")
    if root == "inputs":
        if attr is not None and attr not in inputs:
            declared = ", ".join(inputs) or "none"
            out.add(where, f"input `{attr}` is not declared in `inputs` (declared: {declared})")
    elif root == "steps":
        if attr is None:
            out.add(where, "refer to one step: steps.<id>.output")
        elif attr == step.id:
            out.add(where, f"step `{step.id}` cannot use its own output")
        elif attr not in steps:
            if attr not in known:
                out.add(where, f"unknown step `{attr}`; steps are: {', '.join(sorted(known))}")
        else:
            deps[step.id].add(attr)
    elif root == "run":
        if attr is not None and attr not in _RUN_KEYS:
            out.add(where, f"`run.{attr}` does not exist; use run.id, run.tenant or run.workflow")
    elif root in ("item", "index"):
        if not in_item:
            out.add(where, f"`{root}` only exists inside a map step's `step:`")
    elif root == "secrets":
        pass  # any mention, read or assigned, is checked in _references
    elif root not in _GLOBALS:
        out.add(where, f"unknown name `{root}` in template; use inputs.*, steps.<id>.output, "
                "run.*, or item/index in a map")


def _outputs(raw: Any, steps: dict, inputs: dict, out: _Collector) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        out.add(("outputs",), "`outputs` maps output names to templates")
        return None
    try:
        compiled = compile_value(raw)
    except TemplateError as exc:
        out.add(("outputs",), f"{exc}; fix the template")
        return None
    for key, value in compiled.items():
        if _mentions(value, "secrets"):
            out.add(("outputs", key), "secrets do not exist in outputs (only in an http "
                    "step's `headers`)")
            continue
        for root, attr in _refs_in(value):
            path = ("outputs", key)
            if root == "steps" and attr not in steps:
                out.add(path, f"unknown step `{attr}`")
            elif root == "inputs" and attr is not None and attr not in inputs:
                out.add(path, f"input `{attr}` is not declared in `inputs`")
            elif root not in ("steps", "inputs", "run") and root not in _GLOBALS:
                out.add(path, f"unknown name `{root}`; outputs use inputs.* and steps.<id>")
    return compiled


def _check_type(step: StepSpec, settings: Settings | None, out: _Collector) -> None:
    for current in (step, step.inner):
        if current is None:
            continue
        step_type = get_step_type(current.type)
        if step_type is None:
            continue
        try:
            step_type.check(current, settings)
        except StepProblem as exc:
            path = (*current.path, exc.key) if exc.key else (*current.path, "type")
            out.add(path, exc.message)
