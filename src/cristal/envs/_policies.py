"""Policies that act in a Cristal environment, and the loop that rolls one episode out.

A policy sees the conversation so far in OpenAI chat format (system, the task as the
first user message, then each action as an assistant tool call and each observation as
a `tool` message) and returns one action. The same transcript is what `data export`
turns into SFT rows, so training data has exactly the shape the policy saw.

- `ModelPolicy`: a gateway route (budgets and the call log apply) with tool calling;
- `RandomPolicy`: `env.action_space.sample()` (the environment's plausible random action);
- `skill`: no model — compiled MiniWoB++ demonstrations (Operator-v0), Cristal's offline
  Deep Research (Research-v0);
- `oracle`: AgentDojo's ground-truth calls (Tools-v0; checks the checker, not an agent);
- `defended:ROUTE` (Tools-v0, `_defended`): Cristal's agent loop with information-flow
  control on that route, the same loop `cristal eval injection` measures.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

from cristal.envs._episodes import Rollout
from cristal.errors import CristalError, InvalidInput, ModelResponseError, Refused

__all__ = ["ModelPolicy", "OraclePolicy", "Policy", "RandomPolicy", "ResearchSkillPolicy",
           "OperatorSkillPolicy", "rollout"]


class Policy(Protocol):
    """Chooses the next action from the conversation so far."""

    name: str

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """One action `{"tool", "args"}` (an assistant message may be set on `last_message`)."""


class RandomPolicy:
    """Samples the environment's action space (a random but well-formed action)."""

    name = "random"

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """`env.action_space.sample()`."""
        return env.action_space.sample()


class ModelPolicy:
    """Asks a gateway route for one tool call per turn."""

    def __init__(self, gateway: Any, route: str, *, tenant: str | None = None,
                 caller: str = "envs", temperature: float | None = 0.0,
                 max_tokens: int | None = None) -> None:
        self.gateway, self.route, self.tenant = gateway, route, tenant
        self.name, self.caller = route, caller
        self.temperature, self.max_tokens = temperature, max_tokens
        self.calls = self.input_tokens = self.output_tokens = 0
        self.cost_usd = self.latency_ms = 0.0
        self.last_message: dict[str, Any] | None = None

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """The model's first tool call; a plain-text reply becomes the final answer."""
        self.calls += 1
        try:
            result = self.gateway.chat(messages, route=self.route, tenant=self.tenant,
                                       tools=tools, tool_choice="required",
                                       temperature=self.temperature, max_tokens=self.max_tokens,
                                       caller=self.caller)
        except ModelResponseError as exc:
            self.last_message = None
            return {"tool": "<invalid>", "args": {"error": exc.message}}
        self.input_tokens += result.input_tokens
        self.output_tokens += result.output_tokens
        self.cost_usd += result.cost_usd
        self.latency_ms += result.latency_ms
        if result.tool_calls:
            call = result.tool_calls[0]
            self.last_message = {"role": "assistant", "content": result.text or None,
                                 "tool_calls": [_tool_call(call.id, call.name,
                                                           call.arguments_raw)]}
            args = call.arguments if call.arguments is not None else call.arguments_raw
            return {"tool": call.name, "args": args}
        self.last_message = None
        names = {t["function"]["name"] for t in tools}
        final = "answer" if "answer" in names else "done"
        key = "text" if final == "answer" else "result"
        return {"tool": final, "args": {key: result.text}}


class OraclePolicy:
    """AgentDojo's ground truth for Tools-v0: its reference calls, then its reference answer."""

    name = "oracle"

    def __init__(self) -> None:
        self._plan: list[dict[str, Any]] | None = None

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """The next reference call."""
        inner = env.unwrapped
        if not hasattr(inner, "ground_truth"):
            raise InvalidInput("--policy oracle is only for cristal/Tools-v0 (AgentDojo's "
                               "ground truth).")
        if len(messages) <= 2 or self._plan is None:
            self._plan = inner.ground_truth() + [
                {"tool": "answer", "args": {"text": inner.expected_output()}}]
        return self._plan.pop(0)


class ResearchSkillPolicy:
    """Cristal's offline Deep Research on the environment's collection, given as one answer."""

    name = "skill"

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """Research the question (extractive, no model) and answer with its verified quotes."""
        from cristal.research import ResearchRequest, run_research

        inner = env.unwrapped
        question = inner.task(inner.episode.task_id)["question"]
        report, _ = run_research(inner.app.store, inner.app.gateway, ResearchRequest(
            question=question, collection=inner.collection_name, tenant=inner.tenant.name,
            use_model=False, embed=False))
        claims = [c for c in report.claims if c.verified]
        citations = [{"doc": x.doc, "quote": x.quote} for c in claims for x in c.citations]
        text = " ".join(c.text for c in claims)
        return {"tool": "answer", "args": {"text": text, "citations": citations,
                                           "not_found": report.not_found}}


class OperatorSkillPolicy:
    """Replays compiled MiniWoB++ demonstrations (the operator's skill policy)."""

    name = "skill"

    def __init__(self, skills: list[Any]) -> None:
        from cristal.operator import SkillPolicy

        self._policy = SkillPolicy(skills)

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """The skill's next action on the current page."""
        inner = env.unwrapped
        action = self._policy.next_action(inner.instruction, inner.snapshot, inner.records)
        data = action.model_dump(exclude_none=True)
        return {"tool": data.pop("action"), "args": data}


def _tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": arguments}}


def rollout(env: Any, policy: Any, *, seed: int, task_id: str | None = None) -> Rollout:
    """Run one episode of `policy` in `env`; refusals and errors end it and are recorded."""
    options = {"task_id": task_id} if task_id else None
    obs, info = env.reset(seed=seed, options=options)
    inner = env.unwrapped
    tools = info.get("tools") or inner.tools()
    transcript: list[dict[str, Any]] = [
        {"role": "system", "content": info.get("instructions") or inner.instructions()},
        {"role": "user", "content": obs}]
    out = Rollout(episode=inner.episode, policy=policy.name, tools=tools)
    started = time.perf_counter()
    before = _usage(policy)
    try:
        while True:
            action = policy.act(env, transcript, tools)
            message = getattr(policy, "last_message", None)
            call_id = f"call_{len(transcript)}"
            if message is None:
                args = action.get("args", {})
                message = {"role": "assistant", "content": None, "tool_calls": [_tool_call(
                    call_id, str(action.get("tool")),
                    args if isinstance(args, str) else json.dumps(args, ensure_ascii=False))]}
            else:
                call_id = message["tool_calls"][0]["id"]
            obs, _reward, terminated, truncated, info = env.step(action)
            transcript += [message, {"role": "tool", "tool_call_id": call_id, "content": obs}]
            if terminated or truncated:
                break
    except CristalError as exc:
        out.status = "refused" if isinstance(exc, Refused) else "error"
        out.error = exc.message
    finally:
        if hasattr(policy, "close"):
            policy.close()
    trace = policy.trace() if hasattr(policy, "trace") else None
    if trace is not None and inner.episode is not None:
        inner.episode.info = {**inner.episode.info, "agent": trace}
    after = _usage(policy)
    out.model_calls, out.input_tokens, out.output_tokens, out.cost_usd = (
        a - b for a, b in zip(after, before, strict=True))
    out.latency_ms = (time.perf_counter() - started) * 1000
    out.transcript = transcript
    out.episode = inner.episode
    return out


def _usage(policy: Any) -> tuple[int, int, int, float]:
    return (getattr(policy, "calls", 0), getattr(policy, "input_tokens", 0),
            getattr(policy, "output_tokens", 0), getattr(policy, "cost_usd", 0.0))
