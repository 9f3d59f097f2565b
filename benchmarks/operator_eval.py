"""Operator on MiniWoB++: skills compiled from one demonstration each, on fresh episodes.

Measured in one run, on Debian Chromium (headless):

1. each demonstration in cristal/operator/demos/<task>.plan is replayed on its own
   seeded episode (it must win) and compiled into a skill; a written skill (a plan with
   `# pattern:`, e.g. email-inbox and book-flight) must win each of its seeded episodes;
2. the skill policy (no model) runs N fresh episodes per task (seeds 10000+, never the
   demonstration's): success rate, mean steps, skill replay actions/s;
3. snapshot cost per observation: ms p50 and estimated tokens p50, with Playwright's own
   `aria_snapshot()` on the same pages as the reference (ratio = ours / aria_snapshot).

Usage: python benchmarks/operator_eval.py [--quick] [--json] [--episodes 50] [--tasks a,b,...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from cristal.operator import DEMOS_DIR as DEMOS

ROOT = Path(__file__).resolve().parent.parent
QUICK_TASKS = ["click-checkboxes", "login-user", "use-autocomplete", "email-inbox",
               "book-flight"]
TARGETS = {"success_mean_min": 0.9, "snapshot_ms_p50_max": 50.0}


def reference_snapshots(browser, tasks: list[str], per_task: int = 5) -> dict[str, dict]:
    """Our snapshot vs Playwright's aria_snapshot() on the same episode pages (ms p50)."""
    from cristal.operator import AllowList, MiniWobTask, take_snapshot
    from cristal.operator._miniwob import EXCLUDE

    out = {}
    with browser.new_session(allow=AllowList(allow_file=True)) as session:
        for name in tasks:
            task = MiniWobTask(session.page, name)
            task.open()
            ours, aria = [], []
            for i in range(per_task):
                task.reset(20_000 + i)
                for _ in range(3):
                    ours.append(take_snapshot(session.page, exclude=EXCLUDE).ms)
                    started = time.perf_counter()
                    session.page.locator("body").aria_snapshot()
                    aria.append((time.perf_counter() - started) * 1000)
                task.finish()
            out[name] = {"ours_ms_p50": statistics.median(ours),
                         "aria_snapshot_ms_p50": statistics.median(aria)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--json", action="store_true", help="last line is one JSON object")
    parser.add_argument("--episodes", type=int, default=None, help="per task (default 50)")
    parser.add_argument("--tasks", default=None, help="comma-separated task names")
    args = parser.parse_args()

    from rich.progress import Progress

    from cristal.operator import Browser, SkillPolicy, demo_skills, evaluate

    every = sorted(p.stem for p in DEMOS.glob("*.plan"))
    tasks = args.tasks.split(",") if args.tasks else (QUICK_TASKS if args.quick else every)
    episodes = args.episodes or (5 if args.quick else 50)
    with Browser() as browser, Progress(transient=True) as progress:
        started = time.perf_counter()
        skills = demo_skills(browser, DEMOS, tasks)
        compile_s = time.perf_counter() - started
        bar = progress.add_task("episodes", total=len(tasks) * episodes)
        report = evaluate(tasks, lambda task: SkillPolicy([skills[task]]), episodes=episodes,
                          browser=browser, on_episode=lambda _: progress.advance(bar))
        reference = reference_snapshots(browser, tasks, per_task=2 if args.quick else 5)
    results = report.to_dict()
    for name, row in results["tasks"].items():
        ref = reference[name]
        row["aria_snapshot_ms_p50"] = round(ref["aria_snapshot_ms_p50"], 2)
        row["snapshot_ratio_vs_aria"] = round(ref["ours_ms_p50"] / ref["aria_snapshot_ms_p50"], 3)
    ours = statistics.median(r["ours_ms_p50"] for r in reference.values())
    aria = statistics.median(r["aria_snapshot_ms_p50"] for r in reference.values())
    results.update({
        "episodes_per_task": episodes, "compile_s": round(compile_s, 2),
        "aria_snapshot_ms_p50": round(aria, 2), "snapshot_ratio_vs_aria": round(ours / aria, 3),
        "targets": TARGETS, "failures": report.failures()[:20],
    })
    _print(results)
    out = ROOT / "benchmarks" / "results" / "operator.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(results, ensure_ascii=False))


def _print(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Operator skills on MiniWoB++: one demonstration per task, "
                        f"{r['episodes_per_task']} fresh episodes each")
    table.add_column("task", no_wrap=True)
    for column in ("success", "mean steps", "snapshot ms p50", "tokens p50",
                   "aria_snapshot ms p50", "actions/s", "repairs"):
        table.add_column(column)
    for name, t in r["tasks"].items():
        table.add_row(name, f"{t['success']:.0%}", f"{t['mean_steps']:.1f}",
                      f"{t['snapshot_ms_p50']:.1f}", str(t["snapshot_tokens_p50"]),
                      f"{t['aria_snapshot_ms_p50']:.1f}", f"{t['actions_per_s']:.1f}",
                      str(t["repairs"]))
    table.add_row("all", f"{r['success_mean']:.1%} (target ≥ 90%)", "",
                  f"{r['snapshot_ms_p50']:.1f} (target ≤ 50)", str(r["snapshot_tokens_p50"]),
                  f"{r['aria_snapshot_ms_p50']:.1f} (ratio {r['snapshot_ratio_vs_aria']:.2f})",
                  f"{r['actions_per_s']:.1f}", "", style="bold")
    Console(width=max(Console().width, 130)).print(table)


if __name__ == "__main__":
    main()
