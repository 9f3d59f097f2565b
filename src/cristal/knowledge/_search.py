"""Hybrid search: full-text and vector rankings fused with reciprocal-rank fusion."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa

from cristal.errors import CristalError, InvalidInput
from cristal.knowledge._collections import Collection
from cristal.knowledge._lexical import lexical_search
from cristal.knowledge._scope import Scope, as_scope
from cristal.knowledge._tables import chunks, documents
from cristal.knowledge._vectors import vector_search
from cristal.knowledge.ja import detect_lang
from cristal.models import Gateway
from cristal.store import Store

__all__ = [
    "MODES", "Passage", "collection_documents", "document_passages", "document_texts",
    "fetch_passages", "search",
]

MODES = ("hybrid", "lexical", "vector")
RRF_K = 60


@dataclass(frozen=True, slots=True)
class Passage:
    """A ranked chunk with where it comes from and why it ranked."""

    chunk_id: int
    document_id: str
    doc: str
    title: str | None
    lang: str
    text: str
    start: int
    end: int
    page: int | None
    heading_path: tuple[str, ...]
    score: float = 0.0
    lexical_rank: int | None = None
    vector_rank: int | None = None
    vector_score: float | None = None

    def to_dict(self) -> dict:
        """JSON-friendly form."""
        data = asdict(self)
        data["heading_path"] = list(self.heading_path)
        return data


def fuse(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal-rank fusion: each ranking adds 1 / (k + rank) to an item's score."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def fetch_passages(store: Store, ids: list[int]) -> dict[int, Passage]:
    """Passages for chunk ids (unranked)."""
    if not ids:
        return {}
    query = (
        sa.select(
            chunks.c.id,
            chunks.c.document_id,
            chunks.c.text,
            chunks.c.start,
            chunks.c.end,
            chunks.c.page,
            chunks.c.heading_path,
            documents.c.path,
            documents.c.title,
            documents.c.lang,
        )
        .join(documents, documents.c.id == chunks.c.document_id)
        .where(chunks.c.id.in_(ids))
    )
    with store.read() as conn:
        rows = conn.execute(query).all()
    return {
        r.id: Passage(
            chunk_id=r.id,
            document_id=r.document_id,
            doc=r.path,
            title=r.title,
            lang=r.lang,
            text=r.text,
            start=r.start,
            end=r.end,
            page=r.page,
            heading_path=tuple(r.heading_path or ()),
        )
        for r in rows
    }


def _merged(ids: tuple[str, ...], one, depth: int) -> list[tuple[int, float]]:
    """Each collection's ranking merged by score (scores compare across collections)."""
    if len(ids) == 1:
        return one(ids[0])
    found = [hit for cid in ids for hit in one(cid)]
    return sorted(found, key=lambda h: -h[1])[:depth]


def search(
    store: Store,
    gateway: Gateway | None,
    collection: Collection | Scope,
    query: str,
    *,
    k: int = 10,
    mode: str = "hybrid",
    tenant: str | None = None,
    depth: int = 50,
) -> list[Passage]:
    """The k best passages for `query` in a collection (or every collection of a Scope).

    Vector search runs when the collection has vectors and a gateway is given;
    if embedding the query fails the search stays lexical rather than failing.
    Nothing outside the given collections is ever read.
    """
    if mode not in MODES:
        raise InvalidInput(f"search mode {mode!r} is not one of {', '.join(MODES)}.")
    if not query.strip():
        raise InvalidInput("the search query is empty.")
    depth = max(depth, k)
    scope = as_scope(collection)
    lexical = (_merged(scope.ids, lambda cid: lexical_search(store, cid, query, depth), depth)
               if mode != "vector" else [])
    vector: list[tuple[int, float]] = []
    if mode != "lexical" and gateway is not None and scope.embedded:
        try:
            embedded = gateway.embed(
                [query], kind="query", tenant=tenant, caller=f"search:{scope.name}"[:200]
            )
            with_vectors = tuple(c.id for c in scope.collections if c.embedded)
            vector = _merged(with_vectors, lambda cid: vector_search(
                store, cid, embedded.vectors[0], depth), depth)
        except CristalError:
            if mode == "vector":
                raise
    lex_rank = {cid: i for i, (cid, _) in enumerate(lexical, start=1)}
    vec_rank = {cid: i for i, (cid, _) in enumerate(vector, start=1)}
    vec_score = dict(vector)
    fused = fuse([[c for c, _ in lexical], [c for c, _ in vector]])
    found = fetch_passages(store, list(fused))
    query_lang = detect_lang(query)
    for cid, rank in vec_rank.items() if mode == "hybrid" else ():
        # Full-text search cannot match a passage in another language, so its silence
        # says nothing there: the vector rank stands in for the missing lexical vote.
        if cid not in lex_rank and cid in found and found[cid].lang != query_lang:
            fused[cid] += 1.0 / (RRF_K + rank)
    best = sorted(fused, key=lambda c: -fused[c])[:k]
    out = []
    for cid in best:
        if cid not in found:
            continue  # deleted between the two queries
        p = found[cid]
        out.append(
            Passage(
                **{
                    **_fields(p),
                    "score": round(fused[cid], 6),
                    "lexical_rank": lex_rank.get(cid),
                    "vector_rank": vec_rank.get(cid),
                    "vector_score": vec_score.get(cid),
                }
            )
        )
    return out


def _fields(p: Passage) -> dict:
    return {f: getattr(p, f) for f in Passage.__dataclass_fields__}


def document_texts(store: Store, document_ids: list[str]) -> dict[str, str]:
    """The parsed text of documents by id (what citation offsets refer to)."""
    if not document_ids:
        return {}
    with store.read() as conn:
        rows = conn.execute(sa.select(documents.c.id, documents.c.text).where(
            documents.c.id.in_(list(set(document_ids))))).all()
    return {r.id: r.text for r in rows}


def document_passages(store: Store, document_id: str, limit: int = 12) -> list[Passage]:
    """The first `limit` chunks of one document, in reading order (to read it whole)."""
    with store.read() as conn:
        ids = conn.execute(sa.select(chunks.c.id).where(chunks.c.document_id == document_id)
                           .order_by(chunks.c.idx).limit(limit)).scalars().all()
    found = fetch_passages(store, list(ids))
    return [found[i] for i in ids if i in found]


def collection_documents(store: Store, collection: Collection) -> list[dict]:
    """Every document of a collection: id, source file, relative path, title, lang, text."""
    query = sa.select(documents.c.id, documents.c.source, documents.c.path, documents.c.title,
                      documents.c.lang, documents.c.format, documents.c.text).where(
        documents.c.collection_id == collection.id).order_by(documents.c.path)
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(query).all()]
