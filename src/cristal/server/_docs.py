"""/docs (Swagger UI) and /redoc served with their scripts from this server, not a CDN.

The files come from the `fastapi-offline` package (MIT; it ships Swagger UI 5's
`swagger-ui-bundle.js` and `swagger-ui.css`, Apache-2.0, and ReDoc's standalone bundle,
MIT), pinned in pyproject.toml, so the pages work on a machine with no internet.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from cristal.errors import NotFound

__all__ = ["ASSETS", "install_docs"]

ASSETS = "/docs-assets"
_DIR = Path(fastapi_offline.__file__).parent / "static"
_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}


def install_docs(api: FastAPI) -> None:
    """Add /docs, /redoc and their assets to an app made with docs_url=redoc_url=None."""

    @api.get(f"{ASSETS}/{{name}}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if name not in _FILES:
            raise NotFound(f"no documentation asset {name!r}; open /docs.")
        return FileResponse(_DIR / name, media_type=_FILES[name],
                            headers={"Cache-Control": "public, max-age=86400"})

    @api.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{api.openapi_url}", title=f"{api.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png")

    @api.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{api.openapi_url}", title=f"{api.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png", with_google_fonts=False)
