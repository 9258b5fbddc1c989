"""Batch work: auto-split many orders, ship many packages, upload tracking numbers from a CSV
file, download packing and pick lists."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, UploadFile

from splitship.domain.errors import SplitshipError
from splitship.entrypoints.web.console.deps import ConsoleRoute, Operator, Page
from splitship.services import console, planning, shipping
from splitship.services.shipping import BatchShipItem

router = APIRouter(route_class=ConsoleRoute)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

PACKING_HEADER = (
    "order",
    "package",
    "package_id",
    "status",
    "warehouse",
    "channel",
    "box",
    "sku",
    "name",
    "quantity",
    "ship_to",
    "city",
    "region",
    "postal_code",
    "country",
)
PICK_HEADER = ("warehouse", "sku", "name", "quantity", "packages")


@dataclass(frozen=True)
class BatchOutcome:
    label: str
    ok: bool
    message: str
    order_id: str | None = None


@router.get("/batch")
def packages_page(ctx: Page) -> Response:
    refs = console.open_packages(ctx.uow(), ctx.shop.id)
    catalog = console.catalog_overview(ctx.uow(), ctx.shop.id)
    return ctx.page(
        "console/batch.html",
        refs=refs,
        channels={c.id: c for c in catalog.channels},
        warehouses={w.id: w for w in catalog.warehouses},
    )


@router.post("/batch/auto-split")
def auto_split_many(ctx: Operator, order_id: Annotated[list[str], Form(max_length=64)]) -> Response:
    outcomes = []
    for oid in dict.fromkeys(order_id[:200]):
        try:
            order, _ = planning.apply_plan(ctx.uow(), ctx.shop.id, oid)
        except SplitshipError as exc:
            outcomes.append(BatchOutcome(oid, False, exc.message, oid))
            continue
        count = len([p for p in order.live_packages if not p.is_shipped])
        outcomes.append(BatchOutcome(order.external_id, True, f"{count}", order.id))
    return ctx.page("console/batch_result.html", kind="auto_split", outcomes=outcomes)


@router.post("/batch/ship")
def ship_many(ctx: Operator, package_id: Annotated[list[str], Form(max_length=64)]) -> Response:
    labels = {
        ref.package.id: f"{ref.order.external_id} #{ref.package.number}"
        for ref in console.open_packages(ctx.uow(), ctx.shop.id)
    }
    items = [BatchShipItem(pid) for pid in dict.fromkeys(package_id[:500])]
    results = shipping.ship_packages(ctx.uow_factory(), ctx.shop.id, items)
    outcomes = [
        BatchOutcome(
            labels.get(r.package_id, r.package_id),
            r.ok,
            r.error or (r.order_status or ""),
            r.order_id,
        )
        for r in results
    ]
    return ctx.page("console/batch_result.html", kind="ship", outcomes=outcomes)


def _csv(text: str, name: str) -> Response:
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/batch/packing-list.csv")
def packing_list(ctx: Page, package_id: Annotated[list[str], Query(max_length=64)]) -> Response:
    rows = console.packing_list(ctx.uow(), ctx.shop.id, package_id[:500])
    return _csv(console.rows_as_csv(rows, PACKING_HEADER), "packing-list.csv")


@router.get("/batch/pick-list.csv")
def pick_list(ctx: Page, package_id: Annotated[list[str], Query(max_length=64)]) -> Response:
    rows = console.pick_list(ctx.uow(), ctx.shop.id, package_id[:500])
    return _csv(console.rows_as_csv(rows, PICK_HEADER), "pick-list.csv")


@router.get("/upload")
def upload_form(ctx: Page) -> Response:
    return ctx.page("console/upload.html", results=None, error=None)


@router.post("/upload")
async def upload(
    ctx: Operator,
    file: UploadFile | None = None,
    text: Annotated[str, Form(max_length=MAX_UPLOAD_BYTES)] = "",
) -> Response:
    content = text
    if file is not None and file.filename:
        raw = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            return ctx.page("console/upload.html", status_code=413, results=None, error="too_large")
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                content = raw.decode("gb18030")  # Excel on a Chinese Windows saves CSV so
            except UnicodeDecodeError:
                return ctx.page(
                    "console/upload.html", status_code=422, results=None, error="encoding"
                )
    if not content.strip():
        return ctx.page("console/upload.html", status_code=422, results=None, error="empty")
    results = console.upload_tracking_csv(ctx.uow_factory(), ctx.shop.id, content)
    failed = [r for r in results if not r.ok]
    error_file = None
    if failed:
        payload = console.results_error_csv(results).encode()
        error_file = "data:text/csv;charset=utf-8;base64," + base64.b64encode(payload).decode()
    return ctx.page(
        "console/upload.html",
        status_code=200,
        results=results,
        shipped=len(results) - len(failed),
        failed=len(failed),
        error_file=error_file,
        error=None,
    )
