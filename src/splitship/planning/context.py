"""Everything the planner needs besides the order, passed in so that planning stays pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from splitship.domain.catalog import Box, Channel, Warehouse
from splitship.domain.eta import BusinessCalendar
from splitship.planning.rules import RuleSet


@dataclass(frozen=True)
class PlanningContext:
    warehouses: Sequence[Warehouse]
    channels: Sequence[Channel]
    boxes: Sequence[Box]
    rules: RuleSet
    allow_unit_split: bool
    now: datetime  # aware; the moment the plan is made
    shop_tz: str
    calendar: BusinessCalendar
    # False: ignore stock levels (shops that do not track stock); units ship from the first
    # warehouse in allocation order.
    stock_check: bool = True
