"""Parking: a run that waits (approval, budget, a long sleep) gives its queue slot back.

DBOS counts a run against its queue's concurrency (per worker, per tenant,
global) for as long as the run is PENDING, even while it only waits in `recv`.
So a run that has waited `workflows.park_after_s` is *parked*:

1. the worker's `Parker` marks it (`waiting.parked` in its DBOS attributes), cancels
   its DBOS workflow and sends it a wake-up; the run's `recv` returns the wake-up
   and its next checkpoint ends the execution, freeing the slot and the thread;
2. a row in `workflow_parked` says when to wake it (`wake_at`: a timeout, an
   escalation, a budget re-check, the end of a sleep; none for a plain approval);
3. whoever has news wakes it: `cristal approve` (after sending the decision),
   `cristal runs resume`, or any worker once `wake_at` has passed. Waking is one
   conditional DELETE of the row (exactly one waker wins) and DBOS's
   `resume_workflow`, which queues the run again; it replays its checkpoints
   (the recorded `recv` returns the wake-up) and waits again live, where the
   decision is waiting for it.

A wake that comes before the run is parked leaves a `wake` row; parking finds it and
resumes the run at once, so a decision racing the parker is never lost. Views
show a parked run as `waiting`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from cristal.store import utcnow
from cristal.workflows._tables import workflow_parked

if TYPE_CHECKING:
    from cristal.workflows._engine import Engine

__all__ = ["Parker", "forget_parked", "sweep_due", "wake_run"]

log = logging.getLogger("cristal.workflows")
_p = workflow_parked.c
_WAKE_ROW_TTL_S = 3600.0


def wake_run(engine: Engine, run_id: str) -> bool:
    """Continue a parked run now (True), or note the wake-up for when it parks (False)."""
    store = engine.app.store
    for _ in range(3):
        with store.write() as conn:
            row = conn.execute(sa.select(_p.queue).where(
                _p.run_id == run_id, _p.state == "parked")).first()
            won = row is not None and conn.execute(workflow_parked.delete().where(
                _p.run_id == run_id, _p.state == "parked")).rowcount == 1
        if won:
            _resume(engine, run_id, row.queue)
            return True
        try:
            with store.write() as conn:
                exists = conn.execute(sa.select(_p.state).where(_p.run_id == run_id)).first()
                if exists is None:
                    conn.execute(workflow_parked.insert().values(
                        run_id=run_id, state="wake", wake_at=None, queue=None,
                        updated_at=utcnow()))
                    return False
                if exists.state == "wake":
                    return False
        except sa.exc.IntegrityError:
            pass  # the parker inserted its row meanwhile
        # a row appeared as `parked` between the two transactions: try to claim it again
    return False


def forget_parked(engine: Engine, run_id: str) -> None:
    """Drop a run's parking row (it was cancelled: nothing should wake it)."""
    with engine.app.store.write() as conn:
        conn.execute(workflow_parked.delete().where(_p.run_id == run_id))


def sweep_due(engine: Engine, now: float | None = None) -> int:
    """Wake every parked run whose `wake_at` has passed; returns how many this call woke."""
    moment = time.time() if now is None else now
    store = engine.app.store
    with store.read() as conn:
        due = conn.execute(sa.select(_p.run_id, _p.queue).where(
            _p.state == "parked", _p.wake_at.is_not(None), _p.wake_at <= moment)
            .order_by(_p.wake_at).limit(500)).all()
        stale = moment - _WAKE_ROW_TTL_S
    woke = 0
    for row in due:
        with store.write() as conn:
            won = conn.execute(workflow_parked.delete().where(
                _p.run_id == row.run_id, _p.state == "parked")).rowcount == 1
        if won:
            _resume(engine, row.run_id, row.queue)
            woke += 1
    with store.write() as conn:  # wake-ups for runs that finished without parking
        conn.execute(workflow_parked.delete().where(
            _p.state == "wake", _p.updated_at < _from_epoch(stale)))
    return woke


def _from_epoch(moment: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC)


