"""The FastAPI application: `create_app(app)` wires the edge middleware, the error handlers,
authentication and every router onto one Cristal App."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from cristal import __version__
from cristal.app import App
from cristal.app import auth as uc_auth
from cristal.server._auth import Authenticator
from cristal.server._docs import install_docs
from cristal.server._errors import install_handlers
from cristal.server._middleware import EdgeMiddleware
from cristal.server.console import install_console
from cristal.server.routes import admin, audit, health, knowledge, openai, operator, research
from cristal.server.routes import workflows as workflow_routes

__all__ = ["create_app"]

log = logging.getLogger("cristal.server")


def create_app(app: App) -> FastAPI:
    """The HTTP service over `app`: REST under /api, OpenAI-compatible under /v1."""
    server = app.settings.server

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Blocking work (database, models) runs in threads: enough of them for many clients.
        anyio.to_thread.current_default_thread_limiter().total_tokens = server.threads
        app.store  # noqa: B018 - open and migrate before the first request
        yield

    api = FastAPI(title="Cristal", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Deep Research, workflows, operator and governance over HTTP; "
                  "an OpenAI-compatible API under /v1. Authenticate with "
                  "`Authorization: Bearer <API key or sign-in token>`.")
    api.state.cristal = app
    api.state.auth = Authenticator(app)
    uc_auth.oidc_verifier(app)  # a bad oidc configuration fails at start, not per request
    install_handlers(api)
    install_docs(api)
    # The hot path first: routes are matched in order.
    for router in (openai.router, health.router, admin.router, knowledge.router,
                   research.router, workflow_routes.router, operator.router, audit.router):
        api.include_router(router)
    if app.settings.console.enabled:
        install_console(api)
    if server.cors_origins:
        api.add_middleware(CORSMiddleware, allow_origins=server.cors_origins,
                           allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key",
                                          "X-Request-ID"],
                           expose_headers=["X-Request-ID", "Retry-After"])
    api.add_middleware(EdgeMiddleware, max_body=server.max_body_bytes,
                       max_upload=server.max_upload_bytes, log=server.access_log)
    return api
