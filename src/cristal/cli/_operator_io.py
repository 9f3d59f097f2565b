"""The operator at a terminal: confirmations, questions, secrets, takeover and step lines.

Prompts go to stderr and answers are read from stdin one line at a time, so a
program can answer by piping lines in. Closed input (or `--json` for confirmations)
never hangs: the run stops with status `needs_confirmation` / `needs_input`.
"""

from __future__ import annotations

import select
import sys
import threading
from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cristal.cli._output import console, err_console
from cristal.errors import InvalidInput
from cristal.operator import (
    AnswerRequired,
    ConfirmationRequest,
    ConfirmationRequired,
    RunHooks,
    RunOutcome,
    StepRecord,
    parse_action,
    secret_from_env,
)

__all__ = ["describe_action", "parse_params", "print_outcome", "print_steps", "split_hosts",
           "step_line", "terminal_hooks"]

def _read_line() -> str | None:
    try:
        line = sys.stdin.readline()
        piped = not sys.stdin.isatty()
    except (OSError, ValueError):  # no stdin at all
        return None
    if line and piped:  # a terminal echoes the answer; show a piped one the same way
        err_console.print(line.rstrip("\r\n"), markup=False)
    return line if line else None


def _wait_line_or(done: threading.Event) -> None:
    """Return when a line arrives on stdin (or it closes) or `done` is set, whichever first."""
    while not done.is_set():
        try:
            ready, _, _ = select.select([sys.stdin], [], [], 0.2)
        except (OSError, ValueError):  # no selectable stdin: wait for the console alone
            done.wait()
            return
        if ready:
            _read_line()
            return


def terminal_hooks(*, json_out: bool, takeover: bool) -> RunHooks:
    """Hooks that ask at this terminal (or refuse clearly when no one can answer).

    `--yes` is not handled here: the run approves in advance only what the plan, skill
    or task says (see `cristal.operator.Approvals`); anything else still comes here.
    """

    def confirm(request: ConfirmationRequest) -> bool | str:
        info = {"reasons": list(request.reasons), "approved": False, "asked": False}
        outside = request.extra.get("not_preapproved")
        if json_out:
            hint = (f" ({outside})" if outside else ", or pass --yes to approve the sensitive "
                    "actions written in the plan or skill")
            raise ConfirmationRequired(
                f"{request.prompt()} Not done: a --json run asks no one. Run it at a terminal "
                f"to answer{hint}.", confirmation=info)
        if outside:
            err_console.print(f"[yellow]not covered by --yes:[/] {escape(outside)}")
        choices = "y/N/pause" if takeover else "y/N"
        err_console.print(f"[bold yellow]?[/] {escape(request.prompt())} \\[{choices}] ",
                          end="")
        line = _read_line()
        if line is None:
            err_console.print("(no answer)")
            raise ConfirmationRequired(
                f"{request.prompt()} Not done: no answer (input is closed). Run it at a "
                "terminal" + (f" ({outside})." if outside else ", or pass --yes to approve the "
                              "sensitive actions written in the plan or skill."),
                confirmation=info)
        answer = line.strip().lower()
        if takeover and answer in ("p", "pause"):
            return "takeover"
        return answer in ("y", "yes")

    def ask(question: str) -> str:
        err_console.print(f"[bold cyan]?[/] {escape(question)} ", end="")
        line = _read_line()
        if line is None:
            err_console.print("(no answer)")
            raise AnswerRequired(f"The task asks {question!r} and no one can answer (input is "
                                 "closed); run it at a terminal, or put the answer in the task.")
        return line.rstrip("\r\n")

    def hand_over(info: dict[str, Any]) -> None:
        err_console.print(Panel(
            f"The browser is yours. Open [bold]{escape(info['url'])}[/] in your browser:\n"
            "it shows the page; click, type, scroll and enter URLs there. The address is "
            "private (its random token is the key, and only this run's allowed hosts load).\n"
            "Press Done there, or Enter here, when you are finished; the run resumes from the "
            "page as you leave it.", title="Takeover", border_style="yellow"))
        _wait_line_or(info["done"])
        err_console.print("[dim]resuming…[/]")

    def on_step(record: StepRecord) -> None:
        if not json_out:
            err_console.print(step_line(record))
            return
        confirmation = record.confirmation or {}
        if confirmation.get("by"):  # say what --yes approved, even when stdout is JSON
            err_console.print(f"[yellow]approved ({escape(confirmation['by'])}):[/] "
                              f"{escape(describe_action(record.action))} — "
                              f"{escape('; '.join(confirmation.get('reasons', [])))} "
                              f"({escape(confirmation.get('why', ''))})")

    return RunHooks(confirm=confirm, ask=ask, secrets=secret_from_env,
                    takeover=hand_over if takeover else None, on_step=on_step)


