"""Use cases of knowledge: collections, their readers, ingest and uploads, documents, search.

Every lookup of a collection passes the principal down to `knowledge`, which answers
"not found" for a collection they may not read; search gets only readable collections.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cristal import knowledge as kn
from cristal.app._access import record, tenant_for
from cristal.app._app import App
from cristal.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooLarge,
    UnsupportedType,
)
from cristal.governance import Principal, Tenant, get_tenant, require
from cristal.knowledge import MODES, Collection, Grant, Passage, Scope
from cristal.knowledge.parsers import DEFAULT_MAX_BYTES

__all__ = [
    "MAX_FILE_BYTES",
    "SEARCH_MODES",
    "collection_info",
    "create_collection",
    "delete_collection",
    "delete_document",
    "get_collection",
    "grant",
    "ingest",
    "list_collections",
    "list_documents",
    "list_grants",
    "read_document",
    "readable_ids",
    "readable_scope",
    "revoke",
    "search",
    "upload",
]

SEARCH_MODES = MODES  # the search modes: hybrid, lexical, vector
MAX_FILE_BYTES = DEFAULT_MAX_BYTES  # the largest file an upload may hold
Progress = Callable[[str, int, int, str], None]
_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".text", ".log", ".md", ".markdown", ".htm",
                  ".html", ".eml"}
_MAGIC = {".pdf": (b"%PDF-",), ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",)}
_UNSAFE = re.compile(r"[^\w.\- ()\[\]&+,@]+")


def readable_ids(app: App, principal: Principal, tenant: str | None) -> set[str] | None:
    """Ids of the tenant's collections the principal may read (None: all, for owners)."""
    if principal.is_owner:
        return None
    if tenant is None or tenant != principal.tenant:
        return set()
    where = get_tenant(app.store, tenant)
    return {c.id for c in kn.list_collections(app.store, where, principal)}


def _tenant(app: App, principal: Principal, tenant: str | None, permission: str,
            doing: str) -> Tenant:
    return tenant_for(app, principal, tenant, permission, doing)


def list_collections(app: App, principal: Principal,
                     tenant: str | None = None) -> list[Collection]:
    """The tenant's collections the principal may read, with their sizes."""
    where = _tenant(app, principal, tenant, "collections.read", "list collections")
    return kn.list_collections(app.store, where, principal)


def get_collection(app: App, principal: Principal, name: str,
                   tenant: str | None = None) -> Collection:
    """One readable collection (NotFound, exactly as for a missing one, otherwise)."""
    where = _tenant(app, principal, tenant, "collections.read", "read collections")
    return kn.get_collection(app.store, where, name, principal)


def collection_info(app: App, principal: Principal, name: str,
                    tenant: str | None = None) -> dict[str, Any]:
    """A collection with pending vectors, the vector backend and (for builders) its readers."""
    found = get_collection(app, principal, name, tenant)
    data = {**found.to_dict(), "pending_vectors": kn.count_pending(app.store, found.id),
            "vector_backend": app.store.vector_backend}
    if "collections.grant" in principal.permissions():
        grants = kn.list_grants(app.store, found.id)
        data["readers"] = [g.to_dict() for g in grants] or "tenant"
    return data


def create_collection(app: App, principal: Principal, name: str,
                      tenant: str | None = None) -> Collection:
    """Create an empty collection (Conflict if one by that name exists)."""
    where = _tenant(app, principal, tenant, "collections.write", "create collections")
    if name in {c.name for c in kn.list_collections(app.store, where)}:
        raise Conflict(f"a collection named {name!r} already exists in tenant {where.name}; "
                       "choose another name.", collection=name)
    made = kn.ensure_collection(app.store, where, name)
    record(app, principal, "collection.create", tenant=where, target=name,
           details={"collection_ids": [made.id]})
    return made


def delete_collection(app: App, principal: Principal, name: str,
                      tenant: str | None = None) -> Collection:
    """Delete a readable collection with its index (uploaded files are removed too)."""
    where = _tenant(app, principal, tenant, "collections.write", "delete collections")
    found = kn.get_collection(app.store, where, name, principal)
    kn.delete_collection(app.store, where, name)
    folder = _upload_dir(app, where, found)
    if folder.is_dir():
        for file in folder.iterdir():
            file.unlink(missing_ok=True)
        folder.rmdir()
    record(app, principal, "collection.delete", tenant=where, target=name,
           details={"collection_ids": [found.id], "documents": found.documents})
    return found


