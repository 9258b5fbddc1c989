"""The order queue: tabs with counts, search, filters, sorted by ship-by deadline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from splitship.entrypoints.web.console.deps import ConsoleRoute, Page
from splitship.services import console
from splitship.services.console import Tab
from splitship.services.console_repository import QueueFilter

router = APIRouter(route_class=ConsoleRoute)
PAGE_SIZE = 50


@router.get("/")
@router.get("/queue")
def queue(
    ctx: Page,
    tab: Annotated[Tab, Query()] = Tab.MUST_SPLIT,
    q: Annotated[str, Query(max_length=200)] = "",
    warehouse: Annotated[str, Query(max_length=64)] = "",
    channel: Annotated[str, Query(max_length=64)] = "",
    due: Annotated[str, Query(max_length=16)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    msg: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    flt = QueueFilter(
        search=q.strip() or None,
        warehouse_id=warehouse or None,
        channel_id=channel or None,
        ship_by_before=console.due_before(due, ctx.now()),
    )
    page = console.order_queue(ctx.uow(), ctx.shop.id, tab, flt, limit=PAGE_SIZE, offset=offset)
    return ctx.page(
        "console/queue.html",
        page=page,
        tabs=list(Tab),
        filters={"q": q, "warehouse": warehouse, "channel": channel, "due": due},
        warehouses=page.warehouses,
        channels=page.channels,
        msg=msg,
    )
