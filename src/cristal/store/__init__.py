"""The store: one database URL (SQLite by default, PostgreSQL at scale), migrated on open."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cristal.errors import ConfigError, StoreError
from cristal.store._compact import compact, needle_forms, scan_text
from cristal.store._engine import create_engine, detect_pgvector, sqlite_module
from cristal.store._files import private_dir, private_file, write_private_text
from cristal.store._group import grouped
from cristal.store._raw import RawCursor, raw_transaction, release_connections
from cristal.store._schema import JSON, UTCDateTime, metadata, new_id, utcnow

__all__ = [
    "JSON",
    "RawCursor",
    "Store",
    "UTCDateTime",
    "compact",
    "grouped",
    "metadata",
    "needle_forms",
    "new_id",
    "private_dir",
    "private_file",
    "raw_transaction",
    "scan_text",
    "sqlite_module",
    "utcnow",
    "write_private_text",
]


class Store:
    """A migrated database: hands out read and write connections."""

    def __init__(self, engine: sa.Engine, caps: dict[str, Any], revision: str) -> None:
        self.engine = engine
        self.revision = revision
        self._caps = caps

    @classmethod
    def open(cls, url: str, migrate: bool = True) -> Store:
        """Open (and by default migrate) the database at `url`."""
        from cristal.store._migrate import migrate as run_migrations

        parsed = make_url(url) if "://" in url else None
        if (parsed is not None and parsed.get_backend_name() == "sqlite"
                and parsed.database and parsed.database != ":memory:"):
            # 0700 folder, 0600 file: SQLite gives -wal and -shm the file's mode.
            private_file(Path(parsed.database), sqlite=True)
        engine, caps = create_engine(url)
        try:
            revision = run_migrations(engine) if migrate else ""
        except sa.exc.OperationalError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open the database {engine.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}. Check that the server runs and CRISTAL_DATABASE_URL is right.",
            ) from exc
        except BaseException:
            engine.dispose()
            raise
        store = cls(engine, caps, revision)
        if store.dialect == "postgresql":
            detect_pgvector(engine, caps)
        required = os.environ.get("CRISTAL_REQUIRE_SQLITE_VEC") == "1"
        if required and store.dialect == "sqlite" and store.vector_backend != "sqlite-vec":
            engine.dispose()
            raise ConfigError(
                f"sqlite-vec is required (CRISTAL_REQUIRE_SQLITE_VEC=1) but {store.vector_reason}"
                ". Fix the install (pip install sqlite-vec pysqlite3-binary) or unset "
                "CRISTAL_REQUIRE_SQLITE_VEC.",
                key="sqlite-vec",
            )
        return store

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @property
    def vector_backend(self) -> str:
        """How vectors are searched here: `sqlite-vec`, `pgvector`, or `numpy` (the fallback)."""
        if self.dialect == "sqlite":
            with self.engine.connect():
                pass  # make sure at least one connection has tried to load the extension
            return "sqlite-vec" if self._caps.get("vec") else "numpy"
        return "pgvector" if self._caps.get("pgvector") else "numpy"

    @property
    def vector_reason(self) -> str | None:
        """Why vectors are scored with numpy here (None when the vector index is in use)."""
        if self.vector_backend != "numpy":
            return None
        if self.dialect == "sqlite":
            return f"sqlite-vec did not load: {self._caps.get('vec_error') or 'unknown reason'}"
        return f"PostgreSQL without pgvector: {self._caps.get('pgvector_error') or 'not checked'}"

    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection in a read transaction (rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn
            conn.rollback()

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction, committed on success.

        On SQLite the transaction takes the write lock at BEGIN (BEGIN IMMEDIATE),
        so concurrent writers queue on the busy timeout instead of failing.
        """
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Release every connection (pooled, and those held for hot statements)."""
        release_connections(self.engine)
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"