def _grant_change(app: App, principal: Principal, name: str, tenant: str | None,
                  user: str | None, group: str | None, add: bool) -> Grant:
    where = _tenant(app, principal, tenant, "collections.grant", "change collection readers")
    if (user is None) == (group is None):
        raise InvalidInput("name exactly one of --user or --group.")
    found = kn.get_collection(app.store, where, name, principal)
    kind, subject = ("user", user) if user is not None else ("group", group)
    change = kn.grant if add else kn.revoke
    done = change(app.store, found.id, kind, subject)
    record(app, principal, "collection.grant" if add else "collection.revoke", tenant=where,
           target=name, details={"collection_ids": [found.id], "kind": done.kind,
                                 "subject": done.subject})
    return done


def grant(app: App, principal: Principal, name: str, *, user: str | None = None,
          group: str | None = None, tenant: str | None = None) -> Grant:
    """Let a user or group read a collection; it is then closed to everyone else."""
    return _grant_change(app, principal, name, tenant, user, group, add=True)


def revoke(app: App, principal: Principal, name: str, *, user: str | None = None,
           group: str | None = None, tenant: str | None = None) -> Grant:
    """Take a reader away; with no grants left the collection is open to its tenant."""
    return _grant_change(app, principal, name, tenant, user, group, add=False)


def list_grants(app: App, principal: Principal, name: str,
                tenant: str | None = None) -> list[Grant]:
    """A readable collection's grants (empty: open to every member of the tenant)."""
    where = _tenant(app, principal, tenant, "collections.grant", "see collection readers")
    return kn.list_grants(app.store, kn.get_collection(app.store, where, name, principal).id)


def _writable(app: App, principal: Principal, where: Tenant, name: str) -> None:
    """Writing into an existing collection needs reading it; a new name is free."""
    names = {c.name for c in kn.list_collections(app.store, where)}
    if name in names:
        kn.get_collection(app.store, where, name, principal)


def _embed(app: App, where: Tenant, name: str, embed: bool, progress: Progress | None,
           seconds: float | None) -> int:
    if not embed:
        return 0
    target = kn.get_collection(app.store, where, name)
    return kn.embed_pending(app.store, app.gateway, where, target, progress=progress,
                            seconds=seconds)


def ingest(app: App, principal: Principal, name: str, paths: list[Path], *,
           tenant: str | None = None, embed: bool = True, progress: Progress | None = None,
           embed_seconds: float | None = None, follow_outside: bool = False) -> dict[str, Any]:
    """Ingest files and folders of this machine (the command line only)."""
    where = _tenant(app, principal, tenant, "collections.write", "ingest documents")
    if principal.kind != "local":
        raise PermissionDenied("only the command line can ingest folders of the server; "
                               "upload files instead (POST /api/collections/NAME/documents).")
    _writable(app, principal, where, name)
    report = kn.ingest_paths(app.store, where, name, list(paths), progress=progress,
                             follow_outside=follow_outside)
    embedded = _embed(app, where, name, embed, progress, embed_seconds)
    target = kn.get_collection(app.store, where, name)
    data = {**report.to_dict(), "embedded": embedded}
    record(app, principal, "documents.ingest", tenant=where, target=name,
           details={"collection_ids": [target.id], "paths": [str(p) for p in paths],
                    **{k: data[k] for k in ("added", "updated", "removed", "failed")}})
    return data


def _safe_name(name: str) -> str:
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    base = _UNSAFE.sub("_", base).strip(" .")[:150]
    if not base or base.startswith("."):
        raise InvalidInput(f"upload file name {name!r} is not usable; give the file a name "
                           "such as policy.pdf.")
    return base