def describe_action(action: dict[str, Any]) -> str:
    """`click target='Submit'`, from a recorded action (default values left out)."""
    try:
        args = parse_action(action).model_dump(exclude_defaults=True, exclude={"action", "note"})
    except InvalidInput:
        args = {k: v for k, v in action.items() if k not in ("action", "note")}
    text = " ".join(f"{k}={v!r}" for k, v in args.items())
    return f"{action.get('action')} {text}".strip()


def step_line(record: StepRecord) -> str:
    """One live line per step: number, mark, action, target and time."""
    mark = "[green]✓[/]" if record.ok else "[red]✗[/]"
    if record.source == "user":
        mark = "[yellow]✋[/]"
    by = (record.confirmation or {}).get("by")
    target = record.target or {}
    where = f' → {target.get("role")} "{str(target.get("name", ""))[:40]}"' if target else ""
    tail = "" if record.ok else f"  [red]{escape(str(record.result.get('error'))[:160])}[/]"
    ms = record.timings_ms.get("total", 0.0)
    action = escape(describe_action(record.action)[:80] + where)
    why = (record.confirmation or {}).get("why", "")
    approved = f" [yellow](approved ({escape(by)}): {escape(why)})[/]" if by else ""
    return (f"{record.step:>3} {mark} [dim]{record.source:<8}[/] {action} [dim]{ms:.0f} ms[/]"
            f"{approved}{tail}")


def print_outcome(outcome: RunOutcome) -> None:
    """The human summary of a finished run."""
    color = {"succeeded": "green", "needs_confirmation": "yellow",
             "rejected": "yellow"}.get(outcome.status, "red")
    lines = [f"[bold]{outcome.status}[/] · {outcome.steps} steps · {outcome.model_calls} model "
             f"call(s) · run {outcome.id}"]
    if outcome.result is not None:
        lines.append(f"result: {escape(str(outcome.result))}")
    if outcome.error:
        lines.append(f"[{color}]{escape(outcome.error)}[/]")
    for repair in outcome.repairs:
        lines.append(f"repair: step {repair['step']} by {repair['kind']} "
                     f"({'ok' if repair['ok'] else 'failed'})")
    console.print(Panel("\n".join(lines), title=escape(outcome.instruction[:80]),
                        border_style=color))


def print_steps(steps: list[StepRecord], *, snapshots: bool = False) -> None:
    """A table of stored steps (and their snapshots when asked)."""
    table = Table("#", "source", "action", "target", "ok", "ms", "error", title="Steps")
    for r in steps:
        target = r.target or {}
        where = f'{target.get("role", "")} "{str(target.get("name", ""))[:30]}"' if target else ""
        table.add_row(str(r.step), r.source, escape(describe_action(r.action)[:60]),
                      escape(where), "✓" if r.ok else "✗", f"{r.timings_ms.get('total', 0):.0f}",
                      escape(str(r.result.get("error") or "")[:60]))
    console.print(table)
    if snapshots:
        for r in steps:
            console.print(Panel(Text(r.snapshot_text), title=f"step {r.step} · {r.snapshot_hash}"))


def parse_params(values: list[str] | None) -> dict[str, str]:
    """`--param k=v` options as a dict."""
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--param {item!r} is not NAME=VALUE.")
        out[key.strip()] = value
    return out


def split_hosts(value: str | None) -> tuple[str, ...]:
    """`--allow a.example,b.example` as a tuple."""
    return tuple(h.strip() for h in (value or "").split(",") if h.strip())

