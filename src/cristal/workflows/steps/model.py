"""`model`: a prompt or chat through the gateway, optionally with a JSON schema or tools.

Offline (no model configured) the step's output is its `fallback:` value, marked
as a fallback in the run's timeline; without `fallback:` the step fails with a
message saying how to configure a model. A budget refusal pauses the run (the
engine handles it); nothing is sent.

With `tools:` (http or python tools, each with a policy, see `_agent_tools`) the step
runs Cristal's agent loop with information-flow control: the prompt is trusted input
(so it may use `inputs` and `run`, not step outputs), anything from earlier steps goes
in `data:` (untrusted), and side-effect calls are checked against their policies. The
output is `{answer, status, calls, refusals}`; a refused call is not made.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from cristal.agent import run as run_agent
from cristal.config import Settings
from cristal.errors import ModelUnavailable
from cristal.workflows._agent_tools import ToolSpec, build_tools, check_tools
from cristal.workflows._errors import StepError
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec
from cristal.workflows._templates import references

__all__ = ["ModelStep"]


class ModelOptions(Options):
    """`prompt:` or `messages:`, plus route, schema, limits and an offline `fallback:`."""

    prompt: str | None = None
    messages: list[dict[str, Any]] | None = None
    system: str | None = None
    route: str = "default"
    json_schema: dict[str, Any] | None = None
    max_tokens: int | None = Field(None, gt=0)
    temperature: float | None = Field(None, ge=0, le=2)
    fallback: Any = None
    tools: list[ToolSpec] | None = None
    data: dict[str, Any] | None = None
    defence: bool = True
    max_steps: int = Field(20, gt=0, le=100)


class ModelStep:
    """Calls a model through the gateway: budgeted, logged, charged to the run's tenant."""

    name = "model"
    options = ModelOptions
    templated = frozenset({"prompt", "messages", "system", "fallback", "data"})
    durable = False
    attempts = 1  # the gateway already retries transient errors

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Exactly one of `prompt` and `messages`."""
        opts = step.options
        if (opts.prompt is None) == (opts.messages is None):
            raise StepProblem("give exactly one of `prompt:` (text) or `messages:` (chat)",
                              "prompt")
        if opts.tools is None:
            if opts.data is not None:
                raise StepProblem("`data:` is for steps with `tools:`", "data")
            return
        if opts.json_schema is not None or opts.messages is not None:
            raise StepProblem("a step with `tools:` takes `prompt:` and answers in text; "
                              "remove `json_schema:` / use `prompt:`", "tools")
        for key in ("prompt", "system"):
            if any(root == "steps" for root, _ in _references(step.templates.get(key))):
                raise StepProblem("with `tools:` the prompt is trusted input: pass the output "
                                  "of earlier steps as `data:` instead", key)
        check_tools(opts.tools, settings)

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Send the chat; return text, or the parsed object when `json_schema` is set."""
        opts = step.options
        args = ctx.args
        if opts.tools is not None:
            return self._agent(step, ctx)
        messages = list(args.get("messages") or [])
        if args.get("system"):
            messages.insert(0, {"role": "system", "content": str(args["system"])})
        if "prompt" in args:
            messages.append({"role": "user", "content": str(args["prompt"])})
        assert ctx.app is not None
        try:
            result = ctx.app.gateway.chat(
                messages, route=opts.route, tenant=ctx.tenant, json_schema=opts.json_schema,
                max_tokens=opts.max_tokens, temperature=opts.temperature,
                caller=f"workflow:{ctx.run_id}:{ctx.step_id}",
            )
        except ModelUnavailable:
            if "fallback" in opts.model_fields_set:
                ctx.meta.update(fallback=True, reason="no model is configured (offline)")
                return args.get("fallback")
            raise StepError(
                "no model is configured (offline mode) and the step has no `fallback:`. "
                "Configure a model (OPENAI_API_KEY, or a route in cristal.toml) or add "
                "`fallback:` with the output to use offline.") from None
        ctx.meta.update(
            model_call={"call_id": result.call_id, "provider": result.provider,
                        "model": result.model, "input_tokens": result.input_tokens,
                        "output_tokens": result.output_tokens, "cost_usd": result.cost_usd,
                        "latency_ms": round(result.latency_ms, 1)})
        return result.parsed if opts.json_schema else result.text

    def _agent(self, step: StepSpec, ctx: StepContext) -> Any:
        opts = step.options
        assert ctx.app is not None
        try:
            result = run_agent(
                str(ctx.args["prompt"]), build_tools(opts.tools, ctx), opts.route,
                gateway=ctx.app.gateway, tenant=ctx.tenant, spec=ctx.args.get("system"),
                data=ctx.args.get("data") or {}, defence=opts.defence, max_steps=opts.max_steps,
                caller=f"workflow:{ctx.run_id}:{ctx.step_id}")
        except ModelUnavailable:
            if "fallback" in opts.model_fields_set:
                ctx.meta.update(fallback=True, reason="no model is configured (offline)")
                return ctx.args.get("fallback")
            raise StepError(
                "no model is configured (offline mode) and the step has no `fallback:`. "
                "Configure a model (OPENAI_API_KEY, or a route in cristal.toml) or add "
                "`fallback:` with the output to use offline.") from None
        ctx.meta["agent"] = {"status": result.status, "model_calls": result.model_calls,
                             "refusals": result.refusals}
        return {"answer": result.answer, "status": result.status,
                "calls": [{"tool": c.tool, "args": c.args, "ok": c.ok, "error": c.error}
                          for c in result.calls],
                "refusals": result.refusals}


def _references(template: Any) -> list[tuple[str, str | None]]:
    source = getattr(template, "source", None)
    return references(source) if isinstance(source, str) else []
