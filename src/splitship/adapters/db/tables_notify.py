"""Tables for outbound notifications: the seller's webhook endpoints, one delivery per event and
recipient, and the log of every attempt. See docs/notifications.md.
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
    String,
    Table,
    Text,
    UniqueConstraint,
)

from splitship.adapters.db.tables import metadata
from splitship.adapters.db.types import UtcDateTime

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("description", String(200), nullable=False, default=""),
    Column("events", JSON, nullable=False),
    # Kept in clear: signing needs the key itself, a hash would not do. Never returned after the
    # response that created it.
    Column("secret", String(128), nullable=False),
    # The secret before the last rotation, still signed with until the given time so receivers
    # can switch over without dropping messages.
    Column("previous_secret", String(128)),
    Column("previous_secret_until", UtcDateTime()),
    Column("active", Boolean, nullable=False),
    Column("disabled_at", UtcDateTime()),
    Column("disabled_reason", String(500)),
    # Start of the current run of failed attempts; cleared by a success. A day of it disables.
    Column("failing_since", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    # Also the ``webhook-id`` header, the same on every retry, so receivers can de-duplicate.
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_name", String(64), nullable=False),
    Column("order_id", String(64)),
    Column("channel", String(16), nullable=False),  # "webhook" or "email"
    Column("endpoint_id", String(64), ForeignKey("webhook_endpoints.id", ondelete="CASCADE")),
    # The endpoint id or "buyer": with event_id unique, so one event never yields two messages
    # to the same recipient, whoever fans it out.
    Column("target", String(64), nullable=False),
    Column("recipient", String(2000), nullable=False),  # URL or e-mail address, for the log
    Column("message", JSON, nullable=False),  # webhook data, or the rendered e-mail
    Column("status", String(16), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    # The lease of the dispatcher that is attempting it; expired leases are taken over.
    Column("locked_until", UtcDateTime()),
    Column("locked_by", String(64)),
    Column("last_error", String(1000)),
    Column("last_status_code", Integer),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    UniqueConstraint("event_id", "target", name="uq_deliveries_event_target"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_shop_status_created", "shop_id", "status", "created_at"),
    Index("ix_deliveries_endpoint_created", "endpoint_id", "created_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column(
        "delivery_id",
        String(64),
        ForeignKey("deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("number", Integer, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),  # delivered, retry, gone, failed
    Column("status_code", Integer),
    Column("error", String(1000)),
    Column("response_excerpt", Text, nullable=False, default=""),
    Column("retry_at", UtcDateTime()),
)

__all__ = ["deliveries", "delivery_attempts", "metadata", "webhook_endpoints"]
