"""What the console's use cases need from persistence (implemented in adapters/db).

Kept apart from ``services.users`` and ``services.console`` so that ``services.unit_of_work``
can declare these repositories without an import cycle. Every method is scoped by shop, except
the two look-ups that sign-in needs before any shop is known (by e-mail, by session token).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from splitship.domain.order import Order
from splitship.domain.user import SellerUser


@dataclass(frozen=True)
class StoredUser:
    user: SellerUser
    password_hash: str


@dataclass(frozen=True)
class ConsoleSession:
    user: SellerUser
    created_at: datetime
    expires_at: datetime


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, user: SellerUser, password_hash: str) -> None:
        """Duplicate when the e-mail address is taken (by any shop)."""

    @abc.abstractmethod
    def by_email(self, email: str) -> StoredUser | None: ...

    @abc.abstractmethod
    def get(self, shop_id: str, user_id: str) -> SellerUser:
        """The user, or NotFound (also for another shop's user)."""

    @abc.abstractmethod
    def for_shop(self, shop_id: str) -> list[SellerUser]: ...

    @abc.abstractmethod
    def set_password_hash(self, shop_id: str, user_id: str, password_hash: str) -> None: ...

    @abc.abstractmethod
    def add_session(
        self, token_hash: str, user: SellerUser, created_at: datetime, expires_at: datetime
    ) -> None: ...

    @abc.abstractmethod
    def session(self, token_hash: str, now: datetime) -> ConsoleSession | None:
        """The live session with this token hash (None when unknown or expired)."""

    @abc.abstractmethod
    def remove_session(self, token_hash: str) -> None: ...

    @abc.abstractmethod
    def remove_sessions_of(self, shop_id: str, user_id: str) -> int: ...

    @abc.abstractmethod
    def remove_expired_sessions(self, now: datetime) -> int: ...


@dataclass(frozen=True)
class QueueFilter:
    search: str | None = None
    warehouse_id: str | None = None
    channel_id: str | None = None
    ship_by_before: datetime | None = None


@dataclass(frozen=True)
class OrderRef:
    id: str
    version: int


class ConsoleQueries(abc.ABC):
    """Read-only look-ups for the console's lists; orders themselves load through ``orders``."""

    @abc.abstractmethod
    def order_refs(
        self,
        shop_id: str,
        flt: QueueFilter,
        *,
        statuses: Sequence[str] = (),
        package_statuses: Sequence[str] = (),
    ) -> list[OrderRef]:
        """Orders in one of ``statuses`` (any when empty) having a live package in one of
        ``package_statuses`` (no condition when empty), by ship-by deadline."""

    @abc.abstractmethod
    def status_counts(self, shop_id: str, flt: QueueFilter) -> dict[str, int]:
        """How many orders of each status match the filter."""

    @abc.abstractmethod
    def orders(self, shop_id: str, ids: Sequence[str]) -> list[Order]:
        """The orders with these ids, in that order, read in one query (for display only: the
        unit of work does not save them)."""

    @abc.abstractmethod
    def orders_of_packages(self, shop_id: str, package_ids: Sequence[str]) -> dict[str, str]:
        """Package id -> order id, for the packages of this shop among ``package_ids``."""

    @abc.abstractmethod
    def order_ids_by_external_id(self, shop_id: str, external_id: str) -> list[str]:
        """Orders with this marketplace order id, from any source."""
