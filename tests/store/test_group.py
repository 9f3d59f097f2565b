"""Group commit: concurrent SQLite writers share transactions, each keeps its own outcome."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from cristal.store import Store, grouped
from cristal.store._group import _groups


def test_concurrent_writers_share_a_transaction_and_keep_their_errors(sqlite_url):
    store = Store.open(sqlite_url)
    with store.write() as conn:
        conn.execute(sa.text("CREATE TABLE g (n INTEGER)"))
    gate = threading.Event()
    cursors: dict[int, int] = {}
    errors: dict[int, BaseException] = {}

    def work(n: int):
        def fn(cur):
            if n == 0:
                gate.wait(10)  # the leader holds its batch open while the others queue
            cur.execute("INSERT INTO g (n) VALUES (:n)", {"n": n})
            cursors[n] = id(cur)
            if n == 3:
                raise ValueError("refused")  # this caller's own outcome
            return n
        try:
            assert grouped(store.engine, fn) == n
        except ValueError as exc:
            errors[n] = exc

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    threads[0].start()
    time.sleep(0.2)
    for t in threads[1:]:
        t.start()
    deadline = time.monotonic() + 10
    while len(_groups[store.engine].queue) < 7 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.set()
    for t in threads:
        t.join(10)
    assert list(errors) == [3]
    assert len({cursors[n] for n in range(1, 8)}) == 1  # the seven followers: one transaction
    with store.read() as conn:
        rows = sorted(conn.execute(sa.text("SELECT n FROM g")).scalars())
    assert rows == list(range(8))  # committed, including what the refused caller wrote
    store.close()


def test_postgres_keeps_one_transaction_per_caller(pg_url):
    store = Store.open(pg_url)
    assert grouped(store.engine, lambda cur: cur.execute("SELECT 1", {})) in (1, -1)
    assert store.engine not in _groups
    store.close()


def test_a_failing_statement_raises_in_its_caller(sqlite_url):
    store = Store.open(sqlite_url)
    with pytest.raises(store.engine.dialect.dbapi.OperationalError, match="missing"):
        grouped(store.engine, lambda cur: cur.execute("INSERT INTO missing VALUES (1)", {}))
    assert grouped(store.engine, lambda cur: cur.execute("SELECT 1", {})) is not None
    store.close()
