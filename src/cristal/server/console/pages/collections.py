"""Console pages: collections (list, create, delete), a collection's documents (filter,
delete), its readers (grant, revoke) and uploads.

Uploads: collections.js sends each file on its own (XMLHttpRequest, for progress) to
`/collections/NAME/upload` with the CSRF token in a header, and gets JSON back: the file's
outcome or its error in plain words. Without JavaScript the same form posts every file at
once and the answer is a page with one line per file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from cristal.app import knowledge
from cristal.errors import CristalError, InvalidInput, PermissionDenied
from cristal.server._errors import status_of
from cristal.server.console._web import (
    Page,
    Pager,
    check_csrf,
    form_of,
    page,
    page_number,
    redirect,
    render,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

LIST_SIZE = 50
DOCUMENT_SIZE = 50
MAX_FILES = 200


def _url(name: str) -> str:
    return f"/collections/{quote(name, safe='')}"


def _filter(request: Request) -> str:
    return (request.query_params.get("q") or "").strip()[:200]


@router.get("/collections")
def collections_page(request: Request, p: Page = Depends(page)) -> Response:
    """The collections one may read (filter by name), and a form to create one."""
    return _list_page(request, p)


def _list_page(request: Request, p: Page, *, error: str = "", name: str = "",
               status: int = 200) -> Response:
    found = knowledge.list_collections(p.app, p.principal)
    deleted = request.query_params.get("deleted", "")[:100]
    if deleted in {c.name for c in found}:
        deleted = ""  # it is there: the notice would not be true
    q = _filter(request)
    if q:
        found = [c for c in found if q.lower() in c.name.lower()]
    offset = (page_number(request) - 1) * LIST_SIZE
    pager = Pager.of(request, found[offset:offset + LIST_SIZE + 1], size=LIST_SIZE)
    return render(p, "collections/index.html", status=status, pager=pager, q=q,
                  error=error, name=name, deleted=deleted)


@router.post("/collections")
async def create(request: Request, p: Page = Depends(page)) -> Response:
    """Create an empty collection (builder, admin), then open it."""
    form = await form_of(request, p)
    name = str(form.get("name") or "").strip()
    try:
        made = await anyio.to_thread.run_sync(
            lambda: knowledge.create_collection(p.app, p.principal, name))
    except InvalidInput as exc:  # a bad or taken name: say so in the form
        message, status = exc.message, status_of(exc)
        return await anyio.to_thread.run_sync(lambda: _list_page(
            request, p, error=message, name=name, status=status))
    return redirect(_url(made.name))


@router.get("/collections/{name}")
def collection_page(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """A collection: its documents (filter by file name), readers, upload, delete."""
    info = knowledge.collection_info(p.app, p.principal, name)
    q = _filter(request)
    offset = (page_number(request) - 1) * DOCUMENT_SIZE
    if q:
        every = knowledge.list_documents(p.app, p.principal, name, limit=100_000)
        wanted = q.lower()
        rows = [d for d in every
                if wanted in d["path"].lower() or wanted in (d["title"] or "").lower()]
        rows = rows[offset:offset + DOCUMENT_SIZE + 1]
    else:
        rows = knowledge.list_documents(p.app, p.principal, name, limit=DOCUMENT_SIZE + 1,
                                        offset=offset)
    grants = (knowledge.list_grants(p.app, p.principal, name)
              if p.can("collections.grant") else None)
    return render(p, "collections/collection.html", info=info, name=name,
                  base=_url(name), q=q, pager=Pager.of(request, rows, size=DOCUMENT_SIZE),
                  grants=grants, removed=request.query_params.get("removed") == "1")


@router.post("/collections/{name}/delete")
async def delete_collection(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Delete the collection with its documents and index (after the page's confirmation)."""
    await form_of(request, p)
    gone = await anyio.to_thread.run_sync(
        lambda: knowledge.delete_collection(p.app, p.principal, name))
    return redirect(f"/collections?deleted={quote(gone.name)}")


