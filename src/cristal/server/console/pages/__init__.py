"""The console's pages, one module per area; each has a `router`."""

from cristal.server.console.pages import (
    admin,
    approvals,
    audit,
    collections,
    home,
    operator,
    research,
    runs,
    usage,
)

__all__ = ["PAGES"]

PAGES = [m.router for m in (home, research, collections, approvals, runs, operator, usage,
                            audit, admin)]
