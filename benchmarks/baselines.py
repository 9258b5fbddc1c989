"""Baselines the planner is measured against, on the planner's own groups of units (same
address, warehouse and ship date), so that only the packing differs.

(1) ``one_or_bfd``: one parcel if some channel and box take everything; otherwise the
    ``binpacking`` package's constant-volume packing by weight up to the largest weight limit
    of the channels allowed for the units, then per parcel the cheapest channel and box among
    those the objective allows for every unit in it (as the planner reads
    ``cheapest_on_time``: the channels that can carry the unit on time if any, else the
    earliest ones that can carry it); a parcel none of those takes is halved by weight until
    they do (a single unit none takes: the earliest channel that does).
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


def _allowed(
    unit: Unit,
    ctx: PlanningContext,
    chans: Sequence[Channel],
    on_time: Sequence[Channel],
    latest: dict[str, date] | None,
    country: str,
    region: str | None,
    segregation: tuple[frozenset[str], ...],
) -> list[Channel]:
    """The channels the objective allows for one unit (all of them without a deadline)."""
    if latest is None:
        return list(chans)
    carriers = [c for c in chans if _quote([unit], ctx, [c], country, region, segregation)]
    timely = [c for c in carriers if c in on_time]
    if timely:
        return timely
    if not carriers:
        return list(chans)
    soonest = min(latest[c.id] for c in carriers)
    return [c for c in carriers if latest[c.id] == soonest]


def _quote_part(
    part: Sequence[Unit],
    ctx: PlanningContext,
    chans: Sequence[Channel],
    allowed: dict[str, list[Channel]],
    latest: dict[str, date] | None,
    country: str,
    region: str | None,
    segregation: tuple[frozenset[str], ...],
    fallback: bool = True,
) -> Quote | None:
    ids = {lid for lid, _ in part}
    common = [c for c in chans if all(c in allowed[lid] for lid in ids)]
    q = _quote(part, ctx, common, country, region, segregation) if common else None
    if not fallback:
        return q
    if q is not None or latest is None:
        return q if q is not None else _quote(part, ctx, chans, country, region, segregation)
    # none allowed for every unit takes it: the earliest channel that does
    for when in sorted({latest[c.id] for c in chans}):
        q = _quote(
            part, ctx, [c for c in chans if latest[c.id] == when], country, region, segregation
        )
        if q is not None:
            return q
    return None


def one_or_bfd(
    units: Sequence[Unit],
    ctx: PlanningContext,
    on_time: Sequence[Channel],
    country: str,
    region: str | None,
    segregation: tuple[frozenset[str], ...],
    handling: int,
    latest: dict[str, date] | None = None,
) -> BaselineResult:
    """``latest``: each channel's latest delivery date for these units (None: no deadline
    applies, every channel is allowed)."""
    if not units:
        return BaselineResult(0, 0)
    chans = [c for c in ctx.channels if c.active]
    if latest is None and on_time:
        latest = {c.id: date.min if c in on_time else date.max for c in chans}
    allowed: dict[str, list[Channel]] = {}
    for u in units:
        if u[0] not in allowed:
            allowed[u[0]] = _allowed(u, ctx, chans, on_time, latest, country, region, segregation)
    # one parcel only on a channel every unit may use (else it is split)
    whole = _quote_part(
        units, ctx, chans, allowed, latest, country, region, segregation, fallback=False
    )
    if whole is not None:
        return BaselineResult(whole.price + handling, 1)
    # bins up to the heaviest parcel some allowed channel of every unit takes
    v_max = min(
        (
            float("inf")
            if any(c.limits.max_weight_g is None for c in cs)
            else max(c.limits.max_weight_g or 0 for c in cs)
        )
        for cs in allowed.values()
    )
    ordered = _sorted_units(units)
    bins = binpacking.to_constant_volume(
        list(range(len(ordered))), v_max, key=lambda i: ordered[i][1].weight_g
    )
    total = 0
    count = 0
    parts = [[ordered[i] for i in b] for b in bins]
    while parts:
        part = parts.pop()
        q = _quote_part(
            part, ctx, chans, allowed, latest, country, region, segregation, fallback=False
        )
        if q is None and len(part) > 1:
            # too big or bulky for every channel its units may use: halve it by weight
            halves = binpacking.to_constant_bin_number(
                list(range(len(part))), 2, key=lambda i: part[i][1].weight_g
            )
            parts.extend([part[i] for i in h] for h in halves if h)
            continue
        if q is None:
            q = _quote_part(part, ctx, chans, allowed, latest, country, region, segregation)
        if q is None:
            return BaselineResult(None, count + 1)
        total += q.price + handling
        count += 1
    return BaselineResult(total, count)


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
    latest_for: dict[date, dict[str, date]] | None = None,
) -> BaselineResult:
    """``on_time_for`` / ``latest_for``: per ship date, the channels on time and each channel's
    latest delivery date (from the planner's set-up); without them every channel is allowed."""
    total, parcels = 0, 0
    for (address, _wh, ship_on), lids in group_units(plan).items():
        units = [(lid, order.line(lid).attributes) for lid in lids]
        on_time = (on_time_for or {}).get(ship_on, [])
        latest = (latest_for or {}).get(ship_on)
        country, region = address.country, address.region  # type: ignore[attr-defined]
        parts: dict[str, list[Unit]] = {}
        for u in units:
            key = _tag_class(u[1], plan.segregation) if split_tags else ""
            parts.setdefault(key, []).append(u)
        for part in parts.values():
            r = one_or_bfd(part, ctx, on_time, country, region, plan.segregation, handling, latest)
            if r.cost is None:
                return BaselineResult(None, parcels + r.parcels)
            total += r.cost
            parcels += r.parcels
    return BaselineResult(total, parcels)
