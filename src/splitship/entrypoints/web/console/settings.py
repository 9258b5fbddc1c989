"""The shop's channels, boxes and warehouses (with stock)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from splitship.entrypoints.web.console.deps import ConsoleRoute, Page
from splitship.services import console, users

router = APIRouter(route_class=ConsoleRoute)


@router.get("/channels")
def channels_page(ctx: Page) -> Response:
    catalog = console.catalog_overview(ctx.uow(), ctx.shop.id)
    return ctx.page("console/channels.html", channels=catalog.channels)


@router.get("/boxes")
def boxes_page(ctx: Page) -> Response:
    catalog = console.catalog_overview(ctx.uow(), ctx.shop.id)
    return ctx.page("console/boxes.html", boxes=catalog.boxes)


@router.get("/warehouses")
def warehouses_page(ctx: Page) -> Response:
    catalog = console.catalog_overview(ctx.uow(), ctx.shop.id)
    return ctx.page(
        "console/warehouses.html", warehouses=catalog.warehouses, sku_names=catalog.sku_names
    )


@router.get("/users")
def users_page(ctx: Page) -> Response:
    return ctx.page("console/users.html", members=users.list_users(ctx.uow(), ctx.shop.id))
