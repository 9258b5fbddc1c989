"""Notifications: the seller's webhook endpoints, the buyer e-mail switches, and the message log.

Events reach the outbox in the transaction of the change that caused them; the worker
(``splitship worker``) fans each one out into deliveries and attempts them. What is decided here:
which events send which buyer e-mail, which kinds a shop has switched off, and what a seller may do
with endpoints and messages. See docs/notifications.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from splitship.domain import events as ev
from splitship.domain.errors import ConflictError, InvalidInput
from splitship.domain.shop import ShopSettings
from splitship.services.notification_repository import (
    Delivery,
    DeliveryFilter,
    DeliveryPage,
    NotifyUnitOfWork,
    WebhookEndpoint,
)
from splitship.services.unit_of_work import AuditEntry

__all__ = [
    "EMAIL_KIND_BY_EVENT",
    "NOTIFICATION_KINDS",
    "EndpointSecret",
    "create_endpoint",
    "delete_endpoint",
    "disable_endpoint",
    "email_kind",
    "enable_endpoint",
    "get_delivery",
    "get_endpoint",
    "kind_enabled",
    "list_deliveries",
    "list_endpoints",
    "notification_kinds",
    "replay_delivery",
    "rotate_secret",
    "set_notification_kinds",
    "subscribed",
    "update_endpoint",
]

# Buyer e-mail kinds, each switchable per shop in ShopSettings.notifications (missing means on).
NOTIFICATION_KINDS = ("package_shipped", "order_shipped", "package_delivered", "inquiry_answered")
EMAIL_KIND_BY_EVENT: Mapping[str, str] = {
    ev.PACKAGE_SHIPPED: "package_shipped",
    ev.ORDER_SHIPPED: "order_shipped",
    ev.PACKAGE_DELIVERED: "package_delivered",
    ev.INQUIRY_ANSWERED: "inquiry_answered",
}
MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200
# How long the secret before a rotation still signs: time for the seller to deploy the new one.
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
MAX_ROTATION_OVERLAP = timedelta(days=7)


@dataclass(frozen=True)
class EndpointSecret:
    """An endpoint with its signing secret: the only time the secret is shown."""

    endpoint: WebhookEndpoint
    secret: str


# --- rules ----------------------------------------------------------------------------------


def kind_enabled(settings: ShopSettings, kind: str) -> bool:
    return settings.notifications.get(kind, True)


def email_kind(event_name: str, live_packages: int) -> str | None:
    """The buyer e-mail an event sends, before the shop's switches; None for none."""
    kind = EMAIL_KIND_BY_EVENT.get(event_name)
    # A one-package order already told the buyer "your order has shipped" with the package's
    # tracking; a second mail saying "all packages shipped" would only repeat it.
    if kind == "order_shipped" and live_packages <= 1:
        return None
    return kind


def subscribed(endpoint: WebhookEndpoint, event_name: str) -> bool:
    return endpoint.active and event_name in endpoint.events


def _clean_events(events: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(e.strip() for e in events))
    if not chosen:
        raise InvalidInput(
            f"subscribe the endpoint to at least one event: {', '.join(ev.EVENT_NAMES)}",
            field="events",
        )
    unknown = [e for e in chosen if e not in ev.EVENT_NAMES]
    if unknown:
        raise InvalidInput(
            f"unknown event(s) {', '.join(unknown)}; choose from {', '.join(ev.EVENT_NAMES)}",
            field="events",
        )
    return chosen


def _clean_url(uow: NotifyUnitOfWork, shop_id: str, url: str) -> str:
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidInput(
            f"the webhook URL must have 1 to {MAX_URL_LENGTH} characters", field="url"
        )
    allow_private = uow.shops.get(shop_id).settings.allow_private_webhooks
    try:
        uow.check_url(url, allow_private)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="url") from None
    return url


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            f"the description is longer than {MAX_DESCRIPTION_LENGTH} characters",
            field="description",
        )
    return description


# --- buyer e-mail switches ------------------------------------------------------------------


def notification_kinds(uow: NotifyUnitOfWork, shop_id: str) -> dict[str, bool]:
    with uow:
        settings = uow.shops.get(shop_id).settings
    return {kind: kind_enabled(settings, kind) for kind in NOTIFICATION_KINDS}


