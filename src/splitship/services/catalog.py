"""The shop's catalogue: SKUs, stock, warehouses, channels and boxes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from splitship.domain.catalog import Box, Channel, Sku, SkuAttributes, Warehouse
from splitship.domain.errors import InvalidInput, NotFound
from splitship.domain.tracking import check_own_pattern
from splitship.services.unit_of_work import AuditEntry, UnitOfWork


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass(frozen=True)
class StockSetting:
    warehouse: str  # id or code
    sku: str
    on_hand: int
    row: int = 0


@dataclass
class BatchReport:
    applied: int = 0
    errors: list[RowError] | None = None


def save_skus(uow: UnitOfWork, shop_id: str, skus: Sequence[Sku]) -> int:
    """Create or update SKUs (one transaction)."""
    with uow:
        for sku in skus:
            _validate_attributes(sku.attributes, sku.code)
            uow.catalog.save_sku(Sku(shop_id, sku.code, sku.name, sku.attributes))
        _audit(uow, shop_id, "skus.saved", "sku", ",".join(s.code for s in skus[:20]))
        uow.commit()
    return len(skus)


def set_stock(uow: UnitOfWork, shop_id: str, settings: Sequence[StockSetting]) -> BatchReport:
    """Set on-hand stock; rows naming an unknown warehouse or SKU or a negative count are
    reported and the others applied."""
    report = BatchReport(errors=[])
    assert report.errors is not None
    with uow:
        houses = uow.catalog.warehouses(shop_id)
        by_key = {w.id: w for w in houses} | {w.code: w for w in houses}
        known = {s.code for s in uow.catalog.skus(shop_id, [s.sku for s in settings])}
        for s in settings:
            wh = by_key.get(s.warehouse)
            if wh is None:
                report.errors.append(
                    RowError(s.row, "warehouse", f"no warehouse {s.warehouse!r} in this shop")
                )
            elif s.sku not in known:
                report.errors.append(
                    RowError(s.row, "sku", f"unknown SKU {s.sku!r}: add it to the catalogue first")
                )
            elif s.on_hand < 0:
                report.errors.append(
                    RowError(s.row, "on_hand", f"stock cannot be negative (got {s.on_hand})")
                )
            else:
                uow.stock.set_on_hand(shop_id, wh.id, s.sku, s.on_hand)
                report.applied += 1
        if report.applied:
            _audit(uow, shop_id, "stock.set", "stock", f"{report.applied} row(s)")
        uow.commit()
    return report


def save_warehouse(uow: UnitOfWork, warehouse: Warehouse) -> Warehouse:
    if len(warehouse.country) != 2:
        raise InvalidInput("country must be a two-letter ISO code", field="country")
    with uow:
        uow.catalog.save_warehouse(warehouse)
        _audit(uow, warehouse.shop_id, "warehouse.saved", "warehouse", warehouse.id)
        uow.commit()
    return warehouse


def save_channel(uow: UnitOfWork, shop_id: str, channel: Channel) -> Channel:
    if not channel.rates:
        raise InvalidInput("a channel needs a rate card for at least one zone", field="rates")
    missing = sorted(set(channel.zones.values()) - set(channel.rates))
    if missing:
        raise InvalidInput(f"zones without a rate: {', '.join(missing)}", field="rates")
    if channel.tracking_pattern:
        check_own_pattern(channel.tracking_pattern)
    with uow:
        uow.catalog.save_channel(shop_id, channel)
        _audit(uow, shop_id, "channel.saved", "channel", channel.id)
        uow.commit()
    return channel


def save_box(uow: UnitOfWork, shop_id: str, box: Box) -> Box:
    if not box.inner.fits_inside(box.outer):
        raise InvalidInput("inner dimensions must fit inside the outer ones", field="inner_mm")
    with uow:
        uow.catalog.save_box(shop_id, box)
        _audit(uow, shop_id, "box.saved", "box", box.id)
        uow.commit()
    return box


def warehouse(uow: UnitOfWork, shop_id: str, key: str) -> Warehouse:
    for w in uow.catalog.warehouses(shop_id):
        if key in (w.id, w.code):
            return w
    raise NotFound(f"warehouse {key} not found", field="warehouse_id")


def channel(uow: UnitOfWork, shop_id: str, key: str) -> Channel:
    for c in uow.catalog.channels(shop_id):
        if key in (c.id, c.code):
            return c
    raise NotFound(f"channel {key} not found", field="channel_id")


def box(uow: UnitOfWork, shop_id: str, key: str) -> Box:
    for b in uow.catalog.boxes(shop_id):
        if key in (b.id, b.name):
            return b
    raise NotFound(f"box {key} not found", field="box_id")


def _validate_attributes(a: SkuAttributes, code: str) -> None:
    if not code.strip():
        raise InvalidInput("SKU code is empty", field="code")
    if a.weight_g <= 0:
        raise InvalidInput(f"SKU {code}: weight must be positive grams", field="weight_g")
    if a.declared_value < 0:
        raise InvalidInput(f"SKU {code}: declared value cannot be negative", field="declared_value")
    if a.dimensions is not None and min(a.dimensions.sorted_sides()) <= 0:
        raise InvalidInput(f"SKU {code}: dimensions must be positive mm", field="dimensions_mm")


def _audit(uow: UnitOfWork, shop_id: str, action: str, kind: str, subject: str) -> None:
    uow.audit.record(
        shop_id, AuditEntry(uow.now(), uow.actor, None, action, kind, subject[:64], None, None)
    )
