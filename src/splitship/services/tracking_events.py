"""Carrier events for shipped packages, and the note a buyer sees on a package not yet shipped.

Events are found by package id or by tracking number, and are idempotent by event id: sending one
again changes nothing and says so (``applied`` is False). A batch records each event in its own
transaction, so one bad event does not stop the rest, and returns one result per event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from splitship.domain import tracking
from splitship.domain.errors import InvalidInput, NotFound, SplitshipError
from splitship.domain.order import Order, TrackingEvent
from splitship.domain.status import PackageStatus
from splitship.services.common import load_order
from splitship.services.unit_of_work import UnitOfWork

# What a carrier can say about a package; "attempted" joins the timeline without a new status.
EVENT_KINDS = (
    "in_transit",
    "out_for_delivery",
    "delivered",
    "attempted",
    "exception",
    "returned",
)
EXCEPTION_REASONS = (
    "invalid_address",
    "refused",
    "lost",
    "damaged",
    "customs",
    "recipient_unavailable",
    "weather",
    "other",
)
MAX_EVENT_ID = 128
MAX_DESCRIPTION = 500
MAX_LOCATION = 200
MAX_BUYER_NOTE = 280
# Carrier clocks drift and feeds arrive late, but an event a day ahead is a time-zone mistake.
FUTURE_TOLERANCE = timedelta(hours=24)


@dataclass(frozen=True)
class EventInput:
    event_id: str
    status: str
    occurred_at: datetime
    package_id: str | None = None
    tracking_number: str | None = None
    carrier_code: str | None = None
    description: str = ""
    location: str = ""
    reason: str | None = None
    row: int = 0  # the CSV row it came from, for messages


@dataclass(frozen=True)
class EventResult:
    event_id: str
    ok: bool
    applied: bool = False  # False for a duplicate, or when the event failed
    package_id: str | None = None
    order_id: str | None = None
    package_status: str | None = None
    order_status: str | None = None
    code: str | None = None
    error: str | None = None
    field: str | None = None
    row: int = 0


def record_tracking_event(uow: UnitOfWork, shop_id: str, item: EventInput) -> EventResult:
    """Record one carrier event; raises on a bad event (the batch form reports instead)."""
    event = _domain_event(item, uow.now())
    with uow:
        order, package_id = _find_package(uow, shop_id, item)
        applied = order.record_tracking_event(package_id, event)
        if applied:
            uow.commit()
    return EventResult(
        item.event_id,
        True,
        applied,
        package_id,
        order.id,
        order.package(package_id).status.value,
        order.status.value,
        row=item.row,
    )


def record_tracking_events(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, items: Sequence[EventInput]
) -> list[EventResult]:
    results = []
    for item in items:
        try:
            results.append(record_tracking_event(uow_factory(), shop_id, item))
        except SplitshipError as exc:
            results.append(
                EventResult(
                    item.event_id,
                    False,
                    package_id=item.package_id,
                    code=exc.code,
                    error=exc.message,
                    field=exc.field,
                    row=item.row,
                )
            )
    return results


def set_buyer_note(
    uow: UnitOfWork,
    shop_id: str,
    package_id: str,
    note: str | None,
    expected_version: int | None = None,
) -> Order:
    """Set (or clear, with None or "") what the buyer reads about a package being prepared."""
    text = " ".join((note or "").split())  # one line: it is shown as a short status text
    if len(text) > MAX_BUYER_NOTE:
        raise InvalidInput(
            f"the buyer note has {len(text)} characters; at most {MAX_BUYER_NOTE} are allowed",
            field="buyer_note",
        )
    with uow:
        order = uow.orders.find_by_package(shop_id, package_id)
        order = load_order(uow, shop_id, order.id, expected_version)
        if order.set_buyer_note(package_id, text or None):
            uow.commit()
    return order


def _domain_event(item: EventInput, now: datetime) -> TrackingEvent:
    event_id = item.event_id.strip()
    if not event_id or len(event_id) > MAX_EVENT_ID:
        raise InvalidInput(
            f"event_id must be 1 to {MAX_EVENT_ID} characters: use the carrier's event id",
            field="event_id",
        )
    kind = item.status.strip().lower()
    if kind not in EVENT_KINDS:
        raise InvalidInput(
            f"unknown event status {item.status!r}: use one of {', '.join(EVENT_KINDS)}",
            field="status",
        )
    if item.occurred_at.tzinfo is None:
        raise InvalidInput(
            "occurred_at needs a time zone offset, like 2026-11-26T10:00:00+08:00",
            field="occurred_at",
        )
    if item.occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"occurred_at {item.occurred_at.isoformat()} is more than a day in the future: "
            "check its time zone",
            field="occurred_at",
        )
    reason = (item.reason or "").strip().lower() or None
    if kind == "exception" and reason is None:
        raise InvalidInput(
            f"an exception needs a reason: one of {', '.join(EXCEPTION_REASONS)}", field="reason"
        )
    if reason is not None and reason not in EXCEPTION_REASONS:
        raise InvalidInput(
            f"unknown reason {item.reason!r}: use one of {', '.join(EXCEPTION_REASONS)}",
            field="reason",
        )
    if len(item.description) > MAX_DESCRIPTION or len(item.location) > MAX_LOCATION:
        raise InvalidInput(
            f"description is limited to {MAX_DESCRIPTION} and location to {MAX_LOCATION} "
            "characters",
            field="description" if len(item.description) > MAX_DESCRIPTION else "location",
        )
    return TrackingEvent(
        id=event_id,
        status=None if kind == "attempted" else PackageStatus(kind),
        kind=kind,
        occurred_at=item.occurred_at,
        description=item.description.strip(),
        location=item.location.strip(),
        reason=reason,
    )


def _find_package(uow: UnitOfWork, shop_id: str, item: EventInput) -> tuple[Order, str]:
    if item.package_id:
        return uow.orders.find_by_package(shop_id, item.package_id), item.package_id
    number = tracking.normalize_tracking_number(item.tracking_number or "")
    if not number:
        raise InvalidInput(
            "each event needs a package_id or a tracking_number", field="tracking_number"
        )
    found: list[tuple[Order, str]] = []
    for package_id in uow.orders.packages_with_tracking(shop_id, number):
        order = uow.orders.find_by_package(shop_id, package_id)
        info = order.package(package_id).logistics
        carrier = info.carrier_code if info else None
        if item.carrier_code and carrier and carrier != item.carrier_code.strip().lower():
            continue
        found.append((order, package_id))
    if not found:
        raise NotFound(
            f"no package of this shop has tracking number {number}", field="tracking_number"
        )
    if len(found) > 1:
        raise InvalidInput(
            f"tracking number {number} is on {len(found)} packages: send the package_id "
            "(or the carrier) to say which",
            field="tracking_number",
            details={"package_ids": [p for _, p in found]},
        )
    return found[0]
