"""Workflow runs for the console's page tests: an `expense` workflow whose runs wait at an
approval step, with an in-process worker started off Playwright's event loop."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from cristal.app import workflows as uc

__all__ = ["SPEC", "off_loop", "until", "waiting_runs"]

SPEC = """name: expense
inputs: {amount: {type: number}, note: {type: string}}
steps:
  - id: check
    type: approval
    message: "Approve {{ inputs.amount }} yen?"
    approvers: [finance]
    timeout_s: 600
    escalate: {after_s: 1.5, to: [cfo]}
  - id: done
    type: sleep
    seconds: 0.05
"""


def off_loop(fn, *args, **kwargs) -> None:
    """Run `fn` in a thread: Playwright's sync API keeps an event loop in this one, and DBOS
    refuses its blocking calls where a loop runs."""
    failed: list[BaseException] = []

    def call() -> None:
        try:
            fn(*args, **kwargs)
        except BaseException as exc:  # handed back to the test
            failed.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def until(app, principal, run_id: str, status: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        view = uc.run(app, principal, run_id)
        if view.status == status or time.monotonic() > deadline:
            return view
        time.sleep(0.1)


@contextmanager
def waiting_runs(console, *notes: str):
    """Runs of `expense` started by alice, each waiting at its approval step `check`."""
    world = console.world
    app = world.app
    uc.register(app, world.builder, SPEC)
    ids = [uc.start(app, world.alice, "expense", {"amount": 1200 + i, "note": note}).run_id
           for i, note in enumerate(notes)]
    off_loop(app.engine.launch)
    try:
        for run_id in ids:
            assert until(app, world.admin, run_id, "waiting").status == "waiting"
        yield ids
    finally:
        for run_id in ids:
            if not uc.run(app, world.admin, run_id).done:
                uc.cancel(app, world.admin, run_id)
        off_loop(app.engine.shutdown, grace_s=5)
