"""Builders shared by the planning tests; the generators live in benchmarks/instances.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.instances import (
    CALENDAR,
    GIFT_ADDRESS,
    NOW,
    channel,
    context,
    order,
    realistic_boxes,
    realistic_channels,
    warehouse,
)

__all__ = [
    "CALENDAR",
    "GIFT_ADDRESS",
    "NOW",
    "channel",
    "context",
    "order",
    "realistic_boxes",
    "realistic_channels",
    "warehouse",
]
