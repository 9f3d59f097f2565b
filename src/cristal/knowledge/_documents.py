"""The documents of a collection: list them, and delete one with its chunks and vectors."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cristal.errors import NotFound
from cristal.knowledge._collections import Collection
from cristal.knowledge._ingest import _delete_document
from cristal.knowledge._tables import documents

__all__ = ["delete_document", "get_document", "list_documents"]


def _row(m: Any) -> dict[str, Any]:
    return {"id": m["id"], "path": m["path"], "title": m["title"], "format": m["format"],
            "lang": m["lang"], "size": m["size"], "pages": m["pages"], "chunks": m["chunks"],
            "ingested_at": m["ingested_at"].isoformat()}


def list_documents(store: Any, collection: Collection, limit: int = 1000,
                   offset: int = 0) -> list[dict[str, Any]]:
    """A collection's documents by path (id, path, title, format, size, chunks)."""
    c = documents.c
    query = (sa.select(c.id, c.path, c.title, c.format, c.lang, c.size, c.pages, c.chunks,
                       c.ingested_at).where(c.collection_id == collection.id)
             .order_by(c.path, c.id).offset(offset).limit(limit))
    with store.read() as conn:
        return [_row(r._mapping) for r in conn.execute(query)]


def delete_document(store: Any, collection: Collection, document_id: str) -> dict[str, Any]:
    """Remove one document (its chunks, full-text rows and vectors) from a collection."""
    c = documents.c
    with store.read() as conn:
        row = conn.execute(sa.select(c.id, c.path, c.title, c.format, c.lang, c.size, c.pages,
                                     c.chunks, c.ingested_at).where(
            c.collection_id == collection.id, c.id == document_id)).first()
    if row is None:
        raise NotFound(f"no document {document_id!r} in collection {collection.name}; list "
                       "them with GET /api/collections/NAME/documents.", document=document_id)
    _delete_document(store, document_id)
    return _row(row._mapping)


def get_document(store: Any, document_id: str) -> dict[str, Any] | None:
    """One document with its collection id and parsed text (what citation offsets refer
    to); None when there is no such document. The caller checks who may read it."""
    c = documents.c
    with store.read() as conn:
        row = conn.execute(sa.select(c.id, c.collection_id, c.path, c.title, c.format, c.lang,
                                     c.size, c.pages, c.chunks, c.ingested_at, c.text).where(
            c.id == document_id)).first()
    if row is None:
        return None
    m = row._mapping
    return {**_row(m), "collection_id": m["collection_id"], "text": m["text"]}
