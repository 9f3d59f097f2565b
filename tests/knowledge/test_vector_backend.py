"""Which vector search serves a store, and why not the fast one (issue 12, item 19).

A broken sqlite-vec install is simulated the way it happens: the `sqlite_vec` package
found first on the path fails to import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from conftest import PG_ADMIN_URL, require
from cristal.store import Store


def _broken_sqlite_vec(tmp_path: Path) -> dict[str, str]:
    shadow = tmp_path / "shadow" / "sqlite_vec"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        'raise ImportError("simulated: vec0.so is missing from this sqlite-vec install")\n'
    )
    path = os.pathsep.join([str(shadow.parent), *sys.path])
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "250"}


def _config_show(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cristal", "config", "show", *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )


def test_config_show_and_the_log_say_why_sqlite_vec_did_not_load(tmp_path):
    env = _broken_sqlite_vec(tmp_path)
    env.pop("CRISTAL_REQUIRE_SQLITE_VEC", None)
    shown = _config_show(env, "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {r["key"]: r for r in json.loads(shown.stdout.strip().splitlines()[-1])["config"]}
    assert rows["store.vectors"]["value"] == "numpy"
    assert "vec0.so is missing" in rows["store.vectors"]["reason"]
    assert "sqlite-vec did not load" in shown.stderr and "vec0.so is missing" in shown.stderr
    table = _config_show(env)
    assert "numpy (sqlite-vec did not load: ImportError: simulated" in table.stdout


def test_strict_mode_refuses_a_store_without_sqlite_vec(tmp_path):
    env = {**_broken_sqlite_vec(tmp_path), "CRISTAL_REQUIRE_SQLITE_VEC": "1"}
    shown = _config_show(env, "--json")
    assert shown.returncode == 2
    assert "CRISTAL_REQUIRE_SQLITE_VEC=1" in shown.stdout + shown.stderr
    assert "vec0.so is missing" in shown.stdout + shown.stderr


def test_sqlite_vec_serves_vectors_here(sqlite_url):
    """Fails in CI (strict mode) when the extension is expected but does not load."""
    store = Store.open(sqlite_url)
    try:
        require(store.vector_backend == "sqlite-vec", f"sqlite-vec ({store.vector_reason})")
        assert store.vector_reason is None
    finally:
        store.close()


def test_postgres_searches_vectors_with_pgvector_hnsw(pg_url):
    """Fails in CI (strict mode) when pgvector is not installed on the server."""
    from cristal.knowledge._tables import chunk_vectors, chunks
    from cristal.knowledge._vectors import add_vectors, delete_vectors, vector_search

    store = Store.open(pg_url)
    try:
        require(store.vector_backend == "pgvector", f"pgvector ({store.vector_reason})")
        rng = np.random.default_rng(7)
        vectors = rng.normal(size=(300, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        *ids, spare = _chunks(store, 301)
        with store.write() as conn:
            add_vectors(conn, "col1", ids, vectors)
            index = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'pgv_chunks_384' "
                "AND indexdef LIKE '%%hnsw%%'").scalar()
        assert "vector_cosine_ops" in index
        query = vectors[17] + 0.05 * vectors[42]
        query /= np.linalg.norm(query)
        found = vector_search(store, "col1", query, 10)
        exact = np.argsort(-(vectors @ query))[:10]
        assert [i for i, _ in found][:2] == [ids[exact[0]], ids[exact[1]]]
        assert len({i for i, _ in found} & {ids[j] for j in exact}) >= 9
        assert found[0][1] == pytest.approx(float(vectors[exact[0]] @ query), abs=1e-4)
        with store.write() as conn:  # a deleted chunk leaves the index too
            delete_vectors(conn, [ids[exact[0]]])
            conn.execute(chunks.delete().where(chunks.c.id == ids[exact[0]]))
        assert vector_search(store, "col1", query, 1)[0][0] == ids[exact[1]]
        # A vector stored where pgvector was missing (chunk_vectors only) is mirrored at
        # the next search.
        with store.write() as conn:
            conn.execute(chunk_vectors.insert().values(
                chunk_id=spare, collection_id="col1", dim=384,
                vector=query.astype(np.float32).tobytes()))
        assert vector_search(store, "col1", query, 1)[0][0] == spare
    finally:
        store.close()


def _chunks(store: Store, n: int) -> list[int]:
    """n chunk rows in one document of collection col1 (vectors need their chunks)."""
    from cristal.governance import get_tenant
    from cristal.knowledge._tables import chunks, collections, documents
    from cristal.store import utcnow

    tenant = get_tenant(store, "default")
    with store.write() as conn:
        conn.execute(collections.insert().values(
            id="col1", tenant_id=tenant.id, name="c", created_at=utcnow(), updated_at=utcnow()))
        conn.execute(documents.insert().values(
            id="doc1", collection_id="col1", source="/x", path="x", content_hash="0", size=1,
            format="text", lang="en", text="x", chunks=n, ingested_at=utcnow()))
        conn.execute(chunks.insert(), [
            {"document_id": "doc1", "collection_id": "col1", "idx": i, "start": 0, "end": 1,
             "heading_path": [], "text": "x", "terms": "x"} for i in range(n)])
        return list(conn.execute(sa.select(chunks.c.id).order_by(chunks.c.id)).scalars())


@pytest.fixture
def pg_without_pgvector():
    """A database made from template0: no pgvector, and the cristal role may not add it."""
    require(bool(PG_ADMIN_URL), "PostgreSQL (CRISTAL_TEST_PG_URL)")
    url = PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = "cristal_test_novector"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_without_pgvector_falls_back_to_numpy_and_says_why(pg_without_pgvector):
    store = Store.open(pg_without_pgvector)
    try:
        with store.read() as conn:
            superuser = conn.exec_driver_sql("SELECT rolsuper FROM pg_roles "
                                             "WHERE rolname = current_user").scalar()
        if superuser:
            pytest.skip("this account is a superuser: it creates pgvector wherever it can")
        assert store.vector_backend == "numpy"
        assert "PostgreSQL without pgvector" in store.vector_reason
        assert "CREATE EXTENSION vector failed" in store.vector_reason or \
            "no pgvector extension" in store.vector_reason
    finally:
        store.close()
