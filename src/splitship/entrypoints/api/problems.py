"""RFC 9457 problem details: every error the API answers is ``application/problem+json``.

The body is ``{type, title, status, detail, code}`` plus ``field`` (where the input was wrong),
``errors`` (one entry per bad field or row) and the error's own ``details`` when it has any.
``code`` is stable; clients branch on it, never on ``detail``.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from splitship.domain.errors import SplitshipError

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "tag:splitship.dev,2025:problem:"
log = logging.getLogger("splitship.api")


class Unauthorized(SplitshipError):
    """No API key, or one that no shop owns (or that was revoked)."""

    code = "unauthorized"
    status = 401


class MalformedJson(SplitshipError):
    code = "malformed_json"
    status = 400


class PayloadTooLarge(SplitshipError):
    code = "payload_too_large"
    status = 413


class UnsupportedMediaType(SplitshipError):
    code = "unsupported_media_type"
    status = 415


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = [dict(e) for e in errors]
    if details:
        body["details"] = dict(details)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def error_problem(exc: SplitshipError) -> JSONResponse:
    details = dict(exc.details)
    errors = details.pop("errors", None)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(
        exc.status,
        exc.code,
        exc.message,
        field=exc.field,
        errors=errors,
        details=details,
        headers=headers,
    )


def _loc_field(loc: Sequence[str | int]) -> str:
    # The first element says where the value came from (body, query, path, header).
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    return ".".join(str(p) for p in parts) or "body"


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        ctx = next(e for e in raw if e.get("type") == "json_invalid").get("ctx") or {}
        return problem(
            400,
            MalformedJson.code,
            f"the request body is not valid JSON ({ctx.get('error', 'parse error')})",
            field="body",
        )
    errors = [
        {"field": _loc_field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in raw
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return problem(
        422,
        "invalid_input",
        f"{len(errors)} invalid value(s): {summary}{more}",
        field=errors[0]["field"] if errors else None,
        errors=errors,
    )


def install_problem_handlers(api: FastAPI) -> None:
    async def on_splitship_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SplitshipError)
        return error_problem(exc)

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_problem(exc)

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such resource: check the URL (every path starts with /api/v1)"
        return problem(exc.status_code, code, detail, headers=exc.headers)

    async def on_integrity_error(_: Request, exc: Exception) -> JSONResponse:
        # A unique key raced past the checks (two requests creating the same code at once).
        log.warning("integrity error turned into 409: %s", exc)
        return problem(
            409,
            "conflict",
            "the change conflicts with existing data (a code already in use?): reload and retry",
        )

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal_error", "an unexpected error occurred; it has been logged")

    api.add_exception_handler(SplitshipError, on_splitship_error)
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(StarletteHTTPException, on_http_error)
    api.add_exception_handler(IntegrityError, on_integrity_error)
    api.add_exception_handler(Exception, on_unexpected)
