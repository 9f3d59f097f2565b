"""Fill in vectors for chunks that have none, in batches, after the lexical index is live."""

from __future__ import annotations

import time

import sqlalchemy as sa

from cristal.governance import Tenant
from cristal.knowledge._collections import Collection
from cristal.knowledge._report import Progress
from cristal.knowledge._tables import chunks, collections, documents
from cristal.knowledge._vectors import add_vectors
from cristal.models import Gateway
from cristal.store import Store

__all__ = ["count_pending", "embed_pending", "passage_text"]


def passage_text(title: str | None, heading_path: list[str], text: str) -> str:
    """The text embedded for a chunk: its document title and headings give it context."""
    context = " / ".join(dict.fromkeys(h for h in [title or "", *heading_path] if h))
    return f"{context}\n{text}" if context else text


def _pending(store: Store, collection_id: str, after: int, limit: int) -> list[sa.Row]:
    with store.read() as conn:
        return conn.execute(
            sa.select(chunks.c.id, chunks.c.heading_path, chunks.c.text, documents.c.title)
            .join(documents, documents.c.id == chunks.c.document_id)
            .where(
                chunks.c.collection_id == collection_id,
                chunks.c.embedded.is_(False),
                chunks.c.id > after,
            )
            .order_by(chunks.c.id)
            .limit(limit)
        ).all()


def count_pending(store: Store, collection_id: str) -> int:
    """Chunks of a collection still without a vector."""
    with store.read() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(
                chunks.c.collection_id == collection_id, chunks.c.embedded.is_(False)
            )
        ).scalar_one()


def embed_pending(
    store: Store,
    gateway: Gateway,
    tenant: Tenant,
    collection: Collection,
    *,
    batch: int = 64,
    progress: Progress | None = None,
    limit: int | None = None,
    seconds: float | None = None,
) -> int:
    """Embed chunks without a vector (all, the first `limit`, or for `seconds`); return how many.

    Each batch commits on its own, so an interrupted run loses at most one batch and
    the next run continues where this one stopped.
    """
    total = count_pending(store, collection.id)
    if limit is not None:
        total = min(total, limit)
    deadline = None if seconds is None else time.monotonic() + seconds
    done = 0
    last = 0
    while done < total and (deadline is None or time.monotonic() < deadline):
        rows = _pending(store, collection.id, last, min(batch, total - done))
        if not rows:
            break
        last = rows[-1].id
        texts = [passage_text(r.title, r.heading_path, r.text) for r in rows]
        result = gateway.embed(
            texts, kind="passage", tenant=tenant.name, caller=f"ingest:{collection.name}"
        )
        try:
            with store.write() as conn:
                add_vectors(conn, collection.id, [r.id for r in rows], result.vectors)
                conn.execute(
                    collections.update()
                    .where(collections.c.id == collection.id)
                    .values(embed_model=result.model)
                )
        except sa.exc.IntegrityError:
            pass  # another process embedded this batch meanwhile
        done += len(rows)
        if progress:
            progress("embed", done, total, "")
    return done
