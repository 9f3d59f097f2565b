"""The undefended baseline: a plain tool-calling loop where the model sees every tool result.

This is how most agents work, and what `defence=False` runs: one model reads the
request and every tool result, and calls whatever tool it likes next. It exists to
measure the defence against (AgentDojo, hostile pages), never as a default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from cristal.agent._prompts import REACT_SYSTEM
from cristal.agent._run import AgentRun, CallRecord
from cristal.agent._tools import ToolRegistry
from cristal.agent._values import Label, to_data

__all__ = ["react", "render_result"]


def render_result(data: Any) -> str:
    """A tool result as text for a model (YAML for records, as AgentDojo renders them)."""
    if isinstance(data, str):
        return data
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).strip()
    except yaml.YAMLError:
        return json.dumps(data, ensure_ascii=False, default=str)


def react(request: str, tools: ToolRegistry, route: str, *, gateway: Any,
          tenant: str | None = None, spec: str | None = None,
          data: Mapping[str, Any] | None = None, max_turns: int = 40,
          caller: str = "agent") -> AgentRun:
    """Run the undefended loop until the model answers without a tool call."""
    out = AgentRun(request=request, defence=False)
    system = REACT_SYSTEM + (f"\n\nInstructions from the workflow:\n{spec}" if spec else "")
    user = request
    if data:
        user += "\n\nData:\n" + render_result({k: to_data(v) for k, v in data.items()})
    messages: list[dict[str, Any]] = [{"role": "system", "content": system},
                                      {"role": "user", "content": user}]
    schemas = tools.schemas()
    for turn in range(max_turns):
        result = gateway.chat(messages, route=route, tenant=tenant, tools=schemas or None,
                              caller=f"{caller}:react")
        if result.call_id:
            out.model_calls.append(result.call_id)
        if not result.tool_calls:
            out.answer = result.text or ""
            out.answer_label = Label.untrusted("model")
            out.event("answer", "answer")
            return out
        messages.append({"role": "assistant", "content": result.text or None, "tool_calls": [
            {"id": c.id or f"call_{turn}_{i}", "type": "function",
             "function": {"name": c.name, "arguments": c.arguments_raw or "{}"}}
            for i, c in enumerate(result.tool_calls)]})
        for i, call in enumerate(result.tool_calls):
            call_id = call.id or f"call_{turn}_{i}"
            step = f"t{turn + 1}.{i + 1}"
            record = CallRecord(step, call.name, dict(call.arguments or {}))
            found = tools.get(call.name)
            if found is None:
                record.error = f"no tool named {call.name!r}"
            elif call.arguments is None:
                record.error = f"arguments are not a JSON object: {call.arguments_raw[:200]!r}"
            else:
                try:
                    record.result = to_data(found.fn(**call.arguments))
                except Exception as exc:  # reported back to the model, as tool errors are
                    record.error = (getattr(exc, "message", None) or str(exc)
                                    or type(exc).__name__)[:500]
            if found is not None:
                out.calls.append(record)
            out.event("call", step, tool=call.name, ok=record.ok, error=record.error)
            content = render_result(record.result) if record.ok else f"Error: {record.error}"
            messages.append({"role": "tool", "tool_call_id": call_id, "content": content})
    out.status = "failed"
    out.answer = f"Stopped after {max_turns} model turns without an answer."
    out.event("error", "react", error=out.answer)
    return out
