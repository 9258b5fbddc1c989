"""SQLAlchemy Core implementations of the repositories. Every query is scoped by shop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, select, update

from splitship.adapters.db import codec
from splitship.adapters.db import tables as t
from splitship.domain.catalog import Box, Channel, Sku, StockLevel, Warehouse
from splitship.domain.errors import NotFound
from splitship.domain.order import Order
from splitship.domain.shop import Shop
from splitship.services.unit_of_work import (
    ApiKeyInfo,
    AuditEntry,
    AuditLog,
    CatalogRepository,
    OrderFilter,
    OrderPage,
    OrderRepository,
    ShopRepository,
    StockRepository,
)


class SqlOrderRepository(OrderRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Orders handed out in this unit of work, with the version they were loaded at.
        self.seen: dict[str, tuple[Order, int | None]] = {}

    def _load(self, row: Any) -> Order:
        cached = self.seen.get(row.id)
        if cached is not None:
            return cached[0]
        order = codec.order_from_dict(row.body, row.version)
        self.seen[order.id] = (order, row.version)
        return order

    def get(self, shop_id: str, order_id: str) -> Order:
        row = self.conn.execute(
            select(t.orders.c.id, t.orders.c.body, t.orders.c.version).where(
                t.orders.c.shop_id == shop_id, t.orders.c.id == order_id
            )
        ).first()
        if row is None:
            raise NotFound(f"order {order_id} not found", field="order_id")
        return self._load(row)

    def find_external(self, shop_id: str, source: str, external_id: str) -> Order | None:
        row = self.conn.execute(
            select(t.orders.c.id, t.orders.c.body, t.orders.c.version).where(
                t.orders.c.shop_id == shop_id,
                t.orders.c.source == source,
                t.orders.c.external_id == external_id,
            )
        ).first()
        return None if row is None else self._load(row)

    def find_by_package(self, shop_id: str, package_id: str) -> Order:
        order_id = self.conn.execute(
            select(t.packages.c.order_id).where(
                t.packages.c.shop_id == shop_id, t.packages.c.id == package_id
            )
        ).scalar()
        if order_id is None:
            raise NotFound(f"package {package_id} not found", field="package_id")
        return self.get(shop_id, order_id)

    def find_by_token(self, token: str) -> Order | None:
        row = self.conn.execute(
            select(t.orders.c.id, t.orders.c.body, t.orders.c.version).where(
                t.orders.c.tracking_token == token
            )
        ).first()
        return None if row is None else self._load(row)

    def add(self, order: Order) -> None:
        self.seen[order.id] = (order, None)

    def search(self, shop_id: str, flt: OrderFilter) -> OrderPage:
        o = t.orders
        cond = [o.c.shop_id == shop_id]
        if flt.status:
            cond.append(o.c.status == flt.status)
        if flt.search:
            cond.append(o.c.search_text.contains(flt.search.strip().lower(), autoescape=True))
        if flt.ship_by_before:
            cond.append(o.c.ship_by <= flt.ship_by_before)
        pkg_cond = []
        if flt.warehouse_id:
            pkg_cond.append(t.packages.c.warehouse_id == flt.warehouse_id)
        if flt.channel_id:
            pkg_cond.append(t.packages.c.channel_id == flt.channel_id)
        if pkg_cond:
            cond.append(
                exists().where(
                    t.packages.c.order_id == o.c.id, t.packages.c.shop_id == shop_id, *pkg_cond
                )
            )
        total = self.conn.execute(select(func.count()).select_from(o).where(*cond)).scalar_one()
        rows = self.conn.execute(
            select(o.c.id, o.c.body, o.c.version)
            .where(*cond)
            .order_by(o.c.ship_by.is_(None), o.c.ship_by, o.c.created_at, o.c.id)
            .limit(flt.limit)
            .offset(flt.offset)
        ).all()
        return OrderPage([self._load(r) for r in rows], int(total))

    def ids_awaiting(self, shop_id: str) -> list[str]:
        return list(
            self.conn.execute(
                select(t.orders.c.id)
                .where(
                    t.orders.c.shop_id == shop_id,
                    t.orders.c.status.in_(["awaiting_shipment", "partially_shipped"]),
                )
                .order_by(t.orders.c.ship_by.is_(None), t.orders.c.ship_by, t.orders.c.id)
            ).scalars()
        )

    def packages_with_tracking(self, shop_id: str, tracking_number: str) -> list[str]:
        return list(
            self.conn.execute(
                select(t.packages.c.id).where(
                    t.packages.c.shop_id == shop_id,
                    t.packages.c.tracking_number == tracking_number,
                    t.packages.c.status != "cancelled",
                )
            ).scalars()
        )


class SqlCatalogRepository(CatalogRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get_sku(self, shop_id: str, code: str) -> Sku | None:
        found = self.skus(shop_id, [code])
        return found[0] if found else None

    def skus(self, shop_id: str, codes: Sequence[str] | None = None) -> list[Sku]:
        q = select(t.skus).where(t.skus.c.shop_id == shop_id)
        if codes is not None:
            q = q.where(t.skus.c.code.in_(list(codes)))
        return [
            Sku(r.shop_id, r.code, r.name, codec.attributes_from(r.attributes))
            for r in self.conn.execute(q.order_by(t.skus.c.code))
        ]

    def save_sku(self, sku: Sku) -> None:
        values = {"name": sku.name, "attributes": codec.attributes_to_dict(sku.attributes)}
        done = self.conn.execute(
            update(t.skus)
            .where(t.skus.c.shop_id == sku.shop_id, t.skus.c.code == sku.code)
            .values(**values)
        ).rowcount
        if not done:
            self.conn.execute(insert(t.skus).values(shop_id=sku.shop_id, code=sku.code, **values))

    def warehouses(self, shop_id: str) -> list[Warehouse]:
        found = {
            r.id: Warehouse(r.id, r.shop_id, r.code, r.name, r.country, r.region, r.priority)
            for r in self.conn.execute(
                select(t.warehouses)
                .where(t.warehouses.c.shop_id == shop_id)
                .order_by(t.warehouses.c.priority, t.warehouses.c.code)
            )
        }
        for r in self.conn.execute(select(t.stock).where(t.stock.c.shop_id == shop_id)):
            if r.warehouse_id in found:
                found[r.warehouse_id].stock[r.sku] = StockLevel(r.on_hand, r.reserved)
        return list(found.values())

    def save_warehouse(self, warehouse: Warehouse) -> None:
        values = {
            "code": warehouse.code,
            "name": warehouse.name,
            "country": warehouse.country,
            "region": warehouse.region,
            "priority": warehouse.priority,
        }
        done = self.conn.execute(
            update(t.warehouses)
            .where(t.warehouses.c.shop_id == warehouse.shop_id, t.warehouses.c.id == warehouse.id)
            .values(**values)
        ).rowcount
        if not done:
            self.conn.execute(
                insert(t.warehouses).values(id=warehouse.id, shop_id=warehouse.shop_id, **values)
            )

    def channels(self, shop_id: str) -> list[Channel]:
        return [
            codec.channel_from(r.body)
            for r in self.conn.execute(
                select(t.channels.c.body)
                .where(t.channels.c.shop_id == shop_id)
                .order_by(t.channels.c.code)
            )
        ]

    def save_channel(self, shop_id: str, channel: Channel) -> None:
        body = codec.channel_to_dict(channel)
        done = self.conn.execute(
            update(t.channels)
            .where(t.channels.c.shop_id == shop_id, t.channels.c.id == channel.id)
            .values(code=channel.code, body=body)
        ).rowcount
        if not done:
            self.conn.execute(
                insert(t.channels).values(
                    id=channel.id, shop_id=shop_id, code=channel.code, body=body
                )
            )

    def boxes(self, shop_id: str) -> list[Box]:
        return [
            codec.box_from(r.body)
            for r in self.conn.execute(
                select(t.boxes.c.body).where(t.boxes.c.shop_id == shop_id).order_by(t.boxes.c.id)
            )
        ]

    def save_box(self, shop_id: str, box: Box) -> None:
        body = codec.box_to_dict(box)
        done = self.conn.execute(
            update(t.boxes)
            .where(t.boxes.c.shop_id == shop_id, t.boxes.c.id == box.id)
            .values(body=body)
        ).rowcount
        if not done:
            self.conn.execute(insert(t.boxes).values(id=box.id, shop_id=shop_id, body=body))


class SqlStockRepository(StockRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _where(self, shop_id: str, warehouse_id: str, sku: str) -> Any:
        s = t.stock.c
        return and_(s.shop_id == shop_id, s.warehouse_id == warehouse_id, s.sku == sku)

    def set_on_hand(self, shop_id: str, warehouse_id: str, sku: str, on_hand: int) -> None:
        owned = self.conn.execute(
            select(t.warehouses.c.id).where(
                t.warehouses.c.shop_id == shop_id, t.warehouses.c.id == warehouse_id
            )
        ).first()
        if owned is None:
            raise NotFound(f"warehouse {warehouse_id} not found", field="warehouse_id")
        done = self.conn.execute(
            update(t.stock).where(self._where(shop_id, warehouse_id, sku)).values(on_hand=on_hand)
        ).rowcount
        if not done:
            self.conn.execute(
                insert(t.stock).values(
                    shop_id=shop_id, warehouse_id=warehouse_id, sku=sku, on_hand=on_hand, reserved=0
                )
            )

    def reserve(self, shop_id: str, warehouse_id: str, sku: str, qty: int) -> bool:
        s = t.stock.c
        done = self.conn.execute(
            update(t.stock)
            .where(self._where(shop_id, warehouse_id, sku), s.on_hand - s.reserved >= qty)
            .values(reserved=s.reserved + qty)
        ).rowcount
        return bool(done)

    def release(self, shop_id: str, warehouse_id: str, sku: str, qty: int) -> None:
        s = t.stock.c
        self.conn.execute(
            update(t.stock)
            .where(self._where(shop_id, warehouse_id, sku))
            .values(reserved=self._floor0(s.reserved - qty))
        )

    def deduct(self, shop_id: str, warehouse_id: str, sku: str, qty: int) -> None:
        s = t.stock.c
        self.conn.execute(
            update(t.stock)
            .where(self._where(shop_id, warehouse_id, sku))
            .values(on_hand=self._floor0(s.on_hand - qty), reserved=self._floor0(s.reserved - qty))
        )

    def _floor0(self, expr: Any) -> Any:
        # Stock never goes negative, whatever the order of concurrent moves.
        return func.max(expr, 0) if self._sqlite else func.greatest(expr, 0)

    @property
    def _sqlite(self) -> bool:
        return self.conn.dialect.name == "sqlite"


class SqlShopRepository(ShopRepository):
    def __init__(self, conn: Connection, clock: Callable[[], datetime]) -> None:
        self.conn = conn
        self.clock = clock

    def get(self, shop_id: str) -> Shop:
        row = self.conn.execute(select(t.shops).where(t.shops.c.id == shop_id)).first()
        if row is None:
            raise NotFound(f"shop {shop_id} not found", field="shop_id")
        return Shop(row.id, row.name, codec.settings_from(row.settings))

    def add(self, shop: Shop) -> None:
        self.conn.execute(
            insert(t.shops).values(
                id=shop.id,
                name=shop.name,
                settings=codec.settings_to_dict(shop.settings),
                created_at=self.clock(),
            )
        )

    def save(self, shop: Shop) -> None:
        self.conn.execute(
            update(t.shops)
            .where(t.shops.c.id == shop.id)
            .values(name=shop.name, settings=codec.settings_to_dict(shop.settings))
        )

    def all(self) -> list[Shop]:
        return [
            Shop(r.id, r.name, codec.settings_from(r.settings))
            for r in self.conn.execute(select(t.shops).order_by(t.shops.c.created_at))
        ]

    def add_api_key(self, shop_id: str, key_id: str, prefix: str, key_hash: str) -> None:
        self.conn.execute(
            insert(t.api_keys).values(
                id=key_id,
                shop_id=shop_id,
                prefix=prefix,
                key_hash=key_hash,
                created_at=self.clock(),
            )
        )

    def shop_for_key_hash(self, key_hash: str) -> str | None:
        return self.conn.execute(
            select(t.api_keys.c.shop_id).where(
                t.api_keys.c.key_hash == key_hash, t.api_keys.c.revoked_at.is_(None)
            )
        ).scalar()

    def api_keys(self, shop_id: str) -> list[ApiKeyInfo]:
        k = t.api_keys
        rows = self.conn.execute(
            select(k.c.id, k.c.prefix, k.c.created_at, k.c.revoked_at)
            .where(k.c.shop_id == shop_id)
            .order_by(k.c.created_at, k.c.id)
        )
        return [ApiKeyInfo(r.id, r.prefix, r.created_at, r.revoked_at) for r in rows]

    def revoke_api_key(self, shop_id: str, key_id: str, at: datetime) -> bool:
        k = t.api_keys
        done = self.conn.execute(
            update(k)
            .where(k.c.shop_id == shop_id, k.c.id == key_id, k.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return done.rowcount == 1

    def get_document(self, shop_id: str, kind: str) -> Any | None:
        return self.conn.execute(
            select(t.shop_documents.c.body).where(
                t.shop_documents.c.shop_id == shop_id, t.shop_documents.c.kind == kind
            )
        ).scalar()

    def put_document(self, shop_id: str, kind: str, body: Any) -> None:
        d = t.shop_documents
        done = self.conn.execute(
            update(d)
            .where(d.c.shop_id == shop_id, d.c.kind == kind)
            .values(body=body, updated_at=self.clock())
        ).rowcount
        if not done:
            self.conn.execute(
                insert(d).values(shop_id=shop_id, kind=kind, body=body, updated_at=self.clock())
            )


class SqlAuditLog(AuditLog):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def for_order(self, shop_id: str, order_id: str) -> list[AuditEntry]:
        a = t.audit_trail
        return [
            AuditEntry(
                r.at, r.actor, r.order_id, r.action, r.subject_type, r.subject_id, r.before, r.after
            )
            for r in self.conn.execute(
                select(a).where(a.c.shop_id == shop_id, a.c.order_id == order_id).order_by(a.c.id)
            )
        ]

    def record(self, shop_id: str, entry: AuditEntry) -> None:
        self.conn.execute(
            insert(t.audit_trail).values(
                shop_id=shop_id,
                order_id=entry.order_id,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                subject_type=entry.subject_type,
                subject_id=entry.subject_id,
                before=entry.before,
                after=entry.after,
            )
        )


def search_text(order: Order) -> str:
    parts = [order.external_id, order.buyer_name, order.id]
    parts += [ln.sku for ln in order.lines]
    parts += [
        p.logistics.tracking_number
        for p in order.packages
        if p.logistics is not None and p.logistics.tracking_number
    ]
    return " ".join(parts).lower()


def save_order(conn: Connection, order: Order, loaded_version: int | None) -> bool:
    """Insert or version-checked update; False when another writer got there first."""
    body = codec.order_to_dict(order)
    values = {
        "status": order.status.value,
        "ship_by": order.ship_by,
        "buyer_name": order.buyer_name,
        "search_text": search_text(order),
        "body": body,
    }
    if loaded_version is None:
        conn.execute(
            insert(t.orders).values(
                id=order.id,
                shop_id=order.shop_id,
                source=order.source,
                external_id=order.external_id,
                created_at=order.created_at,
                tracking_token=order.tracking_token,
                version=1,
                **values,
            )
        )
        order.version = 1
    else:
        done = conn.execute(
            update(t.orders)
            .where(
                t.orders.c.id == order.id,
                t.orders.c.shop_id == order.shop_id,
                t.orders.c.version == loaded_version,
            )
            .values(version=loaded_version + 1, **values)
        ).rowcount
        if not done:
            return False
        order.version = loaded_version + 1
        conn.execute(delete(t.packages).where(t.packages.c.order_id == order.id))
    if order.packages:
        conn.execute(
            insert(t.packages),
            [
                {
                    "id": p.id,
                    "shop_id": order.shop_id,
                    "order_id": order.id,
                    "number": p.number,
                    "status": p.status.value,
                    "warehouse_id": p.warehouse_id,
                    "channel_id": p.channel_id,
                    "carrier_code": p.logistics.carrier_code if p.logistics else None,
                    "tracking_number": p.logistics.tracking_number if p.logistics else None,
                }
                for p in order.packages
            ],
        )
    return True
