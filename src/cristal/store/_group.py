"""Group commit for hot SQLite writes: concurrent callers share one transaction.

SQLite runs one write transaction at a time, and on a busy machine its COMMIT
(writing the WAL) costs far more than the few statements inside. When several
threads write at once, the first becomes the leader: it takes every queued
piece of work, runs them all in one transaction, commits, and wakes the others,
who return only then, so each caller's writes are as durable when it returns as
with a transaction of its own. Alone, a caller is its own leader: no thread
hand-off, no added wait. PostgreSQL serialises per row, not per database, so
there each caller keeps its own transaction.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from cristal.store._raw import RawCursor, raw_transaction

__all__ = ["grouped"]

T = TypeVar("T")


class _Item:
    __slots__ = ("done", "error", "fn", "result")

    def __init__(self, fn: Callable[[RawCursor], Any]) -> None:
        self.fn = fn
        self.done: threading.Event | None = None  # only a follower waits
        self.result: Any = None
        self.error: BaseException | None = None


class _Group:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self.queue: list[_Item] = []
        self.leading = False

    def run(self, fn: Callable[[RawCursor], T]) -> T:
        item = _Item(fn)
        with self.lock:
            lead = not self.leading
            if lead:
                self.leading = True
            else:
                item.done = threading.Event()
            self.queue.append(item)
        if lead:
            self._lead()
        else:
            item.done.wait()
        if item.error is not None:
            raise item.error
        return item.result

    def _lead(self) -> None:
        while True:
            with self.lock:
                batch, self.queue = self.queue, []
                if not batch:
                    self.leading = False
                    return
            try:
                with raw_transaction(self.engine) as cur:
                    for item in batch:
                        # Each piece catches its own refusals; an error here is kept for
                        # its caller, and the statements it ran before failing stay.
                        try:
                            item.result = item.fn(cur)
                        except Exception as exc:
                            item.error = exc
            except BaseException as exc:  # the transaction failed: nobody's writes landed
                for item in batch:
                    item.error = item.error or exc
                if not isinstance(exc, Exception):  # interrupted: wake everyone, step down
                    _wake(batch)
                    with self.lock:
                        self.leading = False
                    raise
            _wake(batch)


def _wake(batch: list[_Item]) -> None:
    for item in batch:
        if item.done is not None:
            item.done.set()


_groups: weakref.WeakKeyDictionary[sa.Engine, _Group] = weakref.WeakKeyDictionary()
_groups_lock = threading.Lock()


def grouped(engine: sa.Engine, fn: Callable[[RawCursor], T]) -> T:
    """Run `fn(cursor)` in a committed write transaction, shared with concurrent callers.

    `fn` must only run statements on the cursor and return; it may be batched with
    other callers' work in one SQLite transaction (see the module docstring).
    """
    if engine.dialect.name != "sqlite":
        with raw_transaction(engine) as cur:
            return fn(cur)
    group = _groups.get(engine)
    if group is None:
        with _groups_lock:
            group = _groups.setdefault(engine, _Group(engine))
    return group.run(fn)
