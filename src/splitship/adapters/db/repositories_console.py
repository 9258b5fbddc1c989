"""SQL repositories for the console: seller users, their sessions, and the queue's look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, update

from splitship.adapters.db import codec
from splitship.adapters.db import tables as t
from splitship.adapters.db.tables_console import console_sessions, seller_users
from splitship.domain.errors import Duplicate, NotFound
from splitship.domain.order import Order
from splitship.domain.user import Role, SellerUser
from splitship.services.console_repository import (
    ConsoleQueries,
    ConsoleSession,
    OrderRef,
    QueueFilter,
    StoredUser,
    UserRepository,
)


def _user(row: Any) -> SellerUser:
    return SellerUser(row.id, row.shop_id, row.email, Role(row.role), row.created_at)


class SqlUserRepository(UserRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, user: SellerUser, password_hash: str) -> None:
        taken = self.conn.execute(
            select(seller_users.c.id).where(seller_users.c.email == user.email)
        ).first()
        if taken is not None:
            raise Duplicate(f"a user with e-mail {user.email} exists already", field="email")
        # A race past this check ends in the unique constraint (IntegrityError, a 409).
        self.conn.execute(
            insert(seller_users).values(
                id=user.id,
                shop_id=user.shop_id,
                email=user.email,
                role=user.role.value,
                password_hash=password_hash,
                created_at=user.created_at,
            )
        )

    def by_email(self, email: str) -> StoredUser | None:
        row = self.conn.execute(select(seller_users).where(seller_users.c.email == email)).first()
        return None if row is None else StoredUser(_user(row), row.password_hash)

    def get(self, shop_id: str, user_id: str) -> SellerUser:
        row = self.conn.execute(
            select(seller_users).where(
                seller_users.c.shop_id == shop_id, seller_users.c.id == user_id
            )
        ).first()
        if row is None:
            raise NotFound(f"user {user_id} not found", field="user_id")
        return _user(row)

    def for_shop(self, shop_id: str) -> list[SellerUser]:
        rows = self.conn.execute(
            select(seller_users)
            .where(seller_users.c.shop_id == shop_id)
            .order_by(seller_users.c.email)
        )
        return [_user(r) for r in rows]

    def set_password_hash(self, shop_id: str, user_id: str, password_hash: str) -> None:
        self.conn.execute(
            update(seller_users)
            .where(seller_users.c.shop_id == shop_id, seller_users.c.id == user_id)
            .values(password_hash=password_hash)
        )

    def add_session(
        self, token_hash: str, user: SellerUser, created_at: datetime, expires_at: datetime
    ) -> None:
        self.conn.execute(
            insert(console_sessions).values(
                token_hash=token_hash,
                user_id=user.id,
                shop_id=user.shop_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def session(self, token_hash: str, now: datetime) -> ConsoleSession | None:
        s, u = console_sessions.c, seller_users.c
        row = self.conn.execute(
            select(
                u.id,
                u.shop_id,
                u.email,
                u.role,
                u.created_at,
                s.created_at.label("since"),
                s.expires_at,
            )
            .join_from(console_sessions, seller_users, s.user_id == u.id)
            .where(s.token_hash == token_hash, s.expires_at > now, s.shop_id == u.shop_id)
        ).first()
        if row is None:
            return None
        return ConsoleSession(_user(row), row.since, row.expires_at)

    def remove_session(self, token_hash: str) -> None:
        self.conn.execute(
            delete(console_sessions).where(console_sessions.c.token_hash == token_hash)
        )

    def remove_sessions_of(self, shop_id: str, user_id: str) -> int:
        return int(
            self.conn.execute(
                delete(console_sessions).where(
                    console_sessions.c.shop_id == shop_id, console_sessions.c.user_id == user_id
                )
            ).rowcount
        )

    def remove_expired_sessions(self, now: datetime) -> int:
        return int(
            self.conn.execute(
                delete(console_sessions).where(console_sessions.c.expires_at <= now)
            ).rowcount
        )


class SqlConsoleQueries(ConsoleQueries):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def order_refs(
        self,
        shop_id: str,
        flt: QueueFilter,
        *,
        statuses: Sequence[str] = (),
        package_statuses: Sequence[str] = (),
    ) -> list[OrderRef]:
        o = t.orders
        rows = self.conn.execute(
            select(o.c.id, o.c.version)
            .where(*self._conditions(shop_id, flt, statuses, package_statuses))
            .order_by(o.c.ship_by.is_(None), o.c.ship_by, o.c.created_at, o.c.id)
        )
        return [OrderRef(r.id, r.version) for r in rows]

    def status_counts(self, shop_id: str, flt: QueueFilter) -> dict[str, int]:
        o = t.orders
        rows = self.conn.execute(
            select(o.c.status, func.count())
            .where(*self._conditions(shop_id, flt, (), ()))
            .group_by(o.c.status)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def orders(self, shop_id: str, ids: Sequence[str]) -> list[Order]:
        if not ids:
            return []
        o = t.orders
        rows = self.conn.execute(
            select(o.c.id, o.c.body, o.c.version).where(
                o.c.shop_id == shop_id, o.c.id.in_(list(ids))
            )
        )
        found = {r.id: codec.order_from_dict(r.body, r.version) for r in rows}
        return [found[i] for i in ids if i in found]

    def orders_of_packages(self, shop_id: str, package_ids: Sequence[str]) -> dict[str, str]:
        if not package_ids:
            return {}
        p = t.packages
        rows = self.conn.execute(
            select(p.c.id, p.c.order_id).where(
                p.c.shop_id == shop_id, p.c.id.in_(list(package_ids))
            )
        )
        return {r.id: r.order_id for r in rows}

    def order_ids_by_external_id(self, shop_id: str, external_id: str) -> list[str]:
        return list(
            self.conn.execute(
                select(t.orders.c.id)
                .where(t.orders.c.shop_id == shop_id, t.orders.c.external_id == external_id)
                .order_by(t.orders.c.source)
            ).scalars()
        )

    def _conditions(
        self,
        shop_id: str,
        flt: QueueFilter,
        statuses: Sequence[str],
        package_statuses: Sequence[str],
    ) -> list[Any]:
        o, p = t.orders, t.packages
        cond: list[Any] = [o.c.shop_id == shop_id]
        if statuses:
            cond.append(o.c.status.in_(list(statuses)))
        if flt.search and flt.search.strip():
            cond.append(o.c.search_text.contains(flt.search.strip().lower(), autoescape=True))
        if flt.ship_by_before is not None:
            cond.append(o.c.ship_by <= flt.ship_by_before)
        pkg_cond: list[Any] = []
        if flt.warehouse_id:
            pkg_cond.append(p.c.warehouse_id == flt.warehouse_id)
        if flt.channel_id:
            pkg_cond.append(p.c.channel_id == flt.channel_id)
        if package_statuses:
            pkg_cond.append(p.c.status.in_(list(package_statuses)))
        if pkg_cond:
            cond.append(exists().where(p.c.order_id == o.c.id, p.c.shop_id == shop_id, *pkg_cond))
        return cond
