"""The console's start page: who is signed in, and where to go from here."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from cristal.server.console._web import Page, page, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(p: Page = Depends(page)) -> Response:
    """The start page."""
    return render(p, "home.html")
