"""/api/collections (documents, uploads, readers) and /api/search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from cristal.app import knowledge as uc
from cristal.errors import InvalidInput
from cristal.knowledge import MODES
from cristal.knowledge.parsers import DEFAULT_MAX_BYTES
from cristal.server._deps import Body, Cristal, Me, TenantQuery
from cristal.server._sse import stream_work, wants_events

router = APIRouter(prefix="/api", tags=["knowledge"])


class CollectionIn(Body):
    """A new, empty collection."""

    name: str


class GrantIn(Body):
    """A reader: a user or a group."""

    user: str | None = None
    group: str | None = None


class SearchIn(Body):
    """A search over named collections, or every collection the caller may read."""

    query: str
    collections: list[str] | None = None
    k: int = 10
    mode: str = "hybrid"


@router.get("/collections")
def list_collections(app: Cristal, who: Me, tenant: TenantQuery = None) -> dict[str, Any]:
    """The collections the caller may read, with their sizes."""
    return {"collections": [c.to_dict() for c in uc.list_collections(app, who, tenant)]}


@router.post("/collections", status_code=201)
def create_collection(body: CollectionIn, app: Cristal, who: Me,
                      tenant: TenantQuery = None) -> dict[str, Any]:
    """Create an empty collection (builder, admin)."""
    return uc.create_collection(app, who, body.name, tenant).to_dict()


@router.get("/collections/{name}")
def get_collection(name: str, app: Cristal, who: Me, tenant: TenantQuery = None
                   ) -> dict[str, Any]:
    """One collection: sizes, pending vectors, readers (for builders)."""
    return uc.collection_info(app, who, name, tenant)


@router.delete("/collections/{name}")
def delete_collection(name: str, app: Cristal, who: Me, tenant: TenantQuery = None
                      ) -> dict[str, Any]:
    """Delete a collection and its index (builder, admin)."""
    gone = uc.delete_collection(app, who, name, tenant)
    return {"deleted": gone.name, "documents": gone.documents}


@router.get("/collections/{name}/documents")
def list_documents(name: str, app: Cristal, who: Me, tenant: TenantQuery = None,
                   limit: int = Query(1000, ge=1, le=10000), offset: int = Query(0, ge=0)
                   ) -> dict[str, Any]:
    """The documents of a collection."""
    return {"documents": uc.list_documents(app, who, name, tenant, limit, offset)}


_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["files"], "properties": {"files": {
        "type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


@router.post("/collections/{name}/documents", status_code=201, response_model=None,
             openapi_extra=_UPLOAD_DOC)
async def upload(request: Request, name: str, app: Cristal, who: Me,
                 tenant: TenantQuery = None, embed: bool = True,
                 stream: bool | None = None,
                 accept: Annotated[str | None, Header()] = None) -> Any:
    """Upload files (multipart field `files`, many at once) and index them.

    The caller is authenticated before the body is read. With `Accept: text/event-stream`
    (or `?stream=true`) the answer streams ingest progress events (`progress`) and ends
    with `result` (the ingest report).
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("upload files as multipart/form-data, field `files`.")
    blobs = []
    async with request.form(max_files=1000, max_fields=100) as form:
        for item in form.getlist("files"):
            if isinstance(item, str):
                raise InvalidInput("the `files` field must hold files, not text.")
            blobs.append((item.filename or "", await item.read()))
    if not blobs:
        raise InvalidInput("no files in the upload; send them as multipart field `files`.")

    def work(emit=None) -> dict[str, Any]:
        progress = None
        if emit is not None:
            def progress(stage: str, done: int, total: int, detail: str) -> None:
                emit("progress", {"stage": stage, "done": done, "total": total,
                                  "detail": detail})
        return uc.upload(app, who, name, blobs, tenant=tenant, embed=embed, progress=progress,
                         max_file_bytes=DEFAULT_MAX_BYTES, embed_seconds=120)

    if wants_events(accept, stream):
        return stream_work(work)
    return await run_in_threadpool(work)


@router.delete("/collections/{name}/documents/{document_id}")
def delete_document(name: str, document_id: str, app: Cristal, who: Me,
                    tenant: TenantQuery = None) -> dict[str, Any]:
    """Remove one document (builder, admin)."""
    return {"deleted": uc.delete_document(app, who, name, document_id, tenant)}


@router.get("/collections/{name}/grants")
def list_grants(name: str, app: Cristal, who: Me, tenant: TenantQuery = None
                ) -> dict[str, Any]:
    """The readers of a collection (empty: every member of the tenant)."""
    return {"grants": [g.to_dict() for g in uc.list_grants(app, who, name, tenant)]}


@router.post("/collections/{name}/grants", status_code=201)
def grant(name: str, body: GrantIn, app: Cristal, who: Me, tenant: TenantQuery = None
          ) -> dict[str, Any]:
    """Let a user or group read the collection; it is then closed to everyone else."""
    return uc.grant(app, who, name, user=body.user, group=body.group, tenant=tenant).to_dict()


@router.delete("/collections/{name}/grants/{kind}/{subject}")
def revoke(name: str, kind: str, subject: str, app: Cristal, who: Me,
           tenant: TenantQuery = None) -> dict[str, Any]:
    """Take a reader away (`kind`: users or groups)."""
    if kind not in ("user", "users", "group", "groups"):
        raise InvalidInput(f"{kind!r}: use …/grants/users/NAME or …/grants/groups/NAME.")
    user, group = (subject, None) if kind.startswith("user") else (None, subject)
    return {"revoked": uc.revoke(app, who, name, user=user, group=group,
                                 tenant=tenant).to_dict()}


@router.post("/search")
def search(body: SearchIn, app: Cristal, who: Me, tenant: TenantQuery = None
           ) -> dict[str, Any]:
    """Ranked passages from readable collections."""
    if body.mode not in MODES:
        raise InvalidInput(f"mode {body.mode!r} is not one of {', '.join(MODES)}.")
    if not 1 <= body.k <= 200:
        raise InvalidInput("k must be between 1 and 200.")
    found = uc.search(app, who, body.query, collections=body.collections, tenant=tenant,
                      k=body.k, mode=body.mode)
    return {"query": body.query, "results": [p.to_dict() for p in found]}