def set_notification_kinds(
    uow: NotifyUnitOfWork, shop_id: str, changes: Mapping[str, bool]
) -> dict[str, bool]:
    unknown = sorted(set(changes) - set(NOTIFICATION_KINDS))
    if unknown:
        raise InvalidInput(
            f"unknown notification kind(s) {', '.join(unknown)}; "
            f"choose from {', '.join(NOTIFICATION_KINDS)}",
            field=unknown[0],
        )
    with uow:
        shop = uow.shops.get(shop_id)
        before = {k: kind_enabled(shop.settings, k) for k in changes}
        merged = {**shop.settings.notifications, **{k: bool(v) for k, v in changes.items()}}
        shop.settings = replace(shop.settings, notifications=merged)
        uow.shops.save(shop)
        _audit(uow, shop_id, "notifications.kinds_changed", "shop", shop_id, before, dict(changes))
        uow.commit()
    return {kind: kind_enabled(shop.settings, kind) for kind in NOTIFICATION_KINDS}


# --- endpoints ------------------------------------------------------------------------------


def create_endpoint(
    uow: NotifyUnitOfWork,
    shop_id: str,
    url: str,
    events: Iterable[str],
    description: str = "",
) -> EndpointSecret:
    chosen = _clean_events(events)
    description = _clean_description(description)
    with uow:
        url = _clean_url(uow, shop_id, url)
        now = uow.now()
        endpoint = WebhookEndpoint(
            id=uow.new_id(),
            shop_id=shop_id,
            url=url,
            description=description,
            events=chosen,
            active=True,
            created_at=now,
            updated_at=now,
        )
        secret = uow.new_secret()
        uow.notifications.add_endpoint(endpoint, secret)
        _audit_endpoint(uow, endpoint, "webhook_endpoint.created", None, _public(endpoint))
        uow.commit()
    return EndpointSecret(endpoint, secret)


def list_endpoints(uow: NotifyUnitOfWork, shop_id: str) -> list[WebhookEndpoint]:
    with uow:
        return uow.notifications.endpoints(shop_id)


def get_endpoint(uow: NotifyUnitOfWork, shop_id: str, endpoint_id: str) -> WebhookEndpoint:
    with uow:
        return uow.notifications.get_endpoint(shop_id, endpoint_id)


