"""AgentDojo through Cristal: the suites' tools as Cristal tools, Cristal's loop as the pipeline.

`CristalPipeline` is an AgentDojo `BasePipelineElement`: for each task it turns the
suite's functions into Cristal `Tool`s under the policies in `agentdojo_policies.yaml`,
runs `cristal.agent.run` (the model behind Cristal's gateway), and hands AgentDojo the
messages it scores: every tool call that really ran, then the answer.

Imports `agentdojo` (the `eval` extra); import this module only when it is needed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml
from agentdojo.agent_pipeline.base_pipeline_element import BasePipelineElement
from agentdojo.functions_runtime import EmptyEnv, FunctionCall, FunctionsRuntime
from agentdojo.types import (
    ChatAssistantMessage,
    ChatSystemMessage,
    ChatToolResultMessage,
    ChatUserMessage,
    text_content_block_from_string,
)

from cristal.agent import AgentRun, Confirmer, Tool, ToolPolicy, ToolRegistry, render_result
from cristal.agent import run as run_agent
from cristal.errors import CristalError

__all__ = ["SUITES", "VERSION", "CristalPipeline", "ToolError", "policies", "tools_for", "view"]

SUITES = ("workspace", "travel", "banking", "slack")
VERSION = "v1.2.2"
_RATING = re.compile(r"^Rating:\s*([0-9.]+)\s*\n?Reviews:\s*", re.IGNORECASE)
_REVIEW_TOOLS = {"get_rating_reviews_for_hotels", "get_rating_reviews_for_restaurants",
                 "get_rating_reviews_for_car_rental"}


class ToolError(CristalError):
    """An AgentDojo tool refused its arguments or failed."""


@cache
def _policy_file() -> dict[str, Any]:
    text = resources.files("cristal.injection").joinpath("agentdojo_policies.yaml").read_text(
        "utf-8")
    return yaml.safe_load(text)


@cache
def policies(suite: str) -> dict[str, ToolPolicy]:
    """The tool policies Cristal applies to one AgentDojo suite."""
    from cristal.agent import load_policies

    return load_policies(_policy_file().get(suite) or {})


def view(tool: str, data: Any) -> Any:
    """Tool output as records: the rating tools' "Rating: x / Reviews: ..." text is split.

    The travel platform's rating is its own number; the reviews under it are written by
    anyone. Splitting them lets the policy vouch for the one and not the other.
    """
    if tool not in _REVIEW_TOOLS or not isinstance(data, dict):
        return data
    records = []
    for name, text in data.items():
        match = _RATING.match(str(text))
        if match is None:
            records.append({"name": name, "rating": None, "reviews": str(text)})
            continue
        records.append({"name": name, "rating": float(match.group(1)),
                        "reviews": str(text)[match.end():]})
    return records


def tools_for(suite: str, runtime: FunctionsRuntime, env: Any) -> ToolRegistry:
    """The runtime's functions as Cristal tools bound to `env`, under the suite's policies."""
    rules = policies(suite)
    registry = ToolRegistry()
    for name, function in runtime.functions.items():
        schema = function.parameters.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)

        def call(_name: str = name, **kwargs: Any) -> Any:
            result, error = runtime.run_function(env, _name, kwargs)
            if error:
                raise ToolError(error)
            return view(_name, result)

        registry.add(Tool(name=name, description=function.description, parameters=schema,
                          fn=call, policy=rules.get(name, ToolPolicy())))
    return registry


def _messages(query: str, run: AgentRun) -> list[Any]:
    """What AgentDojo scores: each call that ran, its result, then the answer."""
    out: list[Any] = [
        ChatSystemMessage(role="system", content=[text_content_block_from_string(
            "Cristal agent loop" + (" with information-flow control" if run.defence
                                    else " (undefended)"))]),
        ChatUserMessage(role="user", content=[text_content_block_from_string(query)])]
    for i, call in enumerate(run.calls):
        fc = FunctionCall(function=call.tool, args=call.args, id=f"call_{i}")
        out.append(ChatAssistantMessage(role="assistant", tool_calls=[fc],
                                        content=[text_content_block_from_string("")]))
        text = render_result(call.result) if call.ok else ""
        out.append(ChatToolResultMessage(
            role="tool", content=[text_content_block_from_string(text)], tool_call=fc,
            tool_call_id=f"call_{i}", error=None if call.ok else call.error))
    out.append(ChatAssistantMessage(role="assistant", tool_calls=None,
                                    content=[text_content_block_from_string(run.answer)]))
    return out


class CristalPipeline(BasePipelineElement):
    """Cristal's loop as an AgentDojo agent pipeline; `runs` keeps every AgentRun."""

    def __init__(self, gateway: Any, route: str, *, name: str, defence: bool = True,
                 tenant: str | None = None, confirm: Confirmer | None = None) -> None:
        self.gateway = gateway
        self.route = route
        self.name = name
        self.defence = defence
        self.tenant = tenant
        self.confirm = confirm
        self.suite = ""
        self.last: AgentRun | None = None

    def query(self, query: str, runtime: FunctionsRuntime, env: Any = EmptyEnv(),
              messages: Sequence[Any] = (), extra_args: dict | None = None
              ) -> tuple[str, FunctionsRuntime, Any, Sequence[Any], dict]:
        """Run Cristal's loop on one task; the environment changes in place, as AgentDojo's."""
        tools = tools_for(self.suite, runtime, env)
        self.last = run_agent(query, tools, self.route, gateway=self.gateway, tenant=self.tenant,
                              defence=self.defence, confirm=self.confirm,
                              caller=f"agentdojo:{self.suite}")
        return query, runtime, env, [*messages, *_messages(query, self.last)], extra_args or {}
