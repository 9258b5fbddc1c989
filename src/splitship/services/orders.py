"""Importing orders, cancelling them, and holds."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from splitship.domain.errors import InvalidInput
from splitship.domain.order import Address, Hold, HoldReason, Order, OrderLine
from splitship.services.catalog import RowError
from splitship.services.common import load_order, ready_items, release_reservations
from splitship.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LineDraft:
    sku: str
    quantity: int
    unit_price: int
    row: int = 0
    name: str | None = None
    address: Address | None = None


@dataclass(frozen=True)
class OrderDraft:
    """An order as read from a marketplace payload or a CSV file, before checks."""

    source: str
    external_id: str
    address: Address
    lines: Sequence[LineDraft]
    row: int = 0
    buyer_name: str = ""
    buyer_email: str | None = None
    buyer_locale: str | None = None
    currency: str | None = None
    created_at: datetime | None = None
    paid_at: datetime | None = None
    ship_by: datetime | None = None
    deliver_by: date | None = None


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # external ids
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_orders(
    uow: UnitOfWork,
    shop_id: str,
    drafts: Sequence[OrderDraft],
    parse_errors: Sequence[RowError] = (),
) -> ImportReport:
    """Create the orders that are new and valid, in one transaction.

    An order with any bad line is refused whole (every problem reported with its row), so no
    order is ever half imported; orders already known by (shop, source, external id) are left
    unchanged.
    """
    report = ImportReport(errors=list(parse_errors))
    bad_orders = {e.row for e in parse_errors}
    with uow:
        shop = uow.shops.get(shop_id)
        codes = sorted({ln.sku for d in drafts for ln in d.lines})
        catalog = {s.code: s for s in uow.catalog.skus(shop_id, codes)}
        seen: set[tuple[str, str]] = set()
        for draft in drafts:
            if draft.row in bad_orders and draft.row:
                continue
            key = (draft.source, draft.external_id)
            if key in seen or uow.orders.find_external(shop_id, *key) is not None:
                report.unchanged.append(draft.external_id)
                continue
            problems = _check_draft(draft, set(catalog))
            if problems:
                report.errors.extend(problems)
                continue
            seen.add(key)
            now = uow.now()
            order = Order(
                id=uow.new_id(),
                shop_id=shop_id,
                source=draft.source,
                external_id=draft.external_id,
                address=draft.address,
                lines=[
                    OrderLine(
                        id=f"L{i}",
                        sku=ln.sku,
                        name=ln.name or catalog[ln.sku].name,
                        quantity=ln.quantity,
                        unit_price=ln.unit_price,
                        attributes=catalog[ln.sku].attributes,
                        address=ln.address if ln.address != draft.address else None,
                    )
                    for i, ln in enumerate(draft.lines, start=1)
                ],
                created_at=draft.created_at or now,
                currency=draft.currency or shop.settings.currency,
                buyer_name=draft.buyer_name,
                buyer_email=draft.buyer_email,
                buyer_locale=draft.buyer_locale or shop.settings.default_locale,
                paid_at=draft.paid_at,
                ship_by=draft.ship_by,
                deliver_by=draft.deliver_by,
                tracking_token=secrets.token_urlsafe(24),
            )
            order.record_import()
            uow.orders.add(order)
            report.created.append(order.external_id)
            report.order_ids.append(order.id)
        uow.commit()
    return report


def _check_draft(draft: OrderDraft, known_skus: set[str]) -> list[RowError]:
    problems: list[RowError] = []
    if not draft.external_id.strip():
        problems.append(RowError(draft.row, "order_id", "order id is empty"))
    if len(draft.address.country) != 2:
        problems.append(
            RowError(draft.row, "country", "country must be a two-letter ISO code, e.g. US")
        )
    if not draft.lines:
        problems.append(RowError(draft.row, "line_items", "the order has no lines"))
    for ln in draft.lines:
        if ln.sku not in known_skus:
            problems.append(
                RowError(ln.row, "seller_sku", f"unknown SKU {ln.sku!r}: add it to the catalogue")
            )
        if ln.quantity <= 0:
            problems.append(
                RowError(ln.row, "quantity", f"quantity must be at least 1, got {ln.quantity}")
            )
        if ln.unit_price < 0:
            problems.append(RowError(ln.row, "price", "price cannot be negative"))
    return problems


def cancel_order(
    uow: UnitOfWork, shop_id: str, order_id: str, expected_version: int | None = None
) -> Order:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        before = ready_items(order)
        order.cancel()
        release_reservations(uow, shop, order, before)
        uow.commit()
    return order


def cancel_units(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    line_id: str,
    quantity: int,
    expected_version: int | None = None,
) -> Order:
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        before = ready_items(order)
        order.cancel_units(line_id, quantity)
        release_reservations(uow, shop, order, before)
        uow.commit()
    return order


def place_hold(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    reason: str,
    note: str = "",
    package_id: str | None = None,
) -> Hold:
    try:
        hold_reason = HoldReason(reason)
    except ValueError:
        raise InvalidInput(
            f"unknown hold reason {reason!r}; use one of " + ", ".join(r.value for r in HoldReason),
            field="reason",
        ) from None
    with uow:
        order = uow.orders.get(shop_id, order_id)
        hold = Hold(uow.new_id(), hold_reason, note[:500], uow.now(), package_id)
        order.place_hold(hold)
        uow.commit()
    return hold


def release_hold(uow: UnitOfWork, shop_id: str, order_id: str, hold_id: str) -> Order:
    with uow:
        order = uow.orders.get(shop_id, order_id)
        order.release_hold(hold_id, uow.now())
        uow.commit()
    return order
