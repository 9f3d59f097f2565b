"""Console pages: administration of a tenant — budget and routes, users and their groups,
role bindings and API keys (a new key's text is shown once, in the answer to the form).

Every change is a CSRF-checked POST through `cristal.app.admin` that redirects (303) to a
GET page with `?done=<what>`, a key mapped to a translated message: text from the query
string is never shown as a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import admin, usage
from cristal.app import models as models_uc
from cristal.errors import InvalidInput
from cristal.server.console._web import Page, Pager, form_of, page, page_number, redirect, render

__all__ = ["DONE", "router"]

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
KEY_STATUSES = ("active", "revoked", "expired")

# ?done= keys and their messages (translated when shown).
DONE = {
    "budget-saved": "The budget was saved.",
    "user-created": "The user was created.",
    "groups-saved": "The groups were saved.",
    "user-disabled": "The user was disabled; they cannot sign in until enabled.",
    "user-enabled": "The user was enabled.",
    "user-deleted": "The user was deleted; keys acting as them were revoked.",
    "role-bound": "The role was given.",
    "role-unbound": "The role was taken away.",
    "key-revoked": "The key was revoked; it stops working at once.",
}


def _message(p: Page) -> str | None:
    key = p.request.query_params.get("done")
    return p.gettext(DONE[key]) if key in DONE else None


def _tenant(p: Page, asked: Any) -> str | None:
    """The tenant an owner picked (`?tenant=` or the form's field); others act in their own."""
    if not p.principal.is_owner:
        return None
    return str(asked).strip() or None if asked else None


def _url(path: str, p: Page, tenant: str | None, done: str | None = None,
         **more: str) -> str:
    query = {k: v for k, v in {"tenant": tenant or "", "done": done or "", **more}.items() if v}
    return quote(path) + (f"?{urlencode(query)}" if query else "")


def _groups(text: Any) -> list[str]:
    return [g for g in re.split(r"[,\s]+", str(text or "")) if g]


def _common(p: Page, tenant: str | None, section: str) -> dict[str, Any]:
    """What every admin page shows: the tenant (and an owner's choice of tenants), tabs."""
    current = admin.get_tenant(p.app, p.principal, tenant)
    tenants = ([t.name for t in admin.list_tenants(p.app, p.principal)]
               if p.principal.is_owner else [])
    tabs = [("/admin", p.gettext("Tenant"), "tenant", "tenant.read"),
            ("/admin/users", p.gettext("Users"), "users", "users.read"),
            ("/admin/roles", p.gettext("Role bindings"), "roles", "users.read"),
            ("/admin/keys", p.gettext("API keys"), "keys", "keys.manage")]
    return {"tenant": current, "tenants": tenants, "section": section, "picked": tenant,
            "tabs": [(_url(url, p, tenant), label, name) for url, label, name, perm in tabs
                     if p.can(perm)],
            "done": _message(p), "url": lambda path, **more: _url(path, p, tenant, **more)}


def _page_of(request: Request, rows: list[Any]) -> Pager:
    number = page_number(request)
    start = (number - 1) * PER_PAGE
    return Pager.of(request, rows[start:start + PER_PAGE + 1], size=PER_PAGE)


async def _run(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await anyio.to_thread.run_sync(lambda: func(*args, **kwargs))


# -- tenant: budget, period, routes and policy --------------------------------------


def _tenant_view(p: Page, tenant: str | None, *, error: str | None = None,
                 status: int = 200) -> Response:
    values = _common(p, tenant, "tenant")
    position = usage.positions(p.app, p.principal, values["tenant"].name)[0]
    routes = {name: json.dumps(over, ensure_ascii=False, sort_keys=True)
              for name, over in sorted(values["tenant"].routes.items())}
    usable = (models_uc.models(p.app, p.principal, values["tenant"].name)
              if p.can("models.list") else None)
    return render(p, "admin/tenant.html", status=status, error=error, position=position,
                  routes=routes, usable=usable, periods=admin.PERIODS, **values)


@router.get("/admin")
def tenant_page(request: Request, p: Page = Depends(page)) -> Response:
    """The tenant's budget, period, usage this period, allowed providers/regions and routes."""
    return _tenant_view(p, _tenant(p, request.query_params.get("tenant")))


def _number(text: Any, what: str, kind: type) -> Any:
    text = str(text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a number (got {text[:40]!r}); leave it empty "
                           "for no limit.") from None


@router.post("/admin/tenant")
async def save_budget(request: Request, p: Page = Depends(page)) -> Response:
    """Change the budget in dollars and tokens and the period."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    try:
        changes = {"budget_usd": _number(form.get("budget_usd"), "The budget in USD", float),
                   "budget_tokens": _number(form.get("budget_tokens"), "The token budget",
                                            int),
                   "period": str(form.get("period") or "") or None}
        await _run(admin.update_tenant, p.app, p.principal, tenant, **changes)
    except InvalidInput as exc:
        return await _run(_tenant_view, p, tenant, error=str(exc), status=400)
    return redirect(_url("/admin", p, tenant, "budget-saved"))


# -- users and groups ----------------------------------------------------------------


def _users_view(p: Page, tenant: str | None, *, error: str | None = None,
                status: int = 200) -> Response:
    values = _common(p, tenant, "users")
    wanted = (p.request.query_params.get("q") or "").strip().casefold()
    rows = [u for u in admin.list_users(p.app, p.principal, values["tenant"].name)
            if not wanted or wanted in u.name.casefold()
            or any(wanted in g.casefold() for g in u.groups)]
    return render(p, "admin/users.html", status=status, error=error,
                  pager=_page_of(p.request, rows),
                  q=p.request.query_params.get("q", ""), **values)


@router.get("/admin/users")
def users_page(request: Request, p: Page = Depends(page)) -> Response:
    """The tenant's users, filtered by name or group (`?q=`)."""
    return _users_view(p, _tenant(p, request.query_params.get("tenant")))


@router.post("/admin/users")
async def create_user(request: Request, p: Page = Depends(page)) -> Response:
    """Add a user with their groups."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    name = str(form.get("name") or "").strip()
    try:
        await _run(admin.create_user, p.app, p.principal, name, tenant=tenant,
                   groups=_groups(form.get("groups")))
    except InvalidInput as exc:
        return await _run(_users_view, p, tenant, error=str(exc), status=400)
    return redirect(_url(f"/admin/users/{name}", p, tenant, "user-created"))


def _user_view(p: Page, tenant: str | None, name: str, *, error: str | None = None,
               status: int = 200) -> Response:
    values = _common(p, tenant, "users")
    user = admin.get_user(p.app, p.principal, name, values["tenant"].name)
    bindings = [b for b in admin.list_bindings(p.app, p.principal, values["tenant"].name)
                if (b.subject_kind == "user" and b.subject == name)
                or (b.subject_kind == "group" and b.subject in user.groups)]
    return render(p, "admin/user.html", status=status, error=error, user=user,
                  bindings=bindings, **values)


@router.get("/admin/users/{name}")
def user_page(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """One user: groups (editable), roles through them, enable/disable, delete."""
    return _user_view(p, _tenant(p, request.query_params.get("tenant")), name)


@router.post("/admin/users/{name}/groups")
async def save_groups(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Replace a user's groups."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    try:
        await _run(admin.update_user, p.app, p.principal, name, tenant=tenant,
                   groups=_groups(form.get("groups")))
    except InvalidInput as exc:
        return await _run(_user_view, p, tenant, name, error=str(exc), status=400)
    return redirect(_url(f"/admin/users/{name}", p, tenant, "groups-saved"))


@router.post("/admin/users/{name}/disable")
async def disable_user(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Disable a user (they cannot sign in) or enable them again (`enable=1`)."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    enable = form.get("enable") == "1"
    await _run(admin.update_user, p.app, p.principal, name, tenant=tenant,
               disabled=not enable)
    return redirect(_url(f"/admin/users/{name}", p, tenant,
                         "user-enabled" if enable else "user-disabled"))


@router.post("/admin/users/{name}/delete")
async def delete_user(name: str, request: Request, p: Page = Depends(page)) -> Response:
    """Remove a user and their role bindings; keys acting as them are revoked."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    await _run(admin.delete_user, p.app, p.principal, name, tenant)
    return redirect(_url("/admin/users", p, tenant, "user-deleted"))


# -- role bindings -------------------------------------------------------------------


def _roles_view(p: Page, tenant: str | None, *, error: str | None = None,
                status: int = 200) -> Response:
    values = _common(p, tenant, "roles")
    role = p.request.query_params.get("role") or ""
    rows = [b for b in admin.list_bindings(p.app, p.principal, values["tenant"].name)
            if not role or b.role == role]
    roles = [r for r in admin.ROLES if r != "owner" or p.principal.is_owner]
    return render(p, "admin/roles.html", status=status, error=error,
                  pager=_page_of(p.request, rows), roles=roles, all_roles=admin.ROLES,
                  role=role, **values)


@router.get("/admin/roles")
def roles_page(request: Request, p: Page = Depends(page)) -> Response:
    """The tenant's role bindings (filter `?role=`)."""
    return _roles_view(p, _tenant(p, request.query_params.get("tenant")))


def _subject(form: Any) -> dict[str, str | None]:
    kind = str(form.get("kind") or "")
    subject = str(form.get("subject") or "").strip()
    if kind not in ("user", "group") or not subject:
        raise InvalidInput("name the user or group to give the role to.")
    return {"user": subject, "group": None} if kind == "user" else {"user": None,
                                                                     "group": subject}


@router.post("/admin/roles")
async def bind_role(request: Request, p: Page = Depends(page)) -> Response:
    """Give a role to a user or a group."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    try:
        await _run(admin.bind_role, p.app, p.principal, str(form.get("role") or ""),
                   tenant=tenant, **_subject(form))
    except InvalidInput as exc:
        return await _run(_roles_view, p, tenant, error=str(exc), status=400)
    return redirect(_url("/admin/roles", p, tenant, "role-bound"))


@router.post("/admin/roles/unbind")
async def unbind_role(request: Request, p: Page = Depends(page)) -> Response:
    """Take a role from a user or a group."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    await _run(admin.unbind_role, p.app, p.principal, str(form.get("role") or ""),
               tenant=tenant, **_subject(form))
    return redirect(_url("/admin/roles", p, tenant, "role-unbound"))


# -- API keys ------------------------------------------------------------------------


def _keys_view(p: Page, tenant: str | None, *, error: str | None = None, status: int = 200,
               created: tuple[Any, str] | None = None) -> Response:
    values = _common(p, tenant, "keys")
    wanted = p.request.query_params.get("status") or ""
    keys = admin.list_keys(p.app, p.principal, values["tenant"].name)
    rows = sorted((k for k in keys if not wanted or k.status == wanted),
                  key=lambda k: k.created_at, reverse=True)
    users = [u.name for u in admin.list_users(p.app, p.principal, values["tenant"].name)]
    roles = [r for r in admin.ROLES if r != "owner" or p.principal.is_owner]
    response = render(p, "admin/keys.html", status=status, error=error,
                      pager=_page_of(p.request, rows), roles=roles, users=users,
                      statuses=KEY_STATUSES, wanted=wanted, created=created, **values)
    if created is not None:
        response.headers["cache-control"] = "no-store"
    return response


@router.get("/admin/keys")
def keys_page(request: Request, p: Page = Depends(page)) -> Response:
    """The tenant's API keys (never their text), filter `?status=`."""
    return _keys_view(p, _tenant(p, request.query_params.get("tenant")))


@router.post("/admin/keys")
async def create_key(request: Request, p: Page = Depends(page)) -> Response:
    """Create a key; its text is in this answer only (200, never stored, never shown again)."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    try:
        expires = admin.parse_expiry(str(form.get("expires") or "") or None)
        key, text = await _run(admin.create_key, p.app, p.principal,
                               str(form.get("role") or ""), tenant=tenant,
                               user=str(form.get("user") or "").strip() or None,
                               name=str(form.get("name") or "").strip() or None,
                               expires_at=expires)
    except InvalidInput as exc:
        return await _run(_keys_view, p, tenant, error=str(exc), status=400)
    return await _run(_keys_view, p, tenant, created=(key, text))


@router.post("/admin/keys/{key_id}/revoke")
async def revoke_key(key_id: str, request: Request, p: Page = Depends(page)) -> Response:
    """Revoke a key now, on every server."""
    form = await form_of(request, p)
    tenant = _tenant(p, form.get("tenant"))
    await _run(admin.revoke_key, p.app, p.principal, key_id, tenant)
    return redirect(_url("/admin/keys", p, tenant, "key-revoked"))