def update_endpoint(
    uow: NotifyUnitOfWork,
    shop_id: str,
    endpoint_id: str,
    *,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    with uow:
        before = uow.notifications.get_endpoint(shop_id, endpoint_id)
        after = replace(
            before,
            url=before.url if url is None else _clean_url(uow, shop_id, url),
            events=before.events if events is None else _clean_events(events),
            description=(
                before.description if description is None else _clean_description(description)
            ),
            updated_at=uow.now(),
        )
        uow.notifications.save_endpoint(after)
        _audit_endpoint(uow, after, "webhook_endpoint.changed", _public(before), _public(after))
        uow.commit()
    return after


def rotate_secret(
    uow: NotifyUnitOfWork,
    shop_id: str,
    endpoint_id: str,
    overlap: timedelta = DEFAULT_ROTATION_OVERLAP,
) -> EndpointSecret:
    """A new secret, shown once. Messages carry signatures of both secrets for ``overlap``."""
    if not timedelta(0) <= overlap <= MAX_ROTATION_OVERLAP:
        raise InvalidInput(
            f"keep the old secret for 0 to {MAX_ROTATION_OVERLAP.days * 24} hours",
            field="overlap",
        )
    with uow:
        endpoint = uow.notifications.get_endpoint(shop_id, endpoint_id)
        now = uow.now()
        secret = uow.new_secret()
        endpoint = replace(endpoint, previous_secret_until=now + overlap, updated_at=now)
        uow.notifications.rotate_secret(endpoint, secret)
        after = {"previous_secret_until": (now + overlap).isoformat()}
        _audit_endpoint(uow, endpoint, "webhook_endpoint.secret_rotated", None, after)
        uow.commit()
    return EndpointSecret(endpoint, secret)


def disable_endpoint(
    uow: NotifyUnitOfWork, shop_id: str, endpoint_id: str, reason: str = "disabled by the seller"
) -> WebhookEndpoint:
    """Stop sending to the endpoint; its pending messages are given up (replay them later)."""
    with uow:
        endpoint = uow.notifications.get_endpoint(shop_id, endpoint_id)
        if not endpoint.active:
            return endpoint
        now = uow.now()
        endpoint = replace(
            endpoint, active=False, disabled_at=now, disabled_reason=reason, updated_at=now
        )
        uow.notifications.save_endpoint(endpoint)
        uow.notifications.fail_pending(shop_id, endpoint_id, f"endpoint {reason}", now)
        _audit_endpoint(uow, endpoint, "webhook_endpoint.disabled", None, {"reason": reason})
        uow.commit()
    return endpoint


def enable_endpoint(uow: NotifyUnitOfWork, shop_id: str, endpoint_id: str) -> WebhookEndpoint:
    """Send to the endpoint again, from the next event on; its URL is checked once more."""
    with uow:
        endpoint = uow.notifications.get_endpoint(shop_id, endpoint_id)
        if endpoint.active:
            return endpoint
        _clean_url(uow, shop_id, endpoint.url)
        endpoint = replace(
            endpoint,
            active=True,
            disabled_at=None,
            disabled_reason=None,
            failing_since=None,
            updated_at=uow.now(),
        )
        uow.notifications.save_endpoint(endpoint)
        _audit_endpoint(uow, endpoint, "webhook_endpoint.enabled", None, None)
        uow.commit()
    return endpoint


def delete_endpoint(uow: NotifyUnitOfWork, shop_id: str, endpoint_id: str) -> None:
    """Remove the endpoint with its delivery log."""
    with uow:
        endpoint = uow.notifications.get_endpoint(shop_id, endpoint_id)
        uow.notifications.delete_endpoint(shop_id, endpoint_id)
        _audit_endpoint(uow, endpoint, "webhook_endpoint.deleted", _public(endpoint), None)
        uow.commit()


# --- messages -------------------------------------------------------------------------------


def list_deliveries(uow: NotifyUnitOfWork, shop_id: str, flt: DeliveryFilter) -> DeliveryPage:
    with uow:
        if flt.endpoint_id is not None:
            uow.notifications.get_endpoint(shop_id, flt.endpoint_id)  # 404 for a wrong id
        return uow.notifications.deliveries(shop_id, flt)


def get_delivery(uow: NotifyUnitOfWork, shop_id: str, delivery_id: str) -> Delivery:
    with uow:
        return uow.notifications.get_delivery(shop_id, delivery_id)


def replay_delivery(uow: NotifyUnitOfWork, shop_id: str, delivery_id: str) -> Delivery:
    """Send a message again, with its original id (receivers that de-duplicate see a repeat).

    A buyer e-mail is sent again only if it never arrived: one e-mail per event.
    """
    with uow:
        delivery = uow.notifications.get_delivery(shop_id, delivery_id)
        if delivery.channel == "email" and delivery.status == "delivered":
            raise ConflictError(
                "this e-mail was already accepted by the mail server; the buyer gets one "
                "e-mail per event",
                field="delivery_id",
            )
        if delivery.endpoint_id is not None:
            endpoint = uow.notifications.get_endpoint(shop_id, delivery.endpoint_id)
            if not endpoint.active:
                raise ConflictError(
                    f"endpoint {endpoint.url} is disabled ({endpoint.disabled_reason}); "
                    "enable it, then replay",
                    field="endpoint_id",
                )
        uow.notifications.requeue(shop_id, delivery_id, uow.now())
        _audit(
            uow,
            shop_id,
            "delivery.replayed",
            "delivery",
            delivery_id,
            {"status": delivery.status},
            {"status": "pending"},
            order_id=delivery.order_id,
        )
        uow.commit()
        return uow.notifications.get_delivery(shop_id, delivery_id)


# --- audit ----------------------------------------------------------------------------------


def _public(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
    }


def _audit_endpoint(
    uow: NotifyUnitOfWork,
    endpoint: WebhookEndpoint,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    _audit(uow, endpoint.shop_id, action, "webhook_endpoint", endpoint.id, before, after)


def _audit(
    uow: NotifyUnitOfWork,
    shop_id: str,
    action: str,
    subject_type: str,
    subject_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    order_id: str | None = None,
) -> None:
    entry = AuditEntry(
        uow.now(), uow.actor, order_id, action, subject_type, subject_id, before, after
    )
    uow.audit.record(shop_id, entry)
