"""What the use cases need from persistence, declared here and implemented by the adapters.

A unit of work is one transaction. ``commit`` saves every order it handed out (with a version
check), writes their audit records to the audit trail and their events to the outbox, all at once
(invariant 5); leaving the ``with`` block without committing rolls everything back.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from splitship.domain.catalog import Box, Channel, Sku, Warehouse
from splitship.domain.events import DomainEvent
from splitship.domain.order import Order
from splitship.domain.shop import Shop
from splitship.services.console_repository import ConsoleQueries, UserRepository
from splitship.services.inquiry_repository import InquiryRepository


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    search: str | None = None
    warehouse_id: str | None = None
    channel_id: str | None = None
    ship_by_before: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    order_id: str | None
    action: str
    subject_type: str
    subject_id: str
    before: Any
    after: Any


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    total: int


class OrderRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, shop_id: str, order_id: str) -> Order:
        """The order, or NotFound (also for another shop's order)."""

    @abc.abstractmethod
    def find_external(self, shop_id: str, source: str, external_id: str) -> Order | None: ...

    @abc.abstractmethod
    def find_by_package(self, shop_id: str, package_id: str) -> Order: ...

    @abc.abstractmethod
    def find_by_token(self, token: str) -> Order | None: ...

    @abc.abstractmethod
    def add(self, order: Order) -> None: ...

    @abc.abstractmethod
    def search(self, shop_id: str, flt: OrderFilter) -> OrderPage: ...

    @abc.abstractmethod
    def ids_awaiting(self, shop_id: str) -> list[str]: ...

    @abc.abstractmethod
    def packages_with_tracking(self, shop_id: str, tracking_number: str) -> list[str]:
        """Ids of live packages of the shop that carry this tracking number."""


class CatalogRepository(abc.ABC):
    @abc.abstractmethod
    def get_sku(self, shop_id: str, code: str) -> Sku | None: ...

    @abc.abstractmethod
    def skus(self, shop_id: str, codes: Sequence[str] | None = None) -> list[Sku]: ...

    @abc.abstractmethod
    def save_sku(self, sku: Sku) -> None: ...

    @abc.abstractmethod
    def warehouses(self, shop_id: str) -> list[Warehouse]: ...

    @abc.abstractmethod
    def save_warehouse(self, warehouse: Warehouse) -> None:
        """Insert or update a warehouse's own fields (not its stock)."""

    @abc.abstractmethod
    def channels(self, shop_id: str) -> list[Channel]: ...

    @abc.abstractmethod
    def save_channel(self, shop_id: str, channel: Channel) -> None: ...

    @abc.abstractmethod
    def boxes(self, shop_id: str) -> list[Box]: ...

    @abc.abstractmethod
    def save_box(self, shop_id: str, box: Box) -> None: ...


class StockRepository(abc.ABC):
    """Stock moves are guarded single-row updates, so concurrent confirms cannot oversell."""

    @abc.abstractmethod
    def set_on_hand(self, shop_id: str, warehouse_id: str, sku: str, on_hand: int) -> None: ...

    @abc.abstractmethod
    def reserve(self, shop_id: str, warehouse_id: str, sku: str, qty: int) -> bool:
        """Reserve ``qty`` units if available; False (and nothing changed) when short."""

    @abc.abstractmethod
    def release(self, shop_id: str, warehouse_id: str, sku: str, qty: int) -> None: ...

    @abc.abstractmethod
    def deduct(self, shop_id: str, warehouse_id: str, sku: str, qty: int) -> None:
        """Units leave: on hand and reserved both drop by ``qty``."""


@dataclass(frozen=True)
class ApiKeyInfo:
    id: str
    prefix: str  # the first characters of the secret, to recognise a key
    created_at: datetime
    revoked_at: datetime | None


class ShopRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, shop_id: str) -> Shop: ...

    @abc.abstractmethod
    def add(self, shop: Shop) -> None: ...

    @abc.abstractmethod
    def save(self, shop: Shop) -> None: ...

    @abc.abstractmethod
    def all(self) -> list[Shop]: ...

    @abc.abstractmethod
    def add_api_key(self, shop_id: str, key_id: str, prefix: str, key_hash: str) -> None: ...

    @abc.abstractmethod
    def shop_for_key_hash(self, key_hash: str) -> str | None: ...

    @abc.abstractmethod
    def api_keys(self, shop_id: str) -> list[ApiKeyInfo]:
        """The shop's keys, oldest first, revoked ones included (never their secrets)."""

    @abc.abstractmethod
    def revoke_api_key(self, shop_id: str, key_id: str, at: datetime) -> bool:
        """Revoke one of the shop's keys; False when it has no such key still valid."""

    @abc.abstractmethod
    def get_document(self, shop_id: str, kind: str) -> Any | None:
        """A shop-owned JSON document (rule set, ...)."""

    @abc.abstractmethod
    def put_document(self, shop_id: str, kind: str, body: Any) -> None: ...


class AuditLog(abc.ABC):
    @abc.abstractmethod
    def for_order(self, shop_id: str, order_id: str) -> list[AuditEntry]: ...

    @abc.abstractmethod
    def record(self, shop_id: str, entry: AuditEntry) -> None:
        """Audit a change that is not part of an order (catalogue, settings)."""


class UnitOfWork(AbstractContextManager["UnitOfWork"], abc.ABC):
    orders: OrderRepository
    catalog: CatalogRepository
    stock: StockRepository
    shops: ShopRepository
    audit: AuditLog
    inquiries: InquiryRepository
    users: UserRepository
    console: ConsoleQueries

    def __init__(
        self, clock: Callable[[], datetime], new_id: Callable[[], str], actor: str = "system"
    ) -> None:
        self.clock = clock
        self.new_id = new_id
        self.actor = actor
        # Events of aggregates other than orders (inquiries, ...), written to the outbox on commit.
        self.published: list[tuple[str, DomainEvent]] = []

    def publish(self, shop_id: str, event: DomainEvent) -> None:
        self.published.append((shop_id, event))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def now(self) -> datetime:
        return self.clock()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[str], UnitOfWork]
"""Opens a unit of work acting as the given actor."""
