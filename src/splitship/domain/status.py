"""Lifecycle states and the order status derived from packages (invariant 3)."""

from __future__ import annotations

from enum import StrEnum


class PackageStatus(StrEnum):
    OPEN = "open"
    READY = "ready"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"
    CANCELLED = "cancelled"


# Once a package has left, its items, warehouse and address are frozen (invariant 2).
SHIPPED_STATES = frozenset(
    {
        PackageStatus.SHIPPED,
        PackageStatus.IN_TRANSIT,
        PackageStatus.OUT_FOR_DELIVERY,
        PackageStatus.DELIVERED,
        PackageStatus.EXCEPTION,
        PackageStatus.RETURNED,
    }
)
EDITABLE_STATES = frozenset({PackageStatus.OPEN})

# Carrier-driven moves after shipment. Progress never goes backwards; an exception can recover.
CARRIER_TRANSITIONS: dict[PackageStatus, frozenset[PackageStatus]] = {
    PackageStatus.SHIPPED: frozenset(
        {
            PackageStatus.IN_TRANSIT,
            PackageStatus.OUT_FOR_DELIVERY,
            PackageStatus.DELIVERED,
            PackageStatus.EXCEPTION,
            PackageStatus.RETURNED,
        }
    ),
    PackageStatus.IN_TRANSIT: frozenset(
        {
            PackageStatus.OUT_FOR_DELIVERY,
            PackageStatus.DELIVERED,
            PackageStatus.EXCEPTION,
            PackageStatus.RETURNED,
        }
    ),
    PackageStatus.OUT_FOR_DELIVERY: frozenset(
        {PackageStatus.DELIVERED, PackageStatus.EXCEPTION, PackageStatus.RETURNED}
    ),
    PackageStatus.EXCEPTION: frozenset(
        {
            PackageStatus.IN_TRANSIT,
            PackageStatus.OUT_FOR_DELIVERY,
            PackageStatus.DELIVERED,
            PackageStatus.RETURNED,
        }
    ),
    PackageStatus.DELIVERED: frozenset(),
    PackageStatus.RETURNED: frozenset(),
}


class OrderStatus(StrEnum):
    ON_HOLD = "on_hold"
    AWAITING_SHIPMENT = "awaiting_shipment"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# The one place that maps splitship's order status to TikTok Shop's.
TIKTOK_ORDER_STATUS: dict[OrderStatus, str] = {
    OrderStatus.ON_HOLD: "ON_HOLD",
    OrderStatus.AWAITING_SHIPMENT: "AWAITING_SHIPMENT",
    OrderStatus.PARTIALLY_SHIPPED: "PARTIALLY_SHIPPING",
    OrderStatus.SHIPPED: "IN_TRANSIT",
    OrderStatus.PARTIALLY_DELIVERED: "IN_TRANSIT",
    OrderStatus.DELIVERED: "DELIVERED",
    OrderStatus.CANCELLED: "CANCELLED",
}


def derive_order_status(
    *,
    cancelled: bool,
    on_hold: bool,
    units_to_ship: int,
    units_shipped: int,
    shipped_packages: int,
    delivered_packages: int,
) -> OrderStatus:
    """The order's status as a pure function of its packages, holds and cancellation."""
    if cancelled or units_to_ship == 0:
        return OrderStatus.CANCELLED
    if on_hold:
        return OrderStatus.ON_HOLD
    if units_shipped == 0:
        return OrderStatus.AWAITING_SHIPMENT
    if units_shipped < units_to_ship:
        return OrderStatus.PARTIALLY_SHIPPED
    if delivered_packages == 0:
        return OrderStatus.SHIPPED
    if delivered_packages < shipped_packages:
        return OrderStatus.PARTIALLY_DELIVERED
    return OrderStatus.DELIVERED
