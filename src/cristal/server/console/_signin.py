"""Sign-in and sign-out pages: an API key, or single sign-on (OIDC code flow with PKCE).

Only cookies and redirects live here; `cristal.app.sessions` opens, checks and ends
sessions. The sign-in form has its own CSRF token (a random value in a cookie and in
the form) so that another site cannot sign a browser in as someone else.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import App
from cristal.app import sessions as uc
from cristal.errors import NotAuthenticated, RateLimited
from cristal.server.console._web import (
    SESSION_COOKIE,
    Page,
    form_of,
    page,
    redirect,
    render,
    safe_next,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PRE = "cristal_signin"   # CSRF token of the sign-in form (no session yet)
_SSO = "cristal_sso"      # state, PKCE verifier, nonce and where to go, during SSO


def _app(request: Request) -> App:
    return request.app.state.cristal


def _client(request: Request) -> str:
    return request.app.state.auth.client(request)


def _secure(request: Request) -> bool:
    return _app(request).settings.console.secure_cookies


def _signin_page(request: Request, *, status: int = 200, error: str | None = None,
                 next_url: str = "/") -> Response:
    token = request.cookies.get(_PRE) or secrets.token_urlsafe(24)
    request.scope["console"] = True
    why = request.query_params.get("why")
    response = render(None, "signin.html", request=request, status=status, error=error,
                      pre_csrf=token, next_url=safe_next(next_url),
                      sso=uc.sso_enabled(_app(request)), ended=bool(why) and not error)
    response.set_cookie(_PRE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=_secure(request), path="/signin")
    return response


@router.get("/signin")
async def signin_form(request: Request, next: str = "/") -> Response:  # noqa: A002
    """The sign-in page."""
    return _signin_page(request, next_url=next)


def _set_session(request: Request, response: Response, token: str) -> None:
    hours = _app(request).settings.console.session_hours
    response.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), httponly=True,
                        samesite="lax", secure=_secure(request), path="/")


@router.post("/signin")
async def signin_key(request: Request) -> Response:
    """Sign in with an API key typed into the form."""
    form = await request.form()
    next_url = safe_next(str(form.get("next") or "/"))
    kept, given = request.cookies.get(_PRE, ""), str(form.get("csrf") or "")
    if not kept or not given or not hmac.compare_digest(kept.encode(), given.encode()):
        return _signin_page(request, status=403, next_url=next_url,
                            error="The sign-in form is out of date; try again.")
    try:
        token, _ = await anyio.to_thread.run_sync(
            lambda: uc.sign_in_with_key(_app(request), str(form.get("key") or ""),
                                        client=_client(request)))
    except (NotAuthenticated, RateLimited) as exc:
        return _signin_page(request, status=429 if isinstance(exc, RateLimited) else 401,
                            next_url=next_url, error=exc.message)
    response = redirect(next_url)
    _set_session(request, response, token)
    response.delete_cookie(_PRE, path="/signin")
    return response


def _callback_url(request: Request) -> str:
    return str(request.url_for("signin_callback"))


@router.get("/signin/sso")
async def signin_sso(request: Request, next: str = "/") -> Response:  # noqa: A002
    """Send the browser to the identity provider (authorization code + PKCE)."""
    try:
        start = await anyio.to_thread.run_sync(uc.oidc_start, _app(request),
                                               _callback_url(request))
    except NotAuthenticated as exc:
        return _signin_page(request, status=503, next_url=next, error=exc.message)
    kept = base64.urlsafe_b64encode(json.dumps(
        {"state": start.state, "verifier": start.verifier, "nonce": start.nonce,
         "next": safe_next(next)}).encode()).decode()
    response = redirect(start.url, status=302)
    response.set_cookie(_SSO, kept, max_age=600, httponly=True, samesite="lax",
                        secure=_secure(request), path="/signin")
    return response


def _sso_cookie(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(request.cookies.get(_SSO, "")))
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


@router.get("/signin/callback", name="signin_callback")
async def signin_callback(request: Request) -> Response:
    """Where the identity provider sends the browser back with a code."""
    kept = _sso_cookie(request)
    query = request.query_params
    next_url = safe_next(kept.get("next"))
    if query.get("error"):
        return _signin_page(request, status=401, next_url=next_url,
                            error=f"The identity provider refused the sign-in "
                                  f"({query.get('error', '')[:80]}).")
    state = query.get("state", "")
    if not kept or not state or not hmac.compare_digest(state.encode(),
                                                        str(kept.get("state")).encode()):
        return _signin_page(request, status=400, next_url=next_url,
                            error="This sign-in answer does not belong to this browser's "
                                  "sign-in (state); start again.")
    try:
        token, _ = await anyio.to_thread.run_sync(lambda: uc.oidc_finish(
            _app(request), code=query.get("code", ""), verifier=str(kept.get("verifier")),
            nonce=str(kept.get("nonce")), redirect_uri=_callback_url(request),
            client=_client(request)))
    except (NotAuthenticated, RateLimited) as exc:
        return _signin_page(request, status=401, next_url=next_url, error=exc.message)
    response = redirect(next_url)
    _set_session(request, response, token)
    response.delete_cookie(_SSO, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request, p: Page = Depends(page)) -> Response:
    """End the session and forget its cookie."""
    await form_of(request, p)
    token = request.cookies.get(SESSION_COOKIE, "")
    await anyio.to_thread.run_sync(uc.sign_out, p.app, token)
    response = redirect("/signin?" + urlencode({"out": "1"}))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
