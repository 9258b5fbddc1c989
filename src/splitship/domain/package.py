"""The parts of an order: addresses, lines, packages, holds, logistics info and carrier events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from splitship.domain.catalog import SkuAttributes
from splitship.domain.status import SHIPPED_STATES, PackageStatus


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str
    country: str
    region: str | None = None
    postal_code: str | None = None
    line2: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class OrderLine:
    id: str
    sku: str
    name: str
    quantity: int
    unit_price: int
    attributes: SkuAttributes
    address: Address | None = None  # overrides the order's address (gift lines)


@dataclass(frozen=True)
class LogisticsInfo:
    carrier_code: str | None
    tracking_number: str | None
    tracking_url: str | None
    ship_time: datetime | None
    eta_earliest: date | None = None
    eta_latest: date | None = None


class HoldReason(StrEnum):
    ADDRESS_CHECK = "address_check"
    FRAUD_REVIEW = "fraud_review"
    AWAITING_STOCK = "awaiting_stock"
    CANCELLATION_REQUEST = "cancellation_request"
    OTHER = "other"


@dataclass
class Hold:
    id: str
    reason: HoldReason
    note: str
    placed_at: datetime
    package_id: str | None = None
    released_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class TrackingEvent:
    id: str
    status: PackageStatus | None  # None for events that do not move the package ("attempted")
    kind: str
    occurred_at: datetime
    description: str = ""
    location: str = ""
    reason: str | None = None


@dataclass
class Package:
    id: str
    number: int
    items: dict[str, int]
    address: Address
    created_at: datetime
    status: PackageStatus = PackageStatus.OPEN
    warehouse_id: str | None = None
    channel_id: str | None = None
    box_id: str | None = None
    logistics: LogisticsInfo | None = None
    shipped_at: datetime | None = None
    corrections: int = 0
    tracking_events: list[TrackingEvent] = field(default_factory=list)
    buyer_note: str | None = None  # what the buyer sees while the package is being prepared
    reasons: list[str] = field(default_factory=list)  # why the split made this package

    @property
    def units(self) -> int:
        return sum(self.items.values())

    @property
    def is_shipped(self) -> bool:
        return self.status in SHIPPED_STATES

    @property
    def is_cancelled(self) -> bool:
        return self.status is PackageStatus.CANCELLED

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "items": dict(self.items),
            "warehouse_id": self.warehouse_id,
            "channel_id": self.channel_id,
            "box_id": self.box_id,
        }


def logistics_dict(info: LogisticsInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "carrier_code": info.carrier_code,
        "tracking_number": info.tracking_number,
        "tracking_url": info.tracking_url,
        "ship_time": info.ship_time.isoformat() if info.ship_time else None,
        "eta_earliest": info.eta_earliest.isoformat() if info.eta_earliest else None,
        "eta_latest": info.eta_latest.isoformat() if info.eta_latest else None,
    }


def hold_dict(hold: Hold) -> dict[str, Any]:
    return {
        "reason": hold.reason.value,
        "note": hold.note,
        "package_id": hold.package_id,
        "released": not hold.active,
    }


def hold_names(holds: Sequence[Hold]) -> str:
    return ", ".join(f"{h.reason.value} {h.id}" for h in holds)
