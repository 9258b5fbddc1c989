"""Tables for the buyer part of splitship (registered on the shared metadata).

An inquiry is one aggregate: loaded and saved whole, so its message thread is a JSON list next to
the projection columns that the seller's lists filter on (status, reply-by time).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table

from splitship.adapters.db.tables import metadata
from splitship.adapters.db.types import UtcDateTime

inquiries = Table(
    "inquiries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False),
    Column("order_id", String(64), ForeignKey("orders.id"), nullable=False, index=True),
    Column("package_id", String(64)),
    Column("category", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("reply_by", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("messages", JSON, nullable=False),
    # The seller's inbox and the overdue list: open inquiries of a shop by reply-by time.
    Index("ix_inquiries_shop_status_reply_by", "shop_id", "status", "reply_by"),
)

__all__ = ["inquiries", "metadata"]
