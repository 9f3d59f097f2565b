"""`defended:ROUTE` on cristal/Tools-v0: Cristal's flow-controlled agent loop as a policy.

The loop (`cristal.agent.run`) plans from the task alone, reads tool results only through
its tool-less extractor, and checks every side-effect call against the suite's tool
policies (`cristal/injection/agentdojo_policies.yaml`), as in `cristal eval injection`.
An environment, though, is driven one action at a time, so the loop runs in a helper
thread: each tool call it makes is handed to `act` as the episode's next action, and
waits there until the environment has carried it out. Every call is therefore a real
step of the episode (stored, replayable, exported); refusals and the extractor's refused
tool calls go into the episode's `info["agent"]`, with their reasons.

Nobody is there to confirm a call the policy sends to a person, so such calls are
refused, and the episode says so.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from typing import Any

from cristal.errors import CristalError, InvalidInput

__all__ = ["DefendedPolicy"]

_STOP = object()
_WAIT_S = 600.0  # one model turn, or one tool call, is far quicker than this


class _Stopped(CristalError):
    """The episode ended (or the policy was closed) while the loop still ran."""


class _Counting:
    """The gateway, counting what the loop's model calls cost (for the scorecard)."""

    def __init__(self, gateway: Any, policy: DefendedPolicy) -> None:
        self._gateway, self._policy = gateway, policy

    def chat(self, *args: Any, **kwargs: Any) -> Any:
        result = self._gateway.chat(*args, **kwargs)
        p = self._policy
        with p._lock:
            p.calls += 1
            p.input_tokens += result.input_tokens
            p.output_tokens += result.output_tokens
            p.cost_usd += result.cost_usd
            p.latency_ms += result.latency_ms
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gateway, name)


class DefendedPolicy:
    """Cristal's agent loop with information-flow control, one episode per instance."""

    def __init__(self, gateway: Any, route: str, *, tenant: str | None = None,
                 caller: str = "envs") -> None:
        self.gateway, self.route, self.tenant, self.caller = gateway, route, tenant, caller
        self.name = f"defended:{route}"
        self.calls = self.input_tokens = self.output_tokens = 0
        self.cost_usd = self.latency_ms = 0.0
        self.last_message: dict[str, Any] | None = None
        self.agent_run: Any = None
        self._lock = threading.Lock()
        self._actions: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._results: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._waiting = False  # the loop waits for the result of the last action
        self._closed = False

    def act(self, env: Any, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]]) -> dict[str, Any]:
        """The loop's next tool call; when the loop has finished, its answer."""
        inner = env.unwrapped
        if self._thread is None:
            self._start(inner, str(messages[1]["content"]))
        elif self._waiting:
            self._waiting = False
            self._results.put(_observed(inner, messages))
        try:
            kind, item = self._actions.get(timeout=_WAIT_S)
        except queue.Empty:
            raise InvalidInput(f"the agent loop gave no action in {_WAIT_S:.0f} s.") from None
        if kind == "call":
            self._waiting = True
            inner._state["last"] = None  # set by the environment once it has run the call
            return item
        if kind == "error":
            raise item
        self.agent_run = item
        return {"tool": "answer", "args": {"text": item.answer}}

    def trace(self) -> dict[str, Any] | None:
        """What the episode stores of the loop: status, plan, refusals and their reasons."""
        run = self.agent_run
        if run is None:
            return None
        return {"status": run.status, "defence": True, "plan": run.plan,
                "refusals": run.refusals, "extractor_tool_calls": run.extractor_tool_calls}

    def close(self) -> None:
        """Release a loop still waiting for an observation (the episode was cut short)."""
        self._closed = True
        self._results.put(_STOP)

    def _start(self, inner: Any, request: str) -> None:
        from cristal.agent import run as run_agent

        registry = self._registry(inner)

        def work() -> None:
            try:
                out = run_agent(request, registry, self.route, gateway=_Counting(
                    self.gateway, self), tenant=self.tenant, defence=True,
                    caller=f"{self.caller}:defended")
            except BaseException as exc:  # handed to act(), which raises it in its thread
                self._actions.put(("error", exc))
                return
            self._actions.put(("done", out))

        self._thread = threading.Thread(target=work, name="defended-policy", daemon=True)
        self._thread.start()

    def _registry(self, inner: Any) -> Any:
        if not hasattr(inner, "ground_truth") or not inner._state:
            raise InvalidInput("--policy defended:ROUTE is only for cristal/Tools-v0.")
        from cristal.agent import ToolRegistry
        from cristal.injection._agentdojo import ToolError, tools_for, view

        state = inner._state
        registry = tools_for(state["suite"].name, state["runtime"], state["env"])

        def bridge(name: str) -> Any:
            def call(**kwargs: Any) -> Any:
                if self._closed:
                    raise _Stopped("the episode has ended")
                self._actions.put(("call", {"tool": name, "args": kwargs}))
                reply = self._results.get()
                if reply is _STOP:
                    raise _Stopped("the episode has ended")
                error, result = reply
                if error:
                    raise ToolError(error)
                return view(name, result)
            return call

        return ToolRegistry(dataclasses.replace(t, fn=bridge(t.name)) for t in registry)


def _observed(inner: Any, messages: list[dict[str, Any]]) -> tuple[str | None, Any]:
    """The last step's outcome, (error, raw result); a refused action has only its text."""
    last = inner._state.get("last")
    if last is None:  # refused before it reached the suite (not a tool of this suite, ...)
        return str(messages[-1].get("content") or "the environment refused the call"), None
    return last
