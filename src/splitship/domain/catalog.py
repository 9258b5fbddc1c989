"""What a shop ships with: SKUs, warehouses, boxes and logistics channels.

Units: grams, millimetres, money in integer minor units of the shop's currency.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Dimensions:
    length_mm: int
    width_mm: int
    height_mm: int

    @property
    def volume_mm3(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm

    def sorted_sides(self) -> tuple[int, int, int]:
        """Largest first. (Three compare-and-swaps: the planner asks for this for every unit
        and parcel it checks.)"""
        a, b, c = self.length_mm, self.width_mm, self.height_mm
        if a < b:
            a, b = b, a
        if b < c:
            b, c = c, b
            if a < b:
                a, b = b, a
        return a, b, c

    def fits_inside(self, other: Dimensions) -> bool:
        """True when this cuboid fits in ``other`` turned any axis-aligned way."""
        s0, s1, s2 = self.sorted_sides()
        o0, o1, o2 = other.sorted_sides()
        return s0 <= o0 and s1 <= o1 and s2 <= o2


@dataclass(frozen=True)
class SkuAttributes:
    """The SKU facts that splitting depends on; order lines keep a snapshot of them."""

    weight_g: int
    dimensions: Dimensions | None = None
    tags: frozenset[str] = frozenset()
    category: str | None = None
    declared_value: int = 0
    available_from: date | None = None


@dataclass
class Sku:
    shop_id: str
    code: str
    name: str
    attributes: SkuAttributes


@dataclass(frozen=True)
class Box:
    id: str
    name: str
    inner: Dimensions
    outer: Dimensions
    tare_g: int
    max_load_g: int


class ChannelKind(StrEnum):
    EXPRESS = "express"
    POSTAL = "postal"
    SELF_DELIVERY = "self_delivery"


@dataclass(frozen=True)
class ChannelLimits:
    max_weight_g: int | None = None
    max_longest_side_mm: int | None = None
    max_sum_of_sides_mm: int | None = None
    max_items: int | None = None
    max_declared_value: int | None = None
    forbidden_tags: frozenset[str] = frozenset()
    # ISO country codes the channel delivers to; empty means everywhere.
    destinations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ZoneRate:
    """Price for one zone: a weight table if given, else first weight + price per step."""

    first_weight_g: int
    first_price: int
    step_g: int
    step_price: int
    table: tuple[tuple[int, int], ...] = ()  # (up to grams, price), ascending

    def price(self, chargeable_g: int) -> int | None:
        if self.table:
            for up_to, price in self.table:
                if chargeable_g <= up_to:
                    return price
            return None
        if chargeable_g <= self.first_weight_g:
            return self.first_price
        steps = math.ceil((chargeable_g - self.first_weight_g) / self.step_g)
        return self.first_price + steps * self.step_price


@dataclass(frozen=True)
class TransitDays:
    min_days: int
    max_days: int


@dataclass(frozen=True)
class Channel:
    id: str
    code: str
    name: str
    kind: ChannelKind
    carrier_code: str | None
    service: str
    limits: ChannelLimits
    # "US-CA", "US" or "*" -> zone name; the most specific key wins.
    zones: Mapping[str, str]
    rates: Mapping[str, ZoneRate]
    transit: Mapping[str, TransitDays]
    cutoff: time | None = None
    volumetric_divisor: int | None = None
    weight_step_g: int = 1
    tracking_pattern: str | None = None
    requires_tracking: bool = True
    active: bool = True

    def zone_for(self, country: str, region: str | None = None) -> str | None:
        """The zone of "COUNTRY-REGION", else of the country, else of "*" (None: no zone)."""
        zones = self.zones
        if region:
            key = f"{country}-{region}"
            if key in zones:
                return zones[key]
        if country in zones:
            return zones[country]
        return zones.get("*")

    def delivers_to(self, country: str) -> bool:
        return not self.limits.destinations or country in self.limits.destinations

    def chargeable_weight_g(self, actual_g: int, outer: Dimensions | None) -> int:
        weight = actual_g
        if self.volumetric_divisor and outer is not None:
            # L×W×H in cm³ / divisor gives kg, which equals mm³ / divisor in grams.
            weight = max(weight, math.ceil(outer.volume_mm3 / self.volumetric_divisor))
        step = max(self.weight_step_g, 1)
        return math.ceil(weight / step) * step

    def price(self, zone: str, chargeable_g: int) -> int | None:
        rate = self.rates.get(zone)
        return None if rate is None else rate.price(chargeable_g)


@dataclass
class StockLevel:
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass
class Warehouse:
    id: str
    shop_id: str
    code: str
    name: str
    country: str
    region: str | None = None
    priority: int = 0
    stock: dict[str, StockLevel] = field(default_factory=dict)

    def available(self, sku: str) -> int:
        level = self.stock.get(sku)
        return 0 if level is None else level.available
