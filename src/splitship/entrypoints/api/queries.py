"""Read-only look-ups for the API. Each opens its own unit of work and reads through the
shop-scoped repositories, so another shop's object is simply not found (404)."""

from splitship.domain.catalog import Box, Channel, Sku, Warehouse
from splitship.domain.errors import NotFound
from splitship.domain.order import Order
from splitship.domain.shop import Shop
from splitship.services import catalog
from splitship.services.unit_of_work import AuditEntry, OrderFilter, OrderPage, UnitOfWork


def order(uow: UnitOfWork, shop_id: str, order_id: str) -> Order:
    with uow:
        return uow.orders.get(shop_id, order_id)


def order_of_package(uow: UnitOfWork, shop_id: str, package_id: str) -> Order:
    with uow:
        return uow.orders.find_by_package(shop_id, package_id)


def orders(uow: UnitOfWork, shop_id: str, flt: OrderFilter) -> OrderPage:
    with uow:
        return uow.orders.search(shop_id, flt)


def order_audit(uow: UnitOfWork, shop_id: str, order_id: str) -> list[AuditEntry]:
    with uow:
        uow.orders.get(shop_id, order_id)  # NotFound for an unknown or another shop's order
        return uow.audit.for_order(shop_id, order_id)


def shop(uow: UnitOfWork, shop_id: str) -> Shop:
    with uow:
        return uow.shops.get(shop_id)


def skus(uow: UnitOfWork, shop_id: str) -> list[Sku]:
    with uow:
        return uow.catalog.skus(shop_id)


def sku(uow: UnitOfWork, shop_id: str, code: str) -> Sku:
    with uow:
        found = uow.catalog.get_sku(shop_id, code)
    if found is None:
        raise NotFound(f"SKU {code} not found", field="code")
    return found


def warehouses(uow: UnitOfWork, shop_id: str) -> list[Warehouse]:
    with uow:
        return uow.catalog.warehouses(shop_id)


def warehouse(uow: UnitOfWork, shop_id: str, key: str) -> Warehouse:
    with uow:
        return catalog.warehouse(uow, shop_id, key)


def channels(uow: UnitOfWork, shop_id: str) -> list[Channel]:
    with uow:
        return uow.catalog.channels(shop_id)


def channel(uow: UnitOfWork, shop_id: str, key: str) -> Channel:
    with uow:
        return catalog.channel(uow, shop_id, key)


def boxes(uow: UnitOfWork, shop_id: str) -> list[Box]:
    with uow:
        return uow.catalog.boxes(shop_id)


def box(uow: UnitOfWork, shop_id: str, key: str) -> Box:
    with uow:
        return catalog.box(uow, shop_id, key)


def order_by_external(uow: UnitOfWork, shop_id: str, source: str, external_id: str) -> Order:
    with uow:
        found = uow.orders.find_external(shop_id, source, external_id)
    if found is None:
        raise NotFound(f"order {external_id} from {source} not found", field="external_id")
    return found
