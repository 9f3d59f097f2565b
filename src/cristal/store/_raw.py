"""A thin DB-API path for hot statements (budget checks on every model call).

SQLAlchemy's execution pipeline costs a few tens of microseconds per statement;
the gateway runs four statements in two transactions around every model call, so
those go straight to the driver. SQL is written once with `:name` placeholders and
translated to the driver's style (`%(name)s` for psycopg). Timestamps are stored
the way SQLAlchemy's `UTCDateTime` stores them, so both paths read each other's rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

__all__ = ["RawCursor", "raw_transaction", "release_connections"]

_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")
_translated: dict[str, str] = {}


def _psycopg(sql: str) -> str:
    found = _translated.get(sql)
    if found is None:
        found = _translated[sql] = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
    return found


class RawCursor:
    """A DB-API cursor that takes `:name` SQL and answers with row counts and rows."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self._cursor = cursor
        self.dialect = dialect

    def execute(self, sql: str, params: dict[str, Any]) -> int:
        """Run one statement; return the number of rows it changed."""
        if self.dialect == "postgresql":
            self._cursor.execute(_psycopg(sql), params)
        else:
            self._cursor.execute(sql, params)
        return self._cursor.rowcount

    def fetchone(self) -> tuple | None:
        """The next row of the last query."""
        return self._cursor.fetchone()

    def json(self, value: Any) -> Any:
        """A JSON value in the form the database column expects (None stays NULL)."""
        if value is None:
            return None
        if self.dialect == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(value)
        return json.dumps(value, ensure_ascii=False)

    def timestamp(self, moment: datetime) -> Any:
        """A UTC timestamp in the form the database column expects."""
        moment = moment.astimezone(UTC)
        if self.dialect == "sqlite":  # what SQLAlchemy's DateTime writes on SQLite
            return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        return moment

    @classmethod
    def of(cls, conn: sa.Connection) -> RawCursor:
        """The cursor of an open SQLAlchemy connection (same transaction)."""
        return cls(conn.connection.dbapi_connection.cursor(), conn.dialect.name)


# SQLite connections held out of the pool: per engine, one per thread (by ident).
_held: weakref.WeakKeyDictionary[sa.Engine, dict[int, tuple[int, Any]]] = (
    weakref.WeakKeyDictionary())
_held_lock = threading.Lock()


def _sqlite_connection(engine: sa.Engine) -> Any:
    """This thread's own connection to a SQLite engine's file.

    A SQLite connection is a file handle: keeping one per thread spares the pool's
    checkout, reset and checkin (tens of microseconds) around every model call. It
    is opened through the pool once, so the engine's connect hooks (WAL, busy
    timeout, sqlite-vec) ran on it, then detached. Connections of threads that have
    ended are closed when another is opened; `release_connections` closes the rest.
    """
    ident = threading.get_ident()
    found = _held.get(engine, {}).get(ident)
    if found is not None and found[0] == os.getpid():  # never use one across fork()
        return found[1]
    fairy = engine.raw_connection()
    fairy.detach()
    with _held_lock:
        held = _held.setdefault(engine, {})
        alive = {t.ident for t in threading.enumerate()}
        for gone in [i for i in held if i not in alive]:
            _close(held.pop(gone))
        held[ident] = (os.getpid(), fairy)
    return fairy


def _close(entry: tuple[int, Any]) -> None:
    if entry[0] == os.getpid():
        with contextlib.suppress(Exception):
            entry[1].close()


def _forget(engine: sa.Engine) -> None:
    """Close and drop this thread's held connection (it broke); the next opens another."""
    with _held_lock:
        entry = _held.get(engine, {}).pop(threading.get_ident(), None)
    if entry is not None:
        _close(entry)


def release_connections(engine: sa.Engine) -> None:
    """Close the SQLite connections `raw_transaction` holds for `engine` (all threads)."""
    with _held_lock:
        for entry in _held.pop(engine, {}).values():
            _close(entry)


def _sqlite_transaction(engine: sa.Engine) -> Iterator[RawCursor]:
    fairy = _sqlite_connection(engine)
    cursor = fairy.dbapi_connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")
        yield RawCursor(cursor, "sqlite")
        cursor.execute("COMMIT")
    except BaseException:
        try:
            if fairy.dbapi_connection.in_transaction:
                cursor.execute("ROLLBACK")
        except Exception:  # the connection is unusable
            _forget(engine)
        raise
    finally:
        cursor.close()


@contextlib.contextmanager
def raw_transaction(engine: sa.Engine) -> Iterator[RawCursor]:
    """A write transaction on a DB-API connection; commit on success.

    On SQLite the transaction takes the write lock at BEGIN (BEGIN IMMEDIATE), like
    `Store.write()`, on the thread's own connection; on PostgreSQL it runs on a
    pooled connection.
    """
    if engine.dialect.name == "sqlite":
        yield from _sqlite_transaction(engine)
        return
    fairy = engine.raw_connection()
    dbapi = fairy.dbapi_connection
    cursor = dbapi.cursor()
    try:
        yield RawCursor(cursor, engine.dialect.name)
        dbapi.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            dbapi.rollback()
        raise
    finally:
        cursor.close()
        fairy.close()
