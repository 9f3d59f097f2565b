"""Erasure of indexed documents: rows, chunks, full-text entries and vectors.

Stage 0 of an erasure (`governance.register_eraser`): this area owns the data, so
it deletes it and tells the dependents what marks data derived from it: the
documents' paths (reports cite them) and the first words of every chunk (what a
quote would contain), which the final scan must find nowhere. Source files on
disk are the user's and are not touched.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cristal.errors import NotFound
from cristal.governance import ErasureScope
from cristal.knowledge._collections import delete_collection, get_collection
from cristal.knowledge._ingest import _delete_rows
from cristal.knowledge._tables import chunks, collections, documents

__all__ = ["erase_documents"]

_QUOTE_CHARS = 60  # a quote of a chunk contains at least its first words...
_MAX_QUOTES = 200  # ...checked for the first chunks of each document


def erase_documents(scope: ErasureScope) -> None:
    """Delete the documents (or collection) named by the scope; mark what derives from them."""
    if scope.selector not in ("document", "collection", "text"):
        return
    tenant = scope.tenant
    with scope.store.read() as conn:
        query = (sa.select(documents.c.id, documents.c.source, documents.c.path,
                           documents.c.content_hash, collections.c.name)
                 .join(collections, collections.c.id == documents.c.collection_id)
                 .where(collections.c.tenant_id == tenant.id))
        if scope.selector == "document":
            source = str(Path(scope.value).expanduser().resolve())
            query = query.where(sa.or_(documents.c.source == source,
                                       documents.c.path == scope.value))
        elif scope.selector == "collection":
            get_collection(scope.store, tenant, scope.value)  # NotFound names the others
            query = query.where(collections.c.name == scope.value)
        else:
            query = query.where(documents.c.text.contains(scope.value, autoescape=True))
        found = conn.execute(query).all()
        quotes = _quotes(conn, [r.id for r in found])
    if scope.selector == "document" and not found:
        raise NotFound(f"no document {scope.value!r} is indexed for tenant {tenant.name}; "
                       "give the path as ingested (absolute, or relative to the ingested "
                       "folder); `cristal collections show NAME` lists documents.")
    for row in found:
        scope.exact.add(row.path)
        scope.contains.add(row.source)
        scope.scan.add(row.source)
        scope.digests.add(row.content_hash)  # copies of the file (`envs synth` docs/)
    scope.scan.update(quotes)
    with scope.store.write() as conn:
        for row in found:
            _delete_rows(conn, row.id)
    scope.counts["documents"] += len(found)
    if scope.selector == "collection":
        delete_collection(scope.store, tenant, scope.value)
        scope.counts["collections"] += 1


def _quotes(conn: sa.Connection, doc_ids: list[str]) -> set[str]:
    out: set[str] = set()
    if not doc_ids:
        return out
    rows = conn.execute(sa.select(chunks.c.text).where(chunks.c.document_id.in_(doc_ids))
                        .order_by(chunks.c.document_id, chunks.c.idx)).scalars()
    for text in rows:
        head = text.strip()[:_QUOTE_CHARS]
        if len(head) >= 30 and "\n" not in head and len(out) < _MAX_QUOTES:
            out.add(head)
    return out


