"""Bringing orders, SKUs and stock in: one TikTok-shaped order, or whole files."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response, status

from splitship.adapters.marketplaces.common import FieldError
from splitship.adapters.marketplaces.csv_catalog import parse_skus_csv, parse_stock_csv
from splitship.adapters.marketplaces.csv_orders import parse_orders_csv
from splitship.adapters.marketplaces.tiktok import parse_tiktok_orders
from splitship.domain.errors import InvalidInput
from splitship.entrypoints.api import queries
from splitship.entrypoints.api.deps import Caller
from splitship.entrypoints.api.routes.common import order_out
from splitship.entrypoints.api.schemas import (
    CatalogImportOut,
    OrderImportOut,
    OrderOut,
    RowErrorOut,
)
from splitship.entrypoints.api.uploads import Upload, read_csv_upload, read_order_upload
from splitship.services import catalog, orders, planning
from splitship.services.catalog import RowError
from splitship.services.orders import OrderDraft

router = APIRouter(tags=["imports"])

_CSV_CONTENT: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    },
}
_FILE_BODY = {"requestBody": {"required": True, "content": _CSV_CONTENT}}
_ORDER_FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "description": "TikTok Shop order(s): one object, a list, or {orders: [...]}"
                }
            },
            **_CSV_CONTENT,
        },
    }
}


def _nothing_readable(what: str, errors: list[RowError]) -> InvalidInput:
    first = errors[0] if errors else None
    return InvalidInput(
        f"no {what} could be read"
        + (f"; first problem: row {first.row}, {first.field}: {first.message}" if first else ""),
        field=first.field if first else "file",
        details={"errors": [RowErrorOut.of(e).model_dump() for e in errors]},
    )


def _auto_apply(caller: Caller, order_ids: list[str]) -> None:
    """Plan the new orders when the shop asks for it, after the import committed."""
    new_uow = caller.app.uow_factory(caller.actor)
    planning.auto_apply_after_import(new_uow, caller.shop_id, order_ids)


def _parse_tiktok(data: object) -> tuple[list[OrderDraft], list[RowError]]:
    try:
        return parse_tiktok_orders(data)
    except FieldError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None


@router.post("/orders", status_code=status.HTTP_201_CREATED, responses={200: {"model": OrderOut}})
def create_order(
    body: Annotated[dict[str, Any], Body(description="one order shaped like TikTok Shop's")],
    caller: Caller,
    response: Response,
) -> OrderOut:
    """Create one order; an order already imported (same source and id) is answered unchanged."""
    drafts, errors = _parse_tiktok(body)
    if len(drafts) != 1 or errors:
        if len(drafts) > 1:
            raise InvalidInput("send one order here; import several at /orders/import")
        raise _nothing_readable("order", errors)
    report = orders.import_orders(caller.uow(), caller.shop_id, drafts)
    if report.errors:
        raise _nothing_readable("order", report.errors)
    _auto_apply(caller, report.order_ids)
    if report.created:
        order = queries.order(caller.uow(), caller.shop_id, report.order_ids[0])
        response.headers["Location"] = f"/api/v1/orders/{order.id}"
    else:
        draft = drafts[0]
        order = queries.order_by_external(
            caller.uow(), caller.shop_id, draft.source, draft.external_id
        )
        response.status_code = status.HTTP_200_OK
    return order_out(caller, order, response)


@router.post("/orders/import", openapi_extra=_ORDER_FILE_BODY)
def import_orders(
    caller: Caller, upload: Annotated[Upload, Depends(read_order_upload)]
) -> OrderImportOut:
    """Import a TikTok JSON payload or a CSV file (one row per order line). Good orders are
    created, known ones left unchanged, bad ones reported by row; 422 only if nothing was read."""
    if upload.csv is not None:
        drafts, errors = parse_orders_csv(upload.csv)
    else:
        drafts, errors = _parse_tiktok(upload.json)
    if not drafts:
        raise _nothing_readable("order", errors)
    report = orders.import_orders(caller.uow(), caller.shop_id, drafts, errors)
    _auto_apply(caller, report.order_ids)
    return OrderImportOut(
        created=report.created,
        unchanged=report.unchanged,
        order_ids=report.order_ids,
        errors=[RowErrorOut.of(e) for e in sorted(report.errors, key=lambda e: e.row)],
    )


@router.post("/skus/import", openapi_extra=_FILE_BODY)
def import_skus(
    caller: Caller, upload: Annotated[Upload, Depends(read_csv_upload)]
) -> CatalogImportOut:
    """Create or update SKUs from CSV: code, name, weight_g, and optionally length_mm, width_mm,
    height_mm, tags (``|``-separated), category, declared_value, available_from."""
    assert upload.csv is not None
    skus, errors = parse_skus_csv(upload.csv, caller.shop_id)
    if not skus:
        raise _nothing_readable("SKU", errors)
    applied = catalog.save_skus(caller.uow(), caller.shop_id, skus)
    return CatalogImportOut(applied=applied, errors=[RowErrorOut.of(e) for e in errors])


@router.post("/stock/import", openapi_extra=_FILE_BODY)
def import_stock(
    caller: Caller, upload: Annotated[Upload, Depends(read_csv_upload)]
) -> CatalogImportOut:
    """Set on-hand stock from CSV: warehouse (id or code), sku, on_hand."""
    assert upload.csv is not None
    settings, errors = parse_stock_csv(upload.csv)
    if not settings:
        raise _nothing_readable("stock row", errors)
    report = catalog.set_stock(caller.uow(), caller.shop_id, settings)
    all_errors = sorted([*errors, *(report.errors or [])], key=lambda e: e.row)
    return CatalogImportOut(applied=report.applied, errors=[RowErrorOut.of(e) for e in all_errors])
