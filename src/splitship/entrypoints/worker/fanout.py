"""Fan-out: each outbox event becomes the deliveries it causes, in one transaction that also marks
the event dispatched, so a crash leaves either both or neither.

A webhook delivery per active endpoint subscribed to the event, and one buyer e-mail when the event
sends one, the shop has that kind on and the order has an address. The e-mail is rendered here,
once: every retry sends the very same message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from email.utils import formataddr
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from splitship.adapters.db import outbox
from splitship.adapters.db.outbox import NewDelivery, OutboxEvent
from splitship.adapters.db.repositories import SqlOrderRepository, SqlShopRepository
from splitship.adapters.notify.emails import (
    BuyerEmailContext,
    make_answer_excerpt,
    render_buyer_email,
)
from splitship.config import Settings
from splitship.domain.errors import NotFound
from splitship.domain.order import Order
from splitship.domain.shop import Shop
from splitship.domain.tracking import CARRIERS
from splitship.services.notification_repository import WebhookEndpoint
from splitship.services.notifications import (
    EMAIL_KIND_BY_EVENT,
    email_kind,
    kind_enabled,
    subscribed,
)

BUYER_TARGET = "buyer"
_PACKAGE_KINDS = frozenset({"package_shipped", "package_delivered"})


def fan_out(
    conn: Connection,
    settings: Settings,
    now: datetime,
    new_id: Callable[[], str],
    limit: int,
) -> int:
    """Fan out up to ``limit`` pending events; returns how many were taken."""
    events = outbox.take_events(conn, limit)
    shops = SqlShopRepository(conn, lambda: now)
    orders = SqlOrderRepository(conn)
    known: dict[str, tuple[Shop | None, list[WebhookEndpoint]]] = {}
    for event in events:
        if event.shop_id not in known:
            known[event.shop_id] = (
                _shop(shops, event.shop_id),
                outbox.active_endpoints(conn, event.shop_id),
            )
        shop, endpoints = known[event.shop_id]
        planned = [
            NewDelivery(
                id=f"msg_{new_id()}",
                channel="webhook",
                target=endpoint.id,
                recipient=endpoint.url,
                message={"type": event.name, "data": webhook_data(event)},
                endpoint_id=endpoint.id,
            )
            for endpoint in endpoints
            if subscribed(endpoint, event.name)
        ]
        # Only the events that may mail the buyer need the order loaded.
        order = _order(orders, event) if event.name in EMAIL_KIND_BY_EVENT else None
        if shop is not None and order is not None:
            email = buyer_email(event, shop, order, settings, f"msg_{new_id()}")
            if email is not None:
                planned.append(email)
        outbox.add_deliveries(conn, event, planned, now)
    outbox.mark_dispatched(conn, [e.seq for e in events], now)
    return len(events)


def webhook_data(event: OutboxEvent) -> dict[str, Any]:
    # event_id ties together the messages one event sends to several endpoints.
    return {
        "event_id": event.event_id,
        "occurred_at": event.created_at.isoformat().replace("+00:00", "Z"),
        **event.payload,
    }


def buyer_email(
    event: OutboxEvent, shop: Shop, order: Order, settings: Settings, delivery_id: str
) -> NewDelivery | None:
    if not order.buyer_email:
        return None
    kind = email_kind(event.name, len(order.live_packages))
    if kind is None or not kind_enabled(shop.settings, kind):
        return None
    try:
        context = _context(kind, event, shop, order, settings.base_url)
        rendered = render_buyer_email(kind, order.buyer_locale, context)
    except (ValueError, NotFound) as exc:
        return NewDelivery(
            delivery_id,
            "email",
            BUYER_TARGET,
            order.buyer_email,
            {"kind": kind},
            error=f"the {kind} e-mail could not be written: {exc}",
        )
    message = {
        "kind": kind,
        "from": formataddr((shop.name, settings.smtp_sender)),
        "to": order.buyer_email,
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
    }
    return NewDelivery(delivery_id, "email", BUYER_TARGET, order.buyer_email, message)


def _context(
    kind: str, event: OutboxEvent, shop: Shop, order: Order, base_url: str
) -> BuyerEmailContext:
    base = BuyerEmailContext(
        shop_name=shop.name,
        order_external_id=order.external_id,
        tracking_page_url=f"{base_url}/t/{order.tracking_token}",
        buyer_name=order.buyer_name or order.address.name,
        package_count=len(order.live_packages),
    )
    if kind == "inquiry_answered":
        answer = str(event.payload.get("answer") or "")
        return replace(base, answer_excerpt=make_answer_excerpt(answer))
    if kind not in _PACKAGE_KINDS or event.package_id is None:
        return base
    live = sorted(order.live_packages, key=lambda p: p.number)
    package = order.package(event.package_id)
    if package not in live:
        raise ValueError(f"package {package.number} was cancelled since")
    info = package.logistics
    if info is None:
        return replace(base, package_number=live.index(package) + 1)
    carrier = CARRIERS.get(info.carrier_code or "")
    return replace(
        base,
        # The ordinal among live packages: numbers of cancelled packages leave gaps.
        package_number=live.index(package) + 1,
        carrier_name=carrier.name if carrier else info.carrier_code,
        tracking_number=info.tracking_number,
        tracking_url=_http_only(info.tracking_url),
        eta_earliest=info.eta_earliest,
        eta_latest=info.eta_latest,
    )


def _http_only(url: str | None) -> str | None:
    # A seller-typed tracking link that is not http(s) is left out rather than failing the e-mail.
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def _shop(shops: SqlShopRepository, shop_id: str) -> Shop | None:
    try:
        return shops.get(shop_id)
    except NotFound:
        return None


def _order(orders: SqlOrderRepository, event: OutboxEvent) -> Order | None:
    if event.order_id is None:
        return None
    try:
        return orders.get(event.shop_id, event.order_id)
    except NotFound:
        return None
