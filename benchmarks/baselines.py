"""Baselines the planner is measured against, on the planner's own groups of units (same
address, warehouse and ship date), so that only the packing differs.

(1) ``one_or_bfd``: one parcel if some channel and box take everything; otherwise the
    ``binpacking`` package's constant-volume packing by weight up to the largest channel's
    weight limit, then the cheapest on-time channel and box per parcel.
(2) ``tags_then_one_or_bfd``: units split by their segregated tag first, then (1) per part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import binpacking

from splitship.domain.catalog import Channel, SkuAttributes
from splitship.domain.limits import check_package
from splitship.domain.order import Order
from splitship.planning.context import PlanningContext
from splitship.planning.planner import Plan
from splitship.planning.rates import Quote, cheapest_quote


@dataclass
class BaselineResult:
    cost: int | None  # None: some parcel fits no channel (the baseline has no plan)
    parcels: int


Unit = tuple[str, SkuAttributes]  # (line id, attributes)


def _sorted_units(units: Sequence[Unit]) -> list[Unit]:
    # the planner's block order: heaviest first, then by volume, then line id
    def key(u: Unit) -> tuple[int, int, str]:
        a = u[1]
        vol = a.dimensions.volume_mm3 if a.dimensions else 0
        return (-a.weight_g, -vol, u[0])

    return sorted(units, key=key)


def _quote(
    units: Sequence[Unit],
    ctx: PlanningContext,
    channels: Sequence[Channel],
    country: str,
    region: str | None,
    segregation: tuple[frozenset[str], ...],
) -> Quote | None:
    counts: dict[str, tuple[SkuAttributes, int]] = {}
    for lid, a in units:
        counts[lid] = (a, counts.get(lid, (a, 0))[1] + 1)
    items = list(counts.values())
    if check_package(items, None, None, country, segregation):
        return None
    return cheapest_quote(items, ctx.boxes, channels, country, region)


def one_or_bfd(
    units: Sequence[Unit],
    ctx: PlanningContext,
    on_time: Sequence[Channel],
    country: str,
    region: str | None,
    segregation: tuple[frozenset[str], ...],
    handling: int,
) -> BaselineResult:
    if not units:
        return BaselineResult(0, 0)
    chans = [c for c in ctx.channels if c.active]
    preferred = list(on_time) or chans
    whole = _quote(units, ctx, preferred, country, region, segregation)
    if whole is None and on_time:
        whole = _quote(units, ctx, chans, country, region, segregation)
    if whole is not None:
        return BaselineResult(whole.price + handling, 1)
    limits = [c.limits.max_weight_g for c in chans]
    v_max = float("inf") if any(x is None for x in limits) else max(x or 0 for x in limits)
    ordered = _sorted_units(units)
    bins = binpacking.to_constant_volume(
        list(range(len(ordered))), v_max, key=lambda i: ordered[i][1].weight_g
    )
    total = 0
    for b in bins:
        part = [ordered[i] for i in b]
        q = _quote(part, ctx, preferred, country, region, segregation)
        if q is None and on_time:
            q = _quote(part, ctx, chans, country, region, segregation)
        if q is None:
            return BaselineResult(None, len(bins))
        total += q.price + handling
    return BaselineResult(total, len(bins))


def _tag_class(a: SkuAttributes, segregation: tuple[frozenset[str], ...]) -> str:
    seg_tags = sorted(t for g in segregation for t in g if t in a.tags)
    return seg_tags[0] if seg_tags else ""


def group_units(plan: Plan) -> dict[tuple[object, str, date], list[str]]:
    """The planner's groups: line ids per unit, by (address, warehouse, ship date)."""
    groups: dict[tuple[object, str, date], list[str]] = {}
    for pkg in plan.packages:
        key = (pkg.address, pkg.warehouse_id, pkg.ship_on)
        for lid, q in pkg.items.items():
            groups.setdefault(key, []).extend([lid] * q)
    return groups


def baseline(
    order: Order,
    ctx: PlanningContext,
    plan: Plan,
    handling: int,
    on_time_for: dict[date, list[Channel]] | None = None,
    split_tags: bool = False,
) -> BaselineResult:
    total, parcels = 0, 0
    for (address, _wh, ship_on), lids in group_units(plan).items():
        units = [(lid, order.line(lid).attributes) for lid in lids]
        on_time = (on_time_for or {}).get(ship_on, [])
        country, region = address.country, address.region  # type: ignore[attr-defined]
        parts: dict[str, list[Unit]] = {}
        for u in units:
            key = _tag_class(u[1], plan.segregation) if split_tags else ""
            parts.setdefault(key, []).append(u)
        for part in parts.values():
            r = one_or_bfd(part, ctx, on_time, country, region, plan.segregation, handling)
            if r.cost is None:
                return BaselineResult(None, parcels + r.parcels)
            total += r.cost
            parcels += r.parcels
    return BaselineResult(total, parcels)
