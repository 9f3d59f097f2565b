"""`cristal worker`: execute queued workflow runs until stopped (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Annotated

import typer

from cristal.cli._common import JsonOpt
from cristal.cli._output import console, err_console, print_json
from cristal.cli.runs import engine
from cristal.errors import InvalidInput


def worker(
    queues: Annotated[str | None, typer.Option(
        help="Comma-separated queues to take runs from (default: all configured).")] = None,
    concurrency: Annotated[int | None, typer.Option(
        min=1, help="Runs at once in each worker (stored with the queue: applies to every "
        "worker of it).")] = None,
    worker_id: Annotated[str | None, typer.Option(
        "--id", help="Stable worker id: a restart with the same id recovers its runs at "
        "once (default: host-pid; others recover a dead worker's runs).")] = None,
    grace: Annotated[int, typer.Option(
        min=0, help="On stop, seconds to let running runs finish.")] = 5,
    json_out: JsonOpt = False,
) -> None:
    """Run a worker: takes runs from the queues, fires schedules, recovers crashed runs."""
    eng = engine()
    settings = eng.settings
    names = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
    unknown = [q for q in names or [] if q not in settings.workflows.queues]
    if unknown:
        raise InvalidInput(f"--queues: {', '.join(unknown)} not configured; queues are: "
                           f"{', '.join(sorted(settings.workflows.queues))} (workflows.queues).")
    if eng.url.startswith("sqlite"):
        others = [w for w in eng.live_workers() if w["id"] != worker_id]
        if others:
            raise InvalidInput(
                f"worker {others[0]['id']} is already running on this SQLite database; on "
                "SQLite one worker does everything. Stop it first, or use PostgreSQL "
                "(CRISTAL_DATABASE_URL=postgresql://…) to run several workers.")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    eng.launch(kind="worker", executor_id=worker_id, queues=names, concurrency=concurrency)
    from cristal.lifecycle import start_retention_thread

    start_retention_thread(eng.app, stop, lambda msg: err_console.print(msg, markup=False))
    started = {"worker": eng.executor_id, "status": "started",
               "queues": names or sorted(settings.workflows.queues), "pid": os.getpid(),
               "database": eng.url.split("@")[-1]}
    if json_out:
        print_json(started)
    else:
        err_console.print(f"worker {eng.executor_id} taking runs from "
                          f"{', '.join(started['queues'])} ({started['database']}); "
                          "Ctrl-C stops it.")
    stop.wait()
    eng.shutdown(grace_s=grace)
    if json_out:
        print_json({"worker": eng.executor_id, "status": "stopped"})
    else:
        console.print(f"worker {eng.executor_id} stopped; unfinished runs continue on the next "
                      "worker.")
    # Runs left waiting (approvals, sleeps) still hold threads; their state is in the
    # database, so leave without joining them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)

