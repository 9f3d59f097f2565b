"""Collections: named sets of ingested documents, owned by a tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from cristal.errors import InvalidInput, NotFound
from cristal.governance import Principal, Tenant
from cristal.knowledge._acl import can_read, grants_by_collection
from cristal.knowledge._tables import chunk_vectors, chunks, collections, documents
from cristal.store import Store, new_id, utcnow

__all__ = [
    "Collection",
    "delete_collection",
    "ensure_collection",
    "get_collection",
    "list_collections",
]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True, slots=True)
class Collection:
    """A collection and its size."""

    id: str
    name: str
    tenant_id: str
    created_at: datetime
    updated_at: datetime
    embed_model: str | None
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    bytes: int = 0

    def to_dict(self) -> dict:
        """JSON-friendly form."""
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "embed_model": self.embed_model,
            "documents": self.documents,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "bytes": self.bytes,
        }


def _stats_query(tenant_id: str) -> sa.Select:
    docs = (
        sa.select(
            documents.c.collection_id,
            sa.func.count().label("n"),
            sa.func.coalesce(sa.func.sum(documents.c.size), 0).label("bytes"),
            sa.func.coalesce(sa.func.sum(documents.c.chunks), 0).label("chunks"),
        )
        .group_by(documents.c.collection_id)
        .subquery()
    )
    vecs = (
        sa.select(chunk_vectors.c.collection_id, sa.func.count().label("n"))
        .group_by(chunk_vectors.c.collection_id)
        .subquery()
    )
    return (
        sa.select(
            collections,
            sa.func.coalesce(docs.c.n, 0).label("n_docs"),
            sa.func.coalesce(docs.c.bytes, 0).label("n_bytes"),
            sa.func.coalesce(docs.c.chunks, 0).label("n_chunks"),
            sa.func.coalesce(vecs.c.n, 0).label("n_vecs"),
        )
        .outerjoin(docs, docs.c.collection_id == collections.c.id)
        .outerjoin(vecs, vecs.c.collection_id == collections.c.id)
        .where(collections.c.tenant_id == tenant_id)
    )


def _from_row(row: sa.Row) -> Collection:
    m = row._mapping
    return Collection(
        id=m["id"],
        name=m["name"],
        tenant_id=m["tenant_id"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        embed_model=m["embed_model"],
        documents=int(m.get("n_docs", 0) or 0),
        chunks=int(m.get("n_chunks", 0) or 0),
        embedded=int(m.get("n_vecs", 0) or 0),
        bytes=int(m.get("n_bytes", 0) or 0),
    )


def _readable(conn: sa.Connection, tenant: Tenant, reader: Principal | None,
              rows: list) -> list:
    """The rows (with `id`) of collections `reader` may read; None reads everything."""
    if reader is None or reader.is_owner:
        return rows
    grants = grants_by_collection(conn, [r.id for r in rows])
    return [r for r in rows if can_read(reader, tenant.name, grants.get(r.id, []))]


def get_collection(store: Store, tenant: Tenant, name: str,
                   reader: Principal | None = None) -> Collection:
    """A tenant's collection by name; NotFound lists the ones that exist.

    With a `reader`, a collection they may not read is not found, exactly like one that
    does not exist, and the list of names leaves it out.
    """
    with store.read() as conn:
        row = conn.execute(_stats_query(tenant.id).where(collections.c.name == name)).first()
        if row is not None and not _readable(conn, tenant, reader, [row]):
            row = None
        if row is None:
            every = conn.execute(sa.select(collections.c.id, collections.c.name).where(
                collections.c.tenant_id == tenant.id)).all()
            names = [r.name for r in _readable(conn, tenant, reader, every)]
    if row is None:
        known = ", ".join(sorted(names)) or "none yet"
        raise NotFound(
            f"no collection {name!r} for tenant {tenant.name} (collections: {known}); "
            f"create it with `cristal ingest PATH --collection {name}`.",
            collection=name,
        )
    return _from_row(row)


def ensure_collection(store: Store, tenant: Tenant, name: str) -> Collection:
    """The collection, created empty if it does not exist yet."""
    if not _NAME.match(name):
        raise InvalidInput(
            f"collection name {name!r} is not valid: use up to 100 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )
    with store.write() as conn:
        exists = conn.execute(
            sa.select(collections.c.id).where(
                collections.c.tenant_id == tenant.id, collections.c.name == name
            )
        ).first()
        if exists is None:
            now = utcnow()
            conn.execute(
                collections.insert().values(
                    id=new_id("col"),
                    tenant_id=tenant.id,
                    name=name,
                    created_at=now,
                    updated_at=now,
                    settings={},
                )
            )
    return get_collection(store, tenant, name)


def list_collections(store: Store, tenant: Tenant,
                     reader: Principal | None = None) -> list[Collection]:
    """A tenant's collections (those `reader` may read) with document, chunk, vector counts."""
    with store.read() as conn:
        rows = conn.execute(_stats_query(tenant.id).order_by(collections.c.name)).all()
        rows = _readable(conn, tenant, reader, rows)
    return [_from_row(r) for r in rows]


def delete_collection(store: Store, tenant: Tenant, name: str) -> Collection:
    """Delete a collection with its documents, chunks and vectors."""
    collection = get_collection(store, tenant, name)
    from cristal.knowledge._vectors import drop_collection_vectors

    with store.write() as conn:
        drop_collection_vectors(conn, collection.id)
        # Children first: SQLite enforces ON DELETE CASCADE, but deleting chunks row by
        # row here keeps the FTS triggers in step on every database.
        doc_ids = sa.select(documents.c.id).where(documents.c.collection_id == collection.id)
        conn.execute(chunk_vectors.delete().where(chunk_vectors.c.collection_id == collection.id))
        conn.execute(chunks.delete().where(chunks.c.document_id.in_(doc_ids)))
        conn.execute(documents.delete().where(documents.c.collection_id == collection.id))
        conn.execute(collections.delete().where(collections.c.id == collection.id))
    return collection
