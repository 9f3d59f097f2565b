"""Operator: an agent's hands in a real browser (Playwright driving Debian Chromium).

The runtime observes a page as a compact, ref-tagged snapshot, resolves targets by
ref or by description (Japanese or English), checks each action against guards
(sensitive controls and forms, off-site sends, the domain allow-list), fills
secrets it never records, applies the action and records the step. Policies decide
what to do: plan scripts, compiled skills (no model), or a model (added on top).
The MiniWoB++ harness scores any policy.
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
from cristal.operator._compile import compile_plan, compile_skill
from cristal.operator._executor import ActionFailed, OutsideTaskFolder
from cristal.operator._guards import (
    DEFAULT_SENSITIVE_WORDS,
    ConfirmationRequest,
    Confirmer,
    GuardPolicy,
    Verdict,
    review,
)
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
from cristal.operator._plan import Plan, PlanRun, PlanStep, PlanSyntaxError, parse_plan, run_plan
from cristal.operator._policy import FunctionPolicy, Policy, TaskRun, run_task
from cristal.operator._records import JsonlRecorder, MemoryRecorder, Recorder, StepRecord
from cristal.operator._replay import Repair, ReplayReport, SkillPolicy, replay_skill
from cristal.operator._runtime import (
    ActionRejected,
    ConfirmationRequired,
    Runtime,
    SecretResolver,
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

DEMOS_DIR = Path(__file__).parent / "demos"  # one plan-mode demonstration per MiniWoB task

__all__ = [
    "DEMOS_DIR",
    "CHROMIUM_ARGS",
    "DEFAULT_SENSITIVE_WORDS",
    "Action",
    "ActionFailed",
    "ActionRejected",
    "ActionResult",
    "AllowList",
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
    "EpisodeResult",
    "EvalReport",
    "Extract",
    "FunctionPolicy",
    "GuardPolicy",
    "Goto",
    "Hover",
    "JsonlRecorder",
    "MemoryRecorder",
    "MiniWobTask",
    "Node",
    "OutsideTaskFolder",
    "Plan",
    "PlanRun",
    "PlanStep",
    "PlanSyntaxError",
    "Policy",
    "Press",
    "Query",
    "Recorder",
    "Repair",
    "ReplayReport",
    "Resolution",
    "Runtime",
    "Scroll",
    "SecretResolver",
    "Select",
    "Session",
    "Skill",
    "SkillParam",
    "SkillPolicy",
    "SkillStep",
    "Snapshot",
    "StepRecord",
    "TargetNotFound",
    "TaskRun",
    "Type",
    "Uncheck",
    "Upload",
    "Verdict",
    "WaitFor",
    "action_schema",
    "compile_plan",
    "compile_skill",
    "demo_skills",
    "evaluate",
    "find_chromium",
    "list_tasks",
    "locate",
    "miniwob_dir",
    "parse_action",
    "parse_plan",
    "parse_target",
    "replay_skill",
    "resolve",
    "review",
    "run_episode",
    "run_plan",
    "run_task",
    "skill_from_demo",
    "split_list",
    "take_snapshot",
]
