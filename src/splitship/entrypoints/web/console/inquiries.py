"""The inquiries inbox: open and overdue first, a thread per inquiry, answer and resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response

from splitship.domain.errors import SplitshipError
from splitship.entrypoints.web.console.deps import (
    PREFIX,
    ConsoleRoute,
    Ctx,
    Operator,
    Page,
    redirect,
)
from splitship.services import inquiries

router = APIRouter(route_class=ConsoleRoute)
FILTERS = ("open", "overdue", "answered", "resolved", "all")


@router.get("/inquiries")
def inbox(ctx: Page, show: Annotated[str, Query(max_length=16)] = "open") -> Response:
    chosen = show if show in FILTERS else "open"
    found = inquiries.list_inquiries(
        ctx.uow(),
        ctx.shop.id,
        status=chosen if chosen in ("open", "answered", "resolved") else None,
        overdue=chosen == "overdue",
        limit=200,
    )
    return ctx.page("console/inquiries.html", items=found, show=chosen, filters=FILTERS)


def _thread(
    ctx: Ctx, inquiry_id: str, *, error: str | None = None, draft: str = "", msg: str = ""
) -> Response:
    found = inquiries.get_inquiry(ctx.uow(), ctx.shop.id, inquiry_id)
    return ctx.page(
        "console/inquiry.html",
        status_code=422 if error else 200,
        item=found,
        error=error,
        draft=draft,
        msg=msg,
    )


@router.get("/inquiries/{inquiry_id}")
def thread(ctx: Page, inquiry_id: str, msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    return _thread(ctx, inquiry_id, msg=msg)


@router.post("/inquiries/{inquiry_id}/answer")
def answer(
    ctx: Operator,
    inquiry_id: str,
    message: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    try:
        inquiries.answer_inquiry(ctx.uow(), ctx.shop.id, inquiry_id, message, version)
    except SplitshipError as exc:
        if exc.status == 404:
            raise
        return _thread(ctx, inquiry_id, error=exc.message, draft=message)
    return redirect(f"{PREFIX}/inquiries/{inquiry_id}", msg="answered")


@router.post("/inquiries/{inquiry_id}/resolve")
def resolve(
    ctx: Operator, inquiry_id: str, version: Annotated[int | None, Form()] = None
) -> Response:
    try:
        inquiries.resolve_inquiry(ctx.uow(), ctx.shop.id, inquiry_id, version)
    except SplitshipError as exc:
        if exc.status == 404:
            raise
        return _thread(ctx, inquiry_id, error=exc.message)
    return redirect(f"{PREFIX}/inquiries/{inquiry_id}", msg="resolved")
