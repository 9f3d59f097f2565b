"""Engine creation for the two supported databases: SQLite (default) and PostgreSQL."""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from cristal.errors import ConfigError

__all__ = ["create_engine", "detect_pgvector", "sqlite_module"]

_log = logging.getLogger("cristal.store")
_NO_EXTENSIONS = (
    "this Python's sqlite3 cannot load extensions and pysqlite3 is not installed "
    "(pip install pysqlite3-binary, where a wheel exists)"
)


def sqlite_module() -> tuple[ModuleType, bool]:
    """The DB-API module for SQLite and whether it can load extensions (sqlite-vec)."""
    for name in ("pysqlite3.dbapi2", "sqlite3"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        probe = module.connect(":memory:")
        try:
            can_load = hasattr(probe, "enable_load_extension")
        finally:
            probe.close()
        if can_load or name == "sqlite3":
            return module, can_load
    raise ConfigError("no SQLite module is available; reinstall Python with sqlite3 support.")


def _load_vec(dbapi_conn: Any) -> str | None:
    """Load sqlite-vec into a connection; None when it loaded, else why not."""
    try:
        import sqlite_vec

        dbapi_conn.enable_load_extension(True)
        sqlite_vec.load(dbapi_conn)
        dbapi_conn.enable_load_extension(False)
        return None
    except Exception as exc:  # any failure means the numpy fallback serves vectors
        return f"{type(exc).__name__}: {exc}"


def _vec_failed(caps: dict[str, Any], reason: str) -> None:
    """Remember (and log once per engine) why vectors fall back to numpy scoring."""
    if caps.get("vec_error") is None:
        _log.warning("sqlite-vec did not load (%s); vectors are scored with numpy instead",
                     reason)
    caps["vec_error"] = reason


def detect_pgvector(engine: Engine, caps: dict[str, Any]) -> None:
    """Use pgvector when the database has it, or can create it; else record why not."""
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql(
                "SELECT extversion FROM pg_extension WHERE extname = 'vector'").scalar()
            if version is None:
                available = conn.exec_driver_sql(
                    "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
                ).scalar()
                if available is None:
                    raise LookupError(
                        "the server has no pgvector extension (Debian: scripts/setup-system "
                        "installs it)")
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
                conn.commit()
                version = available
        caps["pgvector"] = version
    except LookupError as exc:
        caps["pgvector_error"] = str(exc)
    except sa.exc.DBAPIError as exc:
        caps["pgvector_error"] = (
            f"CREATE EXTENSION vector failed ({str(exc.orig).strip()}); a superuser can "
            "create it in this database, or in template1 for new ones")
    if caps.get("pgvector_error"):
        _log.warning("pgvector is not available (%s); vectors are scored with numpy instead",
                     caps["pgvector_error"])


def _sqlite_engine(url: sa.URL, echo: bool, caps: dict[str, Any]) -> Engine:
    module, can_load = sqlite_module()
    engine = sa.create_engine(
        url,
        module=module,
        echo=echo,
        connect_args={"timeout": 60, "check_same_thread": False},
        pool_size=16,
        max_overflow=32,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Driver-level autocommit; the "begin" hook below emits BEGIN itself, so a
        # write transaction can take the write lock up front (BEGIN IMMEDIATE)
        # instead of failing later when a read lock cannot be upgraded.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()
        error = _load_vec(dbapi_conn) if can_load else _NO_EXTENSIONS
        if error is None:
            caps["vec"] = True
        else:
            _vec_failed(caps, error)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def create_engine(url: str, echo: bool = False) -> tuple[Engine, dict[str, Any]]:
    """An engine for a `sqlite:///…` or `postgresql://…` URL, and its capabilities.

    The capabilities dict fills in as connections open: `vec` is True once the
    sqlite-vec extension has loaded into a connection; `vec_error` says why it did not.
    """
    caps: dict[str, Any] = {"vec": False, "vec_error": None}
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(
            f"database URL {url!r} is not valid: use sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/DB (CRISTAL_DATABASE_URL).",
            key="database_url",
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed.set(drivername="sqlite+pysqlite"), echo, caps), caps
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        engine = sa.create_engine(parsed, echo=echo, pool_size=16, max_overflow=32,
                                  pool_pre_ping=True)
        return engine, caps
    raise ConfigError(
        f"database {backend!r} is not supported: use sqlite:///PATH or postgresql://… "
        "(CRISTAL_DATABASE_URL).",
        key="database_url",
    )
