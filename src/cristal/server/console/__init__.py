"""The web console: server-rendered pages at `/` for people who never open a terminal.

It is one more client of `cristal.app` (the same use cases, permissions and audit as
the API and CLI); nothing here decides who may do what. Pages are Jinja2 templates in
English and Japanese, with the console's own CSS and a little plain JavaScript served
from `/static` (no CDN, no build step). Sign-in: an API key, or the company's identity
provider (OIDC code flow with PKCE); sessions live in the database.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from cristal.server.console import _signin
from cristal.server.console._web import HERE, SignInNeeded, error_page, redirect
from cristal.server.console.pages import PAGES

__all__ = ["install_console"]

_NOT_CONSOLE = ("/api/", "/v1/", "/healthz", "/readyz", "/openapi.json", "/docs", "/redoc",
                "/static/")


class _HtmlErrors:
    """Errors of console pages as pages: 401 sends the browser to sign in."""

    def wants(self, request: Request) -> bool:
        if request.scope.get("console"):
            return True
        path = request.url.path
        accepts = request.headers.get("accept", "")
        return "text/html" in accepts and not any(
            path == p.rstrip("/") or path.startswith(p) for p in _NOT_CONSOLE)

    def __call__(self, request: Request, status: int, kind: str, message: str, *,
                 exc: Exception | None = None) -> Any:
        if status == 401:
            return redirect("/signin?" + urlencode({"next": request.url.path}))
        return error_page(request, status, kind, message)


def install_console(api: FastAPI) -> None:
    """Add the console's routes, its static files and its error pages to the server."""
    api.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    api.include_router(_signin.router)
    for router in PAGES:
        api.include_router(router)
    api.state.html_error = _HtmlErrors()

    @api.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Any:
        query = {"next": exc.next_url}
        if exc.why:
            query["why"] = "1"
        return redirect(f"/signin?{urlencode(query)}")
