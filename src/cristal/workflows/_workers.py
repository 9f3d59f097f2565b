"""Worker registry: heartbeats, and recovery of the runs of workers that stopped beating.

DBOS recovers a worker's unfinished runs when a worker with the same executor id
starts again. Workers here get fresh ids (host-pid) unless given `--id`, so each
live worker also watches the registry: a worker silent for `dead_after_s` is
removed by exactly one watcher (a conditional DELETE), which hands its pending
runs back to their queues (DBOS re-enqueues them; any worker then takes them).
A worker that stops cleanly marks itself silent at once.

Beating and recovering fail separately: a heartbeat that cannot be written is
logged as such and tried again at the next beat; a recovery that fails is logged
as a recovery failure, the dead worker's row is put back (so this or another
watcher tries again), and this watcher waits longer before each new attempt
(doubling, up to `_MAX_BACKOFF_S`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from cristal.store import Store, utcnow
from cristal.workflows._tables import workflow_workers

__all__ = ["Heartbeat", "default_executor_id", "live_workers", "process_alive"]

log = logging.getLogger("cristal.workflows")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_BACKOFF_S = 300.0
_w = workflow_workers.c


def default_executor_id(kind: str) -> str:
    """A unique id for this process: `worker-<host>-<pid>`."""
    return f"{kind}-{socket.gethostname()}-{os.getpid()}"


def process_alive(host: str, pid: int) -> bool:
    """False only when the process is on this host and no longer exists."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_workers(store: Store, dead_after_s: float) -> list[dict]:
    """Workers (not CLI processes) whose heartbeat is fresh and whose process exists."""
    cutoff = utcnow() - timedelta(seconds=dead_after_s)
    with store.read() as conn:
        rows = conn.execute(sa.select(workflow_workers).where(
            _w.kind == "worker", _w.heartbeat_at >= cutoff)).all()
    return [dict(r._mapping) for r in rows if process_alive(r.host, r.pid)]


class Heartbeat:
    """Beats for this process; a worker also recovers the runs of silent workers."""

    def __init__(self, store: Store, executor_id: str, kind: str, queues: list[str] | None,
                 every_s: float, dead_after_s: float,
                 recover: Callable[[list[str]], list] | None) -> None:
        self.store = store
        self.executor_id = executor_id
        self.kind = kind
        self.queues = queues
        self.every_s = every_s
        self.dead_after_s = dead_after_s
        self.recover = recover
        # dead worker id -> (failed attempts, monotonic time of the next attempt)
        self.recovery_failures: dict[str, tuple[int, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cristal-heartbeat",
                                        daemon=True)

    def start(self) -> None:
        """Register this process and start beating (and watching, for workers)."""
        now = utcnow()
        row = {"id": self.executor_id, "kind": self.kind, "host": socket.gethostname(),
               "pid": os.getpid(), "queues": self.queues, "started_at": now, "heartbeat_at": now}
        with self.store.write() as conn:
            conn.execute(workflow_workers.delete().where(_w.id == self.executor_id))
            conn.execute(workflow_workers.insert().values(**row))
        self._reap()
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and mark this process silent, so live workers recover its runs now."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        try:
            with self.store.write() as conn:
                conn.execute(workflow_workers.update().where(_w.id == self.executor_id)
                             .values(heartbeat_at=_EPOCH))
        except sa.exc.SQLAlchemyError as exc:  # the database may be gone at shutdown
            log.warning("could not mark worker %s stopped: %s", self.executor_id, exc)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                with self.store.write() as conn:
                    conn.execute(workflow_workers.update().where(_w.id == self.executor_id)
                                 .values(heartbeat_at=utcnow()))
            except Exception as exc:  # keep beating through transient database errors
                log.warning("heartbeat of %s failed (tried again in %.1f s): %s",
                            self.executor_id, self.every_s, exc)
                continue
            try:
                self._reap()
            except Exception as exc:  # reading the registry failed; recovery is separate
                log.warning("looking for stopped workers failed (tried again in %.1f s): %s",
                            self.every_s, exc)

    def _reap(self) -> None:
        if self.recover is None:
            return
        cutoff = utcnow() - timedelta(seconds=self.dead_after_s)
        with self.store.read() as conn:
            rows = conn.execute(sa.select(workflow_workers).where(
                _w.id != self.executor_id)).all()
        for row in rows:
            # Silent for too long, or (same host) its process is gone: no need to wait.
            if row.heartbeat_at >= cutoff and process_alive(row.host, row.pid):
                continue
            failed = self.recovery_failures.get(row.id)
            if failed is not None and time.monotonic() < failed[1]:
                continue  # backing off after a failed recovery
            with self.store.write() as conn:
                won = conn.execute(workflow_workers.delete().where(
                    _w.id == row.id, _w.heartbeat_at == row.heartbeat_at)).rowcount == 1
            if won:
                self._recover(row)

    def _recover(self, row: sa.Row) -> None:
        """Hand a dead worker's runs back; on failure put its row back and back off."""
        try:
            recovered = self.recover([row.id]) if self.recover else []
        except Exception as exc:
            attempts = self.recovery_failures.get(row.id, (0, 0.0))[0] + 1
            delay = min(self.every_s * 2 ** attempts, _MAX_BACKOFF_S)
            self.recovery_failures[row.id] = (attempts, time.monotonic() + delay)
            restored = self._restore(row)
            log.error("recovering the unfinished runs of stopped worker %s failed (attempt %d): "
                      "%s: %s; %s in %.0f s", row.id, attempts, type(exc).__name__, exc,
                      "trying again" if restored else "its row could not be put back; a "
                      "restart of that worker recovers them, or retry", delay)
            return
        self.recovery_failures.pop(row.id, None)
        if recovered:
            log.warning("recovered %d unfinished run(s) of stopped worker %s",
                        len(recovered), row.id)

    def _restore(self, row: sa.Row) -> bool:
        try:
            with self.store.write() as conn:
                conn.execute(workflow_workers.insert().values(**row._mapping))
            return True
        except sa.exc.SQLAlchemyError:  # back already (it restarted), or the database is down
            return False
