"""Errors as HTTP: `{"error": {"type", "message"}}` with the same classes and advice as the CLI.

Each CristalError subclass maps to one status; the message is the one the command line
prints. Anything unexpected is a 500 that names the request id (the log has the rest),
never a traceback or internal detail.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from cristal import errors as e

__all__ = ["error_response", "install_handlers", "status_of"]

log = logging.getLogger("cristal.server")

# Most specific first: the first class an error is an instance of decides.
_STATUS: list[tuple[type[e.CristalError], int]] = [
    (e.NotAuthenticated, 401),
    (e.RateLimited, 429),
    (e.BudgetExceeded, 402),
    (e.PermissionDenied, 403),
    (e.Refused, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.TooLarge, 413),
    (e.UnsupportedType, 415),
    (e.ConfigError, 503),
    (e.UserError, 400),
    (e.ModelRateLimited, 429),
    (e.ModelTimeout, 504),
    (e.ModelUnavailable, 503),
    (e.ModelTransientError, 503),
    (e.ModelRequestError, 400),
    (e.ModelError, 502),
    (e.StoreError, 503),
]
_HTTP_TYPES = {400: "InvalidInput", 401: "NotAuthenticated", 403: "PermissionDenied",
               404: "NotFound", 405: "MethodNotAllowed", 413: "TooLarge", 429: "RateLimited"}


def status_of(exc: e.CristalError) -> int:
    """The HTTP status for an error class."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_response(status: int, kind: str, message: str,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """The one error body every endpoint answers with."""
    body: dict[str, Any] = {"type": kind, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


async def _cristal(request: Request, exc: e.CristalError) -> JSONResponse:
    status = status_of(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="cristal"'
    retry = exc.fields.get("retry_after")
    if status in (429, 503) and retry is not None:
        with contextlib.suppress(TypeError, ValueError):
            headers["Retry-After"] = str(max(1, int(float(retry))))
    if status >= 500:
        log.warning("request %s: %s: %s", _request_id(request), type(exc).__name__,
                    exc.message)
    return error_response(status, type(exc).__name__, exc.message, headers)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        problems.append(f"{where or 'body'}: {err.get('msg')}")
    return error_response(422, "InvalidInput", "the request is not valid: " + "; ".join(
        problems) + ". See /docs for the expected shape.")


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    if isinstance(exc.__cause__, e.CristalError):  # e.g. the body limit, hit while parsing
        return await _cristal(request, exc.__cause__)
    kind = _HTTP_TYPES.get(exc.status_code, "HTTPError")
    message = exc.detail if isinstance(exc.detail, str) else kind
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}; see /docs."
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}; see /docs."
    return error_response(exc.status_code, kind, message, dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    rid = _request_id(request)
    log.exception("request %s failed", rid)
    return error_response(500, "InternalError", f"the server failed on this request "
                          f"({rid}); the server log has the details under that id.")


def _for_people(handler: Any) -> Any:
    """The handler, answering with a console page instead of JSON where the console
    installed a renderer (`app.state.html_error`) and the request is one of its pages."""

    async def handle(request: Request, exc: Exception) -> Any:
        response = await handler(request, exc)
        render = getattr(request.app.state, "html_error", None)
        if render is None or not render.wants(request):
            return response
        error = json.loads(bytes(response.body))["error"]
        return render(request, response.status_code, error["type"], error["message"],
                      exc=exc)

    return handle


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on a FastAPI app."""
    app.add_exception_handler(e.CristalError, _for_people(_cristal))
    app.add_exception_handler(RequestValidationError, _for_people(_validation))
    app.add_exception_handler(HTTPException, _for_people(_http))
    app.add_exception_handler(Exception, _for_people(_unexpected))
