"""Manual split: create packages, move units, merge, undo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from splitship.domain.order import Order
from splitship.services.common import load_order, ready_items, release_reservations, segregation
from splitship.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PackageSpec:
    items: Mapping[str, int]  # line id -> units
    warehouse_id: str | None = None
    channel_id: str | None = None
    box_id: str | None = None
    reasons: Sequence[str] = field(default_factory=tuple)


def split_order(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    packages: Sequence[PackageSpec],
    expected_version: int | None = None,
) -> Order:
    """Create packages from the unassigned pool, all or none."""
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        packages = [_resolve_refs(uow, shop_id, spec) for spec in packages]
        groups = segregation(uow, shop)
        for spec in packages:
            order.create_package(
                uow.new_id(),
                spec.items,
                uow.now(),
                allow_unit_split=shop.settings.allow_unit_split,
                warehouse_id=spec.warehouse_id,
                channel_id=spec.channel_id,
                box_id=spec.box_id,
                reasons=spec.reasons,
                segregation=groups,
            )
        uow.commit()
    return order


def move_units(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    source_id: str,
    target_id: str | None,
    line_id: str,
    quantity: int,
    expected_version: int | None = None,
) -> Order:
    """Move units between open packages; with no target, into a new package."""
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        groups = segregation(uow, shop)
        if target_id is None:
            source = order.package(source_id)
            # Free the units first so the new package can take them from the pool.
            target_id = uow.new_id()
            order.move_units_to_new(
                source.id,
                target_id,
                line_id,
                quantity,
                uow.now(),
                allow_unit_split=shop.settings.allow_unit_split,
            )
        else:
            order.move_units(
                source_id,
                target_id,
                line_id,
                quantity,
                allow_unit_split=shop.settings.allow_unit_split,
                segregation=groups,
            )
        uow.commit()
    return order


def merge_packages(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    target_id: str,
    source_id: str,
    expected_version: int | None = None,
) -> Order:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        order.merge_packages(target_id, source_id, segregation=segregation(uow, shop))
        uow.commit()
    return order


def undo_split(
    uow: UnitOfWork, shop_id: str, order_id: str, expected_version: int | None = None
) -> Order:
    with uow:
        order = load_order(uow, shop_id, order_id, expected_version)
        order.undo_split()
        uow.commit()
    return order


def cancel_package(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    package_id: str,
    expected_version: int | None = None,
) -> Order:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        before = ready_items(order)
        order.cancel_package(package_id)
        release_reservations(uow, shop, order, before)
        uow.commit()
    return order


def _resolve_refs(uow: UnitOfWork, shop_id: str, spec: PackageSpec) -> PackageSpec:
    """Accept ids or codes for warehouse, channel and box; refuse unknown ones."""
    from dataclasses import replace

    from splitship.services import catalog

    return replace(
        spec,
        warehouse_id=catalog.warehouse(uow, shop_id, spec.warehouse_id).id
        if spec.warehouse_id
        else None,
        channel_id=catalog.channel(uow, shop_id, spec.channel_id).id if spec.channel_id else None,
        box_id=catalog.box(uow, shop_id, spec.box_id).id if spec.box_id else None,
    )
