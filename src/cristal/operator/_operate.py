"""Run one operator task end to end: browser, allow-list, guards, policy, stored trajectory.

`operate()` is what `cristal operator run` and `skill run` call. It opens Chromium,
confines the session to the start URL's host plus the allowed hosts, opens the start
URL, optionally pauses for a person (takeover), then lets a plan, a skill or the model
policy act, recording every step in the database. People are reached only through
`RunHooks`: confirmations, questions, secrets, the takeover wait and step progress.

A takeover gives the person a private console URL (`_console.py`; Chromium itself
has no debugging port); while they work, this thread carries out their inputs and
keeps Playwright's event loop turning (the allow-list's request handler runs on it),
and afterwards the run resumes from the page as they left it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cristal.config import OperatorSettings
from cristal.errors import ConfigError, CristalError, InvalidInput, UserError
from cristal.operator._actions import Goto
from cristal.operator._approvals import Approvals
from cristal.operator._browser import AllowList, Browser
from cristal.operator._console import Takeover
from cristal.operator._flow import FlowGuard
from cristal.operator._guards import DEFAULT_SENSITIVE_WORDS, ConfirmationRequest, GuardPolicy
from cristal.operator._model_policy import STOP_STATUSES, ModelPolicy
from cristal.operator._plan import parse_plan
from cristal.operator._plan_run import MAX_REPEATS, PlanPolicy
from cristal.operator._policy import TaskRun, run_task
from cristal.operator._records import StepRecord
from cristal.operator._replay import SkillPolicy
from cristal.operator._runtime import Runtime, SecretResolver
from cristal.operator._secrets import SecretScope, secret_names
from cristal.operator._skill_store import skill_instruction
from cristal.operator._skills import Bound, Skill
from cristal.operator._trajectories import StoreRecorder, finish_run, start_run

__all__ = ["AnswerRequired", "RunHooks", "RunOutcome", "RunRequest", "operate"]

# Step errors that end a run at once, and the run status each gives.
_STOPS = {"ConfirmationRequired": "needs_confirmation", "ActionRejected": "rejected",
          "AnswerRequired": "needs_input"}
_EXIT = {"succeeded": 0, "needs_confirmation": 3, "rejected": 3}


class AnswerRequired(UserError):
    """An `ask_user` action needs an answer and no one can give it in this run."""


@dataclass
class RunRequest:
    """What to run: where to start, what to do, and with which policy."""

    start_url: str
    instruction: str = ""
    policy: Literal["plan", "model", "skill"] = "model"
    plan: str | None = None  # the plan script's text
    skill: Skill | None = None
    params: dict[str, str] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    tenant: str | None = None
    max_steps: int | None = None
    headless: bool | None = None
    takeover: bool = False  # pause for a person right after the start URL opens
    screenshots: str | None = None  # a folder: one PNG after every step (<step>.png)
    # Approve in advance what the plan/skill says (or controls the task quotes): `--yes`.
    preapprove: bool = False
    approved_by: str = "--yes"
    flow_control: bool = True  # the model policy's actions are checked by a FlowGuard


# A confirmation hook answers True, False, or "takeover" (the person does the step by hand).
ConfirmHook = Callable[[ConfirmationRequest], bool | str]


@dataclass
class RunHooks:
    """How a run reaches people: confirmations, questions, secrets, takeover and progress."""

    confirm: ConfirmHook | None = None
    ask: Callable[[str], str] | None = None
    secrets: SecretResolver | None = None
    # Gets {"url": console URL, "done": Event set when the person presses Done there};
    # returns when the person is done.
    takeover: Callable[[dict[str, Any]], None] | None = None
    on_step: Callable[[StepRecord], None] | None = None


@dataclass
class RunOutcome:
    """How a stored run ended."""

    id: str
    status: str
    instruction: str
    start_url: str
    policy: str
    skill: str | None = None
    result: Any = None
    error: str | None = None
    steps: int = 0
    model_calls: int = 0
    repairs: list[dict[str, Any]] = field(default_factory=list)
    takeovers: int = 0

    @property
    def exit_code(self) -> int:
        """0 succeeded, 3 refused (needs confirmation, rejected), 1 anything else."""
        return _EXIT.get(self.status, 1)

    def to_dict(self) -> dict[str, Any]:
        """The `cristal operator run --json` object."""
        return {"run_id": self.id, **{k: v for k, v in asdict(self).items() if k != "id"}}


class _Tee:
    def __init__(self, recorder: StoreRecorder, on_step: Callable[[StepRecord], None] | None,
                 shoot: Callable[[StepRecord], None] | None = None):
        self.recorder, self.on_step, self.shoot = recorder, on_step, shoot

    def record(self, step: StepRecord) -> None:
        self.recorder.record(step)
        if self.shoot is not None:
            self.shoot(step)
        if self.on_step is not None:
            self.on_step(step)


# Marks fields and text that show a secret, so screenshots can black them out.
_ECHO_JS = """(values) => {
  for (const e of document.querySelectorAll('[data-cristal-echo]')) {
    e.removeAttribute('data-cristal-echo');
  }
  const has = (s) => !!s && values.some((v) => s.includes(v));
  const root = document.body || document.documentElement;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const t = walker.currentNode;
    if (has(t.data) && t.parentElement) t.parentElement.setAttribute('data-cristal-echo', '1');
  }
  document.querySelectorAll('input,textarea').forEach((e) => {
    if (has(e.value)) e.setAttribute('data-cristal-echo', '1');
  });
}"""


def _screenshots(folder: str | None, session: Any,
                 runtime: Callable[[], Runtime | None]) -> Callable[[StepRecord], None] | None:
    """Save the page after each step as `<folder>/<step>.png`, secrets blacked out."""
    if not folder:
        return None
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)

    def shoot(step: StepRecord) -> None:
        current = runtime()
        masker = current.masker if current is not None else None
        with contextlib.suppress(Exception):  # a closed or navigating page: skip the picture
            page = session.page
            hide = []
            if masker:
                page.evaluate(_ECHO_JS, masker.variants())
                hide = [page.locator("[data-cristal-secret], [data-cristal-echo]")]
            page.screenshot(path=str(target / f"{step.step:03d}.png"), mask=hide,
                            mask_color="#000000")

    return shoot


class _BoundSkill(SkillPolicy):
    """A SkillPolicy on one skill with parameter values given up front."""

    def __init__(self, skill: Skill, values: dict[str, Any], fallback: Any) -> None:
        super().__init__([skill], fallback=fallback)
        self.values = values

    def choose(self, instruction: str) -> tuple[Skill, list[Bound]]:
        """The skill with the given values, whatever the instruction says."""
        return self.skills[0], self.skills[0].plan(self.values)


def operate(store: Any, gateway: Any, settings: OperatorSettings, request: RunRequest,
            hooks: RunHooks | None = None, *, tenant_id: str, tenant_name: str | None = None,
            browser: Browser | None = None, started_by: str | None = None) -> RunOutcome:
    """Run the request in a real browser and store its trajectory; returns how it ended.

    `started_by` is recorded on the run (the starting user's `Principal.subject`)."""
    hooks = hooks or RunHooks()
    instruction, policy, limit = _policy(gateway, settings, request, tenant_name)
    if request.takeover and hooks.takeover is None:
        raise InvalidInput("A takeover needs someone to hand the browser to; run interactively.")
    own = browser is None
    if browser is None:
        headless = settings.headless if request.headless is None else request.headless
        browser = Browser(executable=settings.chromium, headless=headless)
    browser.start()
    allow = _allow_list(request.start_url, (*request.allow, *settings.allow_hosts))
    guards = GuardPolicy(
        sensitive_words=tuple(settings.sensitive_words or DEFAULT_SENSITIVE_WORDS),
        trusted_hosts=tuple(h.removeprefix("*.") for h in allow.hosts))
    if isinstance(policy, ModelPolicy) and request.flow_control:
        policy.flow = FlowGuard(instruction, request.start_url,
                                (*request.allow, *settings.allow_hosts),
                                sensitive_words=guards.sensitive_words)
    skill = request.skill.name if request.skill else None
    written = _written_actions(request, policy)
    scope = SecretScope(
        default_hosts=((urlsplit(request.start_url).hostname or "").lower(),),
        hosts={name: tuple(b.hosts) for name, b in settings.secrets.items()},
        names=frozenset(secret_names(instruction + "\n" + "\n".join(
            a.model_dump_json() for a in written))))
    approvals = Approvals.of(written, instruction if request.policy == "model" else "",
                             by=request.approved_by) if request.preapprove else None
    run_id = start_run(store, tenant_id, instruction=instruction, start_url=request.start_url,
                       policy=request.policy, skill=skill, started_by=started_by,
                       meta={"allow": allow.describe(), "params": request.params,
                             "preapproved": request.approved_by if approvals else None,
                             # recorded so retention and erasure can remove the pictures
                             "screenshots": (str(Path(request.screenshots).resolve())
                                             if request.screenshots else None)})
    outcome = RunOutcome(run_id, "running", instruction, request.start_url, request.policy, skill)
    recorder = StoreRecorder(store, run_id)
    live: list[Runtime] = []
    state: Takeover | None = None
    try:
        with browser.new_session(allow=allow) as session:
            state = Takeover(session, hooks.takeover, hooks.confirm, settings.takeover_port)
            shots = _screenshots(request.screenshots, session, lambda: live[0] if live else None)
            runtime = Runtime(session, guards=guards, confirm=state.confirmer(),
                              secrets=hooks.secrets, ask=hooks.ask,
                              recorder=_Tee(recorder, hooks.on_step, shots),
                              max_tokens=settings.snapshot_tokens, run_id=run_id,
                              secret_scope=scope, approvals=approvals)
            live.append(runtime)
            first = runtime.step(Goto(url=request.start_url), source="start")
            if not first.ok:
                outcome.status, outcome.error = "failed", first.result.get("error")
            else:
                if request.takeover:
                    state.hand_over()
                run = run_task(runtime, policy, instruction, max_steps=limit,
                               stop_on=tuple(_STOPS))
                _conclude(outcome, run, runtime)
            outcome.takeovers = state.count
    except BaseException as exc:
        mask = live[0].masker.text if live else (lambda text: text)
        outcome.status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "error"
        outcome.error = mask(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
        _finish(store, outcome, recorder, policy)
        if isinstance(exc, CristalError) and live and live[0].masker:
            raise _masked(exc, mask) from None
        raise
    finally:
        if state is not None:
            state.close()
        if own:
            browser.close()
    _finish(store, outcome, recorder, policy)
    return outcome


def _policy(gateway: Any, settings: OperatorSettings, request: RunRequest,
            tenant: str | None) -> tuple[str, Any, int]:
    """The run's instruction, its policy and the loop's step limit."""
    steps = request.max_steps or settings.max_steps
    has_model = gateway is not None and gateway.available(settings.route, tenant)
    if request.policy == "plan":
        if not request.plan:
            raise InvalidInput("The plan policy needs a plan: pass --plan FILE.")
        plan = parse_plan(request.plan, request.params or None)
        instruction = request.instruction or plan.header("instruction") or "run a plan"
        repeats = MAX_REPEATS * sum(1 for step in plan.steps if step.until)
        return instruction, PlanPolicy(plan), len(plan.steps) + 1 + repeats
    if request.policy == "skill":
        skill = request.skill
        if skill is None:
            raise InvalidInput("The skill policy needs a skill: pass --skill NAME.")
        if request.instruction:
            values = skill.match(request.instruction)
            if values is None:
                skill.bind(request.instruction)  # raises, saying what the skill expects
            instruction = request.instruction
        else:
            instruction, values = skill_instruction(skill, request.params)
        fallback = ModelPolicy(gateway, route=settings.route, tenant=tenant,
                               max_steps=steps) if has_model else None
        policy = _BoundSkill(skill, values or {}, fallback)
        bound = policy.choose("")[1]
        repeats = MAX_REPEATS * sum(1 for step in bound if step.until)
        return instruction, policy, max(steps, 3 * len(bound) + 5 + repeats)
    if request.policy != "model":
        raise InvalidInput(f"Unknown policy {request.policy!r}: use plan, model or skill.")
    if not request.instruction:
        raise InvalidInput('The model policy needs a task: pass --task "what to do".')
    if not has_model:
        raise ConfigError(
            f"The model policy needs a model on the {settings.route!r} route and none is "
            "configured (offline). Set OPENAI_API_KEY (and OPENAI_BASE_URL, CRISTAL_MODEL) or "
            f"add [routes.{settings.route}] to cristal.toml; plans (--plan) and skills "
            "(--skill) run without a model.", route=settings.route)
    return request.instruction, ModelPolicy(gateway, route=settings.route, tenant=tenant,
                                            max_steps=steps), steps + 2


def _written_actions(request: RunRequest, policy: Any) -> list[Any]:
    """The actions the person wrote (plan lines, skill steps), with parameters filled in."""
    if isinstance(policy, PlanPolicy):
        return [step.action for step in policy.plan.steps]
    if isinstance(policy, _BoundSkill):
        return [step.action for step in policy.choose("")[1]]
    return []


def _masked(exc: CristalError, mask: Callable[[str], str]) -> CristalError:
    """The same error with any secret in its message masked (the CLI prints the message)."""
    try:
        return type(exc)(mask(exc.message), **exc.fields)
    except TypeError:  # an error type with its own constructor: keep it, message and all
        return exc


def _conclude(outcome: RunOutcome, run: TaskRun, runtime: Runtime) -> None:
    last = run.records[-1] if run.records else None
    done = run.done
    if last is not None and not last.ok and last.error_type in _STOPS and done is None:
        outcome.status, outcome.error = _STOPS[last.error_type], last.result.get("error")
    elif done is None:
        outcome.status, outcome.error = "step_budget", run.stopped
    elif done.ok:
        outcome.status, outcome.result = "succeeded", runtime.mask(done.result)
    elif isinstance(done.result, dict) and done.result.get("status") in STOP_STATUSES:
        outcome.status, outcome.error = done.result["status"], done.result.get("message")
    else:
        outcome.status, outcome.error = "failed", str(runtime.mask(done.result))


def _finish(store: Any, outcome: RunOutcome, recorder: StoreRecorder, policy: Any) -> None:
    model = policy.fallback if isinstance(policy, SkillPolicy) else policy
    outcome.model_calls = getattr(model, "calls", 0)
    outcome.repairs = [asdict(r) for r in getattr(policy, "repairs", [])]
    outcome.steps = recorder.count
    finish_run(store, outcome.id, status=outcome.status, result=outcome.result,
               error=outcome.error, model_calls=outcome.model_calls,
               meta={"repairs": outcome.repairs, "takeovers": outcome.takeovers})


def _allow_list(start_url: str, extra: tuple[str, ...]) -> AllowList:
    parts = urlsplit(start_url)
    if parts.scheme not in ("http", "https", "file"):
        raise InvalidInput(f"The start URL {start_url!r} must be http://, https:// or file://.")
    host = (parts.hostname or "").lower()
    hosts = tuple(dict.fromkeys(h.strip().lower() for h in ((host,) if host else ()) + extra
                                if h.strip()))
    return AllowList(hosts=hosts, allow_file=parts.scheme == "file")
