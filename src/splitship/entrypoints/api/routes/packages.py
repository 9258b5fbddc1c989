"""Packages: detail, warehouse/channel/box choice, confirm, logistics info, ship (one or many),
logistics correction and cancel. A package is found through its order, scoped by shop."""

from typing import Annotated

from fastapi import APIRouter, Body, Response

from splitship.entrypoints.api import queries
from splitship.entrypoints.api.deps import Caller, IfMatch, expected_version
from splitship.entrypoints.api.routes.common import package_out
from splitship.entrypoints.api.schemas import (
    AssignIn,
    BatchShipIn,
    BatchShipOut,
    BatchShipResultOut,
    ConfirmIn,
    LogisticsChangeIn,
    PackageOut,
    ShipIn,
    VersionIn,
)
from splitship.services import shipping, splitting
from splitship.services.shipping import BatchShipItem

router = APIRouter(prefix="/packages", tags=["packages"])


def _order_id(caller: Caller, package_id: str) -> str:
    return queries.order_of_package(caller.uow(), caller.shop_id, package_id).id


@router.post("/ship")
def ship_packages(body: BatchShipIn, caller: Caller) -> BatchShipOut:
    """Ship many packages, each on its own: one failure does not stop the others."""
    results = shipping.ship_packages(
        caller.app.uow_factory(caller.actor),
        caller.shop_id,
        [
            BatchShipItem(p.package_id, p.logistics.to_input() if p.logistics else None)
            for p in body.packages
        ],
    )
    shipped = sum(1 for r in results if r.ok)
    return BatchShipOut(
        shipped=shipped,
        failed=len(results) - shipped,
        results=[BatchShipResultOut.of(r) for r in results],
    )


@router.get("/{package_id}")
def get_package(package_id: str, caller: Caller, response: Response) -> PackageOut:
    order = queries.order_of_package(caller.uow(), caller.shop_id, package_id)
    return package_out(order, package_id, response)


@router.patch("/{package_id}")
def assign_package(
    package_id: str, body: AssignIn, caller: Caller, if_match: IfMatch, response: Response
) -> PackageOut:
    order = shipping.assign_package(
        caller.uow(),
        caller.shop_id,
        _order_id(caller, package_id),
        package_id,
        warehouse=body.warehouse_id,
        channel=body.channel_id,
        box=body.box_id,
        expected_version=expected_version(body.version, if_match),
    )
    return package_out(order, package_id, response)


@router.post("/{package_id}/confirm")
def confirm_package(
    package_id: str,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
    body: Annotated[ConfirmIn | None, Body()] = None,
) -> PackageOut:
    body = body or ConfirmIn()
    order = shipping.confirm_package(
        caller.uow(),
        caller.shop_id,
        _order_id(caller, package_id),
        package_id,
        channel=body.channel_id,
        box=body.box_id,
        expected_version=expected_version(body.version, if_match),
    )
    return package_out(order, package_id, response)


@router.put("/{package_id}/logistics")
def record_logistics(
    package_id: str,
    body: LogisticsChangeIn,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
) -> PackageOut:
    result = shipping.record_logistics(
        caller.uow(),
        caller.shop_id,
        _order_id(caller, package_id),
        package_id,
        body.to_input(),
        expected_version(body.version, if_match),
    )
    return package_out(result.order, package_id, response, result.warnings)


@router.post("/{package_id}/logistics/correction")
def correct_logistics(
    package_id: str,
    body: LogisticsChangeIn,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
) -> PackageOut:
    result = shipping.correct_logistics(
        caller.uow(),
        caller.shop_id,
        _order_id(caller, package_id),
        package_id,
        body.to_input(),
        expected_version(body.version, if_match),
    )
    return package_out(result.order, package_id, response, result.warnings)


@router.post("/{package_id}/ship")
def ship_package(
    package_id: str,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
    body: Annotated[ShipIn | None, Body()] = None,
) -> PackageOut:
    body = body or ShipIn()
    result = shipping.ship_package(
        caller.uow(),
        caller.shop_id,
        _order_id(caller, package_id),
        package_id,
        body.logistics.to_input() if body.logistics else None,
        expected_version(body.version, if_match),
    )
    return package_out(result.order, package_id, response, result.warnings)


@router.post("/{package_id}/cancel")
def cancel_package(
    package_id: str,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
    body: Annotated[VersionIn | None, Body()] = None,
) -> PackageOut:
    order = splitting.cancel_package(
        caller.uow(),
        caller.shop_id,
        _order_id(caller, package_id),
        package_id,
        expected_version(body.version if body else None, if_match),
    )
    return package_out(order, package_id, response)
