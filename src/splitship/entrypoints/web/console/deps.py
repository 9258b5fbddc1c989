"""What every console page shares: who is signed in, the page's language, CSRF checks, roles,
and turning errors into pages (never JSON, never a traceback).

Routes use ``Page`` (any signed-in user), or ``Operator``/``Owner`` for forms that change
something: those check the CSRF token first, then the role.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from splitship.bootstrap import App
from splitship.domain.errors import NotFound, SplitshipError
from splitship.domain.shop import Shop
from splitship.domain.user import Permission, SellerUser
from splitship.entrypoints.web import i18n
from splitship.entrypoints.web.console import csrf
from splitship.entrypoints.web.console.render import ConsoleFormat, render
from splitship.services import users
from splitship.services.unit_of_work import UnitOfWork

SESSION_COOKIE = "console_session"
PREFIX = "/console"


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "role" or "csrf"


def get_app(request: Request) -> App:
    app: App = request.app.state.splitship
    return app


def locale_of(request: Request) -> str:
    return i18n.negotiate(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


@dataclass
class Ctx:
    """One signed-in request: the user, their shop, the page's language and formatting."""

    request: Request
    app: App
    user: SellerUser
    shop: Shop
    locale: str
    csrf_token: str
    session_hash: str

    @property
    def fmt(self) -> ConsoleFormat:
        s = self.shop.settings
        return ConsoleFormat(self.locale, s.timezone, s.currency)

    @property
    def actor(self) -> str:
        return f"console:{self.user.email}"

    def uow(self) -> UnitOfWork:
        return self.app.uow(self.actor)

    def uow_factory(self) -> Callable[[], UnitOfWork]:
        return self.app.uow_factory(self.actor)

    def now(self) -> datetime:
        return self.app.clock()

    def can(self, permission: Permission) -> bool:
        return self.user.can(permission)

    def page(
        self,
        template: str,
        status_code: int = 200,
        **context: Any,
    ) -> Response:
        return render(
            self.request,
            template,
            self.locale,
            {
                "ctx": self,
                "fmt": self.fmt,
                "user": self.user,
                "shop": self.shop,
                "csrf_token": self.csrf_token,
                "csrf_field": csrf.FIELD,
                "P": Permission,
                "now": self.now(),
                **context,
            },
            status_code=status_code,
        )


def _load(request: Request) -> Ctx:
    app = get_app(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise LoginRequired()
    found = users.signed_in(app.uow("console"), token)
    if found is None:
        raise LoginRequired()
    user, shop = found
    session_hash = users.hash_token(token)
    return Ctx(
        request,
        app,
        user,
        shop,
        locale_of(request),
        csrf.issue(app.settings.secret_key, csrf.session_scope(session_hash)),
        session_hash,
    )


def page_ctx(request: Request) -> Ctx:
    return _load(request)


async def _checked(request: Request, permission: Permission) -> Ctx:
    ctx = _load(request)
    token = request.headers.get(csrf.HEADER)
    if token is None:
        form = await request.form()
        value = form.get(csrf.FIELD)
        token = value if isinstance(value, str) else None
    if not csrf.valid(ctx.app.settings.secret_key, csrf.session_scope(ctx.session_hash), token):
        raise Forbidden("csrf")
    if not ctx.can(permission):
        raise Forbidden("role")
    return ctx


async def operator_ctx(request: Request) -> Ctx:
    return await _checked(request, Permission.OPERATE)


async def owner_ctx(request: Request) -> Ctx:
    return await _checked(request, Permission.CONFIGURE)


Page = Annotated[Ctx, Depends(page_ctx)]
Operator = Annotated[Ctx, Depends(operator_ctx)]
Owner = Annotated[Ctx, Depends(owner_ctx)]


def redirect(path: str, **params: str | int | None) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(
        request,
        "console/error.html",
        locale_of(request),
        {"status": status, "title": title, "detail": detail, "signed_in": False},
        status_code=status,
    )


class ConsoleRoute(APIRoute):
    """Answers the console's errors as pages: sign-in redirects, 403, 404, bad forms."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            response = await _answer(request)
            set_lang_cookie(request, response)
            return response

        async def _answer(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path
                if request.method == "GET" and request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(
                    f"{PREFIX}/login?next={quote(target, safe='')}", status_code=303
                )
            except Forbidden as exc:
                return error_page(request, 403, "forbidden", exc.reason)
            except NotFound as exc:
                return error_page(request, 404, "not_found", exc.message)
            except RequestValidationError as exc:
                fields = ", ".join(
                    str(e.get("loc", ("", ""))[-1]) for e in exc.errors()[:5] if e.get("loc")
                )
                return error_page(request, 422, "bad_form", fields)
            except SplitshipError as exc:
                return error_page(request, exc.status, exc.code, exc.message)

        return guarded


def set_lang_cookie(request: Request, response: Response) -> None:
    """The language switch (``?lang=``) is remembered for a year."""
    chosen = i18n.supported(request.query_params.get("lang"))
    if chosen and request.cookies.get(i18n.LANG_COOKIE) != chosen:
        response.set_cookie(
            i18n.LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True
        )
