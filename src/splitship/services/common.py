"""Helpers shared by the use cases."""

from __future__ import annotations

from collections.abc import Mapping

from splitship.domain.errors import VersionConflict
from splitship.domain.order import Order
from splitship.domain.shop import Shop
from splitship.domain.status import PackageStatus
from splitship.services.unit_of_work import UnitOfWork

RULES_DOCUMENT = "rules"


def load_order(
    uow: UnitOfWork, shop_id: str, order_id: str, expected_version: int | None = None
) -> Order:
    """The order, refusing the change when the caller edited an older version (lost update)."""
    order = uow.orders.get(shop_id, order_id)
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(
            f"order {order.external_id} is at version {order.version}, not {expected_version}: "
            "someone changed it meanwhile; reload it and try again",
            field="version",
            details={"current_version": order.version},
        )
    return order


def segregation(uow: UnitOfWork, shop: Shop) -> tuple[frozenset[str], ...]:
    """Tag groups that must not share a package: the shop's defaults plus its rule set's."""
    groups = list(shop.settings.tag_segregation)
    body = uow.shops.get_document(shop.id, RULES_DOCUMENT)
    for rule in (body or {}).get("rules", []) if isinstance(body, dict) else []:
        conditional = rule.get("conditions") or rule.get("when")
        if rule.get("type") == "tag_segregation" and not conditional:
            # The rule-set format (planning.rules) lists groups: {"params": {"groups": [[a, b]]}}.
            params = rule.get("params") or {}
            for tags in params.get("groups") or [params.get("tags") or rule.get("tags") or []]:
                if len(tags) >= 2:
                    groups.append(frozenset(str(t) for t in tags))
    return tuple(dict.fromkeys(groups))


def ready_items(order: Order) -> dict[str, dict[str, int]]:
    return {p.id: dict(p.items) for p in order.packages if p.status is PackageStatus.READY}


def release_reservations(
    uow: UnitOfWork, shop: Shop, order: Order, ready_before: Mapping[str, Mapping[str, int]]
) -> None:
    """Give back the stock of units that left confirmed packages without shipping."""
    if not shop.settings.track_stock:
        return
    for pkg_id, items in ready_before.items():
        pkg = order.package(pkg_id)
        if pkg.is_shipped or pkg.warehouse_id is None:
            continue
        now_items = pkg.items if pkg.status is PackageStatus.READY else {}
        for line_id, qty in items.items():
            freed = qty - now_items.get(line_id, 0)
            if freed > 0:
                uow.stock.release(shop.id, pkg.warehouse_id, order.line(line_id).sku, freed)
