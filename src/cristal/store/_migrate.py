"""Apply Alembic migrations automatically and safely when a Store opens.

Concurrent starters serialise on a lock (a PostgreSQL advisory lock, or a file
lock beside the SQLite file) so two processes never migrate at once; each
upgrade runs in one transaction, so a failure leaves the schema as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from cristal.errors import StoreError

__all__ = ["head_revision", "migrate"]

_VERSION_TABLE = "cristal_schema_version"
_PG_LOCK_KEY = 0x63726973  # "cris"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest migration this version of Cristal knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(conn: sa.Connection) -> str | None:
    ctx = MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE})
    return ctx.get_current_revision()


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except Exception:  # alembic raises CommandError/ResolutionError for unknown ids
        return False


@contextlib.contextmanager
def _lock(engine: sa.Engine, conn: sa.Connection) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock = os.open(f"{database}.migrate-lock", os.O_CREAT | os.O_RDWR, 0o600)
    with os.fdopen(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: sa.Engine) -> str:
    """Bring the schema to the newest revision; return it. Cheap when already current."""
    head = head_revision()
    with engine.connect() as conn:
        current = _current(conn)
        conn.rollback()
        if current == head:
            return head
        with _lock(engine, conn):
            current = _current(conn)  # another process may have migrated meanwhile
            conn.rollback()
            if current == head:
                return head
            scripts = ScriptDirectory.from_config(_config())
            if current is not None and not _known(scripts, current):
                raise StoreError(
                    f"the database is at schema revision {current}, which this version of "
                    "Cristal does not know: it was written by a newer Cristal. Upgrade Cristal.",
                    revision=current,
                )
            cfg = _config()
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
                conn.commit()
            except sa.exc.SQLAlchemyError as exc:
                conn.rollback()
                raise StoreError(
                    f"migrating the database from {current or 'empty'} to {head} failed: "
                    f"{exc.__class__.__name__}: {exc}. Nothing was changed; report this "
                    "with the output of `cristal config show`.",
                ) from exc
    return head
