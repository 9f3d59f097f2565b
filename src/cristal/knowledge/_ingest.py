"""Incremental ingest: parse, chunk and index files; one transaction per document.

A file is identified by its absolute path within a collection and re-indexed only
when its content hash changes. Files that vanished from an ingested folder leave
the index, except below a folder or file the walk could not read (the report lists
those as unreadable). A file that fails to parse is reported and skipped; if an
earlier version was indexed, that version stays (nothing already stored is lost).
What the walk reads and refuses (FIFOs, devices, links out of the folder) is
described in `_files`. Parsing runs in worker processes when there is enough work;
a worker that dies (killed for memory, a crash in a native parser) is replaced,
the file it was reading is reported as failed and the others are parsed. The
database is written from this process only.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cristal.errors import CristalError
from cristal.governance import Tenant
from cristal.knowledge._chunking import chunk
from cristal.knowledge._collections import Collection, ensure_collection
from cristal.knowledge._files import Found, as_text, discover, read_regular, too_large
from cristal.knowledge._report import FileResult, IngestReport, Progress
from cristal.knowledge._tables import chunks, collections, documents
from cristal.knowledge._vectors import delete_vectors
from cristal.knowledge.ja import index_terms
from cristal.knowledge.parsers import DEFAULT_MAX_BYTES, parse_bytes, supported_suffixes
from cristal.store import Store, new_id, utcnow

__all__ = ["FileResult", "IngestReport", "Progress", "ingest_paths"]

_PARALLEL_MIN_FILES = 16
_DIED = ("the parser process died while reading this file (killed, perhaps for using too "
         "much memory, or crashed); the other files were parsed. Check or split this file")


@dataclass(slots=True)
class _Parsed:
    found: Found
    digest: str
    size: int
    doc: object = None
    pieces: list = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    error: str | None = None


def _pages(doc) -> int:
    return doc.pages if doc.pages else max(1, len(doc.text) // 3000)


def _prepare(found: Found, max_bytes: int, max_chars: int) -> _Parsed:
    """Read, parse, chunk and compute index terms (runs in a worker process)."""
    try:
        data = read_regular(found, max_bytes)
    except OSError as exc:
        return _Parsed(found, "", 0, error=f"cannot read: {exc.strerror or exc}")
    except CristalError as exc:
        return _Parsed(found, "", 0, error=exc.message)
    # The digest of the bytes parsed: the file may have changed since the walk hashed it.
    item = _Parsed(found, hashlib.sha256(data).hexdigest(), len(data))
    try:
        doc = parse_bytes(data, as_text(found.source.name))
    except CristalError as exc:
        item.error = exc.message
        return item
    except Exception as exc:  # a parser bug must not stop the whole ingest
        item.error = f"unexpected parser error: {type(exc).__name__}: {exc}"
        return item
    item.doc = doc
    item.pieces = chunk(doc, max_chars=max_chars)
    context = " ".join(filter(None, [doc.title or found.source.stem]))
    item.terms = [index_terms(" ".join([context, *p.heading_path, p.text])) for p in item.pieces]
    return item


def ingest_paths(
    store: Store,
    tenant: Tenant,
    collection: str,
    paths: list[Path],
    *,
    max_chars: int = 700,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    workers: int | None = None,
    follow_outside: bool = False,
) -> IngestReport:
    """Ingest files and folders into a collection (lexical index; vectors come after).

    Symlinks that lead out of an ingested folder are skipped unless `follow_outside`.
    """
    started = time.perf_counter()
    target = ensure_collection(store, tenant, collection)
    walk = discover([Path(p) for p in paths], supported_suffixes(),
                    follow_outside=follow_outside)
    report = IngestReport(collection=target.name, files=list(walk.skipped),
                          unreadable=list(walk.shown_unreadable))
    with store.read() as conn:
        known = {
            row.source: (row.id, row.content_hash)
            for row in conn.execute(
                sa.select(documents.c.source, documents.c.id, documents.c.content_hash).where(
                    documents.c.collection_id == target.id
                )
            )
        }
    todo: list[Found] = []
    for found in walk.files:
        previous = known.get(found.key)
        if found.size > max_bytes:
            report.files.append(_failed(found.path, too_large(found.size, max_bytes), previous))
            continue
        try:
            digest = _hash(found, max_bytes)
        except OSError as exc:
            report.files.append(_failed(found.path, f"cannot read: {exc.strerror}", previous))
            continue
        except CristalError as exc:
            report.files.append(_failed(found.path, exc.message, previous))
            continue
        if previous and previous[1] == digest:
            report.files.append(FileResult(found.path, "unchanged"))
        else:
            todo.append(found)
    for done, item in enumerate(_parse_all(todo, max_bytes, max_chars, workers), start=1):
        report.files.append(_store_document(store, target, item, known.get(item.found.key)))
        if progress:
            progress("parse", done, len(todo), item.found.path)
    seen = {f.key for f in walk.files}
    kept = [Path(k) for k in walk.unreadable]
    roots = [Path(r) for r in walk.roots]
    for source in known:
        where = Path(source)
        if source in seen or not any(where.is_relative_to(r) for r in roots):
            continue
        if any(where.is_relative_to(k) for k in kept):
            continue  # its folder could not be read this time: keep what was indexed
        _delete_document(store, known[source][0])
        report.files.append(FileResult(_relative(where, roots), "removed"))
    with store.write() as conn:
        conn.execute(
            collections.update().where(collections.c.id == target.id).values(updated_at=utcnow())
        )
    report.seconds = time.perf_counter() - started
    return report


def _failed(path: str, reason: str, previous: tuple[str, str] | None) -> FileResult:
    kept = "; the previously indexed version is kept" if previous else ""
    return FileResult(path, "failed", reason + kept)


def _relative(source: Path, roots: list[Path]) -> str:
    for root in roots:
        if source.is_relative_to(root):
            return source.relative_to(root).as_posix()
    return source.as_posix()


def _hash(found: Found, max_bytes: int) -> str:
    return hashlib.sha256(read_regular(found, max_bytes)).hexdigest()


def _parse_all(
    todo: list[Found], max_bytes: int, max_chars: int, workers: int | None
) -> Iterator[_Parsed]:
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    if workers <= 1 or len(todo) < _PARALLEL_MIN_FILES:
        for found in todo:
            yield _prepare(found, max_bytes, max_chars)
        return
    remaining = list(todo)
    size = workers
    while remaining:
        # After a worker died, one worker at a time: the file it dies on is then known.
        with ProcessPoolExecutor(size) as pool:
            futures = [pool.submit(_prepare, f, max_bytes, max_chars) for f in remaining]
            done = 0
            for future in futures:
                item = _result(future)
                if item is None:
                    break
                done += 1
                yield item
        if done == len(remaining):
            return
        if size > 1:
            size = 1  # retry the rest in isolation to find the file that killed the pool
            remaining = remaining[done:]
            continue
        yield _Parsed(remaining[done], "", 0, error=_DIED)
        remaining = remaining[done + 1 :]
        size = workers  # the culprit is out: back to full speed


def _result(future: Future) -> _Parsed | None:
    """The worker's result, or None when the pool broke (a worker process died)."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _store_document(
    store: Store, target: Collection, item: _Parsed, previous: tuple[str, str] | None
) -> FileResult:
    path = item.found.path
    if item.error is not None:
        return FileResult(path, "failed", _failed(path, item.error, previous).reason,
                          bytes=item.size)
    doc = item.doc
    if not item.pieces:
        return FileResult(
            path, "failed", "no text to index (the document is empty)", bytes=item.size
        )
    doc_id = new_id("doc")
    with store.write() as conn:  # the whole document or nothing
        if previous:
            _delete_rows(conn, previous[0])
        conn.execute(
            documents.insert().values(
                id=doc_id,
                collection_id=target.id,
                source=item.found.key,
                path=path,
                content_hash=item.digest,
                size=item.size,
                format=doc.format,
                lang=doc.lang,
                title=doc.title,
                pages=doc.pages,
                encoding=doc.encoding,
                text=doc.text,
                chunks=len(item.pieces),
                ingested_at=utcnow(),
                meta=_jsonable(doc.metadata),
            )
        )
        conn.execute(
            chunks.insert(),
            [
                {
                    "document_id": doc_id,
                    "collection_id": target.id,
                    "idx": p.index,
                    "start": p.start,
                    "end": p.end,
                    "page": p.page,
                    "heading_path": list(p.heading_path),
                    "text": p.text,
                    "terms": terms,
                    "embedded": False,
                }
                for p, terms in zip(item.pieces, item.terms, strict=True)
            ],
        )
    return FileResult(
        path,
        "updated" if previous else "added",
        chunks=len(item.pieces),
        pages=_pages(doc),
        bytes=item.size,
    )


def _jsonable(meta: dict) -> dict:
    return {
        str(k): v if isinstance(v, str | int | float | bool | type(None) | list) else str(v)
        for k, v in (meta or {}).items()
    }


def _delete_rows(conn: sa.Connection, doc_id: str) -> None:
    ids = conn.execute(sa.select(chunks.c.id).where(chunks.c.document_id == doc_id)).scalars()
    delete_vectors(conn, list(ids))
    conn.execute(chunks.delete().where(chunks.c.document_id == doc_id))
    conn.execute(documents.delete().where(documents.c.id == doc_id))


def _delete_document(store: Store, doc_id: str) -> None:
    with store.write() as conn:
        _delete_rows(conn, doc_id)
