"""Tables for the console part of splitship (registered on the shared metadata).

``seller_users`` are the people who sign in to a shop's console (e-mail unique across shops, so
sign-in needs no shop name); ``console_sessions`` holds one row per signed-in browser, keyed by
the SHA-256 of the session token so that a stolen database dump holds no usable cookie.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from splitship.adapters.db.tables import metadata
from splitship.adapters.db.types import UtcDateTime

seller_users = Table(
    "seller_users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop_id", String(64), ForeignKey("shops.id"), nullable=False, index=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("seller_users.id"), nullable=False, index=True),
    Column("shop_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Index("ix_console_sessions_expires_at", "expires_at"),
)

__all__ = ["console_sessions", "metadata", "seller_users"]
