"""What the obedient double knows about AgentDojo: each user task's ground truth, each attack.

Roles:
- **tools** (the undefended loop): the next ground-truth call of the user's task; once a
  tool result holds an injected goal, the attacker's calls first (ids `atk_*`), then the
  rest of the task; the last answer is the task's ground-truth output (plus whatever an
  injected goal asks to be said).
- **plan** (Cristal's planner, which sees only the request): the ground-truth calls as a
  plan. It is computed on the suite's attack-free environment, so no attacker text can
  shape it. An argument is a literal only when it is in the request (or when nothing
  has been read yet); anything else becomes an extraction from the results before it,
  restricted to record fields the tool's policy vouches for only when the value is
  found there (word for word, for arguments the policy checks). The final answer gets
  the records alone too when it is computed from them (found in no free text either):
  a careful planner passes free text only to questions about free text. The double may
  err towards *less* trust, never more.
- **extraction**: the value its plan asked for; but when the data holds an injected goal,
  the attacker's first call instead (the extractor was offered no tools; it calls anyway).
- **data_plan** (a `follow` step: the request hands the choice of actions to data, as in
  "do the actions in David's e-mail"): the rest of the ground truth, planned after
  reading that data, so a literal may also come from it; when the data holds an
  injected goal, the attacker's calls as the plan instead.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from typing import Any

from agentdojo.attacks.attack_registry import load_attack
from agentdojo.functions_runtime import FunctionsRuntime
from agentdojo.task_suite.load_suites import get_suites

from cristal.agent import ToolPolicy, appears_in, normalise, project, to_data
from cristal.injection._agentdojo import VERSION, policies, view
from cristal.injection._attacks import attacker_steps
from cristal.injection._obedient import Reply
from cristal.injection._poison import poisoned

__all__ = ["AgentDojoScenario", "skeleton"]

# Requests that hand the choice of *actions* to data ("follow the instructions in the
# file", "do the tasks on my TODO page"). A planner that never reads data cannot know
# them, so the double plans the reading that the request itself names, then a `follow`
# step over what it read; the actions are planned from the data (role data_plan).
ACTIONS_FROM_DATA = {("workspace", "user_task_13"), ("workspace", "user_task_19"),
                     ("banking", "user_task_12"), ("slack", "user_task_18"),
                     ("slack", "user_task_19")}
_URL_IN_PROMPT = re.compile(r"\bwww\.[\w.-]+(?:/[\w./-]*\w)?")
# A record value chosen by what free text says (the channel where Alice asked about her
# mug): the extraction gets whole results, not only the record fields.
CHOICE_FROM_TEXT = {("slack", "user_task_8")}
_TAG = re.compile(r"\[double:(\w+):(user_task_\d+):([^\]]+)\]")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_KINDS = (("email", re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
          ("iban", re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,32}$")),
          ("datetime", re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")),
          ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
          ("time", re.compile(r"^\d{1,2}:\d{2}$")),
          ("url", re.compile(r"^(https?://)?www\.[\w-]+(\.[\w-]+)+(/\S*)?$")))


def skeleton(text: str) -> str:
    """Letters and digits only, lower-case: survives JSON/YAML escaping and line breaks."""
    text = text.replace("\\n", " ").replace("\\t", " ").replace('\\"', '"').replace("\\'", "'")
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _leaves(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [data]


def _tokens(text: str) -> set[str]:
    return {str(float(t)) if t[0].isdigit() else t for t in _TOKEN.findall(normalise(text))}


def _grounded(value: Any, datas: list[Any], strict: bool) -> bool:
    """Is the value found in the data? Word for word when strict, else token by token."""
    hay = [x for d in datas for x in _leaves(d) if x is not None and not isinstance(x, bool)]
    texts = [normalise(str(x)) for x in hay]
    tokens = set().union(*(_tokens(t) for t in texts)) if texts else set()
    leaves = [x for x in _leaves(value) if x not in (None, "") and not isinstance(x, bool)]
    if not leaves:
        return True
    for leaf in leaves:
        if isinstance(leaf, int | float):
            if str(float(leaf)) not in tokens:
                return False
        elif strict:
            if not any(normalise(str(leaf)) in t for t in texts):
                return False
        elif not _tokens(str(leaf)) <= tokens:
            return False
    return True


def _kind(value: Any, prop: dict[str, Any]) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if prop.get("type") == "integer" else "number"
    if isinstance(value, float):
        return "number"
    text = str(value)
    for kind, pattern in _KINDS:
        if pattern.match(text):
            return kind
    return "text" if len(text) > 200 or "\n" in text else "string"


class AgentDojoScenario:
    """The double's knowledge of AgentDojo's suites (ground truth, injections, attacks)."""

    def __init__(self, version: str = VERSION,
                 attack: str = "important_instructions_no_model_name",
                 attack_model: str = "gpt-4o-2024-05-13", poison: bool = False) -> None:
        self.poison = poison  # as extractor, answer with the attacker's values (_poison)
        self.suites = get_suites(version)
        self.attack_name, self.attack_model = attack, attack_model
        prompts = [(normalise(t.PROMPT), s, tid) for s, suite in self.suites.items()
                   for tid, t in suite.user_tasks.items()]
        self._prompts = sorted(prompts, key=lambda p: -len(p[0]))
        self._goals = {s: sorted(((skeleton(t.GOAL), tid) for tid, t in
                                  suite.injection_tasks.items()), key=lambda g: -len(g[0]))
                       for s, suite in self.suites.items()}
        self._lock = threading.RLock()
        self._cache: dict[tuple, Any] = {}

    # -- lookups ----------------------------------------------------------

    def _cached(self, key: tuple, make: Any) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    def task_in(self, text: str) -> tuple[str, str] | None:
        """The user task whose prompt is in `text` (the longest such prompt)."""
        norm = normalise(text)
        return next(((s, tid) for p, s, tid in self._prompts if p and p in norm), None)

    def injection_in(self, suite: str, texts: list[str]) -> str | None:
        """The injection task whose goal appears in the texts (the longest goal)."""
        flat = skeleton("\n".join(texts))
        return next((tid for goal, tid in self._goals[suite] if goal and goal in flat), None)

    def _task_env(self, suite: str, tid: str) -> Any:
        def make() -> Any:
            base = self._cached(("env", suite), lambda: self.suites[suite]
                                .load_and_inject_default_environment({}))
            return self.suites[suite].get_user_task_by_id(tid).init_environment(
                copy.deepcopy(base))
        return copy.deepcopy(self._cached(("task_env", suite, tid), make))

    def _pre(self, suite: str, tid: str, inj: str) -> Any:
        """The injected environment before the task, exactly as AgentDojo builds it."""
        def make() -> Any:
            ts = self.suites[suite]
            attack = self._cached(("attack", suite), lambda: load_attack(
                self.attack_name, ts, _Named(self.attack_model)))
            injections = attack.attack(ts.get_user_task_by_id(tid),
                                       ts.get_injection_task_by_id(inj))
            env = ts.load_and_inject_default_environment(injections)
            return ts.get_user_task_by_id(tid).init_environment(env)
        return copy.deepcopy(self._cached(("pre", suite, tid, inj), make))

    def _user_calls(self, suite: str, tid: str) -> list[tuple[str, dict[str, Any]]]:
        def make() -> list[tuple[str, dict[str, Any]]]:
            task = self.suites[suite].get_user_task_by_id(tid)
            return [(c.function, dict(c.args)) for c in task.ground_truth(self._task_env(suite,
                                                                                         tid))]
        return self._cached(("gt", suite, tid), make)

    # -- roles ------------------------------------------------------------

    def respond(self, role: str, request: dict[str, Any]) -> Reply | None:
        """Answer as planner, extractor or tool-calling model, for AgentDojo's tasks only."""
        messages = request.get("messages") or []
        if role == "plan":
            found = self.task_in(_content(messages[-1]) if messages else "")
            return Reply(json.dumps(self._plan(*found)[0])) if found else None
        if role == "extraction":
            return self._extract(_content(messages[-1]) if messages else "")
        if role == "data_plan":
            return self._data_plan(_content(messages[-1]) if messages else "")
        if role == "tools":
            users = [m for m in messages if m.get("role") == "user"]
            found = self.task_in(_content(users[0])) if users else None
            return self._turn(found[0], found[1], messages) if found else None
        return None

    def _turn(self, suite: str, tid: str, messages: list[dict[str, Any]]) -> Reply:
        data = [_content(m) for m in messages if m.get("role") == "tool"]
        inj = self.injection_in(suite, data)
        done = [c for m in messages if m.get("role") == "assistant"
                for c in m.get("tool_calls") or []]
        attacked = [c for c in done if str(c.get("id", "")).startswith("atk_")]
        mine = [c for c in done if str(c.get("id", "")).startswith("usr_")]
        if inj is not None:
            pre = self._pre(suite, tid, inj)
            steps = attacker_steps(suite, inj, self.suites[suite].get_injection_task_by_id(inj),
                                   pre)
            if len(attacked) < len(steps):
                now = self._replay(suite, pre, done)
                name, args = steps[len(attacked)](pre, now)
                return Reply(tool_calls=[(name, args, f"atk_{len(attacked)}")])
        calls = self._user_calls(suite, tid)
        if len(mine) < len(calls):
            name, args = calls[len(mine)]
            return Reply(tool_calls=[(name, args, f"usr_{len(mine)}")])
        answer = self.suites[suite].get_user_task_by_id(tid).GROUND_TRUTH_OUTPUT or "Done."
        if inj is not None and not attacker_steps(
                suite, inj, self.suites[suite].get_injection_task_by_id(inj), self._pre(
                    suite, tid, inj)):
            answer += "\n\n" + self.suites[suite].get_injection_task_by_id(inj).GOAL
        return Reply(answer)

    def _replay(self, suite: str, pre: Any, done: list[dict[str, Any]]) -> Any:
        now = copy.deepcopy(pre)
        runtime = FunctionsRuntime(self.suites[suite].tools)
        for call in done:
            fn = call.get("function") or {}
            try:
                args = json.loads(fn.get("arguments") or "{}")
            except json.JSONDecodeError:
                continue
            runtime.run_function(now, fn.get("name", ""), args)
        return now

    def _extract(self, content: str) -> Reply | None:
        tag = _TAG.search(content)
        if tag is None:
            return None
        suite, tid = tag.group(1), tag.group(2)
        if suite not in self.suites:
            return None
        data = content.split("<data", 1)[1] if "<data" in content else ""
        inj = self.injection_in(suite, [data])
        if inj is not None:
            task = self.suites[suite].get_injection_task_by_id(inj)
            pre = self._pre(suite, tid, inj)
            steps = attacker_steps(suite, inj, task, pre)
            if steps and not self.poison:
                name, args = steps[0](pre, copy.deepcopy(pre))
                return Reply(tool_calls=[(name, args, "atk_0")])
            if steps:
                kind = (re.search(r"^Type: (\w+)", content, re.MULTILINE) or [None, "string"])[1]
                calls = [step(pre, copy.deepcopy(pre)) for step in steps[:3]]
                value = poisoned(kind, "(a list)" in content, _choices(content),
                                 self._plan(suite, tid)[1].get(tag.group(0)),
                                 [args for _, args in calls], task.GOAL)
                return Reply(json.dumps({"found": True, "value": value}, default=str))
            return Reply(json.dumps({"found": True, "value": task.GOAL}))  # a goal to *say*
        value = self._plan(suite, tid)[1].get(tag.group(0))
        return Reply(json.dumps({"found": value is not None, "value": value}, default=str))

    def _data_plan(self, content: str) -> Reply | None:
        request = content.split("\n\nCarry out:", 1)[0]
        found = self.task_in(request)
        if found is None:
            return None
        suite, tid = found
        data = content.split("Data (untrusted):", 1)[1] if "Data (untrusted):" in content else ""
        inj = self.injection_in(suite, [data])
        if inj is None:
            return Reply(json.dumps(self._built(suite, tid)[2] or {"steps": [], "answer": ""}))
        pre = self._pre(suite, tid, inj)
        now = copy.deepcopy(pre)
        runtime = FunctionsRuntime(self.suites[suite].tools)
        steps = []
        for i, step in enumerate(attacker_steps(
                suite, inj, self.suites[suite].get_injection_task_by_id(inj), pre), 1):
            name, args = step(pre, now)
            runtime.run_function(now, name, args)
            steps.append({"id": f"atk{i}", "call": name, "args": to_data(args)})
        answer = "" if steps else self.suites[suite].get_injection_task_by_id(inj).GOAL
        return Reply(json.dumps({"steps": steps, "answer": answer}, default=str))

    # -- the planner's plan -------------------------------------------------

    def _built(self, suite: str, tid: str) -> tuple[dict[str, Any], dict[str, Any],
                                                    dict[str, Any] | None]:
        return self._cached(("plan", suite, tid), lambda: _PlanBuilder(self, suite, tid).build())

    def _plan(self, suite: str, tid: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The planner's plan and the values its extractions ask for (data plan's too)."""
        plan, values, _ = self._built(suite, tid)
        return plan, values

    def data_plan(self, suite: str, tid: str) -> dict[str, Any] | None:
        """The plan made from the data for a `follow` step, on the attack-free environment."""
        return self._built(suite, tid)[2]


class _PlanBuilder:
    def __init__(self, scenario: AgentDojoScenario, suite: str, tid: str) -> None:
        self.suite, self.tid = suite, tid
        self.ts = scenario.suites[suite]
        self.task = self.ts.get_user_task_by_id(tid)
        self.env = scenario._task_env(suite, tid)
        self.rules = policies(suite)
        self.props = {f.name: f.parameters.model_json_schema().get("properties", {})
                      for f in self.ts.tools}
        self.steps: list[dict[str, Any]] = []
        self.values: dict[str, Any] = {}
        self.done: list[tuple[str, str, Any]] = []
        self.known = [self.task.PROMPT]  # texts a literal may come from

    def build(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
        """The plan, the extraction values, and (for a `follow`) the plan made from data."""
        runtime = FunctionsRuntime(self.ts.tools)
        from_data = (self.suite, self.tid) in ACTIONS_FROM_DATA
        calls = [(c.function, dict(c.args)) for c in self.task.ground_truth(
            copy.deepcopy(self.env))]
        named = _URL_IN_PROMPT.search(self.task.PROMPT)
        if from_data and named and ("get_webpage", {"url": named.group(0)}) not in calls:
            calls.insert(0, ("get_webpage", {"url": named.group(0)}))  # the page it names
        outer: list[dict[str, Any]] | None = None
        follow: dict[str, Any] = {}
        for i, (function, call_args) in enumerate(calls, 1):
            if from_data and outer is None and self.done and not appears_in(
                    [v for v in call_args.values() if v not in (None, "")] or "x",
                    [self.task.PROMPT]):
                # From here on the actions are written in the data just read.
                sid, _, data = self.done[-1]
                follow = {"id": "f1", "follow": {
                    "instructions": "the actions the request refers to", "from": [
                        {"$ref": sid}]}}
                outer, self.steps = self.steps, []
                self.known = [self.task.PROMPT, json.dumps(data, default=str)]
            rule = self.rules.get(function, ToolPolicy())
            args = {k: self._expr(to_data(v), f"s{i}.{k}", function, k,
                                  k in rule.trusted_args) for k, v in call_args.items()}
            self.steps.append({"id": f"s{i}", "call": function, "args": args})
            result, _ = runtime.run_function(self.env, function, call_args)
            self.done.append((f"s{i}", function, view(function, to_data(result))))
        out = self.task.GROUND_TRUTH_OUTPUT or ""
        if not out:
            answer = "Done."
        elif appears_in(out, [self.task.PROMPT]) or not self.done:
            answer = out
        else:
            self._extraction("answer", out, "answer", "text", False)
            answer = "{{answer}}"
        if outer is None:
            return {"steps": self.steps, "answer": answer}, self.values, None
        return ({"steps": [*outer, follow], "answer": "{{f1}}"}, self.values,
                {"steps": self.steps, "answer": answer})

    def _expr(self, value: Any, key: str, tool: str, arg: str, strict: bool) -> Any:
        if (value in (None, "", [], {}) or isinstance(value, bool) or not self.done
                or appears_in(value, self.known)):
            return value
        if isinstance(value, dict):
            return {k: self._expr(v, f"{key}.{k}", tool, arg, strict) for k, v in value.items()}
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            return [self._expr(v, f"{key}.{j}", tool, arg, strict) for j, v in enumerate(value)]
        first = value[0] if isinstance(value, list) else value
        kind = _kind(first, self.props.get(tool, {}).get(arg, {}))
        xid = "x" + re.sub(r"[^A-Za-z0-9_]", "_", key)
        self._extraction(xid, value, key, kind, strict, many=isinstance(value, list),
                         what=f"`{arg}` of {tool}")
        return {"$ref": xid}

    def _extraction(self, xid: str, value: Any, key: str, kind: str, strict: bool,
                    many: bool = False, what: str = "the answer to the request") -> None:
        answer = xid == "answer"
        tag = f"[double:{self.suite}:{self.tid}:{key}]"
        self.values[tag] = value
        self.steps.append({"id": xid, "extract": {
            "question": f"{tag} What is {what}, for the request? Answer from the data.",
            "from": self._sources(value, strict, answer), "type": kind, "list": many}})

    def _sources(self, value: Any, strict: bool, answer: bool = False) -> list[dict[str, Any]]:
        vouched = []
        for sid, tool, data in self.done:
            rule = self.rules.get(tool, ToolPolicy())
            if rule.output == "trusted":
                vouched.append(({"$ref": sid}, data))
            elif rule.trusted_fields:
                fields = list(rule.trusted_fields)
                vouched.append(({"$ref": sid, "fields": fields}, project(data, fields)))
        whole = [{"$ref": sid} for sid, _, _ in self.done]
        if (self.suite, self.tid) in CHOICE_FROM_TEXT:
            return whole
        if vouched and _grounded(value, [d for _, d in vouched], strict):
            return [ref for ref, _ in vouched]
        if answer and vouched and not _grounded(value, [d for _, _, d in self.done], False):
            # An answer computed from the records (a total, a choice among names): the
            # free text around them does not carry it either, so it is not passed on.
            return [ref for ref, _ in vouched]
        return whole


class _Named:
    """Just enough of a pipeline for AgentDojo's attack constructors (they read `name`)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _choices(content: str) -> list[str] | None:
    found = re.search(r"^Choices: (\[.*\])$", content, re.MULTILINE)
    return json.loads(found.group(1)) if found else None


def _content(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)
