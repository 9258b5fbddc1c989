"""The SQL unit of work: one connection, one transaction, committed once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Self

from sqlalchemy import Connection, Engine, insert

from splitship.adapters.db import repositories as repo
from splitship.adapters.db import tables as t
from splitship.adapters.db.repositories_buyer import SqlInquiryRepository
from splitship.adapters.db.repositories_console import SqlConsoleQueries, SqlUserRepository
from splitship.domain.errors import VersionConflict
from splitship.services.unit_of_work import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    conn: Connection

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
        actor: str = "system",
    ) -> None:
        super().__init__(clock, new_id, actor)
        self.engine = engine

    def __enter__(self) -> Self:
        self.conn = self.engine.connect()
        self.tx = self.conn.begin()
        self.orders = self._orders = repo.SqlOrderRepository(self.conn)
        self.catalog = repo.SqlCatalogRepository(self.conn)
        self.stock = repo.SqlStockRepository(self.conn)
        self.shops = repo.SqlShopRepository(self.conn, self.clock)
        self.audit = repo.SqlAuditLog(self.conn)
        self.inquiries = SqlInquiryRepository(self.conn)
        self.users = SqlUserRepository(self.conn)
        self.console = SqlConsoleQueries(self.conn)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.tx.is_active:
                self.tx.rollback()
        finally:
            self.conn.close()

    def commit(self) -> None:
        now = self.clock()
        for order, loaded in list(self._orders.seen.values()):
            if loaded is not None and not order.audit and not order.events:
                continue  # read only
            if not repo.save_order(self.conn, order, loaded):
                self.tx.rollback()
                raise VersionConflict(
                    f"order {order.external_id} was changed by someone else meanwhile: "
                    "reload it and try again",
                    details={"order_id": order.id},
                )
            if order.audit:
                self.conn.execute(
                    insert(t.audit_trail),
                    [
                        {
                            "shop_id": order.shop_id,
                            "order_id": order.id,
                            "at": now,
                            "actor": self.actor,
                            "action": a.action,
                            "subject_type": a.subject_type,
                            "subject_id": a.subject_id,
                            "before": a.before,
                            "after": a.after,
                        }
                        for a in order.audit
                    ],
                )
            if order.events:
                self.conn.execute(
                    insert(t.outbox),
                    [
                        {
                            "event_id": self.new_id(),
                            "shop_id": order.shop_id,
                            "order_id": order.id,
                            "package_id": e.package_id,
                            "name": e.name,
                            "payload": {
                                "order_id": order.id,
                                "external_id": order.external_id,
                                "package_id": e.package_id,
                                "status": order.status.value,
                                **dict(e.data),
                            },
                            "created_at": now,
                        }
                        for e in order.events
                    ],
                )
        if self.published:
            self.conn.execute(
                insert(t.outbox),
                [
                    {
                        "event_id": self.new_id(),
                        "shop_id": shop_id,
                        "order_id": e.order_id,
                        "package_id": e.package_id,
                        "name": e.name,
                        "payload": {"order_id": e.order_id, "package_id": e.package_id, **e.data},
                        "created_at": now,
                    }
                    for shop_id, e in self.published
                ],
            )
        self.tx.commit()
        self.published.clear()
        for order, _ in self._orders.seen.values():
            order.audit.clear()
            order.events.clear()
        self._orders.seen = {o.id: (o, o.version) for o, _ in self._orders.seen.values()}
        self.tx = self.conn.begin()

    def rollback(self) -> None:
        self.published.clear()
        if self.tx.is_active:
            self.tx.rollback()
