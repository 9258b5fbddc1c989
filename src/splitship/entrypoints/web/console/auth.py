"""Sign-in and sign-out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from splitship.entrypoints.web.console import csrf
from splitship.entrypoints.web.console.deps import (
    PREFIX,
    SESSION_COOKIE,
    ConsoleRoute,
    Forbidden,
    Page,
    get_app,
    locale_of,
    redirect,
)
from splitship.entrypoints.web.console.render import render
from splitship.entrypoints.web.ratelimit import RateLimiter
from splitship.services import users

router = APIRouter(route_class=ConsoleRoute)

LOGIN_ATTEMPTS_PER_MINUTE = 10


def _attempts(request: Request) -> RateLimiter:
    """Password guessing: a few tries a minute per client address (one limiter per app)."""
    state = request.app.state
    if not hasattr(state, "console_login_limiter"):
        state.console_login_limiter = RateLimiter(LOGIN_ATTEMPTS_PER_MINUTE)
    limiter: RateLimiter = state.console_login_limiter
    return limiter


def _safe_next(target: str | None) -> str:
    # Only a path inside the console: never an absolute URL (no open redirect).
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        return target
    return PREFIX + "/"


def _login_page(
    request: Request, next_path: str, email: str = "", error: str | None = None, status: int = 200
) -> Response:
    app = get_app(request)
    nonce = request.cookies.get(csrf.LOGIN_COOKIE) or secrets.token_urlsafe(16)
    token = csrf.issue(app.settings.secret_key, csrf.login_scope(nonce))
    response = render(
        request,
        "console/login.html",
        locale_of(request),
        {
            "csrf_token": token,
            "csrf_field": csrf.FIELD,
            "next_path": next_path,
            "email": email,
            "error": error,
        },
        status_code=status,
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=PREFIX,
        max_age=6 * 3600,
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    app = get_app(request)
    nonce = request.cookies.get(csrf.LOGIN_COOKIE, "")
    if not nonce or not csrf.valid(app.settings.secret_key, csrf.login_scope(nonce), csrf_token):
        raise Forbidden("csrf")
    client = request.client.host if request.client else "?"
    wait = _attempts(request).hit(client)
    if wait is not None:
        return _login_page(request, _safe_next(next), email, f"rate:{wait}", 429)
    try:
        signed = users.sign_in(app.uow("console"), email, password)
    except users.InvalidCredentials:
        return _login_page(request, _safe_next(next), email, "credentials", 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=int(users.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=PREFIX,
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
async def logout(ctx: Page, request: Request) -> Response:
    form = await request.form()
    token = form.get(csrf.FIELD)
    scope = csrf.session_scope(ctx.session_hash)
    if not csrf.valid(ctx.app.settings.secret_key, scope, token if isinstance(token, str) else ""):
        raise Forbidden("csrf")
    users.sign_out(ctx.app.uow(ctx.actor), request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(PREFIX + "/login")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response
