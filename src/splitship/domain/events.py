"""Domain events and audit records that an aggregate collects while it changes.

The service layer writes both in the same transaction as the change itself: audit records to the
audit trail, events to the outbox (invariant 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Event names are part of the public webhook contract: change them only with a migration note.
ORDER_IMPORTED = "order.imported"
ORDER_PARTIALLY_SHIPPED = "order.partially_shipped"
ORDER_SHIPPED = "order.shipped"
ORDER_DELIVERED = "order.delivered"
ORDER_CANCELLED = "order.cancelled"
PACKAGE_SHIPPED = "package.shipped"
PACKAGE_DELIVERED = "package.delivered"
PACKAGE_EXCEPTION = "package.exception"
PACKAGE_RETURNED = "package.returned"
LOGISTICS_CORRECTED = "package.logistics_corrected"
INQUIRY_OPENED = "inquiry.opened"
INQUIRY_ANSWERED = "inquiry.answered"

EVENT_NAMES = (
    ORDER_IMPORTED,
    ORDER_PARTIALLY_SHIPPED,
    ORDER_SHIPPED,
    ORDER_DELIVERED,
    ORDER_CANCELLED,
    PACKAGE_SHIPPED,
    PACKAGE_DELIVERED,
    PACKAGE_EXCEPTION,
    PACKAGE_RETURNED,
    LOGISTICS_CORRECTED,
    INQUIRY_OPENED,
    INQUIRY_ANSWERED,
)


@dataclass(frozen=True)
class DomainEvent:
    name: str
    order_id: str
    package_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRecord:
    """One state change: what was done to which object, with the values before and after."""

    action: str
    subject_type: str  # "order", "package", "hold", "line", "inquiry", ...
    subject_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
