"""The buyer's tracking page at ``/t/<token>``: server-rendered HTML, no JavaScript needed.

The token is the only credential, so every answer about a token that is malformed, unknown or
belongs to nobody is the same plain 404 page, and every request (found or not) counts against a
per-client rate limit, which makes guessing tokens pointless. Forms post back with a per-page
form token and answer with a 303 redirect (post/redirect/get). The pages send no referrer, so
the token in the URL never leaks to the carrier sites the page links to.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from splitship.bootstrap import App
from splitship.domain.errors import NotFound, SplitshipError
from splitship.domain.inquiry import MAX_MESSAGE_CHARS, InquiryCategory, TooManyInquiries
from splitship.entrypoints.web import formtoken, i18n
from splitship.entrypoints.web.ratelimit import RateLimiter
from splitship.services import buyer, inquiries

STATIC_DIR = Path(__file__).parent / "static"
# 2000 characters of 4-byte UTF-8, percent-encoded, plus the other fields.
MAX_FORM_BYTES = 32 * 1024
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
# No inline script or style anywhere, no framing, forms only to ourselves.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


def pages(app: App) -> APIRouter:
    """The buyer pages of one application, with their own rate limiters."""
    per_minute = app.settings.tracking_rate_per_minute
    views = RateLimiter(per_minute)
    # Writing is rarer than reading: a tenth of the rate, so a flood of messages stops early.
    posts = RateLimiter(max(2, per_minute // 10))
    router = APIRouter(include_in_schema=False)
    secret = app.settings.secret_key

    @router.get("/t/{token}", response_class=HTMLResponse)
    def tracking_page(request: Request, token: str, sent: str | None = None) -> Response:
        locale = _locale(request)
        wait = views.hit(_client(request))
        if wait is not None:
            return _too_many(locale, wait)
        try:
            view = buyer.tracking_page(app.uow(inquiries.BUYER_ACTOR), token)
        except NotFound:
            return _not_found(locale)
        form = formtoken.issue(secret, token, time.time())
        response = _tracking(view, locale, form, sent=sent == "1")
        if request.query_params.get("lang") and i18n.supported(request.query_params["lang"]):
            response.set_cookie(
                i18n.LANG_COOKIE,
                locale,
                max_age=LANG_COOKIE_MAX_AGE,
                path="/",
                samesite="lax",
                httponly=True,
                secure=request.url.scheme == "https",
            )
        return response

    @router.get("/t/{anything:path}", response_class=HTMLResponse)
    def not_a_tracking_page(request: Request, anything: str) -> Response:
        """Anything else under /t/ is the same plain 404 page (and counts against the limit)."""
        locale = _locale(request)
        wait = views.hit(_client(request))
        return _too_many(locale, wait) if wait is not None else _not_found(locale)

    @router.post("/t/{token}/inquiries", response_class=HTMLResponse)
    async def open_inquiry(request: Request, token: str) -> Response:
        return await _post(request, token, None)

    @router.post("/t/{token}/inquiries/{inquiry_id}/messages", response_class=HTMLResponse)
    async def reply(request: Request, token: str, inquiry_id: str) -> Response:
        return await _post(request, token, inquiry_id)

    async def _post(request: Request, token: str, inquiry_id: str | None) -> Response:
        locale = _locale(request)
        client = _client(request)
        wait = views.hit(client) or posts.hit(client)
        if wait is not None:
            return _too_many(locale, wait)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_FORM_BYTES:
            return _error(locale, 413, "too_large")
        fields = await _read_form(request)
        if fields is None:
            return _error(locale, 400, "unreadable")
        if not _same_origin(request) or not formtoken.verify(
            secret, token, fields.get("form_token", ""), time.time()
        ):
            return _error(locale, 403, "expired")
        uow = app.uow(inquiries.BUYER_ACTOR)
        message = fields.get("message", "")
        try:
            if inquiry_id is None:
                done = await run_in_threadpool(
                    inquiries.open_inquiry,
                    uow,
                    token,
                    fields.get("category", ""),
                    message,
                    fields.get("package_id") or None,
                )
            else:
                done = await run_in_threadpool(
                    inquiries.add_buyer_message, uow, token, inquiry_id, message
                )
        except SplitshipError as exc:
            if isinstance(exc, NotFound) and exc.field in ("token", None):
                return _not_found(locale)
            return await run_in_threadpool(_refused, app, token, locale, exc, fields, inquiry_id)
        return RedirectResponse(
            f"/t/{quote(token)}?sent=1#inquiry-{done.id}", status_code=303, headers=SECURITY_HEADERS
        )

    return router


def _refused(
    app: App,
    token: str,
    locale: str,
    exc: SplitshipError,
    fields: Mapping[str, str],
    inquiry_id: str | None,
) -> Response:
    """The page again, with what was typed and why it was not accepted."""
    try:
        view = buyer.tracking_page(app.uow(inquiries.BUYER_ACTOR), token)
    except NotFound:
        return _not_found(locale)
    form = formtoken.issue(app.settings.secret_key, token, time.time())
    problem = {"kind": _problem_kind(exc), "inquiry_id": inquiry_id}
    return _tracking(view, locale, form, problem=problem, values=fields, status=422)


def _problem_kind(exc: SplitshipError) -> str:
    """Which buyer-facing sentence explains a refusal (the domain's messages are for sellers)."""
    if exc.code == TooManyInquiries.code:
        return "too_many"
    if exc.code == "invalid_transition":
        return "closed"
    if exc.field == "message":
        return "too_long" if "max_chars" in exc.details else "empty"
    if exc.field == "category":
        return "category"
    if exc.field == "package_id":
        return "package"
    return "other"


def _tracking(
    view: buyer.TrackingPage,
    locale: str,
    form: str,
    *,
    sent: bool = False,
    problem: Mapping[str, Any] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    base = f"/t/{quote(view.token)}"
    return _render(
        "buyer/tracking.html",
        locale,
        status,
        page=view,
        fmt=i18n.Formatter(locale, view.timezone),
        languages=_languages(locale, base),
        base_url=base,
        form_token=form,
        categories=[c.value for c in InquiryCategory],
        max_chars=MAX_MESSAGE_CHARS,
        sent=sent,
        problem=problem or {},
        values=values or {},
    )


def _not_found(locale: str) -> HTMLResponse:
    return _error(locale, 404, "not_found")


def _too_many(locale: str, wait: int) -> HTMLResponse:
    response = _error(locale, 429, "too_many", seconds=wait)
    response.headers["Retry-After"] = str(wait)
    return response


def _error(locale: str, status: int, kind: str, **extra: Any) -> HTMLResponse:
    return _render("buyer/error.html", locale, status, kind=kind, languages=[], **extra)


def _render(template: str, locale: str, status: int, **context: Any) -> HTMLResponse:
    html = (
        i18n.environment(locale)
        .get_template(template)
        .render(locale=locale, html_lang=i18n.HTML_LANG[locale], **context)
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _languages(current: str, base: str) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": i18n.LANGUAGE_NAMES[code],
            "url": f"{base}?lang={code}",
            "current": code == current,
            "html_lang": i18n.HTML_LANG[code],
        }
        for code in i18n.LOCALES
    ]


def _locale(request: Request) -> str:
    return i18n.negotiate(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def _client(request: Request) -> str:
    # The peer address; behind a proxy, run uvicorn with --proxy-headers so this is the buyer.
    return request.client.host if request.client else "unknown"


def _same_origin(request: Request) -> bool:
    """Refuse posts that a browser marks as coming from another site.

    With ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on our own form posts, so
    the Fetch Metadata header is the better signal; the form token is the real check.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin in (None, "null"):
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


async def _read_form(request: Request) -> dict[str, str] | None:
    """The fields of a small URL-encoded form, or None when it is not one."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    length = request.headers.get("content-length", "")
    if media != "application/x-www-form-urlencoded" or not length.isdigit():
        return None
    if int(length) > MAX_FORM_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        parsed = parse_qs(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=10, strict_parsing=False
        )
    except (UnicodeDecodeError, ValueError):
        return None
    return {key: values[0] for key, values in parsed.items()}
