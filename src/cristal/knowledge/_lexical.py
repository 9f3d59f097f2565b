"""Full-text search over chunk terms: SQLite FTS5 (BM25) or PostgreSQL tsvector ranking."""

from __future__ import annotations

import sqlalchemy as sa

from cristal.knowledge.ja import query_terms
from cristal.store import Store

__all__ = ["lexical_search", "phrase_count", "term_stats"]

# CROSS JOIN makes SQLite run the full-text query once and then look the chunks up;
# with a plain JOIN it may walk the collection's chunks and re-run MATCH for each.
_SQLITE = (
    "SELECT c.id, bm25(chunks_fts) AS score FROM chunks_fts "
    "CROSS JOIN chunks c ON c.id = chunks_fts.rowid "
    "WHERE chunks_fts MATCH :q AND c.collection_id = :coll ORDER BY score LIMIT :k"
)


def _fts5_query(terms: list[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def lexical_search(store: Store, collection_id: str, query: str, k: int) -> list[tuple[int, float]]:
    """The k chunks whose terms best match the query, best first, with a score."""
    terms = query_terms(query)
    if not terms:
        return []
    with store.read() as conn:
        if store.dialect == "sqlite":
            rows = conn.execute(
                sa.text(_SQLITE), {"q": _fts5_query(terms), "coll": collection_id, "k": k}
            ).all()
            return [(int(r[0]), -float(r[1])) for r in rows]  # bm25(): lower is better
        params = {f"t{i}": t for i, t in enumerate(terms)}
        tsquery = " || ".join(f"plainto_tsquery('simple', :t{i})" for i in range(len(terms)))
        sql = (
            f"SELECT id, ts_rank_cd(tsv, q, 1) AS score FROM chunks, ({'SELECT ' + tsquery} "
            "AS q) AS query WHERE collection_id = :coll AND tsv @@ q "
            "ORDER BY score DESC LIMIT :k"
        )
        rows = conn.execute(sa.text(sql), {**params, "coll": collection_id, "k": k}).all()
        return [(int(r[0]), float(r[1])) for r in rows]


_df_cache: dict[tuple[str, str, str], int] = {}


def term_stats(store: Store, collection_id: str, terms: list[str]) -> tuple[int, dict[str, int]]:
    """The number of chunks in a collection and how many contain each term."""
    with store.read() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM chunks WHERE collection_id = :c"),
                             {"c": collection_id}).scalar_one()
        stamp = f"{total}"
        out: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            key = (collection_id, stamp, term)
            if key not in _df_cache:
                if store.dialect == "sqlite":
                    sql = ("SELECT count(*) FROM chunks_fts CROSS JOIN chunks c ON c.id = "
                           "chunks_fts.rowid WHERE chunks_fts MATCH :q AND c.collection_id = :c")
                    params = {"q": _fts5_query([term]), "c": collection_id}
                else:
                    sql = ("SELECT count(*) FROM chunks WHERE collection_id = :c AND "
                           "tsv @@ plainto_tsquery('simple', :q)")
                    params = {"q": term, "c": collection_id}
                if len(_df_cache) > 100_000:
                    _df_cache.clear()
                _df_cache[key] = int(conn.execute(sa.text(sql), params).scalar_one())
            out[term] = _df_cache[key]
    return int(total), out


def phrase_count(store: Store, collection_id: str, text: str) -> int:
    """How many chunks contain `text` as a phrase (its index terms, consecutive)."""
    from cristal.knowledge.ja import index_terms

    terms = index_terms(text).split()
    if not terms:
        return 0
    with store.read() as conn:
        if store.dialect == "sqlite":
            phrase = '"' + " ".join(t.replace('"', '""') for t in terms) + '"'
            sql = ("SELECT count(*) FROM chunks_fts CROSS JOIN chunks c ON c.id = "
                   "chunks_fts.rowid WHERE chunks_fts MATCH :q AND c.collection_id = :c")
            return int(conn.execute(sa.text(sql), {"q": phrase, "c": collection_id}).scalar_one())
        sql = ("SELECT count(*) FROM chunks WHERE collection_id = :c AND "
               "tsv @@ phraseto_tsquery('simple', :q)")
        return int(conn.execute(sa.text(sql), {"q": " ".join(terms),
                                               "c": collection_id}).scalar_one())