def _check_type(name: str, data: bytes) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in kn.supported_suffixes():
        raise UnsupportedType(f"{name}: files of type '{suffix or '(none)'}' are not accepted; "
                              f"upload one of {', '.join(kn.supported_suffixes())}.", file=name)
    magic = _MAGIC.get(suffix)
    if magic and not data.startswith(magic):
        raise UnsupportedType(f"{name}: the content is not a {suffix[1:].upper()} file (it "
                              "does not start like one); upload the real file.", file=name)
    if suffix in _TEXT_SUFFIXES and b"\x00" in data[:8192] and not data.startswith(
            (b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedType(f"{name}: a {suffix} file must be text, and this one is binary.",
                              file=name)


def _upload_dir(app: App, where: Tenant, collection: Collection) -> Path:
    return Path(app.settings.data_dir) / "uploads" / where.id / collection.id


def upload(app: App, principal: Principal, name: str, files: list[tuple[str, bytes]], *,
           tenant: str | None = None, embed: bool = True, progress: Progress | None = None,
           max_file_bytes: int | None = None, embed_seconds: float | None = None,
           ) -> dict[str, Any]:
    """Add uploaded files (name, bytes) to a collection; a file by the same name is replaced.

    Every file is checked (type by name and content, size) before anything is stored.
    """
    where = _tenant(app, principal, tenant, "collections.write", "upload documents")
    if not files:
        raise InvalidInput("no files in the upload; send them as multipart field `files`.")
    _writable(app, principal, where, name)
    checked: dict[str, bytes] = {}
    for raw_name, data in files:
        safe = _safe_name(raw_name)
        _check_type(safe, data)
        if max_file_bytes is not None and len(data) > max_file_bytes:
            raise TooLarge(f"{safe} is {len(data):,} bytes; the limit per file is "
                           f"{max_file_bytes:,}.", file=safe)
        checked[safe] = data
    target = kn.ensure_collection(app.store, where, name)
    folder = _upload_dir(app, where, target)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for safe, data in checked.items():
        path = folder / safe
        path.write_bytes(data)
        paths.append(path)
    report = kn.ingest_paths(app.store, where, name, paths, progress=progress)
    embedded = _embed(app, where, name, embed, progress, embed_seconds)
    data = {**report.to_dict(), "embedded": embedded}
    record(app, principal, "documents.upload", tenant=where, target=name,
           details={"collection_ids": [target.id], "files": list(checked),
                    **{k: data[k] for k in ("added", "updated", "failed")}})
    return data


def list_documents(app: App, principal: Principal, name: str, tenant: str | None = None,
                   limit: int = 1000, offset: int = 0) -> list[dict[str, Any]]:
    """The documents of a readable collection."""
    found = get_collection(app, principal, name, tenant)
    return kn.list_documents(app.store, found, limit, offset)


def read_document(app: App, principal: Principal, document_id: str,
                  tenant: str | None = None) -> dict[str, Any]:
    """One document of a readable collection with its parsed text (what citations point
    into) and its collection's name. A document in a collection the principal may not read
    is not found, exactly like one that does not exist."""
    where = _tenant(app, principal, tenant, "collections.read", "read documents")
    found = kn.get_document(app.store, document_id)
    readable = {c.id: c for c in kn.list_collections(app.store, where, principal)}
    if found is None or found["collection_id"] not in readable:
        raise NotFound(f"no document {document_id!r} in the collections you may read in "
                       f"tenant {where.name}.", document=document_id)
    return {**found, "collection": readable[found["collection_id"]].name}


def delete_document(app: App, principal: Principal, name: str, document_id: str,
                    tenant: str | None = None) -> dict[str, Any]:
    """Remove one document from a readable collection (an uploaded file too)."""
    where = _tenant(app, principal, tenant, "collections.write", "delete documents")
    found = kn.get_collection(app.store, where, name, principal)
    gone = kn.delete_document(app.store, found, document_id)
    uploaded = _upload_dir(app, where, found) / gone["path"]
    if uploaded.is_file():
        uploaded.unlink()
    record(app, principal, "documents.delete", tenant=where, target=name,
           details={"collection_ids": [found.id], "document": document_id,
                    "path": gone["path"]})
    return gone


def readable_scope(app: App, principal: Principal, names: list[str] | None,
                   where: Tenant) -> Scope:
    """The collections to search: those named (each must be readable), else every readable."""
    if names:
        return Scope(tuple(kn.get_collection(app.store, where, n, principal)
                           for n in dict.fromkeys(names)))
    return Scope(tuple(kn.list_collections(app.store, where, principal)))


def search(app: App, principal: Principal, query: str, *, collections: list[str] | None = None,
           tenant: str | None = None, k: int = 10, mode: str = "hybrid") -> list[Passage]:
    """Ranked passages from the named collections, or from every collection one may read."""
    where = _tenant(app, principal, tenant, "search", "search")
    require(principal.with_tenant(where.name), "collections.read", "search collections")
    scope = readable_scope(app, principal, collections, where)
    if not scope.collections:
        return []
    return kn.search(app.store, app.gateway, scope, query, k=k, mode=mode, tenant=where.name)
