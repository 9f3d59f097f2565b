"""After an erasure: find text anywhere in a database, and make deleted bytes go away.

`scan_text` enumerates every table and column from the database catalogue (not
from our table definitions), so a table added later that still holds the text is
found too. `compact` rewrites storage so deleted rows leave no bytes behind:
SQLite merges the FTS5 index, checkpoints and truncates the WAL and VACUUMs the
file; PostgreSQL VACUUMs (dead tuples are invisible to SQL at once, and VACUUM
lets their space be reused).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

__all__ = ["compact", "needle_forms", "scan_text"]


def needle_forms(text: str) -> list[str]:
    """The text as stored: plain, and as JSON escapes it (SQLite JSON keeps \\uXXXX)."""
    escaped = json.dumps(text)[1:-1]
    return [text] if escaped == text else [text, escaped]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def scan_text(engine: sa.Engine, texts: list[str]) -> list[str]:
    """`table.column` of every column (of every table and schema) still holding a text."""
    inspector = sa.inspect(engine)
    schemas = [None]
    if engine.dialect.name == "postgresql":
        schemas = [s for s in inspector.get_schema_names()
                   if s not in ("information_schema", "pg_catalog", "pg_toast")]
    hits: list[str] = []
    needles = [form for t in texts for form in needle_forms(t)]
    with engine.connect() as conn:
        for schema in schemas:
            prep = engine.dialect.identifier_preparer
            for table in inspector.get_table_names(schema=schema):
                name = prep.quote(table) if schema is None else (
                    f"{prep.quote_schema(schema)}.{prep.quote(table)}")
                for column in inspector.get_columns(table, schema=schema):
                    col = prep.quote(column["name"])
                    cond = " OR ".join(f"CAST({col} AS TEXT) LIKE :n{i} ESCAPE '\\'"
                                       for i in range(len(needles)))
                    found = conn.execute(sa.text(f"SELECT 1 FROM {name} WHERE {cond} LIMIT 1"),
                                         {f"n{i}": _like(n) for i, n in enumerate(needles)})
                    if found.first() is not None:
                        hits.append(f"{'' if schema is None else schema + '.'}{table}."
                                    f"{column['name']}")
        conn.rollback()
    return hits


def compact(engine: sa.Engine) -> None:
    """Rewrite storage so the bytes of deleted rows are gone (see the module docstring)."""
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
        return
    tables = sa.inspect(engine).get_table_names()
    # On the driver: SQLAlchemy's begin hook would wrap VACUUM in a transaction.
    raw = engine.raw_connection()
    try:
        raw.dbapi_connection.isolation_level = None
        cur = raw.dbapi_connection.cursor()
        for fts in [t for t in tables if t.endswith("_fts")]:  # merge out deleted entries
            cur.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM",
                          "PRAGMA wal_checkpoint(TRUNCATE)"):
            cur.execute(statement)
            cur.fetchall()
        cur.close()
    finally:
        raw.close()
