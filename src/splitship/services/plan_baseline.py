"""The naive baseline that ``plan_all`` measures the planner's plans against.

The planner package exposes no baseline of its own; this one follows ``benchmarks/baselines.py``
(baseline 2: tags split first, then one parcel or best-fit decreasing) with a plain best-fit
decreasing instead of the ``binpacking`` package, on the planner's own groups of units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from splitship.domain.catalog import Channel, SkuAttributes
from splitship.domain.eta import estimate_delivery
from splitship.domain.limits import check_package
from splitship.domain.order import Address, Order
from splitship.planning.context import PlanningContext
from splitship.planning.planner import Plan
from splitship.planning.rates import cheapest_quote
from splitship.planning.rules import ChannelPreference

__all__ = ["naive_baseline_cost"]

Unit = tuple[str, SkuAttributes]  # (line id, attributes): one unit


def naive_baseline_cost(order: Order, context: PlanningContext, proposal: Plan) -> int | None:
    """What the units this plan ships would cost shipped the naive way, or None when the naive
    way finds no channel for some parcel.

    Per group of the plan (same address, warehouse and ship date, so that only packing differs):
    one parcel if some allowed channel and box take everything; otherwise the units are split by
    segregated tag (the rule set's tag groups are hard), and each part is one parcel or, if it
    does not fit one, packed best-fit decreasing by weight into the largest content weight any
    allowed channel and box can carry. Each parcel is priced at its cheapest on-time channel and
    box — when none is on time, at the cheapest of the channels with the earliest delivery, as the
    planner chooses then — plus the handling cost per parcel. Channel
    preferences (allowed channels) are obeyed; ship_alone, keep_together and max_per_package are
    not (a naive packer does not know them).
    """
    groups: dict[tuple[Address, str, date], list[Unit]] = {}
    handling: dict[tuple[Address, str, date], int] = {}
    for pkg in proposal.packages:
        key = (pkg.address, pkg.warehouse_id, pkg.ship_on)
        units = groups.setdefault(key, [])
        for line_id, qty in pkg.items.items():
            units.extend([(line_id, order.line(line_id).attributes)] * qty)
        handling[key] = pkg.handling_cost
    allowed = _allowed_channels(order, context)
    total = 0
    for key, units in groups.items():
        address, _, ship_on = key
        pricer = _NaivePricer(order, context, proposal.segregation, allowed, address, ship_on)
        cost = pricer.group_cost(units, handling[key])
        if cost is None:
            return None
        total += cost
    return total


def _allowed_channels(order: Order, context: PlanningContext) -> dict[str, list[Channel]]:
    """Line id -> active channels every matching channel_preference rule allows."""
    value = sum(ln.quantity * ln.unit_price for ln in order.lines)
    out: dict[str, list[Channel]] = {}
    for ln in order.lines:
        addr = order.line_address(ln.id)
        chans = [c for c in context.channels if c.active]
        for rule in context.rules.rules:
            if not isinstance(rule, ChannelPreference) or not rule.allowed:
                continue
            if not rule.conditions.matches_order(addr.country, addr.region, value, order.source):
                continue
            if rule.conditions.matches_item(ln.sku, ln.attributes):
                chans = [c for c in chans if c.id in rule.allowed or c.code in rule.allowed]
        out[ln.id] = chans
    return out


@dataclass
class _NaivePricer:
    order: Order
    context: PlanningContext
    segregation: tuple[frozenset[str], ...]
    allowed: dict[str, list[Channel]]
    address: Address
    ship_on: date

    def group_cost(self, units: Sequence[Unit], handling: int) -> int | None:
        whole = self.parcel_cost(units, handling)
        if whole is not None:
            return whole
        parts: dict[str, list[Unit]] = {}
        for unit in units:
            tags = sorted(t for g in self.segregation for t in g if t in unit[1].tags)
            parts.setdefault(tags[0] if tags else "", []).append(unit)
        total = 0
        for part in parts.values():
            one = self.parcel_cost(part, handling)
            if one is None:
                bins = _best_fit_decreasing(part, self.capacity(part))
                costs = [self.parcel_cost(b, handling) for b in bins]
                if any(c is None for c in costs):
                    return None
                one = sum(c for c in costs if c is not None)
            total += one
        return total

    def channels(self, units: Sequence[Unit]) -> list[Channel]:
        ids: set[str] | None = None
        for line_id in {lid for lid, _ in units}:
            mine = {c.id for c in self.allowed.get(line_id, [])}
            ids = mine if ids is None else ids & mine
        return [c for c in self.context.channels if c.active and c.id in (ids or set())]

    def capacity(self, units: Sequence[Unit]) -> float:
        """The most content weight one parcel can carry on an allowed channel."""
        best = 0.0
        for ch in self.channels(units):
            limit = float("inf") if ch.limits.max_weight_g is None else ch.limits.max_weight_g
            if not self.context.boxes:
                best = max(best, limit)
            for box in self.context.boxes:
                best = max(best, min(limit - box.tare_g, box.max_load_g))
        return best

    def parcel_cost(self, units: Sequence[Unit], handling: int) -> int | None:
        counts: dict[str, tuple[SkuAttributes, int]] = {}
        for line_id, attrs in units:
            counts[line_id] = (attrs, counts.get(line_id, (attrs, 0))[1] + 1)
        items = list(counts.values())
        country, region = self.address.country, self.address.region
        if not items or check_package(items, None, None, country, self.segregation):
            return None
        chans = self.channels(units)
        on_time = [c for c in chans if self.on_time(c)]
        found = cheapest_quote(items, self.context.boxes, on_time, country, region)
        if found is None:
            # Late whatever the channel: the earliest delivery first, as the planner does (the
            # cheapest late channel would make the baseline look cheaper than any valid plan).
            late: list[tuple[date, int]] = []
            for ch in chans:
                quote = cheapest_quote(items, self.context.boxes, [ch], country, region)
                if quote is not None:
                    late.append((self.latest(ch) or date.max, quote.price))
            if not late:
                return None
            return min(late)[1] + handling
        return found.price + handling

    def on_time(self, ch: Channel) -> bool:
        deliver_by = self.order.deliver_by
        if deliver_by is None:
            return True
        latest = self.latest(ch)
        return latest is not None and latest <= deliver_by

    def latest(self, ch: Channel) -> date | None:
        """The channel's latest delivery date for this group; None without transit days."""
        zone = ch.zone_for(self.address.country, self.address.region)
        transit = ch.transit.get(zone) if zone else None
        if transit is None:
            return None
        ctx = self.context
        tz = ZoneInfo(ctx.shop_tz)
        if self.ship_on <= ctx.now.astimezone(tz).date():
            ship_time = ctx.now
        else:
            ship_time = datetime.combine(self.ship_on, time(0, 0), tz)
        est = estimate_delivery(
            ship_time, transit.min_days, transit.max_days, ch.cutoff, ctx.shop_tz, ctx.calendar
        )
        return est.latest


def _best_fit_decreasing(units: Sequence[Unit], capacity: float) -> list[list[Unit]]:
    """Heaviest unit first, each into the fullest parcel it still fits (a new one otherwise)."""
    ordered = sorted(units, key=lambda u: (-u[1].weight_g, u[0]))
    bins: list[list[Unit]] = []
    loads: list[int] = []
    for unit in ordered:
        weight = unit[1].weight_g
        best = -1
        for i, load in enumerate(loads):
            if load + weight <= capacity and (best < 0 or load > loads[best]):
                best = i
        if best < 0:
            bins.append([])
            loads.append(0)
            best = len(bins) - 1
        bins[best].append(unit)
        loads[best] += weight
    return bins
