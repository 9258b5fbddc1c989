"""Orders: list, detail, split pre-check, and the commands that change an order."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from splitship.domain.status import OrderStatus
from splitship.entrypoints.api import queries
from splitship.entrypoints.api.deps import Caller, IfMatch, expected_version
from splitship.entrypoints.api.routes.common import order_out
from splitship.entrypoints.api.schemas import (
    CancelUnitsIn,
    HoldIn,
    HoldOut,
    MergeIn,
    MoveIn,
    OrderOut,
    OrderPageOut,
    OrderSummaryOut,
    PrecheckOut,
    ReasonOut,
    SplitIn,
    VersionIn,
)
from splitship.services import orders, planning, splitting
from splitship.services.splitting import PackageSpec
from splitship.services.unit_of_work import OrderFilter

router = APIRouter(prefix="/orders", tags=["orders"])
OptionalVersion = Annotated[VersionIn | None, Body()]


@router.get("")
def list_orders(
    caller: Caller,
    status_: Annotated[OrderStatus | None, Query(alias="status")] = None,
    q: Annotated[str | None, Query(max_length=200, description="order id, buyer, SKU")] = None,
    warehouse_id: Annotated[str | None, Query(max_length=100)] = None,
    channel_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> OrderPageOut:
    flt = OrderFilter(
        status=status_.value if status_ else None,
        search=q or None,
        warehouse_id=warehouse_id,
        channel_id=channel_id,
        limit=limit,
        offset=offset,
    )
    page = queries.orders(caller.uow(), caller.shop_id, flt)
    return OrderPageOut(
        items=[OrderSummaryOut.of(o) for o in page.orders],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/{order_id}")
def get_order(order_id: str, caller: Caller, response: Response) -> OrderOut:
    return order_out(caller, queries.order(caller.uow(), caller.shop_id, order_id), response)


@router.get("/{order_id}/precheck")
def precheck_split(order_id: str, caller: Caller) -> PrecheckOut:
    order, check = planning.split_precheck(caller.uow(), caller.shop_id, order_id)
    return PrecheckOut(
        order_id=order.id,
        version=order.version,
        can_split=check.can_split,
        cannot_reasons=[ReasonOut(**r.as_dict()) for r in check.cannot_reasons],
        must_split=check.must_split,
        must_reasons=[ReasonOut(**r.as_dict()) for r in check.must_reasons],
    )


@router.post("/{order_id}/split")
def split_order(
    order_id: str, body: SplitIn, caller: Caller, if_match: IfMatch, response: Response
) -> OrderOut:
    specs = [
        PackageSpec(p.item_map(), p.warehouse_id, p.channel_id, p.box_id) for p in body.packages
    ]
    order = splitting.split_order(
        caller.uow(),
        caller.shop_id,
        order_id,
        specs,
        expected_version(body.version, if_match),
    )
    return order_out(caller, order, response)


@router.post("/{order_id}/move")
def move_units(
    order_id: str, body: MoveIn, caller: Caller, if_match: IfMatch, response: Response
) -> OrderOut:
    order = splitting.move_units(
        caller.uow(),
        caller.shop_id,
        order_id,
        body.source_package_id,
        body.target_package_id,
        body.line_id,
        body.quantity,
        expected_version(body.version, if_match),
    )
    return order_out(caller, order, response)


@router.post("/{order_id}/merge")
def merge_packages(
    order_id: str, body: MergeIn, caller: Caller, if_match: IfMatch, response: Response
) -> OrderOut:
    order = splitting.merge_packages(
        caller.uow(),
        caller.shop_id,
        order_id,
        body.target_package_id,
        body.source_package_id,
        expected_version(body.version, if_match),
    )
    return order_out(caller, order, response)


@router.post("/{order_id}/undo")
def undo_split(
    order_id: str,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
    body: OptionalVersion = None,
) -> OrderOut:
    version = expected_version(body.version if body else None, if_match)
    order = splitting.undo_split(caller.uow(), caller.shop_id, order_id, version)
    return order_out(caller, order, response)


@router.post("/{order_id}/cancel")
def cancel_order(
    order_id: str,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
    body: OptionalVersion = None,
) -> OrderOut:
    version = expected_version(body.version if body else None, if_match)
    order = orders.cancel_order(caller.uow(), caller.shop_id, order_id, version)
    return order_out(caller, order, response)


@router.post("/{order_id}/cancel-units")
def cancel_units(
    order_id: str, body: CancelUnitsIn, caller: Caller, if_match: IfMatch, response: Response
) -> OrderOut:
    order = orders.cancel_units(
        caller.uow(),
        caller.shop_id,
        order_id,
        body.line_id,
        body.quantity,
        expected_version(body.version, if_match),
    )
    return order_out(caller, order, response)


@router.post("/{order_id}/holds", status_code=status.HTTP_201_CREATED)
def place_hold(order_id: str, body: HoldIn, caller: Caller) -> HoldOut:
    hold = orders.place_hold(
        caller.uow(), caller.shop_id, order_id, body.reason.value, body.note, body.package_id
    )
    return HoldOut.of(hold)


@router.delete("/{order_id}/holds/{hold_id}")
def release_hold(order_id: str, hold_id: str, caller: Caller, response: Response) -> OrderOut:
    order = orders.release_hold(caller.uow(), caller.shop_id, order_id, hold_id)
    return order_out(caller, order, response)