def _resume(engine: Engine, run_id: str, queue: str | None) -> None:
    """Queue a parked run again. Its `waiting` (with `parked`) stays as it is until the run
    itself sets the next one: removing `parked` first would make the still-CANCELLED run
    read as cancelled (and done) for a moment."""
    engine.client.resume_workflow(run_id, queue_name=queue or "default")


class Parker:
    """In a worker: parks runs that have waited long enough, and wakes due ones."""

    def __init__(self, engine: Engine, after_s: float, every_s: float) -> None:
        self.engine = engine
        self.after_s = after_s
        self.every_s = every_s
        self._lock = threading.Lock()
        self._waits: dict[int, tuple[str, str, float | None, dict[str, Any]]] = {}
        self._due: list[tuple[float, int]] = []
        self._ids = itertools.count()
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cristal-parker", daemon=True)

    def start(self) -> None:
        """Start parking and sweeping."""
        self._thread.start()

    def stop(self) -> None:
        """Stop (runs still waiting stay as they are; the next worker takes over)."""
        self._stop.set()
        self._kick.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def waiting(self, run_id: str, topic: str, wake_at: float | None,
                info: dict[str, Any]) -> int:
        """A run starts waiting on `topic`; returns a token for `done`."""
        token = next(self._ids)
        with self._lock:
            self._waits[token] = (run_id, topic, wake_at, info)
            heapq.heappush(self._due, (time.monotonic() + self.after_s, token))
        self._kick.set()
        return token

    def done(self, token: int) -> None:
        """The wait ended by itself (a message, a timeout): nothing to park."""
        with self._lock:
            self._waits.pop(token, None)

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            with self._lock:
                ready = []
                while self._due and self._due[0][0] <= now:
                    _, token = heapq.heappop(self._due)
                    if token in self._waits:
                        ready.append(token)
                wait_s = self._due[0][0] - now if self._due else self.every_s
            for token in ready:
                self._park(token)
            if now >= next_sweep:
                try:
                    sweep_due(self.engine)
                except Exception as exc:  # the database may be briefly unavailable
                    log.warning("waking parked runs failed: %s; trying again in %.1f s",
                                exc, self.every_s)
                next_sweep = now + self.every_s
            self._kick.wait(max(0.01, min(wait_s, next_sweep - time.monotonic())))
            self._kick.clear()

    def _park(self, token: int) -> None:
        with self._lock:
            wait = self._waits.pop(token, None)
            if wait is None:  # the wait ended meanwhile
                return
            run_id, topic, wake_at, info = wait
            try:
                self._cancel(run_id, topic, info)
            except Exception as exc:
                log.warning("parking run %s failed: %s; it keeps its queue slot", run_id, exc)
                return
        try:
            self._record(run_id, wake_at)
        except Exception as exc:
            log.error("run %s was parked but its wake-up could not be stored (%s); "
                      "`cristal runs resume %s` continues it", run_id, exc, run_id)

    def _cancel(self, run_id: str, topic: str, info: dict[str, Any]) -> None:
        client = self.engine.client
        client.update_workflow_attributes(run_id, {"waiting": {**info, "parked": True,
                                                               "run": run_id}}, merge=True)
        client.cancel_workflow(run_id)
        client.send(run_id, {"wake": True, "parked": True}, topic)

    def _record(self, run_id: str, wake_at: float | None) -> None:
        queue = None
        found = self.engine.client.list_workflows(workflow_ids=[run_id], load_input=False,
                                                  load_output=False)
        if found:
            queue = (found[0].attributes or {}).get("queue") or found[0].queue_name
        for _ in range(3):
            try:
                with self.engine.app.store.write() as conn:
                    pending = conn.execute(sa.select(_p.state).where(
                        _p.run_id == run_id)).first()
                    if pending is None:
                        conn.execute(workflow_parked.insert().values(
                            run_id=run_id, state="parked", wake_at=wake_at, queue=queue,
                            updated_at=utcnow()))
                        return
                    conn.execute(workflow_parked.delete().where(_p.run_id == run_id))
                break
            except sa.exc.IntegrityError:
                continue  # a wake-up was noted meanwhile: read it
        # someone asked to wake it before it was parked (a decision raced the parker)
        _resume(self.engine, run_id, queue)
