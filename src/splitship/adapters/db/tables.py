"""The database schema. Orders are stored as one versioned JSON document per aggregate (the
aggregate is always loaded and saved whole), with indexed projection columns and a package table
for the queries that lists, search and look-ups need. See docs/persistence.md.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from splitship.adapters.db.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

shops = Table(
    "shops",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(128), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)

shop_documents = Table(
    "shop_documents",
    metadata,
    Column("shop_id", String(64), ForeignKey("shops.id"), primary_key=True),
    Column("kind", String(64), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

skus = Table(
    "skus",
    metadata,
    Column("shop_id", String(64), ForeignKey("shops.id"), primary_key=True),
    Column("code", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("attributes", JSON, nullable=False),
)

warehouses = Table(
    "warehouses",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(64)),
    Column("priority", Integer, nullable=False, default=0),
    UniqueConstraint("shop_id", "code", name="uq_warehouses_shop_code"),
)

stock = Table(
    "stock",
    metadata,
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("warehouse_id", String(64), ForeignKey("warehouses.id"), primary_key=True),
    Column("sku", String(100), primary_key=True),
    Column("on_hand", Integer, nullable=False, default=0),
    Column("reserved", Integer, nullable=False, default=0),
)

channels = Table(
    "channels",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("code", String(64), nullable=False),
    Column("body", JSON, nullable=False),
    UniqueConstraint("shop_id", "code", name="uq_channels_shop_code"),
)

boxes = Table(
    "boxes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("body", JSON, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False),
    Column("source", String(32), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("must_split", Boolean),
    Column("ship_by", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("buyer_name", String(200), nullable=False, default=""),
    Column("search_text", Text, nullable=False, default=""),
    Column("tracking_token", String(64), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    UniqueConstraint("shop_id", "source", "external_id", name="uq_orders_shop_source_external"),
    Index("ix_orders_shop_status_ship_by", "shop_id", "status", "ship_by"),
)

packages = Table(
    "packages",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), nullable=False),
    Column("order_id", String(64), ForeignKey("orders.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("warehouse_id", String(64)),
    Column("channel_id", String(64)),
    Column("carrier_code", String(32)),
    Column("tracking_number", String(64)),
    Index("ix_packages_shop_tracking", "shop_id", "tracking_number"),
    Index("ix_packages_shop_status", "shop_id", "status"),
)

audit_trail = Table(
    "audit_trail",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("shop_id", String(64), nullable=False),
    Column("order_id", String(64)),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Index("ix_audit_shop_order", "shop_id", "order_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("shop_id", String(64), nullable=False),
    Column("order_id", String(64)),
    Column("package_id", String(64)),
    Column("name", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("dispatched_at", UtcDateTime()),
    Index("ix_outbox_pending", "dispatched_at", "seq"),
)

# Tables of other capabilities live in their own modules on the same metadata; importing them here
# makes ``metadata`` complete for migrations and tests.
from splitship.adapters.db import tables_buyer, tables_console, tables_notify  # noqa: E402, F401
