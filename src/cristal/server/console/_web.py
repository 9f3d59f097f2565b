"""What every console page needs: templates in two languages, the signed-in session, CSRF
checks, and rendering with the console's security headers.

Pages are Jinja2 templates with autoescaping on: text from documents, runs, users or
the audit log is always escaped, never marked safe. Messages are translated with
Babel catalogues (`locale/ja/*.po`, read at start; English is the source language).
The language is `?lang=`, else the `lang` cookie, else the browser's Accept-Language.
"""

from __future__ import annotations

import gettext
import hmac
import io
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from cristal.app import App, Principal, allowed
from cristal.app import sessions as uc
from cristal.errors import NotAuthenticated, PermissionDenied

__all__ = ["CSP", "LANGS", "SESSION_COOKIE", "Page", "Pager", "SignInNeeded", "check_csrf",
           "error_page", "form_of", "is_console_request", "language", "page", "page_number",
           "redirect", "render", "safe_next", "translations"]

HERE = Path(__file__).parent
LANGS = ("en", "ja")
SESSION_COOKIE = "cristal_session"
LANG_COOKIE = "cristal_lang"

# Own files only: no inline script or style, no other origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "object-src 'none'")


def _catalogue(lang: str) -> gettext.NullTranslations:
    folder = HERE / "locale" / lang / "LC_MESSAGES"
    files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if not files:
        return gettext.NullTranslations()
    merged = Catalog(locale=lang)
    for po in files:
        with po.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id and message.string:
                    merged[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, merged)
    buf.seek(0)
    return Translations(buf)


_TRANSLATIONS = {lang: _catalogue(lang) for lang in LANGS}


def translations(lang: str) -> gettext.NullTranslations:
    """The message catalogue of a language (English: the source text)."""
    return _TRANSLATIONS.get(lang, _TRANSLATIONS["en"])


def _filters(lang: str) -> dict[str, Any]:
    locale = Locale.parse("ja_JP" if lang == "ja" else "en_GB")

    def moment(value: Any, fmt: str = "medium") -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, (int, float)):
            value = datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return format_datetime(value, fmt, tzinfo=UTC, locale=locale) + " UTC"

    def day(value: Any) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value).date()
            except ValueError:
                return value
        return format_date(value, "medium", locale=locale)

    def number(value: Any, digits: int = 0) -> str:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "—"
        return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                              locale=locale)

    def money(value: Any) -> str:
        if value is None:
            return "—"
        digits = 6 if 0 < abs(value) < 0.01 else 4  # a single call costs fractions of a cent
        return format_currency(value, "USD", format="¤#,##0." + "0" * digits, locale=locale,
                               currency_digits=False)

    return {"datetime": moment, "date": day, "number": number, "money": money}


def _environment(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(lang))
    env.globals["LANGS"] = LANGS
    return env


_ENVS = {lang: _environment(lang) for lang in LANGS}


def language(request: Request) -> str:
    """`?lang=`, else the cookie, else the best of Accept-Language, else English."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LANGS:
        return kept
    best: tuple[float, str] = (0.0, "en")
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.strip().lower()[:2]
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if code in LANGS and weight > best[0]:
            best = (weight, code)
    return best[1]


class SignInNeeded(Exception):
    """Raised by `page` when there is no live session: the handler redirects to /signin."""

    def __init__(self, next_url: str, why: str = "") -> None:
        super().__init__(why)
        self.next_url = next_url
        self.why = why


@dataclass
class Page:
    """The request, its App, who is signed in, and the language of the answer."""

    request: Request
    app: App
    principal: Principal
    csrf: str
    lang: str
    flash: list[str] = field(default_factory=list)

    def can(self, permission: str) -> bool:
        """True when the signed-in principal holds this permission."""
        return allowed(self.principal, permission)

    def gettext(self, message: str, **values: Any) -> str:
        """A message in the page's language, with %(name)s values filled in."""
        text = translations(self.lang).gettext(message)
        return text % values if values else text


