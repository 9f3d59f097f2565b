"""pgvector on PostgreSQL: an HNSW index (cosine) mirroring `chunk_vectors`.

Like the sqlite-vec tables on SQLite, `pgv_chunks_<dim>` is derived data: every vector
lives in `chunk_vectors` first and the mirror is rebuilt whenever its count for a
collection disagrees (vectors written while pgvector was missing, for instance). A
search filters by collection with pgvector's iterative index scan (0.8+), so a small
collection inside a large table still gets its k neighbours. Used only when the store
found the extension (`Store.vector_backend == "pgvector"`).
"""

from __future__ import annotations

import threading

import numpy as np
import sqlalchemy as sa

from cristal.knowledge._tables import chunk_vectors

__all__ = ["pg_add", "pg_delete", "pg_drop_collection", "pg_search", "pg_tables"]

EF_SEARCH = 100  # HNSW candidate list per search (pgvector's default is 40)
# (database, collection) -> vector count last seen in the mirror: a search re-counts the
# mirror (a scan of the collection) only when the collection's count has changed.
_checked: dict[tuple[str, str], int] = {}
_checked_lock = threading.Lock()


def _table(dim: int) -> str:
    return f"pgv_chunks_{int(dim)}"


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def pg_tables(conn: sa.Connection) -> list[str]:
    """The mirror tables present (one per vector dimension)."""
    rows = conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE 'pgv_chunks_%%'"
    ).scalars()
    return [r for r in rows if r.removeprefix("pgv_chunks_").isdigit()]


def _ensure(conn: sa.Connection, dim: int) -> str:
    table = _table(dim)
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {table} (chunk_id bigint PRIMARY KEY, "
        f"collection_id varchar(40) NOT NULL, embedding vector({int(dim)}) NOT NULL)"
    )
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {table}_hnsw ON {table} "
        "USING hnsw (embedding vector_cosine_ops)"
    )
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {table}_collection ON {table} (collection_id)"
    )
    return table


def pg_add(conn: sa.Connection, collection_id: str, ids: list[int], vectors: np.ndarray) -> None:
    """Mirror new vectors into the HNSW table of their dimension."""
    table = _ensure(conn, int(vectors.shape[1]))
    conn.exec_driver_sql(
        f"INSERT INTO {table} (chunk_id, collection_id, embedding) "
        "VALUES (%(id)s, %(c)s, %(v)s::vector) ON CONFLICT (chunk_id) DO NOTHING",
        [{"id": i, "c": collection_id, "v": _literal(v)}
         for i, v in zip(ids, vectors, strict=True)],
    )


def pg_delete(conn: sa.Connection, ids: list[int]) -> None:
    """Remove chunks from every mirror table."""
    for table in pg_tables(conn):
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE chunk_id = ANY(%(ids)s)",
                             {"ids": list(ids)})


def pg_drop_collection(conn: sa.Connection, collection_id: str) -> None:
    """Remove a collection from every mirror table."""
    for table in pg_tables(conn):
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE collection_id = %(c)s",
                             {"c": collection_id})


def _rebuild(conn: sa.Connection, table: str, collection_id: str, dim: int) -> None:
    conn.exec_driver_sql(f"DELETE FROM {table} WHERE collection_id = %(c)s", {"c": collection_id})
    rows = conn.execute(
        sa.select(chunk_vectors.c.chunk_id, chunk_vectors.c.vector).where(
            chunk_vectors.c.collection_id == collection_id, chunk_vectors.c.dim == dim
        )
    ).all()
    for start in range(0, len(rows), 5000):
        part = rows[start : start + 5000]
        vectors = np.frombuffer(b"".join(r[1] for r in part), dtype=np.float32).reshape(-1, dim)
        pg_add(conn, collection_id, [r[0] for r in part], vectors)


def pg_search(
    engine: sa.Engine, collection_id: str, query: np.ndarray, k: int, count: int
) -> list[tuple[int, float]]:
    """The k nearest chunks of a collection by cosine similarity, best first."""
    dim = int(query.shape[0])
    table = _table(dim)
    key = (engine.url.render_as_string(hide_password=True), f"{collection_id}/{dim}")
    with engine.connect() as conn:
        with _checked_lock:
            known = _checked.get(key)
        if known != count:
            with conn.begin():
                mirrored = -1
                if table in pg_tables(conn):
                    mirrored = conn.exec_driver_sql(
                        f"SELECT count(*) FROM {table} WHERE collection_id = %(c)s",
                        {"c": collection_id}).scalar()
                if mirrored != count:  # vectors stored without pgvector: mirror them now
                    _ensure(conn, dim)
                    _rebuild(conn, table, collection_id, dim)
            with _checked_lock:
                _checked[key] = count
        with conn.begin():
            conn.exec_driver_sql(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, 2 * k)}")
            conn.exec_driver_sql("SET LOCAL hnsw.iterative_scan = relaxed_order")
            rows = conn.exec_driver_sql(
                f"SELECT chunk_id, 1 - (embedding <=> %(q)s::vector) AS score FROM {table} "
                "WHERE collection_id = %(c)s ORDER BY embedding <=> %(q)s::vector "
                "LIMIT %(k)s",
                {"q": _literal(np.asarray(query, dtype=np.float32)), "c": collection_id,
                 "k": int(k)},
            ).all()
    found = [(int(r[0]), float(r[1])) for r in rows]
    return sorted(found, key=lambda item: -item[1])  # relaxed order: sort the k found
