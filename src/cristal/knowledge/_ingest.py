"""Incremental ingest: parse, chunk and index files; one transaction per document.

A file is identified by its absolute path within a collection and re-indexed only
when its content hash changes. Files that vanished from an ingested folder leave
the index. A file that fails to parse is reported and skipped; if an earlier
version was indexed, that version stays (nothing already stored is lost).
Parsing runs in worker processes when there is enough work; the database is
written from this process only.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cristal.errors import CristalError, InvalidInput
from cristal.governance import Tenant
from cristal.knowledge._chunking import chunk
from cristal.knowledge._collections import Collection, ensure_collection
from cristal.knowledge._tables import chunks, collections, documents
from cristal.knowledge._vectors import delete_vectors
from cristal.knowledge.ja import index_terms
from cristal.knowledge.parsers import DEFAULT_MAX_BYTES, parse_bytes, supported_suffixes
from cristal.store import Store, new_id, utcnow

__all__ = ["FileResult", "IngestReport", "Progress", "ingest_paths"]

Progress = Callable[[str, int, int, str], None]  # (stage, done, total, detail)
_PARALLEL_MIN_FILES = 16


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one file."""

    path: str
    status: str  # added | updated | unchanged | removed | failed | skipped
    reason: str | None = None
    chunks: int = 0
    pages: int = 0
    bytes: int = 0


@dataclass(slots=True)
class IngestReport:
    """The outcome of one ingest run."""

    collection: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """How many files ended with this status."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def pages(self) -> int:
        """Pages parsed in this run (a page is a PDF page or 3,000 characters of text)."""
        return sum(f.pages for f in self.files if f.status in ("added", "updated"))

    def to_dict(self) -> dict:
        """JSON-friendly summary with every file that was not simply unchanged."""
        return {
            "collection": self.collection,
            "seconds": round(self.seconds, 3),
            **{
                s: self.count(s)
                for s in ("added", "updated", "unchanged", "removed", "failed", "skipped")
            },
            "chunks": sum(f.chunks for f in self.files if f.status in ("added", "updated")),
            "pages": self.pages,
            "bytes": sum(f.bytes for f in self.files if f.status in ("added", "updated")),
            "files": [
                {"path": f.path, "status": f.status, "reason": f.reason, "chunks": f.chunks}
                for f in self.files
                if f.status != "unchanged"
            ],
        }


@dataclass(frozen=True, slots=True)
class _Found:
    source: Path
    path: str  # relative to the root it was found under


def _discover(paths: list[Path]) -> tuple[list[_Found], list[Path], list[FileResult]]:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InvalidInput(
            f"no such file or folder: {', '.join(str(p) for p in missing)}; check the path.",
            paths=[str(p) for p in missing],
        )
    found: dict[Path, _Found] = {}
    roots: list[Path] = []
    skipped: list[FileResult] = []
    suffixes = set(supported_suffixes())
    for given in paths:
        root = given.resolve()
        if root.is_file():
            candidates: list[Path] = [root]
            base = root.parent
        else:
            roots.append(root)
            base = root
            candidates = sorted(p for p in _walk(root))
        for file in candidates:
            rel = file.relative_to(base).as_posix()
            if file.suffix.lower() not in suffixes:
                skipped.append(
                    FileResult(rel, "skipped", f"unsupported format '{file.suffix or '(none)'}'")
                )
                continue
            found.setdefault(file, _Found(file, rel))
    return list(found.values()), roots, skipped


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith(".") and not name.startswith("~$"):
                yield Path(dirpath) / name


@dataclass(slots=True)
class _Parsed:
    found: _Found
    digest: str
    size: int
    doc: object = None
    pieces: list = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    error: str | None = None


def _pages(doc) -> int:
    return doc.pages if doc.pages else max(1, len(doc.text) // 3000)


def _prepare(found: _Found, digest: str, data: bytes, max_chars: int) -> _Parsed:
    """Parse, chunk and compute index terms (runs in a worker process)."""
    item = _Parsed(found, digest, len(data))
    try:
        doc = parse_bytes(data, found.source.name)
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


def _prepare_file(found: _Found, digest: str, max_chars: int) -> _Parsed:
    return _prepare(found, digest, found.source.read_bytes(), max_chars)


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
) -> IngestReport:
    """Ingest files and folders into a collection (lexical index; vectors come after)."""
    started = time.perf_counter()
    target = ensure_collection(store, tenant, collection)
    files, roots, skipped = _discover([Path(p) for p in paths])
    report = IngestReport(collection=target.name, files=list(skipped))
    with store.read() as conn:
        known = {
            row.source: (row.id, row.content_hash)
            for row in conn.execute(
                sa.select(documents.c.source, documents.c.id, documents.c.content_hash).where(
                    documents.c.collection_id == target.id
                )
            )
        }
    todo: list[tuple[_Found, str]] = []
    for found in files:
        try:
            size = found.source.stat().st_size
            if size > max_bytes:
                report.files.append(
                    FileResult(
                        found.path,
                        "failed",
                        f"too large ({size:,} bytes, limit {max_bytes:,}): split the file",
                    )
                )
                continue
            digest = _hash(found.source)
        except OSError as exc:
            report.files.append(FileResult(found.path, "failed", f"cannot read: {exc.strerror}"))
            continue
        previous = known.get(str(found.source))
        if previous and previous[1] == digest:
            report.files.append(FileResult(found.path, "unchanged"))
        else:
            todo.append((found, digest))
    for done, item in enumerate(_parse_all(todo, max_chars, workers), start=1):
        report.files.append(_store_document(store, target, item, known.get(str(item.found.source))))
        if progress:
            progress("parse", done, len(todo), item.found.path)
    seen = {str(f.source) for f in files}
    gone = [
        src
        for src in known
        if src not in seen and any(Path(src).is_relative_to(root) for root in roots)
    ]
    for source in gone:
        _delete_document(store, known[source][0])
        report.files.append(FileResult(_relative(source, roots), "removed"))
    with store.write() as conn:
        conn.execute(
            collections.update().where(collections.c.id == target.id).values(updated_at=utcnow())
        )
    report.seconds = time.perf_counter() - started
    return report


def _relative(source: str, roots: list[Path]) -> str:
    for root in roots:
        if Path(source).is_relative_to(root):
            return Path(source).relative_to(root).as_posix()
    return source


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parse_all(
    todo: list[tuple[_Found, str]], max_chars: int, workers: int | None
) -> Iterator[_Parsed]:
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    if workers <= 1 or len(todo) < _PARALLEL_MIN_FILES:
        for found, digest in todo:
            yield _safe_prepare(found, digest, max_chars)
        return
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_prepare_file, f, d, max_chars) for f, d in todo]
        for (found, digest), future in zip(todo, futures, strict=True):
            try:
                yield future.result()
            except OSError as exc:
                yield _Parsed(found, digest, 0, error=f"cannot read: {exc.strerror}")


def _safe_prepare(found: _Found, digest: str, max_chars: int) -> _Parsed:
    try:
        return _prepare_file(found, digest, max_chars)
    except OSError as exc:
        return _Parsed(found, digest, 0, error=f"cannot read: {exc.strerror}")


def _store_document(
    store: Store, target: Collection, item: _Parsed, previous: tuple[str, str] | None
) -> FileResult:
    path = item.found.path
    if item.error is not None:
        kept = "; the previously indexed version is kept" if previous else ""
        return FileResult(path, "failed", item.error + kept, bytes=item.size)
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
                source=str(item.found.source),
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
