"""Channel and box choice, confirmation with stock reservation, logistics info and shipment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from splitship.domain import tracking
from splitship.domain.catalog import Channel, ChannelKind
from splitship.domain.errors import InsufficientStock, InvalidInput, SplitshipError
from splitship.domain.eta import BusinessCalendar, estimate_delivery
from splitship.domain.order import LogisticsInfo, Order, Package
from splitship.domain.shop import Shop
from splitship.services import catalog
from splitship.services.common import load_order, segregation
from splitship.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LogisticsInput:
    tracking_number: str | None
    carrier_code: str | None = None
    tracking_url: str | None = None
    ship_time: datetime | None = None
    eta_earliest: date | None = None
    eta_latest: date | None = None


@dataclass
class LogisticsResult:
    order: Order
    warnings: list[str] = field(default_factory=list)


def assign_package(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    package_id: str,
    *,
    warehouse: str | None = None,
    channel: str | None = None,
    box: str | None = None,
    expected_version: int | None = None,
) -> Order:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        order.assign(
            package_id,
            warehouse_id=catalog.warehouse(uow, shop_id, warehouse).id if warehouse else None,
            channel=catalog.channel(uow, shop_id, channel) if channel else None,
            box=catalog.box(uow, shop_id, box) if box else None,
            segregation=segregation(uow, shop),
        )
        uow.commit()
    return order


def confirm_package(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    package_id: str,
    *,
    channel: str | None = None,
    box: str | None = None,
    expected_version: int | None = None,
) -> Order:
    """Check the package against its channel and box, lock it, and reserve its stock."""
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        pkg = order.package(package_id)
        chosen = channel or pkg.channel_id
        if chosen is None:
            raise InvalidInput(
                f"package {pkg.number} has no channel: choose one", field="channel_id"
            )
        box_key = box or pkg.box_id
        order.confirm_package(
            package_id,
            catalog.channel(uow, shop_id, chosen),
            catalog.box(uow, shop_id, box_key) if box_key else None,
            segregation=segregation(uow, shop),
        )
        _reserve(uow, shop, order, pkg)
        uow.commit()
    return order


def _reserve(uow: UnitOfWork, shop: Shop, order: Order, pkg: Package) -> None:
    if not shop.settings.track_stock or pkg.warehouse_id is None:
        return
    for line_id, qty in pkg.items.items():
        sku = order.line(line_id).sku
        if not uow.stock.reserve(shop.id, pkg.warehouse_id, sku, qty):
            wh = catalog.warehouse(uow, shop.id, pkg.warehouse_id)
            available = wh.available(sku)
            raise InsufficientStock(
                f"warehouse {wh.code} has {available} unit(s) of {sku} available, package "
                f"{pkg.number} needs {qty}: restock, ship from another warehouse or split",
                field="warehouse_id",
                details={"sku": sku, "available": available, "needed": qty, "warehouse": wh.code},
            )


def record_logistics(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    package_id: str,
    info: LogisticsInput,
    expected_version: int | None = None,
) -> LogisticsResult:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        pkg = order.package(package_id)
        channel = catalog.channel(uow, shop_id, pkg.channel_id) if pkg.channel_id else None
        logistics, warnings = _checked_logistics(uow, shop, pkg, channel, info)
        order.record_logistics(package_id, logistics)
        uow.commit()
    return LogisticsResult(order, warnings)


def ship_package(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    package_id: str,
    info: LogisticsInput | None = None,
    expected_version: int | None = None,
) -> LogisticsResult:
    """Ship one confirmed package (recording its logistics info first when given)."""
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        warnings = _ship(uow, shop, order, package_id, info)
        uow.commit()
    return LogisticsResult(order, warnings)


def _ship(
    uow: UnitOfWork, shop: Shop, order: Order, package_id: str, info: LogisticsInput | None
) -> list[str]:
    pkg = order.package(package_id)
    if pkg.channel_id is None:
        raise InvalidInput(f"package {pkg.number} has no channel: confirm it first")
    channel = catalog.channel(uow, shop.id, pkg.channel_id)
    warnings: list[str] = []
    logistics = pkg.logistics
    if info is not None:
        logistics, warnings = _checked_logistics(uow, shop, pkg, channel, info)
    if logistics is not None and logistics.eta_latest is None:
        # The buyer is told when to expect the package, so fill the estimate in before it ships.
        logistics = _with_eta(
            shop, channel, order, replace(logistics, ship_time=logistics.ship_time or uow.now())
        )
    if logistics is not None and logistics != pkg.logistics:
        order.record_logistics(package_id, logistics)
    order.ship_package(package_id, channel, uow.now())
    if shop.settings.track_stock and pkg.warehouse_id is not None:
        for line_id, qty in pkg.items.items():
            uow.stock.deduct(shop.id, pkg.warehouse_id, order.line(line_id).sku, qty)
    return warnings


@dataclass(frozen=True)
class BatchShipItem:
    package_id: str
    info: LogisticsInput | None = None
    order_id: str | None = None


@dataclass(frozen=True)
class BatchShipResult:
    package_id: str
    ok: bool
    order_id: str | None = None
    order_status: str | None = None
    code: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def ship_packages(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, items: Sequence[BatchShipItem]
) -> list[BatchShipResult]:
    """Ship many packages, each in its own transaction: one failure does not stop the rest."""
    results = []
    for item in items:
        uow = uow_factory()
        try:
            with uow:
                shop = uow.shops.get(shop_id)
                if item.order_id:
                    order = uow.orders.get(shop_id, item.order_id)
                else:
                    order = uow.orders.find_by_package(shop_id, item.package_id)
                warnings = _ship(uow, shop, order, item.package_id, item.info)
                uow.commit()
            results.append(
                BatchShipResult(
                    item.package_id, True, order.id, order.status.value, warnings=tuple(warnings)
                )
            )
        except SplitshipError as exc:
            results.append(
                BatchShipResult(item.package_id, False, item.order_id, None, exc.code, exc.message)
            )
    return results


def correct_logistics(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    package_id: str,
    info: LogisticsInput,
    expected_version: int | None = None,
) -> LogisticsResult:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        pkg = order.package(package_id)
        channel = catalog.channel(uow, shop_id, pkg.channel_id) if pkg.channel_id else None
        logistics, warnings = _checked_logistics(uow, shop, pkg, channel, info)
        order.correct_logistics(
            package_id,
            logistics,
            uow.now(),
            window=timedelta(hours=shop.settings.correction_window_hours),
            max_corrections=shop.settings.max_corrections,
        )
        uow.commit()
    return LogisticsResult(order, warnings)


def _checked_logistics(
    uow: UnitOfWork,
    shop: Shop,
    pkg: Package,
    channel: Channel | None,
    info: LogisticsInput,
) -> tuple[LogisticsInfo, list[str]]:
    """Validate the tracking number for its carrier and fill in carrier, URL and ETA."""
    warnings: list[str] = []
    number = tracking.normalize_tracking_number(info.tracking_number or "")
    carrier = info.carrier_code or (channel.carrier_code if channel else None)
    own_delivery = channel is not None and channel.kind is ChannelKind.SELF_DELIVERY
    if number:
        check = tracking.check_tracking_number(
            number,
            carrier if not own_delivery else None,
            channel.tracking_pattern if channel else None,
        )
        if not check.valid:
            raise InvalidInput(
                f"tracking number {number} is not valid"
                + (f" for {carrier}" if carrier else "")
                + f": {check.reason}",
                field="tracking_number",
            )
        carrier = carrier or check.carrier_code
        others = [p for p in uow.orders.packages_with_tracking(shop.id, number) if p != pkg.id]
        if others:
            warnings.append(
                f"tracking number {number} is already on {len(others)} other package(s) of this "
                "shop; check that it is not a copy-paste mistake"
            )
    elif channel is None or channel.requires_tracking or not own_delivery:
        raise InvalidInput(
            "a tracking number is required for this channel", field="tracking_number"
        )
    if info.ship_time is not None and info.ship_time.tzinfo is None:
        raise InvalidInput("ship time needs a time zone offset", field="ship_time")
    if info.eta_earliest and info.eta_latest and info.eta_earliest > info.eta_latest:
        raise InvalidInput("estimated delivery starts after it ends", field="eta_latest")
    url = info.tracking_url
    if url is None and number and carrier and carrier in tracking.CARRIERS:
        url = tracking.tracking_url(carrier, number)
    result = LogisticsInfo(
        carrier_code=carrier,
        tracking_number=number or None,
        tracking_url=url,
        ship_time=info.ship_time,
        eta_earliest=info.eta_earliest,
        eta_latest=info.eta_latest or info.eta_earliest,
    )
    return result, warnings


def _with_eta(shop: Shop, channel: Channel, order: Order, info: LogisticsInfo) -> LogisticsInfo:
    zone = channel.zone_for(order.address.country, order.address.region)
    transit = channel.transit.get(zone) if zone else None
    if transit is None or info.ship_time is None:
        return info
    est = estimate_delivery(
        info.ship_time,
        transit.min_days,
        transit.max_days,
        channel.cutoff,
        shop.settings.timezone,
        BusinessCalendar(holidays=frozenset(shop.settings.holidays)),
    )
    return replace(info, eta_earliest=est.earliest, eta_latest=est.latest)
