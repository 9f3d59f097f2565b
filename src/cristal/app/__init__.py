"""The use-case layer: one function per operation the CLI, the server and the console offer.

`App` holds what a process shares (settings, store, gateway). Every use case takes
`(app, principal, ...)`, checks the principal's permission, calls the feature, and
writes audit entries; routes and commands only parse, call it and render. The
modules: `admin` (tenants, users, roles, keys), `knowledge` (collections, ingest,
search, grants), `research`, `workflows`, `operator`, `usage` (usage, calls),
`audit`, `models` (the OpenAI-compatible chat and embeddings). Import them by name,
e.g. `from cristal.app import research`.
"""

from cristal.app._app import App
from cristal.governance import Principal, allowed

__all__ = ["App", "Principal", "allowed"]
