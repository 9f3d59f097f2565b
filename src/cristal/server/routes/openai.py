"""/v1: the OpenAI-compatible API, so OpenAI clients and SDKs work with Cristal unchanged.

`GET /v1/models` lists the caller's routes and `cristal-research`; `POST /v1/chat/completions`
proxies a route through the gateway (metered, budgeted, residency-checked) or runs Deep
Research; `POST /v1/embeddings` embeds. Bodies are taken as OpenAI sends them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from cristal.app import models as uc
from cristal.errors import InvalidInput
from cristal.server._deps import Cristal, Me, principal

router = APIRouter(prefix="/v1", tags=["openai"])

_CHAT_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["model", "messages"], "properties": {
        "model": {"type": "string", "description": "a route name, or cristal-research"},
        "messages": {"type": "array", "items": {"type": "object"}},
        "stream": {"type": "boolean"}, "tools": {"type": "array"},
        "response_format": {"type": "object"}, "max_tokens": {"type": "integer"},
        "collections": {"type": "array", "items": {"type": "string"},
                        "description": "cristal-research only: narrow to these"}}}}}}}
_EMBED_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["input"], "properties": {
        "model": {"type": "string"}, "input": {"oneOf": [
            {"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "encoding_format": {"type": "string", "enum": ["float", "base64"]}}}}}}}


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise InvalidInput("the request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object.")
    return body


def _signed_in(request: Request, work, *args: Any) -> Any:
    """Authenticate and do the work in one trip to a worker thread (the hot path)."""
    return work(request.app.state.cristal, principal(request), *args)


@router.get("/models")
def models(app: Cristal, who: Me) -> dict[str, Any]:
    """The routes the caller's tenant may use, and the `cristal-research` agent."""
    return {"object": "list", "data": uc.models(app, who)}


@router.post("/chat/completions", response_model=None, openapi_extra=_CHAT_DOC)
async def chat_completions(request: Request) -> Any:
    """A chat completion (streamed as server-sent events with `stream: true`)."""
    body = await _json(request)
    reply = await run_in_threadpool(_signed_in, request, uc.complete, body)
    if isinstance(reply, dict):
        return JSONResponse(reply)
    return StreamingResponse(reply, media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})


@router.post("/embeddings", openapi_extra=_EMBED_DOC)
async def embeddings(request: Request) -> dict[str, Any]:
    """Embeddings through a route (`model`; default `embed`)."""
    body = await _json(request)
    return await run_in_threadpool(_signed_in, request, uc.embeddings, body)
