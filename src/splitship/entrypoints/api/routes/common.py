"""Shaping of responses shared by the routers."""

from fastapi import Response

from splitship.domain.order import Order
from splitship.entrypoints.api.deps import ApiCaller
from splitship.entrypoints.api.schemas import OrderOut, PackageOut


def order_out(caller: ApiCaller, order: Order, response: Response) -> OrderOut:
    """The order as the client sees it; its version also goes out as the ETag for If-Match."""
    response.headers["ETag"] = f'"{order.version}"'
    return OrderOut.of_order(order, caller.app.settings.base_url)


def package_out(
    order: Order, package_id: str, response: Response, warnings: list[str] | None = None
) -> PackageOut:
    response.headers["ETag"] = f'"{order.version}"'
    return PackageOut.of(order, order.package(package_id), warnings)
