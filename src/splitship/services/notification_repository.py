"""What the notification use cases need from persistence (implemented in adapters/db/outbox.py).

The views here never carry a webhook secret: a secret leaves the system once, in the answer to the
request that created or rotated it.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from splitship.services.unit_of_work import UnitOfWork

DeliveryStatus = Literal["pending", "delivered", "failed"]
DeliveryChannel = Literal["webhook", "email"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = ("pending", "delivered", "failed")
DELIVERY_CHANNELS: tuple[DeliveryChannel, ...] = ("webhook", "email")


@dataclass(frozen=True)
class WebhookEndpoint:
    id: str
    shop_id: str
    url: str
    description: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime
    updated_at: datetime
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    # Until then, messages carry a second signature made with the secret before the last rotation.
    previous_secret_until: datetime | None = None


@dataclass(frozen=True)
class AttemptRecord:
    number: int
    started_at: datetime
    duration_ms: int
    outcome: str  # delivered, retry, gone, failed
    status_code: int | None
    error: str | None
    response_excerpt: str
    retry_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """One message of one event to one recipient (a webhook endpoint or the buyer's mailbox)."""

    id: str
    shop_id: str
    event_id: str
    event_name: str
    order_id: str | None
    channel: DeliveryChannel
    endpoint_id: str | None
    recipient: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    attempt_log: tuple[AttemptRecord, ...] = ()


@dataclass(frozen=True)
class DeliveryFilter:
    status: DeliveryStatus | None = None
    channel: DeliveryChannel | None = None
    endpoint_id: str | None = None
    event_name: str | None = None
    order_id: str | None = None
    with_attempts: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class DeliveryPage:
    items: list[Delivery]
    total: int


class NotificationRepository(abc.ABC):
    """Every method is scoped by shop: another shop's endpoint or delivery is not found."""

    @abc.abstractmethod
    def add_endpoint(self, endpoint: WebhookEndpoint, secret: str) -> None: ...

    @abc.abstractmethod
    def get_endpoint(self, shop_id: str, endpoint_id: str) -> WebhookEndpoint:
        """The endpoint, or NotFound."""

    @abc.abstractmethod
    def endpoints(self, shop_id: str) -> list[WebhookEndpoint]:
        """The shop's endpoints, oldest first."""

    @abc.abstractmethod
    def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        """Write every field of the view (not the secrets)."""

    @abc.abstractmethod
    def rotate_secret(self, endpoint: WebhookEndpoint, secret: str) -> None:
        """Make ``secret`` current, keep the one it replaces until ``previous_secret_until``, and
        save the endpoint's other fields."""

    @abc.abstractmethod
    def delete_endpoint(self, shop_id: str, endpoint_id: str) -> None:
        """Remove the endpoint with its deliveries and their attempts."""

    @abc.abstractmethod
    def fail_pending(self, shop_id: str, endpoint_id: str, reason: str, now: datetime) -> int:
        """Give up the endpoint's pending deliveries; returns how many."""

    @abc.abstractmethod
    def deliveries(self, shop_id: str, flt: DeliveryFilter) -> DeliveryPage:
        """Matching deliveries, newest first."""

    @abc.abstractmethod
    def get_delivery(self, shop_id: str, delivery_id: str) -> Delivery:
        """The delivery with its attempt log, or NotFound."""

    @abc.abstractmethod
    def requeue(self, shop_id: str, delivery_id: str, now: datetime) -> None:
        """Make the delivery pending and due now; its id and attempt log stay."""


class NotifyUnitOfWork(UnitOfWork):
    """A unit of work that also reaches the notification tables, and the two outside services
    that creating an endpoint needs: the URL safety check and a source of secrets."""

    notifications: NotificationRepository
    # (url, allow_private) -> None, or raises a ValueError saying why the URL is refused.
    check_url: Callable[[str, bool], None]
    new_secret: Callable[[], str]
