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
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

__all__ = ["RawCursor", "raw_transaction"]

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


@contextlib.contextmanager
def raw_transaction(engine: sa.Engine) -> Iterator[RawCursor]:
    """A write transaction on a pooled DB-API connection; commit on success.

    On SQLite the transaction takes the write lock at BEGIN (BEGIN IMMEDIATE), like
    `Store.write()`.
    """
    fairy = engine.raw_connection()
    dbapi = fairy.dbapi_connection
    cursor = dbapi.cursor()
    sqlite = engine.dialect.name == "sqlite"
    try:
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        yield RawCursor(cursor, engine.dialect.name)
        if sqlite:
            cursor.execute("COMMIT")
        else:
            dbapi.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            if sqlite:
                cursor.execute("ROLLBACK")
            else:
                dbapi.rollback()
        raise
    finally:
        cursor.close()
        fairy.close()
