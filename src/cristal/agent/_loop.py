"""The tool-calling loop with information-flow control.

`run(request, tools, route, gateway=...)`:

1. **Plan** from trusted input only: the planner model gets the request, the spec and
   the tools' schemas, never a tool result, and answers with a plan (see `_plan`).
2. **Execute** the plan step by step. Tool results are untrusted values (except the
   record fields a tool's policy vouches for). Untrusted data reaches a model only
   through the quarantined extractor, which has no tools and returns typed values.
3. **Check** every side-effect call first (`check_call`): an argument the tool's policy
   lists in `trusted_args` that came from untrusted data must also appear in the
   trusted input or the allow-list; else the call is refused or a person is asked,
   and the reason is recorded.
4. **Follow** instructions written in data only where the request says so (a `follow`
   step): a separate planning call reads that data and plans the actions. Its values
   are untrusted, and each action it chose asks a person first (`check_chosen`).

With `defence=False` the same tools run in a plain tool-calling loop (the model sees
every tool result and calls whatever it likes): the baseline the defence is measured
against. Every model call goes through the gateway (budgets, call log).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from cristal.agent._extract import ExtractionFailed, extract, project, render_data
from cristal.agent._plan import PLACEHOLDER, PLAN_SCHEMA, Plan, Step, parse_plan
from cristal.agent._policy import Confirmer, ConfirmRequest, check_call, check_chosen
from cristal.agent._prompts import FOLLOW_SYSTEM, PLANNER_SYSTEM
from cristal.agent._react import react
from cristal.agent._run import AgentRun, CallRecord
from cristal.agent._tools import Tool, ToolRegistry
from cristal.agent._values import Label, Value, short, to_data
from cristal.errors import InvalidInput, ModelResponseError

__all__ = ["run"]

PLANNER = Label.trusted_from("planner")
_MAX_STEPS = 80


class _Skipped(Exception):
    """A step cannot run: a value it needs is missing."""


def run(request: str, tools: ToolRegistry | Iterable[Tool], route: str = "default", *,
        gateway: Any, tenant: str | None = None, spec: str | None = None, defence: bool = True,
        confirm: Confirmer | None = None, extractor_route: str | None = None,
        data: Mapping[str, Any] | None = None, max_steps: int = 40,
        caller: str = "agent") -> AgentRun:
    """Carry out `request` with `tools`; returns the run with its full trace."""
    registry = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
    if defence:
        return _Executor(request, registry, route, gateway, tenant, spec, confirm,
                         extractor_route or route, data or {}, max_steps, caller).run()
    return react(request, registry, route, gateway=gateway, tenant=tenant, spec=spec,
                 data=data or {}, max_turns=max_steps, caller=caller)


class _Executor:
    def __init__(self, request: str, tools: ToolRegistry, route: str, gateway: Any,
                 tenant: str | None, spec: str | None, confirm: Confirmer | None,
                 extractor_route: str, data: Mapping[str, Any], max_steps: int,
                 caller: str) -> None:
        self.request, self.tools, self.route, self.gateway = request, tools, route, gateway
        self.tenant, self.spec, self.confirm = tenant, spec, confirm
        self.extractor_route, self.data, self.max_steps, self.caller = (
            extractor_route, data, max_steps, caller)
        self.trusted_texts = [t for t in (request, spec) if t]
        self.values: dict[str, Value] = {}
        self.fields: dict[str, tuple[str, tuple[str, ...]]] = {}  # id -> (tool, trusted fields)
        self.failed: dict[str, str] = {}
        self.chooser: Label | None = None  # set while running a plan that data chose
        self.out = AgentRun(request=request, defence=True)

    def run(self) -> AgentRun:
        for name, value in self.data.items():
            self.values[f"data.{name}"] = Value(to_data(value), Label.untrusted(f"data:{name}"))
        try:
            plan = self._plan()
        except InvalidInput as exc:  # no usable plan; model errors (offline, budget) propagate
            self.out.status = "failed"
            self.out.answer = f"No plan: {exc.message}"
            self.out.event("error", "plan", error=exc.message)
            return self.out
        self._steps(plan, "plan")
        self._answer(plan)
        if self.out.status == "done" and self.failed:
            self.out.status = "failed"
        return self.out

    def _steps(self, plan: Plan, key: str) -> None:
        """Run a plan's steps, at most max_steps; a longer plan is recorded as failed (`key`)."""
        for step in plan.steps[: self.max_steps]:
            try:
                if step.call is not None:
                    self._call(step)
                elif step.extract is not None:
                    self._extract(step)
                else:
                    self._follow(step)
            except _Skipped as exc:
                self.failed[step.id] = str(exc)
                self.out.event("skipped", step.id, reason=str(exc))
        if len(plan.steps) > self.max_steps:
            self.out.event("error", key, error=f"the plan has {len(plan.steps)} steps; only the "
                           f"first {self.max_steps} ran (max_steps)")
            self.failed[key] = "too many steps"

    # -- planning ---------------------------------------------------------

    def _tools_json(self) -> str:
        return "Tools:\n" + json.dumps([t.schema()["function"] for t in self.tools],
                                       ensure_ascii=False)

    def _plan(self) -> Plan:
        names = tuple(self.data)
        parts = [f"Request:\n{self.request}"]
        if self.spec:
            parts.append(f"Instructions from the workflow (trusted):\n{self.spec}")
        if names:
            parts.append("Data inputs (untrusted; refer to them as {\"$ref\": \"data.NAME\"}): "
                         + ", ".join(names))
        parts.append(self._tools_json())
        messages = [{"role": "system", "content": PLANNER_SYSTEM},
                    {"role": "user", "content": "\n\n".join(parts)}]
        plan = self._ask_plan(messages, "plan", lambda data: parse_plan(data, self.tools, names))
        self.out.plan = plan.model_dump(by_alias=True, exclude_none=True)
        self.out.event("plan", "plan", steps=len(plan.steps))
        return plan

    def _ask_plan(self, messages: list[dict[str, Any]], role: str, parse: Any) -> Plan:
        problem = ""
        for attempt in range(2):
            if problem:
                messages = [*messages, {"role": "user", "content": f"That plan is not valid: "
                                        f"{problem}. Answer with a corrected plan."}]
            try:
                result = self.gateway.chat(messages, route=self.route, tenant=self.tenant,
                                           json_schema=PLAN_SCHEMA, schema_name=role,
                                           caller=f"{self.caller}:{role}")
            except ModelResponseError as exc:
                problem = exc.message
                continue
            self._count(result)
            data = result.parsed if result.parsed is not None else _loads(result.text)
            try:
                return parse(data)
            except InvalidInput as exc:
                problem = exc.message
                self.out.event("error", role, error=problem, attempt=attempt + 1)
        raise InvalidInput(f"the planner gave no valid plan ({problem})")

    # -- steps ------------------------------------------------------------

    def _value(self, ref: str) -> Value:
        if ref in self.failed:
            raise _Skipped(f"{ref} has no value ({self.failed[ref]})")
        return self.values[ref]

    def _resolve(self, expr: Any) -> Value:
        if isinstance(expr, dict) and "$ref" in expr:
            ref = str(expr["$ref"])
            value = self._value(ref)
            fields = expr.get("fields")
            if not fields:
                return value
            fields = tuple(str(f) for f in fields)
            data = project(value.data, fields)
            tool, vouched = self.fields.get(ref, ("", ()))
            if not value.trusted and vouched and set(fields) <= set(vouched):
                return Value(data, Label.trusted_from(f"tool:{tool}#{ref}:{','.join(fields)}"))
            return Value(data, value.label)
        author = self.chooser or PLANNER  # who wrote the literals
        if isinstance(expr, dict) and "$format" in expr:
            template = str(expr["$format"])
            used = [self._value(r) for r in PLACEHOLDER.findall(template)]
            text = PLACEHOLDER.sub(lambda m: _text(self._value(m.group(1)).data), template)
            return Value(text, Label.of(author, *(v.label for v in used)))
        if isinstance(expr, dict):
            parts = {k: self._resolve(v) for k, v in expr.items()}
            return Value({k: v.data for k, v in parts.items()},
                         Label.of(author, *(v.label for v in parts.values())))
        if isinstance(expr, list):
            items = [self._resolve(v) for v in expr]
            return Value([v.data for v in items], Label.of(author, *(v.label for v in items)))
        return Value(expr, author)

    def _call(self, step: Step) -> None:
        tool = self.tools.get(step.call or "")
        assert tool is not None
        args = {k: self._resolve(v) for k, v in step.args.items()}
        raw = {k: v.data for k, v in args.items()}
        if self.chooser is None:
            verdict = check_call(tool, args, self.trusted_texts)
        else:
            verdict = check_chosen(tool, args, self.trusted_texts,
                                   ", ".join(sorted(self.chooser.sources)))
        if not verdict.allowed:
            self._refuse_or_ask(step, tool, raw, verdict.reasons, verdict.action)
        elif verdict.passed:
            self.out.event("policy", step.id, tool=tool.name, passed=list(verdict.passed))
        record = CallRecord(step.id, tool.name, raw)
        self.out.calls.append(record)
        try:
            result = tool.fn(**raw)
        except Exception as exc:  # a tool's own failure: recorded, dependents are skipped
            record.error = (getattr(exc, "message", None) or str(exc) or type(exc).__name__)[:500]
            self.out.event("call", step.id, tool=tool.name, ok=False, error=record.error)
            raise _Skipped(f"{tool.name} failed: {record.error}") from None
        record.result = to_data(result)
        # What a call returns depends on what it was asked: a search for a name that came
        # from untrusted data returns records the data chose, so nothing in it is vouched for.
        chooses = tool.policy.selected_by
        steered = [v.label for k, v in args.items()
                   if not v.trusted and (chooses is None or k in chooses)]
        if tool.policy.output == "trusted" and not steered:
            label = Label.trusted_from(f"tool:{tool.name}")
        else:
            label = Label.of(Label.untrusted(f"tool:{tool.name}#{step.id}"), *steered)
        self.values[step.id] = Value(record.result, label)
        self.fields[step.id] = (tool.name, () if steered else tool.policy.trusted_fields)
        self.out.event("call", step.id, tool=tool.name, ok=True, trusted=label.trusted)

    def _refuse_or_ask(self, step: Step, tool: Tool, raw: dict[str, Any],
                       reasons: tuple[str, ...], action: str) -> None:
        entry = {"step": step.id, "tool": tool.name, "args": {k: short(v, 120)
                                                              for k, v in raw.items()},
                 "reasons": list(reasons), "action": action, "asked": False, "approved": False}
        if action == "ask" and self.confirm is not None:
            entry["asked"] = True
            entry["approved"] = bool(self.confirm(ConfirmRequest(tool.name, raw, reasons)))
        self.out.refusals.append(entry)
        self.out.event("refused" if not entry["approved"] else "confirmed", step.id,
                       tool=tool.name, reasons=list(reasons), asked=entry["asked"])
        if entry["approved"]:
            return
        if self.out.status == "done":
            self.out.status = "needs_confirmation" if action == "ask" and self.confirm is None \
                else "refused"
        raise _Skipped(f"{tool.name} refused: {'; '.join(reasons)}")

    def _extract(self, step: Step) -> None:
        spec = step.extract
        assert spec is not None
        sources = []
        for i, src in enumerate(spec.sources):
            value = self._resolve(src)
            name = str(src.get("$ref", f"source{i}")) if isinstance(src, dict) else f"source{i}"
            sources.append((name, value))
        choices = spec.choices
        if isinstance(choices, dict):
            resolved = self._resolve(choices)
            choices = [str(c) for c in resolved.data] if isinstance(resolved.data, list) else []
        try:
            found = extract(self.gateway, question=spec.question, sources=sources, kind=spec.type,
                            choices=choices, many=spec.many, route=self.extractor_route,
                            tenant=self.tenant, caller=f"{self.caller}:extract")
        except ExtractionFailed as exc:
            attempted = exc.fields.get("tool_calls") or []
            if exc.fields.get("call_id"):
                self.out.model_calls.append(str(exc.fields["call_id"]))
            for call in attempted:
                self.out.extractor_tool_calls.append({"step": step.id, **call})
            self.out.event("extract", step.id, ok=False, error=exc.message,
                           refused_tool_calls=[c["name"] for c in attempted])
            raise _Skipped(f"extraction failed: {exc.message}") from None
        if found.call_id:
            self.out.model_calls.append(found.call_id)
        if self.chooser is not None:  # the question itself was written by data
            found.value = Value(found.value.data, Label.of(found.value.label, self.chooser))
        self.values[step.id] = found.value
        self.out.event("extract", step.id, ok=True, type=spec.type,
                       trusted=found.value.trusted, value=short(found.value.data, 120))

    def _follow(self, step: Step) -> None:
        spec = step.follow
        assert spec is not None
        if self.chooser is not None:
            raise _Skipped("a plan made from data cannot follow more data")
        sources = []
        for i, src in enumerate(spec.sources):
            name = str(src.get("$ref", f"source{i}")) if isinstance(src, dict) else f"source{i}"
            sources.append((name, self._resolve(src)))
        known = tuple(k for k in self.values if k not in self.failed)
        content = "\n\n".join([
            f"Request (trusted):\n{self.request}",
            *([f"Instructions from the workflow (trusted):\n{self.spec}"] if self.spec else []),
            f"Carry out: {spec.instructions}",
            "Values available ({\"$ref\": ID}): " + (", ".join(known) or "none"),
            self._tools_json(),
            "Data (untrusted):\n" + render_data([(n, v.data) for n, v in sources])])
        messages = [{"role": "system", "content": FOLLOW_SYSTEM},
                    {"role": "user", "content": content}]
        try:
            sub = self._ask_plan(messages, "data_plan", lambda data: parse_plan(
                data, self.tools, tuple(self.data), known=known, follow=False))
        except InvalidInput as exc:
            raise _Skipped(f"no plan from the data: {exc.message}") from None
        plans = (self.out.plan or {}).setdefault("followed", {})
        plans[step.id] = sub.model_dump(by_alias=True, exclude_none=True)
        self.out.event("follow", step.id, steps=len(sub.steps),
                       calls=[s.call for s in sub.steps if s.call])
        self.chooser = Label.of(Label.untrusted(f"data-plan:{step.id}"),
                                *(v.label for _, v in sources))
        try:
            self._steps(sub, f"{step.id}:plan")
            answer, label = self._fill(sub.answer)
        finally:
            self.chooser = None
        self.values[step.id] = Value(answer, Label.of(label, Label.untrusted(
            f"data-plan:{step.id}")))

    def _fill(self, template: str) -> tuple[str, Label]:
        labels: list[Label] = [self.chooser or PLANNER]

        def fill(match: Any) -> str:
            ref = match.group(1)
            if ref in self.failed or ref not in self.values:
                return f"[{ref}: not available]"
            labels.append(self.values[ref].label)
            return _text(self.values[ref].data)

        return PLACEHOLDER.sub(fill, template), Label.of(*labels)

    def _answer(self, plan: Plan) -> None:
        answer, label = self._fill(plan.answer)
        refused = [r for r in self.out.refusals if not r["approved"]]
        if refused:  # the planner wrote the answer before anything ran: say what did not
            answer += "\n\nNot done:" + "".join(
                f"\n- {r['tool']}: {'; '.join(r['reasons'])}" for r in refused)
        self.out.answer = answer.strip()
        self.out.answer_label = label
        self.out.event("answer", "answer", trusted=self.out.answer_label.trusted)

    def _count(self, result: Any) -> None:
        if result.call_id:
            self.out.model_calls.append(result.call_id)


def _text(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, list) and all(isinstance(x, str | int | float) for x in data):
        return ", ".join(str(x) for x in data)
    return json.dumps(data, ensure_ascii=False, default=str)


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except json.JSONDecodeError:
        return None
