"""Durable agentic workflows on DBOS: YAML specs or Python decorators, run by workers.

- Define: `load_spec("triage.yaml")` (validated before anything runs), or
  `@workflow` / `@step` in Python; `@function` registers a function for `python`
  steps; `register_step_type` plugs in a new step type.
- Run: `start_run` (queued for workers, per-tenant limits), `run_here` (in this
  process), `wait_run`; manage with `get_run`, `list_runs`, `cancel_run`,
  `resume_run`, `retry_run`, `approve`; schedules with `add_schedule`.
- Execute: `Engine(app).launch()` in a worker (`cristal worker`).
"""

from cristal.workflows._engine import Engine, app_version, current_app, system_database_url
from cristal.workflows._errors import (
    ApprovalRejected,
    ApprovalTimedOut,
    HttpStepError,
    HttpStepTransient,
    Problem,
    SpecError,
    StepError,
    StepUnavailable,
)
from cristal.workflows._inputs import InputSpec, coerce_inputs, parse_pairs
from cristal.workflows._interpreter import RESUME_TOPIC, WORKFLOW_NAME
from cristal.workflows._python import (
    find_function,
    function,
    idempotency_key,
    import_modules,
    step,
    workflow,
)
from cristal.workflows._runs import (
    approve,
    cancel_run,
    get_run,
    list_runs,
    resume_run,
    retry_run,
    run_here,
    start_run,
    start_workflow,
    wait_run,
)
from cristal.workflows._schedules import (
    add_schedule,
    list_schedules,
    remove_schedule,
    set_schedule_active,
)
from cristal.workflows._spec import Spec, load_spec, parse_spec, spec_from_data
from cristal.workflows._steptypes import (
    Flow,
    Options,
    RetryPolicy,
    StepContext,
    StepProblem,
    StepSpec,
    StepType,
    current_step,
    get_step_type,
    register_step_type,
    step_types,
)
from cristal.workflows._stored import (
    StoredSpec,
    get_stored_spec,
    list_stored_specs,
    store_spec,
)
from cristal.workflows._views import RunView, StepView
from cristal.workflows.steps import register_builtins

register_builtins()

__all__ = [
    "RESUME_TOPIC",
    "WORKFLOW_NAME",
    "ApprovalRejected",
    "ApprovalTimedOut",
    "Engine",
    "Flow",
    "HttpStepError",
    "HttpStepTransient",
    "InputSpec",
    "Options",
    "Problem",
    "RetryPolicy",
    "RunView",
    "Spec",
    "SpecError",
    "StepContext",
    "StepError",
    "StepProblem",
    "StepSpec",
    "StepType",
    "StepUnavailable",
    "StepView",
    "StoredSpec",
    "add_schedule",
    "app_version",
    "approve",
    "cancel_run",
    "coerce_inputs",
    "current_app",
    "current_step",
    "find_function",
    "function",
    "get_run",
    "get_step_type",
    "get_stored_spec",
    "idempotency_key",
    "import_modules",
    "list_runs",
    "list_schedules",
    "list_stored_specs",
    "load_spec",
    "parse_pairs",
    "parse_spec",
    "register_builtins",
    "register_step_type",
    "remove_schedule",
    "resume_run",
    "retry_run",
    "run_here",
    "set_schedule_active",
    "spec_from_data",
    "start_run",
    "start_workflow",
    "step",
    "step_types",
    "store_spec",
    "system_database_url",
    "wait_run",
    "workflow",
]
