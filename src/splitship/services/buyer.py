"""The read model of the buyer's tracking page.

Only what a stranger holding the link may see: a masked name, the city and region (never the
street, postal code, phone or e-mail), the packages with their logistics and timelines, and the
buyer's own inquiries. Building the view here, field by field, means a template cannot leak what it
was never given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from splitship.domain import tracking
from splitship.domain.errors import NotFound
from splitship.domain.inquiry import Inquiry
from splitship.domain.order import Address, Order, Package
from splitship.services.unit_of_work import UnitOfWork

# secrets.token_urlsafe(24) gives 32 characters; anything far from that shape is not a token and
# is refused before it reaches the database.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class ItemView:
    name: str
    quantity: int


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    occurred_at: datetime
    description: str
    location: str
    reason: str | None


@dataclass(frozen=True)
class PackageView:
    id: str
    position: int  # "package <position> of <count>"
    count: int
    status: str
    shipped: bool
    items: tuple[ItemView, ...]
    destination: str | None  # the city when it differs from the order's (a gift line)
    carrier_name: str | None
    tracking_number: str | None
    tracking_url: str | None
    shipped_at: datetime | None
    eta_earliest: date | None
    eta_latest: date | None
    timeline: tuple[TimelineEntry, ...]  # newest first
    buyer_note: str | None


@dataclass(frozen=True)
class MessageView:
    author: str
    body: str
    at: datetime


@dataclass(frozen=True)
class InquiryView:
    id: str
    category: str
    status: str
    package_position: int | None
    opened_at: datetime
    messages: tuple[MessageView, ...]


@dataclass(frozen=True)
class TrackingPage:
    token: str
    shop_name: str
    order_number: str
    ordered_at: datetime
    status: str
    masked_name: str
    city: str
    region: str | None
    country: str
    timezone: str
    packages: tuple[PackageView, ...]
    unpacked: tuple[ItemView, ...]  # units in no package yet: shown as preparing
    inquiries: tuple[InquiryView, ...]


def tracking_page(uow: UnitOfWork, token: str) -> TrackingPage:
    """The page for a tracking token; NotFound, the same for a malformed and an unknown one."""
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound("no order has this tracking link", field="token")
    with uow:
        order = uow.orders.find_by_token(token)
        if order is None:
            raise NotFound("no order has this tracking link", field="token")
        shop = uow.shops.get(order.shop_id)
        inquiries = uow.inquiries.for_order(order.shop_id, order.id)
    packages = order.live_packages
    positions = {p.id: i for i, p in enumerate(packages, start=1)}
    return TrackingPage(
        token=token,
        shop_name=shop.name,
        order_number=order.external_id,
        ordered_at=order.paid_at or order.created_at,
        status=order.status.value,
        masked_name=mask_name(order.address.name or order.buyer_name),
        city=order.address.city,
        region=order.address.region,
        country=order.address.country,
        timezone=shop.settings.timezone,
        packages=tuple(_package(order, p, positions[p.id], len(packages)) for p in packages),
        unpacked=tuple(
            ItemView(order.line(lid).name, qty) for lid, qty in order.unassigned_items().items()
        ),
        inquiries=tuple(_inquiry(i, positions) for i in inquiries),
    )


def mask_name(name: str) -> str:
    """'Ada Lovelace' -> 'A*** L***', '张伟' -> '张**': enough to recognise, not to identify."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "**"
    return " ".join(w[0] + "***" for w in words[:2])


def _package(order: Order, pkg: Package, position: int, count: int) -> PackageView:
    info = pkg.logistics if pkg.is_shipped else None
    carrier = info.carrier_code if info else None
    return PackageView(
        id=pkg.id,
        position=position,
        count=count,
        status=pkg.status.value,
        shipped=pkg.is_shipped,
        items=tuple(ItemView(order.line(lid).name, qty) for lid, qty in pkg.items.items()),
        destination=_destination(order.address, pkg.address),
        carrier_name=_carrier_name(carrier),
        tracking_number=info.tracking_number if info else None,
        tracking_url=_safe_url(info.tracking_url if info else None),
        shipped_at=pkg.shipped_at if pkg.is_shipped else None,
        eta_earliest=info.eta_earliest if info else None,
        eta_latest=info.eta_latest if info else None,
        timeline=tuple(
            TimelineEntry(e.kind, e.occurred_at, e.description, e.location, e.reason)
            for e in reversed(pkg.tracking_events)
        ),
        buyer_note=None if pkg.is_shipped else pkg.buyer_note,
    )


def _inquiry(inquiry: Inquiry, positions: dict[str, int]) -> InquiryView:
    return InquiryView(
        id=inquiry.id,
        category=inquiry.category.value,
        status=inquiry.status.value,
        package_position=positions.get(inquiry.package_id) if inquiry.package_id else None,
        opened_at=inquiry.opened_at,
        messages=tuple(MessageView(m.author.value, m.body, m.at) for m in inquiry.messages),
    )


def _destination(order_address: Address, pkg_address: Address) -> str | None:
    if pkg_address == order_address:
        return None
    return ", ".join(x for x in (pkg_address.city, pkg_address.region) if x)


def _carrier_name(code: str | None) -> str | None:
    if code is None:
        return None
    carrier = tracking.CARRIERS.get(code)
    return carrier.name if carrier else code


def _safe_url(url: str | None) -> str | None:
    # The URL comes from the seller's input; only web links may become a link on the page.
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None
