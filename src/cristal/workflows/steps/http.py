"""`http`: a REST call to an allow-listed host, with an Idempotency-Key per run and step."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from cristal.config import Settings
from cristal.workflows._http import HttpPolicy, host_allowed, send
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec
from cristal.workflows._templates import is_template

__all__ = ["HttpStep"]


class HttpOptions(Options):
    """Method, URL, headers (secrets by name only), query params, and a JSON or text body."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    url: str
    headers: dict[str, str] = {}
    params: dict[str, Any] = {}
    json_body: Any = Field(None, alias="json")
    body: str | None = None
    expect: list[int] | None = None


class HttpStep:
    """Sends one request; the receiver can drop repeats by the Idempotency-Key header."""

    name = "http"
    options = HttpOptions
    templated = frozenset({"url", "headers", "params", "json", "body"})
    secret_fields = frozenset({"headers"})  # the only field that sees `secrets`
    durable = False
    attempts = 3

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """One body at most, our own Idempotency-Key, and a static host must be allow-listed."""
        opts = step.options
        if opts.body is not None and "json_body" in opts.model_fields_set:
            raise StepProblem("give `json:` or `body:`, not both", "body")
        if any(h.lower() == "idempotency-key" for h in opts.headers):
            raise StepProblem("Cristal sets Idempotency-Key itself (run id + step id); remove it",
                              "headers")
        if settings is not None and not is_template(opts.url) and not host_allowed(
                opts.url, settings.workflows.http_allow):
            raise StepProblem(
                f"the host of {opts.url} is not allow-listed: add it to workflows.http_allow "
                "or CRISTAL_HTTP_ALLOW", "url")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Send the request; the output is {"status": code, "body": parsed JSON or text},
        plus `truncated: true` and `size` when the body was longer than the stored cap."""
        opts = step.options
        args = ctx.args
        assert ctx.app is not None
        result = send(
            opts.method, str(args["url"]), key=ctx.key,
            policy=HttpPolicy.of(ctx.app.settings.workflows), headers=args.get("headers"),
            params=args.get("params"), json_body=args.get("json"), body=args.get("body"),
            timeout_s=step.timeout_s or 30.0, expect=opts.expect)
        ctx.meta["http"] = {"method": opts.method, "status": result["status"]}
        if result.get("truncated"):
            ctx.meta["http"].update(truncated=True, size=result["size"])
        return result
