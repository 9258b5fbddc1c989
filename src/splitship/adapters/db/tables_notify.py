"""Tables for the notify part of splitship (registered on the shared metadata)."""

from __future__ import annotations

from splitship.adapters.db.tables import metadata

__all__ = ["metadata"]
