"""What the inquiry use cases need from persistence (implemented in adapters/db).

Kept apart from ``services.inquiries`` so that ``services.unit_of_work`` can declare the
repository without an import cycle.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from splitship.domain.inquiry import Inquiry, InquiryStatus


@dataclass(frozen=True)
class InquiryFilter:
    status: InquiryStatus | None = None
    # Only open inquiries whose reply-by time is before this moment.
    overdue_at: datetime | None = None
    order_id: str | None = None
    limit: int = 50
    offset: int = 0


class InquiryRepository(abc.ABC):
    """Every method is scoped by shop: another shop's inquiry is not found."""

    @abc.abstractmethod
    def get(self, shop_id: str, inquiry_id: str) -> Inquiry:
        """The inquiry, or NotFound."""

    @abc.abstractmethod
    def add(self, inquiry: Inquiry) -> None: ...

    @abc.abstractmethod
    def save(self, inquiry: Inquiry) -> None:
        """Write the inquiry if nobody changed it since it was loaded; else VersionConflict."""

    @abc.abstractmethod
    def for_order(self, shop_id: str, order_id: str) -> list[Inquiry]:
        """The order's inquiries, oldest first."""

    @abc.abstractmethod
    def search(self, shop_id: str, flt: InquiryFilter) -> list[Inquiry]:
        """Matching inquiries: the soonest reply-by first, then the newest."""
