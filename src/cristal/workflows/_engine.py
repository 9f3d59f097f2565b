"""The durable-execution engine of a process: DBOS, configured from Cristal settings.

Where DBOS keeps its system database (runs, step checkpoints, queues, schedules):

- **SQLite store** (`sqlite:///…/cristal.db`): a separate file beside it,
  `cristal.workflows.db`. DBOS writes a checkpoint per step; in its own file those
  writes never wait on the store's write lock (model call log, budgets), and
  each database keeps the pragmas its owner wants.
- **PostgreSQL store**: the same database, in DBOS's own `dbos` schema. One server
  to run and back up, and every worker on every machine that can reach the store
  shares the same queues.

`workflows.system_database_url` overrides both. DBOS is one object per process:
`Engine.launch()` starts it (workers, or a CLI running a run in-process) and
`Engine.shutdown()` stops it; management (start, list, approve...) goes through
a DBOS client and needs no launch.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSClient
from sqlalchemy.engine import make_url

from cristal import __version__
from cristal.app import App
from cristal.config import Settings
from cristal.store import private_file
from cristal.workflows._parking import Parker
from cristal.workflows._python import import_modules
from cristal.workflows._workers import Heartbeat, default_executor_id, live_workers

__all__ = ["APP_NAME", "Engine", "app_version", "current_app", "current_parker",
           "system_database_url"]

APP_NAME = "cristal"
log = logging.getLogger("cristal.workflows")
_launched: Engine | None = None
_migrated: set[str] = set()


def system_database_url(settings: Settings) -> str:
    """The DBOS system database for these settings (see the module docstring)."""
    if settings.workflows.system_database_url:
        return settings.workflows.system_database_url
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "cristal.db").expanduser()
        return f"sqlite:///{path.with_name(path.stem + '.workflows.db')}"
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def app_version(settings: Settings) -> str:
    """The version DBOS records per run; only workers on the same version recover a run."""
    return settings.workflows.app_version or f"cristal-{__version__}"


def current_app() -> App:
    """The App of the engine launched in this process (used by running steps)."""
    if _launched is None:
        raise RuntimeError("no workflow engine runs in this process: start one with "
                           "`cristal worker` or Engine(app).launch().")
    return _launched.app


def current_parker() -> Parker | None:
    """The parker of the worker engine launched in this process (None elsewhere)."""
    return None if _launched is None else _launched._parker


class _ExpectedCancellations(logging.Filter):
    """DBOS logs a cancelled run's end as an error with a traceback; for a run that was
    parked (or cancelled on purpose) that is the expected way for it to stop."""

    _NAMES = ("DBOSAwaitedWorkflowCancelledError", "DBOSWorkflowCancelledError")

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102 - logging API
        exc = record.exc_info[0] if record.exc_info else None
        if exc is not None and exc.__name__ in self._NAMES:
            return False
        return "is no longer owned by this execution" not in record.getMessage()


_DBOS_LOG_FILTER = _ExpectedCancellations()


class Engine:
    """DBOS for one App: a client for management, and launch/shutdown for execution."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.settings = app.settings
        self.url = system_database_url(self.settings)
        self.executor_id: str | None = None
        self._heartbeat: Heartbeat | None = None
        self._parker: Parker | None = None

    @cached_property
    def client(self) -> DBOSClient:
        """A DBOS client on the system database (created and migrated on first use)."""
        if self.url not in _migrated:
            if self.url.startswith("sqlite:///"):
                private_file(Path(self.url.removeprefix("sqlite:///")), sqlite=True)
            DBOS.migrate(self.url)
            _migrated.add(self.url)
        return DBOSClient(system_database_url=self.url, application_name=APP_NAME)

    @property
    def launched(self) -> bool:
        """True while this engine runs DBOS in this process."""
        return _launched is self

    def live_workers(self) -> list[dict[str, Any]]:
        """Worker processes with a fresh heartbeat."""
        return live_workers(self.app.store, self.settings.workflows.dead_after_s)

    def launch(self, *, kind: str = "worker", executor_id: str | None = None,
               queues: list[str] | None = None, concurrency: int | None = None) -> None:
        """Start executing: `queues` None listens to all, [] to none (in-process runs only)."""
        global _launched
        if _launched is not None:
            raise RuntimeError("a workflow engine already runs in this process; call "
                               "shutdown() on it first.")
        import_modules(self.settings.workflows.modules)
        store = self.app.store
        self.client  # noqa: B018 - creates and migrates the system database first
        self.executor_id = executor_id or default_executor_id(kind)
        wf = self.settings.workflows
        DBOS(config={
            "name": APP_NAME, "system_database_url": self.url,
            "application_version": app_version(self.settings), "executor_id": self.executor_id,
            "log_level": "WARNING", "scheduler_polling_interval_sec": wf.scheduler_poll_s,
            "notification_listener_polling_interval_sec": 0.1,
        })
        # Set before launch: DBOS starts recovered and queued runs during launch(), and
        # their steps look up this engine's App.
        _launched = self
        try:
            if queues is not None:
                DBOS.listen_queues(queues)
            DBOS.launch()
            if kind == "worker":
                self._register_queues(queues, concurrency)
        except BaseException:
            _launched = None
            DBOS.destroy()
            raise
        # DBOS's own recovery entry point for dead executors (what DBOS Conductor calls).
        # DBOS 3.4 has no public equivalent: DBOSClient.resume_workflow re-queues one
        # workflow whatever its executor (it could restart a run a live worker still
        # executes) and resets its recovery count (the dead letter after repeated
        # crashes). So the private method is used, dbos is pinned to 3.4.x in
        # pyproject.toml, and tests/workflows/test_dbos_private_api.py fails if its
        # signature or its behaviour (only that executor's PENDING runs) changes.
        recover = DBOS._recover_pending_workflows if kind == "worker" else None
        self._heartbeat = Heartbeat(store, self.executor_id, kind, queues, wf.heartbeat_s,
                                    wf.dead_after_s, recover)
        self._heartbeat.start()
        logging.getLogger("dbos").addFilter(_DBOS_LOG_FILTER)
        if kind == "worker":  # a CLI running one run in-process leaves waiting runs as they are
            self._parker = Parker(self, wf.park_after_s, min(wf.heartbeat_s, 1.0))
            self._parker.start()

    def _register_queues(self, queues: list[str] | None, concurrency: int | None) -> None:
        wf = self.settings.workflows
        for name, q in wf.queues.items():
            if queues is not None and name not in queues:
                continue
            DBOS.register_queue(
                name, worker_concurrency=concurrency or q.concurrency,
                global_concurrency=q.global_concurrency,
                partition_concurrency=q.tenant_concurrency,
                limiter=_limit(q.rate), partition_limiter=_limit(q.tenant_rate),
                polling_interval_sec=wf.polling_interval_s, on_conflict="always_update")

    def shutdown(self, grace_s: int = 0, *, abandon: bool = False) -> None:
        """Stop executing; unfinished runs are left for a live worker to recover.

        `abandon`: the process is about to exit and runs still executing here (a run
        waiting for a person) are left to a worker on purpose. Their threads then fail
        inside DBOS once it is gone, which leaves them pending for recovery, exactly as
        intended, so DBOS's report of that failure is not printed.
        """
        global _launched
        if _launched is not self:
            return
        if abandon:
            logging.getLogger("dbos").setLevel(logging.CRITICAL)
        if self._parker is not None:
            self._parker.stop()
            self._parker = None
        try:
            DBOS.destroy(workflow_completion_timeout_sec=grace_s)
        finally:
            _launched = None
            if self._heartbeat is not None:
                self._heartbeat.stop()
                self._heartbeat = None

    def close(self) -> None:
        """Shut down if launched and release the client's connections."""
        self.shutdown()
        if "client" in self.__dict__:
            self.client.destroy()
            del self.__dict__["client"]


def _limit(rate: Any) -> dict[str, Any] | None:
    return None if rate is None else {"limit": rate.limit, "period": rate.period_s}
