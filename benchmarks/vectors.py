"""Vector search on PostgreSQL: pgvector HNSW (cosine) vs numpy scoring, same vectors, same run.

Synthetic 384-dimensional vectors (L2-normalised; clustered in a 48-dimensional latent
space projected into 384 dimensions plus a little isotropic noise, since real text
embeddings occupy far fewer dimensions than they have) are loaded into the table
Cristal searches (`pgv_chunks_384`, HNSW index built as the product builds it), then
the same queries run through Cristal's pgvector search (`pg_search`) and through exact
numpy scoring (the fallback's matrix product).
Printed per size: search p50/p95 for both, the speed-up, and recall@10 of HNSW against
the exact top 10.

Full mode: 100,000 and 1,000,000 vectors (building the 1M index takes a long time on
2 cores); --quick: 20,000. Needs PostgreSQL with pgvector (scripts/setup-system) at
CRISTAL_TEST_PG_URL or --url; it creates and drops its own database.

Usage: python benchmarks/vectors.py [--quick] [--json] [--sizes 100000,1000000] [--url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DIM = 384


def synthetic(n: int, seed: int = 11, latent: int = 48) -> np.ndarray:
    """n unit vectors: clusters (one per 100 vectors) in a latent space, projected, noised."""
    rng = np.random.default_rng(seed)
    project = rng.normal(size=(latent, DIM)).astype(np.float32) / np.sqrt(latent)
    centers = rng.normal(size=(max(1, n // 100), latent)).astype(np.float32)
    out = np.empty((n, DIM), np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        picks = rng.integers(0, len(centers), stop - start)
        points = centers[picks] + 0.7 * rng.normal(size=(stop - start, latent))
        part = points.astype(np.float32) @ project
        part += 0.1 * rng.normal(size=part.shape).astype(np.float32)
        out[start:stop] = part / np.linalg.norm(part, axis=1, keepdims=True)
    return out


def _load(engine: sa.Engine, vectors: np.ndarray) -> float:
    """Bulk-load the vectors into Cristal's pgvector table and build its index; seconds."""
    from cristal.knowledge._pgvector import _ensure

    started = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS pgv_chunks_384")
        conn.exec_driver_sql(
            "CREATE TABLE pgv_chunks_384 (chunk_id bigint PRIMARY KEY, "
            "collection_id varchar(40) NOT NULL, embedding vector(384) NOT NULL)")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur, cur.copy(
                "COPY pgv_chunks_384 (chunk_id, collection_id, embedding) FROM STDIN") as copy:
            for i, vector in enumerate(vectors):
                copy.write_row((i + 1, "bench", "[" + ",".join(map(str, vector.tolist())) + "]"))
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '2GB'")
        _ensure(conn, DIM)  # the HNSW and collection indexes, exactly as the product makes them
        conn.exec_driver_sql("ANALYZE pgv_chunks_384")
    return time.perf_counter() - started


def _numpy_top(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def measure(engine: sa.Engine, n: int, queries: int) -> dict:
    """Load n vectors, then time pgvector and numpy on the same queries."""
    from cristal.knowledge._pgvector import pg_search

    vectors = synthetic(n)
    load_s = _load(engine, vectors)
    rng = np.random.default_rng(5)
    picks = rng.integers(0, n, queries)
    qs = vectors[picks] + 0.05 * rng.normal(size=(queries, DIM)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    pg_search(engine, "bench", qs[0], 10, n)  # warm the index pages
    pg_ms, np_ms, recall = [], [], []
    for query in qs:
        t0 = time.perf_counter()
        found = pg_search(engine, "bench", query, 10, n)
        pg_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        exact = _numpy_top(vectors, query, 10)
        np_ms.append((time.perf_counter() - t0) * 1000)
        recall.append(len({i - 1 for i, _ in found} & set(exact.tolist())) / 10)
    p50_pg, p50_np = statistics.median(pg_ms), statistics.median(np_ms)
    return {
        "vectors": n, "queries": queries, "load_and_index_s": round(load_s, 1),
        "pgvector_p50_ms": round(p50_pg, 2),
        "pgvector_p95_ms": round(statistics.quantiles(pg_ms, n=20)[18], 2),
        "numpy_p50_ms": round(p50_np, 2),
        "numpy_p95_ms": round(statistics.quantiles(np_ms, n=20)[18], 2),
        "speedup_p50": round(p50_np / p50_pg, 2),
        "recall_at_10": round(statistics.mean(recall), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--json", action="store_true", help="last line is one JSON object")
    parser.add_argument("--sizes", default=None, help="comma-separated vector counts")
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--url", default=os.environ.get(
        "CRISTAL_TEST_PG_URL", "postgresql://cristal:cristal@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("20000" if args.quick else "100000,1000000"))
             .split(",")]
    queries = args.queries or (50 if args.quick else 200)
    admin_url = args.url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"cristal_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(sa.make_url(admin_url).set(database=name))
    try:
        with engine.begin() as conn:
            if conn.exec_driver_sql(
                    "SELECT 1 FROM pg_extension WHERE extname = 'vector'").scalar() is None:
                sys.exit("pgvector is not installed in new databases: run scripts/setup-system")
        results = {"sizes": [measure(engine, n, queries) for n in sizes],
                   "dim": DIM, "hnsw": "m=16, ef_construction=64 (defaults), ef_search=100"}
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    _print(results)
    out = ROOT / "benchmarks" / "results" / "vectors.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))


def _print(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("vectors", "pgvector HNSW p50 / p95 ms", "numpy exact p50 / p95 ms (same run)",
                  "speed-up", "recall@10", "load + index s",
                  title="Vector search on PostgreSQL (384 dims, k = 10)")
    for r in results["sizes"]:
        table.add_row(f"{r['vectors']:,}", f"{r['pgvector_p50_ms']} / {r['pgvector_p95_ms']}",
                      f"{r['numpy_p50_ms']} / {r['numpy_p95_ms']}", f"{r['speedup_p50']}x",
                      f"{r['recall_at_10']}", f"{r['load_and_index_s']}")
    Console().print(table)


if __name__ == "__main__":
    main()
