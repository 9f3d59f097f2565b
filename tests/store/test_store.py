"""The store opens, migrates (once, safely, concurrently) on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from cristal.errors import ConfigError, StoreError
from cristal.store import Store, new_id
from cristal.store._migrate import head_revision


def test_open_migrates_and_creates_default_tenant(db_url):
    store = Store.open(db_url)
    try:
        assert store.revision == head_revision()
        with store.read() as conn:
            names = conn.execute(sa.text("SELECT name FROM tenants")).scalars().all()
            version = conn.execute(
                sa.text("SELECT version_num FROM cristal_schema_version")).scalar_one()
        assert names == ["default"]
        assert version == head_revision()
    finally:
        store.close()


def test_reopen_is_idempotent(db_url):
    Store.open(db_url).close()
    store = Store.open(db_url)
    with store.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tenants")).scalar_one() == 1
    store.close()


def test_write_commits_and_rolls_back_on_error(db_url):
    store = Store.open(db_url)
    insert = sa.text("INSERT INTO tenants (id, name, created_at, period, routes) "
                     "VALUES (:id, :name, CURRENT_TIMESTAMP, 'month', '{}')")
    with store.write() as conn:
        conn.execute(insert, {"id": new_id("ten"), "name": "kept"})
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute(insert, {"id": new_id("ten"), "name": "lost"})
        raise RuntimeError("boom")
    with store.read() as conn:
        names = set(conn.execute(sa.text("SELECT name FROM tenants")).scalars())
    assert names == {"default", "kept"}
    store.close()


_OPEN = "import sys; from cristal.store import Store; Store.open(sys.argv[1]).close()"


def test_concurrent_processes_migrate_once(db_url):
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN, db_url], stderr=subprocess.PIPE)
             for _ in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = Store.open(db_url)
    with store.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tenants")).scalar_one() == 1
        assert conn.execute(
            sa.text("SELECT count(*) FROM cristal_schema_version")).scalar_one() == 1
    store.close()


def test_database_from_a_newer_cristal_is_refused(db_url):
    Store.open(db_url).close()
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE cristal_schema_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer Cristal"):
        Store.open(db_url)


def test_sqlite_uses_wal_and_reports_vector_backend(sqlite_url):
    store = Store.open(sqlite_url)
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert store.vector_backend in ("sqlite-vec", "numpy")
    store.close()


def test_postgres_reports_its_vector_backend(pg_url):
    store = Store.open(pg_url)
    assert store.dialect == "postgresql"
    assert store.vector_backend in ("pgvector", "numpy")  # with and without: test_vector_backend
    assert (store.vector_reason is None) == (store.vector_backend == "pgvector")
    store.close()


def test_bad_urls_fail_clearly(tmp_path):
    with pytest.raises(ConfigError, match="not supported"):
        Store.open("mysql://u@h/db")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open("postgresql://nobody:x@127.0.0.1:1/none")


def test_ids_are_unique_and_time_sortable():
    ids = [new_id("x") for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert all(i.startswith("x_") and len(i) == 28 for i in ids)