@router.post("/collections/{name}/documents/{document_id}/delete")
async def delete_document(name: str, document_id: str, request: Request,
                          p: Page = Depends(page)) -> Response:
    """Remove one document from the collection."""
    await form_of(request, p)
    await anyio.to_thread.run_sync(
        lambda: knowledge.delete_document(p.app, p.principal, name, document_id))
    # The address names no document: nothing from it is echoed into the page.
    return redirect(f"{_url(name)}?removed=1")


async def _grant_form(request: Request, p: Page) -> tuple[str | None, str | None]:
    form = await form_of(request, p)
    kind = str(form.get("kind") or "")
    subject = str(form.get("subject") or "").strip()
    if kind not in ("user", "group"):
        raise InvalidInput(p.gettext("Choose a user or a group."))
    if not subject:
        raise InvalidInput(p.gettext("Name the user or group."))
    return (subject, None) if kind == "user" else (None, subject)


@router.post("/collections/{name}/grants")
async def grant(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Let a user or group read the collection (it is then closed to everyone else)."""
    user, group = await _grant_form(request, p)
    await anyio.to_thread.run_sync(
        lambda: knowledge.grant(p.app, p.principal, name, user=user, group=group))
    return redirect(f"{_url(name)}#readers")


@router.post("/collections/{name}/grants/revoke")
async def revoke(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Take a reader away."""
    user, group = await _grant_form(request, p)
    await anyio.to_thread.run_sync(
        lambda: knowledge.revoke(p.app, p.principal, name, user=user, group=group))
    return redirect(f"{_url(name)}#readers")


def _outcome(p: Page, file_name: str, report: dict[str, Any]) -> dict[str, Any]:
    """One uploaded file's line: ok, and what happened in plain words."""
    line = next(iter(report.get("files") or []), None)
    status = line["status"] if line else "unchanged"
    if status == "added":
        message = p.gettext("Added; passages indexed: %(n)s.", n=line["chunks"] if line else 0)
    elif status == "updated":
        message = p.gettext("Replaced the earlier file of this name; passages indexed: %(n)s.",
                            n=line["chunks"] if line else 0)
    elif status == "unchanged":
        message = p.gettext("Already in the collection, unchanged.")
    else:
        reason = (line or {}).get("reason") or p.gettext("the file could not be read.")
        message = p.gettext("Not added: %(reason)s", reason=reason)
    return {"name": file_name, "ok": status in ("added", "updated", "unchanged"),
            "status": status, "message": message}


def _upload_one(p: Page, name: str, file_name: str, data: bytes) -> dict[str, Any]:
    try:
        report = knowledge.upload(p.app, p.principal, name, [(file_name, data)],
                                  max_file_bytes=knowledge.MAX_FILE_BYTES, embed_seconds=60)
    except PermissionDenied:
        raise
    except CristalError as exc:
        return {"name": file_name, "ok": False, "status": "refused",
                "message": p.gettext("Not added: %(reason)s", reason=exc.message)}
    return _outcome(p, file_name, report)


@router.post("/collections/{name}/upload")
async def upload(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Add files to the collection: JSON for collections.js (one file a request), a page of
    per-file outcomes for the plain form."""
    wants_json = "application/json" in request.headers.get("accept", "")
    if request.headers.get("x-csrf-token"):
        check_csrf(request, p)  # before the body is read
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput(p.gettext("Send the files as a multipart form (field files)."))
    # Only a collection one may read (and write) takes uploads; no new one is made here.
    await anyio.to_thread.run_sync(lambda: knowledge.get_collection(p.app, p.principal, name))
    files: list[tuple[str, bytes]] = []
    async with request.form(max_files=MAX_FILES, max_fields=20) as form:
        if not request.headers.get("x-csrf-token"):
            check_csrf(request, p, str(form.get("csrf") or ""))
        for item in form.getlist("files"):
            if isinstance(item, str):
                continue
            files.append((item.filename or "", await item.read()))
    if not files or all(not file_name and not data for file_name, data in files):
        raise InvalidInput(p.gettext("Choose at least one file to upload."))
    results = []
    for file_name, data in files:
        results.append(await anyio.to_thread.run_sync(
            lambda f=file_name, d=data: _upload_one(p, name, f, d)))
    if wants_json:
        return JSONResponse({"files": results}, headers={"Cache-Control": "no-store"})
    return render(p, "collections/uploaded.html", name=name, base=_url(name), results=results)
