"""What every route needs: the App, the caller, and the JSON body models' base."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from cristal.app import App, Principal

__all__ = ["Body", "Cristal", "Me", "TenantQuery", "cristal_app", "principal"]


async def cristal_app(request: Request) -> App:
    """The App this server serves (async: no thread for a dictionary lookup)."""
    return request.app.state.cristal


def principal(request: Request) -> Principal:
    """The authenticated caller (401/429 otherwise)."""
    return request.app.state.auth(request)


Cristal = Annotated[App, Depends(cristal_app)]
Me = Annotated[Principal, Depends(principal)]
TenantQuery = Annotated[str | None, Query(
    description="Tenant name (default: the caller's; only an owner may name another).")]


class Body(BaseModel):
    """A request body: unknown fields are refused (422), so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")
