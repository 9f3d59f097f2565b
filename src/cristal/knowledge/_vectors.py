"""Vector storage and nearest-neighbour search: sqlite-vec, pgvector, numpy as the fallback.

`chunk_vectors` holds every vector (float32, L2-normalised) on both databases. On
SQLite with the sqlite-vec extension, a `vec0` table per dimension
(`vec_chunks_384`, partitioned by collection) mirrors it for fast KNN; on PostgreSQL
with pgvector, an HNSW-indexed table per dimension does (`_pgvector`). Both are
derived data, rebuilt from `chunk_vectors` whenever they disagree. Elsewhere
(PostgreSQL without pgvector, SQLite without extensions) vectors are scored with
numpy over a per-process cache of the collection's matrix, and `Store.vector_reason`
says why.
"""

from __future__ import annotations

import threading

import numpy as np
import sqlalchemy as sa

from cristal.knowledge._pgvector import pg_add, pg_delete, pg_drop_collection, pg_search
from cristal.knowledge._tables import chunk_vectors, chunks
from cristal.store import Store

__all__ = ["add_vectors", "delete_vectors", "drop_collection_vectors", "vector_search"]

_cache: dict[tuple[str, str], tuple[tuple[int, int], np.ndarray, np.ndarray]] = {}
_cache_lock = threading.Lock()


def _vec_table(dim: int) -> str:
    return f"vec_chunks_{int(dim)}"


