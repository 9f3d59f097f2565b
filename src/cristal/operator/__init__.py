"""Operator: an agent's hands in a real browser (Playwright driving Debian Chromium).

The runtime observes a page as a compact, ref-tagged snapshot, resolves targets by
ref or by description (Japanese or English), checks each action against guards
(sensitive controls and forms, off-site sends, the domain allow-list), fills
secrets it never records, applies the action and records the step. Policies decide
what to do: plan scripts, compiled skills (no model), or a model (added on top).
The MiniWoB++ harness scores any policy.

`operate()` runs one task end to end with a stored trajectory (`operator_runs`,
`operator_steps`); stored runs compile into versioned skills (`operator_skills`).
"""

from pathlib import Path

from cristal.operator._actions import (
    Action,
    ActionResult,
    AskUser,
    Check,
    Click,
    Done,
    Extract,
    Goto,
    Hover,
    Press,
    Scroll,
    Select,
    Type,
    Uncheck,
    Upload,
    WaitFor,
    action_schema,
    parse_action,
)
from cristal.operator._approvals import Approvals
from cristal.operator._browser import (
    CHROMIUM_ARGS,
    AllowList,
    BlockedRequest,
    Browser,
    BrowserNotFound,
    DomainBlocked,
    Session,
    find_chromium,
)
from cristal.operator._compile import compile_plan, compile_skill, written_skill
from cristal.operator._effects import Effect, predict
from cristal.operator._executor import ActionFailed, OutsideTaskFolder
from cristal.operator._flow import FlowGuard
from cristal.operator._guards import (
    DEFAULT_SENSITIVE_WORDS,
    ConfirmationRequest,
    Confirmer,
    GuardPolicy,
    Verdict,
    review,
)
from cristal.operator._masking import SecretMask
from cristal.operator._miniwob import (
    EpisodeResult,
    EvalReport,
    MiniWobTask,
    demo_skills,
    evaluate,
    list_tasks,
    miniwob_dir,
    run_episode,
    skill_from_demo,
)
from cristal.operator._model_policy import (
    STOP_STATUSES,
    SYSTEM_PROMPT,
    ModelPolicy,
    action_tools,
    build_messages,
)
from cristal.operator._operate import AnswerRequired, RunHooks, RunOutcome, RunRequest, operate
from cristal.operator._pick import Pick
from cristal.operator._plan import Plan, PlanStep, PlanSyntaxError, parse_plan
from cristal.operator._plan_run import PlanPolicy, PlanRun, run_plan
from cristal.operator._policy import FunctionPolicy, Policy, TaskRun, refused_step, run_task
from cristal.operator._records import JsonlRecorder, MemoryRecorder, Recorder, StepRecord
from cristal.operator._replay import Repair, ReplayReport, SkillPolicy, replay_skill
from cristal.operator._runtime import (
    ActionRejected,
    ConfirmationRequired,
    Runtime,
    SecretResolver,
    TakenOver,
)
from cristal.operator._secrets import SECRET_PREFIX, SecretRefused, SecretScope, secret_from_env
from cristal.operator._skill_store import (
    compile_run,
    get_skill,
    list_skills,
    save_skill,
    skill_instruction,
)
from cristal.operator._skills import DemoStep, Skill, SkillParam, SkillStep, split_list
from cristal.operator._snapshot import Node, Snapshot, take_snapshot
from cristal.operator._targeting import (
    Candidate,
    Query,
    Resolution,
    TargetNotFound,
    locate,
    parse_target,
    resolve,
)
from cristal.operator._trajectories import (
    EXPORT_FORMATS,
    RunSummary,
    StoreRecorder,
    export_lines,
    finish_run,
    get_run,
    list_runs,
    run_records,
    start_run,
)

DEMOS_DIR = Path(__file__).parent / "demos"  # one plan-mode demonstration per MiniWoB task

__all__ = [
    "CHROMIUM_ARGS",
    "DEFAULT_SENSITIVE_WORDS",
    "DEMOS_DIR",
    "EXPORT_FORMATS",
    "STOP_STATUSES",
    "SYSTEM_PROMPT",
    "Action",
    "ActionFailed",
    "ActionRejected",
    "ActionResult",
    "AllowList",
    "Approvals",
    "AnswerRequired",
    "AskUser",
    "BlockedRequest",
    "Browser",
    "BrowserNotFound",
    "Candidate",
    "Check",
    "Click",
    "ConfirmationRequest",
    "ConfirmationRequired",
    "Confirmer",
    "DemoStep",
    "DomainBlocked",
    "Done",
    "Effect",
    "EpisodeResult",
    "EvalReport",
    "Extract",
    "FlowGuard",
    "FunctionPolicy",
    "Goto",
    "GuardPolicy",
    "Hover",
    "JsonlRecorder",
    "MemoryRecorder",
    "MiniWobTask",
    "ModelPolicy",
    "Node",
    "OutsideTaskFolder",
    "Plan",
    "PlanPolicy",
    "PlanRun",
    "PlanStep",
    "PlanSyntaxError",
    "Pick",
    "Policy",
    "Press",
    "Query",
    "Recorder",
    "Repair",
    "ReplayReport",
    "Resolution",
    "RunHooks",
    "RunOutcome",
    "RunRequest",
    "SECRET_PREFIX",
    "RunSummary",
    "Runtime",
    "Scroll",
    "SecretMask",
    "SecretRefused",
    "SecretResolver",
    "SecretScope",
    "Select",
    "Session",
    "Skill",
    "SkillParam",
    "SkillPolicy",
    "SkillStep",
    "Snapshot",
    "StepRecord",
    "StoreRecorder",
    "TakenOver",
    "TargetNotFound",
    "TaskRun",
    "Type",
    "Uncheck",
    "Upload",
    "Verdict",
    "WaitFor",
    "action_schema",
    "action_tools",
    "build_messages",
    "compile_plan",
    "compile_run",
    "compile_skill",
    "demo_skills",
    "evaluate",
    "export_lines",
    "find_chromium",
    "finish_run",
    "get_run",
    "get_skill",
    "list_runs",
    "list_skills",
    "list_tasks",
    "locate",
    "miniwob_dir",
    "operate",
    "secret_from_env",
    "parse_action",
    "parse_plan",
    "parse_target",
    "predict",
    "replay_skill",
    "resolve",
    "review",
    "run_episode",
    "run_plan",
    "run_records",
    "refused_step",
    "run_task",
    "save_skill",
    "skill_from_demo",
    "skill_instruction",
    "split_list",
    "start_run",
    "take_snapshot",
    "written_skill",
]
