"""The shop (tenant) and the settings that change how its orders are handled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ShopSettings:
    allow_unit_split: bool = True
    track_stock: bool = True
    auto_apply_plan_on_import: bool = False
    correction_window_hours: int = 72
    max_corrections: int = 1
    inquiry_reply_hours: int = 24
    timezone: str = "Asia/Shanghai"
    currency: str = "USD"
    default_locale: str = "zh_Hans"
    holidays: tuple[date, ...] = ()
    allow_private_webhooks: bool = False
    # Tag groups that must not share a package even before any rule set is configured.
    tag_segregation: tuple[frozenset[str], ...] = field(
        default_factory=lambda: (frozenset({"battery", "liquid"}),)
    )
    notifications: dict[str, bool] = field(default_factory=dict)


@dataclass
class Shop:
    id: str
    name: str
    settings: ShopSettings = field(default_factory=ShopSettings)
