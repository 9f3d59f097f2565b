"""MiniWoB++ harness: run a policy on the `miniwob` package's task pages and score it.

A task page is opened as a file:// URL. Each episode is seeded (`Math.seedrandom`,
as the package's own Selenium driver does) and started with `core.startEpisodeReal()`;
the instruction is `core.getUtterance()`, and the page's `WOB_DONE_GLOBAL` /
`WOB_REWARD_GLOBAL` say when it ended and how well (> 0 is success; the reward
decays with time). Only the MiniWoB chrome (reward display, start cover, click
canvas, instruction) is left out of snapshots.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cristal.errors import InvalidInput, NotFound, UserError
from cristal.operator._browser import AllowList, Browser
from cristal.operator._compile import compile_skill, written_skill
from cristal.operator._plan import parse_plan
from cristal.operator._plan_run import run_plan
from cristal.operator._policy import Policy, run_task
from cristal.operator._runtime import Runtime
from cristal.operator._skills import Skill
from cristal.operator._text import norm

__all__ = ["EXCLUDE", "EpisodeResult", "EvalReport", "MiniWobTask", "evaluate", "list_tasks",
           "demo_skills", "miniwob_dir", "run_episode", "skill_from_demo"]

EXCLUDE = ("#reward-display", "#sync-task-cover", "#click-canvas", "#query")
EVAL_SEED_BASE = 10_000  # demonstrations use seeds below 1000, so evaluation episodes are unseen


def miniwob_dir() -> Path:
    """The folder of MiniWoB++ task pages inside the installed `miniwob` package."""
    try:
        import miniwob
    except ImportError:
        raise UserError("The MiniWoB++ tasks are not installed. Install them with "
                        "`pip install miniwob` (or `pip install 'cristal[eval]'`).") from None
    path = Path(miniwob.__file__).parent / "html" / "miniwob"
    if not path.is_dir():
        raise UserError(f"The miniwob package has no task pages at {path}; reinstall it with "
                        "`pip install --force-reinstall miniwob`.")
    return path


def list_tasks() -> list[str]:
    """Names of every MiniWoB++ task (`click-button`, `book-flight`, ...)."""
    return sorted(p.stem for p in miniwob_dir().glob("*.html"))


@dataclass
class EpisodeResult:
    """One episode: its instruction, reward, steps and snapshot costs."""

    task: str
    seed: int | None
    instruction: str
    reward: float
    success: bool
    steps: int
    seconds: float
    snapshot_ms: list[float] = field(default_factory=list)
    snapshot_tokens: list[int] = field(default_factory=list)
    repairs: int = 0
    stopped: str | None = None
    reason: str | None = None


class MiniWobTask:
    """One MiniWoB++ task page in a browser session."""

    def __init__(self, page: Any, task: str) -> None:
        path = miniwob_dir() / f"{task}.html"
        if not path.exists():
            raise NotFound(f"No MiniWoB++ task named {task!r}; see list_tasks() for the names.",
                           task=task)
        self.page, self.task, self.url = page, task, path.as_uri()

    def open(self) -> None:
        """Load the page and wait for its start cover."""
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_selector("#sync-task-cover", state="attached", timeout=10_000)

    def reset(self, seed: int | None = None) -> str:
        """Start a new (seeded) episode; returns its instruction."""
        if self.page.url != self.url:
            self.open()
        self.page.evaluate("(seed) => { if (seed !== null) Math.seedrandom(seed); "
                           "else Math.seedrandom(); core.startEpisodeReal(); }", seed)
        for _ in range(20):
            if self.page.evaluate("WOB_TASK_READY"):
                break
            time.sleep(0.05)
        return self.page.evaluate("core.getUtterance()")

    def status(self) -> dict[str, Any]:
        """done, reward (time-decayed), raw reward and reason, from the page."""
        return self.page.evaluate(
            "({done: WOB_DONE_GLOBAL, reward: WOB_REWARD_GLOBAL, raw: WOB_RAW_REWARD_GLOBAL, "
            "reason: WOB_REWARD_REASON})")

    def finish(self) -> None:
        """End an unfinished episode with reward 0 (as the package's driver does)."""
        self.page.evaluate("core.endEpisode(0)")


@dataclass
class EvalReport:
    """Per-task and overall results of an evaluation."""

    episodes: list[EpisodeResult]
    policy: str = "skill"
    model_calls: int = 0

    def tasks(self) -> dict[str, dict[str, Any]]:
        """Per task: success rate, episodes, mean steps, snapshot ms / tokens p50, actions/s."""
        out: dict[str, dict[str, Any]] = {}
        for name in dict.fromkeys(e.task for e in self.episodes):
            eps = [e for e in self.episodes if e.task == name]
            ms = [m for e in eps for m in e.snapshot_ms]
            tokens = [t for e in eps for t in e.snapshot_tokens]
            steps = sum(e.steps for e in eps)
            out[name] = {
                "success": round(sum(e.success for e in eps) / len(eps), 4),
                "episodes": len(eps),
                "mean_steps": round(steps / len(eps), 2),
                "snapshot_ms_p50": round(statistics.median(ms), 2) if ms else None,
                "snapshot_tokens_p50": int(statistics.median(tokens)) if tokens else None,
                "actions_per_s": round(steps / max(sum(e.seconds for e in eps), 1e-9), 2),
                "repairs": sum(e.repairs for e in eps),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """The `cristal eval operator --json` object (see DESIGN.md)."""
        tasks = self.tasks()
        ms = [m for e in self.episodes for m in e.snapshot_ms]
        tokens = [t for e in self.episodes for t in e.snapshot_tokens]
        steps = sum(e.steps for e in self.episodes)
        seconds = sum(e.seconds for e in self.episodes)
        return {
            "tasks": tasks,
            "success_mean": round(statistics.mean(t["success"] for t in tasks.values()), 4)
            if tasks else 0.0,
            "episodes": len(self.episodes),
            "snapshot_ms_p50": round(statistics.median(ms), 2) if ms else None,
            "snapshot_tokens_p50": int(statistics.median(tokens)) if tokens else None,
            "actions_per_s": round(steps / seconds, 2) if seconds else None,
            "policy": self.policy,
            "model_calls": self.model_calls,
        }

    def failures(self) -> list[dict[str, Any]]:
        """The failed episodes (for reports), without per-snapshot timings."""
        return [{k: v for k, v in asdict(e).items() if k not in ("snapshot_ms", "snapshot_tokens")}
                for e in self.episodes if not e.success]


def run_episode(runtime: Runtime, task: MiniWobTask, policy: Policy, seed: int | None, *,
                max_steps: int = 30) -> EpisodeResult:
    """One episode of `task` with `policy`."""
    instruction = task.reset(seed)
    started = time.perf_counter()
    repairs_before = len(getattr(policy, "repairs", []))
    run = run_task(runtime, policy, instruction, max_steps=max_steps,
                   finished=lambda: bool(task.page.evaluate("WOB_DONE_GLOBAL")))
    seconds = time.perf_counter() - started
    status = task.status()
    if not status["done"]:
        task.finish()
    reward = float(status["reward"] or 0.0) if status["done"] else 0.0
    return EpisodeResult(
        task=task.task, seed=seed, instruction=instruction, reward=reward, success=reward > 0,
        steps=run.steps, seconds=seconds, snapshot_ms=run.snapshot_ms,
        snapshot_tokens=run.snapshot_tokens,
        repairs=len(getattr(policy, "repairs", [])) - repairs_before,
        stopped=run.stopped, reason=status.get("reason"))


def evaluate(tasks: Iterable[str], policy: Policy | Callable[[str], Policy], *, episodes: int = 10,
             seed_base: int | None = EVAL_SEED_BASE, browser: Browser | None = None,
             on_episode: Callable[[EpisodeResult], None] | None = None,
             timeout_s: float = 2.0, wait_s: float = 1.0, policy_name: str = "skill") -> EvalReport:
    """Run `episodes` episodes of each task; seeds are `seed_base + i` (None: unseeded)."""
    own = browser is None
    browser = browser or Browser()
    results: list[EpisodeResult] = []
    try:
        browser.start()
        for name in tasks:
            with browser.new_session(allow=AllowList(allow_file=True)) as session:
                runtime = Runtime(session, exclude=EXCLUDE, confirm=lambda request: True,
                                  timeout_s=timeout_s, wait_s=wait_s)
                task = MiniWobTask(session.page, name)
                task.open()
                task_policy = policy(name) if callable(policy) and not isinstance(
                    policy, Policy) else policy
                for i in range(episodes):
                    seed = None if seed_base is None else seed_base + i
                    result = run_episode(runtime, task, task_policy, seed)  # type: ignore[arg-type]
                    results.append(result)
                    if on_episode is not None:
                        on_episode(result)
    finally:
        if own:
            browser.close()
    return EvalReport(results, policy=policy_name)


def skill_from_demo(browser: Browser, script: str | Path) -> Skill:
    """Run a demonstration plan on its own seeded episode, check it wins, compile the skill.

    The plan's header comments say which episode it was written for:
    `# task: click-button`, `# seed: 3`, `# instruction: Click on the "no" button.`
    A plan with `# pattern:` is a written skill (task logic included): it is replayed
    as a skill on each of its seeds (`# seed: 3, 5, 8`), and each must win.
    """
    text = Path(script).read_text(encoding="utf-8") if isinstance(script, Path) else script
    plan = parse_plan(text)
    name, seed, expected = plan.header("task"), plan.header("seed"), plan.header("instruction")
    if not name or seed is None:
        raise InvalidInput("A demonstration needs '# task: NAME' and '# seed: N' header lines "
                           "naming the episode it was written for.")
    if plan.header("pattern"):
        return _checked_skill(browser, written_skill(plan, name=name, task=name),
                              [int(s) for s in seed.split(",")])
    with browser.new_session(allow=AllowList(allow_file=True)) as session:
        runtime = Runtime(session, exclude=EXCLUDE, confirm=lambda request: True)
        task = MiniWobTask(session.page, name)
        task.open()
        instruction = task.reset(int(seed))
        if expected and norm(expected) != norm(instruction):
            raise InvalidInput(f"The {name} demonstration was written for {expected!r} but seed "
                               f"{seed} now gives {instruction!r}; update its header and steps.")
        run = run_plan(runtime, plan)
        status = task.status()
    if not run.ok or not status["done"] or float(status["reward"]) <= 0:
        raise InvalidInput(f"The {name} demonstration did not solve its own episode "
                           f"({run.error or status.get('reason') or 'no reward'}); fix the plan.",
                           task=name)
    return compile_skill(instruction, run.records, name=name, task=name)


def _checked_skill(browser: Browser, skill: Skill, seeds: list[int]) -> Skill:
    """`skill`, once it has won each of the seeded episodes."""
    from cristal.operator._replay import SkillPolicy

    with browser.new_session(allow=AllowList(allow_file=True)) as session:
        runtime = Runtime(session, exclude=EXCLUDE, confirm=lambda request: True)
        task = MiniWobTask(session.page, skill.task or skill.name)
        task.open()
        for seed in seeds:
            result = run_episode(runtime, task, SkillPolicy([skill]), seed)
            if not result.success:
                why = result.stopped or result.reason or "no reward"
                raise InvalidInput(f"The {skill.name} skill did not solve its episode {seed} "
                                   f"({result.instruction!r}: {why}); fix the plan.",
                                   task=skill.name)
    return skill


def demo_skills(browser: Browser, directory: str | Path,
                tasks: Iterable[str] | None = None) -> dict[str, Skill]:
    """Compile every `<task>.plan` demonstration in `directory` (or only `tasks`)."""
    wanted = set(tasks) if tasks is not None else None
    skills = {}
    for path in sorted(Path(directory).glob("*.plan")):
        if wanted is None or path.stem in wanted:
            skill = skill_from_demo(browser, path)
            skills[skill.task or path.stem] = skill
    return skills
