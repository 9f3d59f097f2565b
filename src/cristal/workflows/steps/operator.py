"""`operator`: a task in a real browser, as a durable workflow step.

The step runs a plan script, a stored skill or a model-driven task through the
same runtime as `cristal operator run`, and stores the trajectory. No one can answer
at a terminal inside a workflow, so sensitive actions (deleting, paying, sending,
forms with passwords) are refused unless the spec approves them, typically from an
earlier `approval` step: `confirmed: "{{ steps.approve.output.approved }}"`.
`confirmed:` approves exactly what was reviewed: the actions written in the `plan:` or
the `skill:`'s steps (with `task:`, actions on controls the task quotes by name), never
what a page chose (off-site links, forms and URLs, submissions set off by page scripts).
After a crash the step starts again from its start URL in a fresh browser.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from cristal.config import Settings
from cristal.governance import get_tenant
from cristal.operator import (
    ConfirmationRequest,
    ConfirmationRequired,
    RunHooks,
    RunRequest,
    get_skill,
    operate,
    secret_from_env,
)
from cristal.workflows._errors import StepError
from cristal.workflows._steptypes import Options, StepContext, StepProblem, StepSpec

__all__ = ["OperatorStep"]


class OperatorOptions(Options):
    """`start:` URL, and one of `task:` (model), `plan:` (script text) or `skill:` (name)."""

    start: str
    task: str | None = None
    plan: str | None = None
    skill: str | None = None
    params: dict[str, Any] = {}
    allow: list[str] = []
    confirmed: Any = False  # approve sensitive actions (e.g. from an approval step)
    max_steps: int | None = Field(None, gt=0)


class OperatorStep:
    """Works in a web app; the run's trajectory is stored and its id is in the output."""

    name = "operator"
    options = OperatorOptions
    templated = frozenset({"start", "task", "plan", "params", "confirmed"})
    durable = False
    attempts = 1

    def check(self, step: StepSpec, settings: Settings | None) -> None:
        """Exactly one of `task:`, `plan:` and `skill:`."""
        opts = step.options
        if sum(x is not None for x in (opts.task, opts.plan, opts.skill)) != 1:
            raise StepProblem("give exactly one of `task:` (a model does it), `plan:` (a plan "
                              "script) or `skill:` (a compiled skill)", "task")

    def run(self, step: StepSpec, ctx: StepContext) -> Any:
        """Run the task; fail the step unless the run succeeded."""
        opts = step.options
        args = ctx.args
        assert ctx.app is not None
        app = ctx.app
        tenant = get_tenant(app.store, ctx.tenant)
        skill = get_skill(app.store, tenant.id, opts.skill)[0] if opts.skill else None
        policy = "plan" if opts.plan else "skill" if skill else "model"
        confirmed = args.get("confirmed") is True or str(args.get("confirmed")).lower() in (
            "true", "yes", "1", "approved")
        request = RunRequest(
            start_url=str(args["start"]), instruction=str(args.get("task") or ""),
            policy=policy, plan=args.get("plan"), skill=skill,
            params={k: str(v) for k, v in (args.get("params") or {}).items()},
            allow=tuple(opts.allow), tenant=ctx.tenant, max_steps=opts.max_steps,
            preapprove=confirmed, approved_by="confirmed:")

        def confirm(request: ConfirmationRequest) -> bool:
            outside = request.extra.get("not_preapproved")
            raise ConfirmationRequired(
                f"{request.prompt()} Not done: no one can confirm inside a workflow run"
                + (f" ({outside})." if outside else "."))

        hooks = RunHooks(confirm=confirm, secrets=secret_from_env)
        outcome = operate(app.store, app.gateway, app.settings.operator, request, hooks,
                          tenant_id=tenant.id, tenant_name=tenant.name)
        ctx.meta.update(operator_run=outcome.id, status=outcome.status)
        if outcome.status != "succeeded":
            hint = (" Approve it with `confirmed:` (e.g. from an approval step)."
                    if outcome.status == "needs_confirmation" else "")
            raise StepError(f"operator run {outcome.id} ended {outcome.status}: "
                            f"{outcome.error or 'see cristal operator runs show'}.{hint}")
        return outcome.to_dict()