def _has_vec(conn: sa.Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    try:
        conn.exec_driver_sql("SELECT vec_version()")
        return True
    except sa.exc.OperationalError:
        return False


def _has_pgvector(conn: sa.Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return conn.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'vector'").scalar() is not None


def _vec_tables(conn: sa.Connection) -> list[str]:
    rows = (
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'vec_chunks_%' "
            "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        )
        .scalars()
        .all()
    )
    return [r for r in rows if r.removeprefix("vec_chunks_").isdigit()]


def add_vectors(
    conn: sa.Connection, collection_id: str, ids: list[int], vectors: np.ndarray
) -> None:
    """Store vectors for chunks (and mirror them into sqlite-vec when it is loaded)."""
    if not ids:
        return
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = int(vectors.shape[1])
    conn.execute(
        chunk_vectors.insert(),
        [
            {"chunk_id": i, "collection_id": collection_id, "dim": dim, "vector": v.tobytes()}
            for i, v in zip(ids, vectors, strict=True)
        ],
    )
    conn.execute(chunks.update().where(chunks.c.id.in_(ids)).values(embedded=True))
    if _has_pgvector(conn):
        pg_add(conn, collection_id, ids, vectors)
    if _has_vec(conn):
        table = _vec_table(dim)
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING vec0("
            f"collection text partition key, embedding float[{dim}] distance_metric=cosine)"
        )
        conn.exec_driver_sql(
            f"INSERT INTO {table}(rowid, collection, embedding) VALUES (?, ?, ?)",
            [(i, collection_id, v.tobytes()) for i, v in zip(ids, vectors, strict=True)],
        )


def delete_vectors(conn: sa.Connection, ids: list[int]) -> None:
    """Remove the vectors of these chunks."""
    if not ids:
        return
    conn.execute(chunk_vectors.delete().where(chunk_vectors.c.chunk_id.in_(ids)))
    if _has_pgvector(conn):
        pg_delete(conn, ids)
    if _has_vec(conn):
        marks = ",".join("?" * len(ids))
        for table in _vec_tables(conn):
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE rowid IN ({marks})", tuple(ids))


def drop_collection_vectors(conn: sa.Connection, collection_id: str) -> None:
    """Remove every vector of a collection."""
    conn.execute(chunk_vectors.delete().where(chunk_vectors.c.collection_id == collection_id))
    if _has_pgvector(conn):
        pg_drop_collection(conn, collection_id)
    if _has_vec(conn):
        for table in _vec_tables(conn):
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE collection = ?", (collection_id,))


def _signature(conn: sa.Connection, collection_id: str) -> tuple[int, int, int]:
    row = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.max(chunk_vectors.c.chunk_id), 0),
            sa.func.coalesce(sa.func.max(chunk_vectors.c.dim), 0),
        ).where(chunk_vectors.c.collection_id == collection_id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _mirrored(conn: sa.Connection, table: str, collection_id: str) -> int:
    if table not in _vec_tables(conn):
        return -1
    return conn.exec_driver_sql(
        f"SELECT count(*) FROM {table} WHERE collection = ?", (collection_id,)
    ).scalar()


def _rebuild_mirror(conn: sa.Connection, table: str, collection_id: str, dim: int) -> None:
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING vec0(collection text "
        f"partition key, embedding float[{dim}] distance_metric=cosine)"
    )
    conn.exec_driver_sql(f"DELETE FROM {table} WHERE collection = ?", (collection_id,))
    rows = conn.execute(
        sa.select(chunk_vectors.c.chunk_id, chunk_vectors.c.vector).where(
            chunk_vectors.c.collection_id == collection_id, chunk_vectors.c.dim == dim
        )
    ).all()
    conn.exec_driver_sql(
        f"INSERT INTO {table}(rowid, collection, embedding) VALUES (?, ?, ?)",
        [(r[0], collection_id, r[1]) for r in rows],
    )


def _sqlite_vec_search(
    store: Store, collection_id: str, query: np.ndarray, k: int, count: int
) -> list[tuple[int, float]] | None:
    table = _vec_table(query.shape[0])
    sql = (
        f"SELECT rowid, distance FROM {table} WHERE embedding MATCH ? AND k = ? "
        "AND collection = ? ORDER BY distance"
    )
    params = (np.ascontiguousarray(query, dtype=np.float32).tobytes(), k, collection_id)
    with store.read() as conn:
        if not _has_vec(conn):
            return None
        current = _mirrored(conn, table, collection_id) == count
        if current:
            found = conn.exec_driver_sql(sql, params).all()
    if not current:  # vectors written where sqlite-vec was missing: mirror them now
        with store.write() as conn:
            _rebuild_mirror(conn, table, collection_id, query.shape[0])
            found = conn.exec_driver_sql(sql, params).all()
    return [(int(r[0]), 1.0 - float(r[1])) for r in found]


def _matrix(store: Store, collection_id: str) -> tuple[np.ndarray, np.ndarray]:
    key = (str(store.engine.url), collection_id)
    with store.read() as conn:
        signature = _signature(conn, collection_id)
        with _cache_lock:
            cached = _cache.get(key)
        if cached is not None and cached[0] == signature[:2]:
            return cached[1], cached[2]
        rows = conn.execute(
            sa.select(chunk_vectors.c.chunk_id, chunk_vectors.c.vector)
            .where(chunk_vectors.c.collection_id == collection_id)
            .order_by(chunk_vectors.c.chunk_id)
        ).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    dim = signature[2] or 1
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(-1, dim)
    with _cache_lock:
        _cache[key] = (signature[:2], ids, matrix)
    return ids, matrix


def vector_search(
    store: Store, collection_id: str, query: np.ndarray, k: int
) -> list[tuple[int, float]]:
    """The k chunks nearest to `query` (cosine similarity, best first)."""
    query = np.asarray(query, dtype=np.float32).reshape(-1)
    with store.read() as conn:
        count, _, dim = _signature(conn, collection_id)
    if count == 0 or dim != query.shape[0]:
        return []
    if store.vector_backend == "pgvector":
        return pg_search(store.engine, collection_id, query, min(k, count), count)
    if store.dialect == "sqlite":
        found = _sqlite_vec_search(store, collection_id, query, min(k, count), count)
        if found is not None:
            return found
    ids, matrix = _matrix(store, collection_id)
    scores = matrix @ query
    top = np.argsort(-scores)[:k] if len(scores) <= k else np.argpartition(-scores, k)[:k]
    top = top[np.argsort(-scores[top])]
    return [(int(ids[i]), float(scores[i])) for i in top]