def _here(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


async def page(request: Request) -> Page:
    """The dependency of every signed-in page: the session's principal, or SignInNeeded."""
    app: App = request.app.state.cristal
    request.scope["console"] = True
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise SignInNeeded(_here(request))
    try:
        session = await anyio.to_thread.run_sync(uc.session_of, app, token)
    except NotAuthenticated as exc:
        raise SignInNeeded(_here(request), str(exc)) from None
    request.state.principal = session.principal  # for the access log
    return Page(request, app, session.principal, session.csrf, language(request))


async def form_of(request: Request, p: Page) -> FormData:
    """The posted form, after its CSRF token was checked (403 otherwise)."""
    form = await request.form()
    check_csrf(request, p, str(form.get("csrf") or ""))
    return form


def check_csrf(request: Request, p: Page, given: str = "") -> None:
    """Refuse a state-changing request without this session's CSRF token (form field or
    X-CSRF-Token header) or from another origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        if origin != own:
            raise PermissionDenied("this form was sent from another site (Origin "
                                   f"{origin[:100]}); reload the page and try again.",
                                   reason="csrf")
    token = given or request.headers.get("x-csrf-token", "")
    if not token or not hmac.compare_digest(token.encode(), p.csrf.encode()):
        raise PermissionDenied("the form's security token is missing or out of date; reload "
                               "the page and send it again.", reason="csrf")


@dataclass
class Pager:
    """One page of a list: `items`, and links to the previous and next page."""

    items: list[Any]
    page: int
    size: int
    has_next: bool
    base: str
    query: dict[str, str]

    @classmethod
    def of(cls, request: Request, rows: list[Any], *, size: int = 50,
           fetched_one_more: bool = True) -> Pager:
        """Rows fetched with limit size+1 (so `has_next` is known) for `?page=`."""
        number = _int(request.query_params.get("page"), 1)
        query = {k: v for k, v in request.query_params.items() if k not in ("page", "lang")}
        more = len(rows) > size if fetched_one_more else False
        return cls(rows[:size], number, size, more, request.url.path, query)

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return (self.page - 1) * self.size

    def link(self, number: int) -> str:
        """The URL of another page of the same list (filters kept)."""
        return f"{quote(self.base)}?{urlencode({**self.query, 'page': number})}"


def page_number(request: Request) -> int:
    """`?page=` as a number ≥ 1."""
    return _int(request.query_params.get("page"), 1)


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, min(int(text or default), 100_000))
    except ValueError:
        return default


def _nav(p: Page) -> list[tuple[str, str]]:
    t = p.gettext
    items = [("/research", t("Research"), "research"),
             ("/collections", t("Collections"), "collections.read"),
             ("/approvals", t("Approvals"), "approvals.decide"),
             ("/runs", t("Runs"), "workflows.read"),
             ("/operator", t("Operator"), "operator.read"),
             ("/usage", t("Usage"), "usage.read"),
             ("/audit", t("Audit"), "audit.read"),
             ("/admin", t("Admin"), "users.read")]
    return [(url, label) for url, label, perm in items if p.can(perm)]


def render(p: Page | None, template: str, *, request: Request | None = None,
           status: int = 200, lang: str | None = None, **values: Any) -> HTMLResponse:
    """A template as an HTML response with the console's CSP."""
    req = p.request if p is not None else request
    assert req is not None
    chosen = lang or (p.lang if p is not None else language(req))
    env = _ENVS[chosen]
    here = req.url.path
    context = {"p": p, "lang": chosen, "here": here, "status": status, "request": req,
               "nav": _nav(p) if p else [],
               "request_id": getattr(req.state, "request_id", ""),
               "lang_url": lambda code: _with_lang(req, code),
               **values}
    html = env.get_template(template).render(context)
    response = HTMLResponse(html, status_code=status,
                            headers={"content-security-policy": CSP})
    if req.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax",
                            secure=_secure(req), httponly=True)
    return response


def _with_lang(request: Request, code: str) -> str:
    query = {**request.query_params, "lang": code}
    return f"{quote(request.url.path)}?{urlencode(query)}"


def _secure(request: Request) -> bool:
    app: App = request.app.state.cristal
    return app.settings.console.secure_cookies


def redirect(url: str, status: int = 303) -> RedirectResponse:
    """A redirect after a form (303: the browser follows with GET)."""
    return RedirectResponse(url, status_code=status)


def safe_next(url: str | None) -> str:
    """A local path to go back to after sign-in (never another site)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def error_page(request: Request, status: int, kind: str, message: str) -> HTMLResponse:
    """An error as a console page (the same message the API and CLI give)."""
    return render(None, "error.html", request=request, status=status,
                  kind=kind, message=message)


def is_console_request(request: Request) -> bool:
    """True for a console page (not the API, /v1, health or docs)."""
    return bool(request.scope.get("console"))

