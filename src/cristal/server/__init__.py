"""The HTTP service: REST under /api, the OpenAI-compatible API under /v1, health checks.

`create_app(app)` builds the FastAPI application over a Cristal App; `cristal serve`
runs it with uvicorn. Routes only parse, call the use-case layer and render.
"""

from cristal.server._app import create_app

__all__ = ["create_app"]
