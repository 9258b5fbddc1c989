"""What a parcel costs: channel × box options, the chargeable weight, the price.

``quote`` is the plain, readable path (it runs the shared ``check_package``); ``BinPricer`` is the
same arithmetic precomputed per (destination, allowed channels) for the packing search, which
asks it thousands of times per order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from splitship.domain.catalog import Box, Channel, SkuAttributes, ZoneRate
from splitship.domain.limits import check_package, measure_package

INF = 1 << 62
# Search costs are (price + handling) * SCALE + 1: equal money, fewer parcels wins.
SCALE = 1 << 12


@dataclass(frozen=True)
class Quote:
    channel: Channel
    box: Box | None
    zone: str
    chargeable_weight_g: int
    price: int


def quote(
    items: Sequence[tuple[SkuAttributes, int]],
    box: Box | None,
    channel: Channel,
    country: str,
    region: str | None = None,
) -> Quote | None:
    """The price of one parcel, or None when the channel or box cannot take it."""
    if not channel.active or check_package(items, box, channel, country):
        return None
    zone = channel.zone_for(country, region)
    if zone is None:
        return None
    measure = measure_package(items, box)
    chargeable = channel.chargeable_weight_g(measure.weight_g, measure.outer)
    price = channel.price(zone, chargeable)
    return None if price is None else Quote(channel, box, zone, chargeable, price)


def cheapest_quote(
    items: Sequence[tuple[SkuAttributes, int]],
    boxes: Sequence[Box],
    channels: Sequence[Channel],
    country: str,
    region: str | None = None,
) -> Quote | None:
    """The cheapest channel and box for these items (no box only when no box is configured, or
    for a single unit in its own packaging)."""
    units = sum(q for _, q in items)
    candidates: list[Box | None] = list(boxes)
    if not boxes or units == 1:
        candidates.append(None)
    best: Quote | None = None
    for channel in channels:
        for box in candidates:
            q = quote(items, box, channel, country, region)
            if q is not None and (best is None or q.price < best.price):
                best = q
    return best


def chargeable(weight_g: int, volumetric_g: int, step_g: int) -> int:
    w = max(weight_g, volumetric_g)
    return -(-w // step_g) * step_g


@dataclass(frozen=True, slots=True)
class Option:
    """One way to ship a parcel: a channel with a box (or none), seen from one destination."""

    index: int
    channel_bit: int
    channel: Channel
    box: Box | None
    zone: str
    rate: ZoneRate
    tare: int
    max_load: int
    inner: tuple[int, int, int]  # sorted sides, largest first
    inner_volume: int
    volumetric_g: int  # of the box's outer size; 0 without box or divisor
    size_ok: bool  # the box's outer size passes the channel's size limits
    max_gross: int
    max_items: int
    max_value: int
    forbidden: int  # tag bit mask
    step: int
    divisor: int  # 0: none
    eta_rank: int  # lower is earlier
    any_units: bool  # no box and no boxes configured: any number of units, outer unknown


def _size_ok(channel: Channel, sides: tuple[int, int, int]) -> bool:
    lim = channel.limits
    if lim.max_longest_side_mm is not None and sides[0] > lim.max_longest_side_mm:
        return False
    return lim.max_sum_of_sides_mm is None or sum(sides) <= lim.max_sum_of_sides_mm


def build_options(
    channels: Sequence[tuple[int, Channel, int]],
    boxes: Sequence[Box],
    country: str,
    region: str | None,
    tag_bits: dict[str, int],
) -> list[Option]:
    """``channels`` holds (bit, channel, eta rank). Channels without a zone or rate are left out."""
    out: list[Option] = []
    box_choices: list[Box | None] = [*boxes, None]
    for bit, ch, eta_rank in channels:
        if not ch.active or not ch.delivers_to(country):
            continue
        zone = ch.zone_for(country, region)
        rate = ch.rates.get(zone) if zone is not None else None
        if zone is None or rate is None:
            continue
        lim = ch.limits
        forbidden = 0
        for tag in lim.forbidden_tags:
            forbidden |= tag_bits.get(tag, 0)
        divisor = ch.volumetric_divisor or 0
        for box in box_choices:
            if box is None:
                inner, inner_vol, tare, load, volw, size_ok = (INF,) * 3, INF, 0, INF, 0, True
            else:
                inner = box.inner.sorted_sides()
                inner_vol = box.inner.volume_mm3
                tare, load = box.tare_g, box.max_load_g
                volw = math.ceil(box.outer.volume_mm3 / divisor) if divisor else 0
                size_ok = _size_ok(ch, box.outer.sorted_sides())
            out.append(
                Option(
                    index=len(out),
                    channel_bit=bit,
                    channel=ch,
                    box=box,
                    zone=zone,
                    rate=rate,
                    tare=tare,
                    max_load=load,
                    inner=inner,
                    inner_volume=inner_vol,
                    volumetric_g=volw,
                    size_ok=size_ok,
                    max_gross=INF if lim.max_weight_g is None else lim.max_weight_g,
                    max_items=INF if lim.max_items is None else lim.max_items,
                    max_value=INF if lim.max_declared_value is None else lim.max_declared_value,
                    forbidden=forbidden,
                    step=max(ch.weight_step_g, 1),
                    divisor=divisor,
                    eta_rank=eta_rank,
                    any_units=box is None and not boxes,
                )
            )
    # Equal prices go to the earlier delivery, then the order the shop listed channels and boxes.
    out.sort(key=lambda o: (o.eta_rank, o.index))
    return out


class BinPricer:
    """Cheapest feasible option for a parcel's content summary, memoised."""

    def __init__(self, options: Sequence[Option], handling: int) -> None:
        self.options = list(options)
        self.handling = handling
        self._memo: dict[tuple[int, ...], tuple[int, int]] = {}
        self.calls = 0

    def cost(
        self,
        weight: int,
        volume: int,
        units: int,
        value: int,
        tags: int,
        d0: int,
        d1: int,
        d2: int,
        chmask: int,
    ) -> tuple[int, int]:
        """(search cost, option index); (INF, -1) when no option can take it.

        The search cost is ``(price + handling) * SCALE + 1``."""
        key = (weight, volume, units, value, tags, d0, d1, d2, chmask)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        self.calls += 1
        best, best_i = INF, -1
        for o in self.options:
            if not chmask & o.channel_bit or tags & o.forbidden:
                continue
            if units > o.max_items or value > o.max_value:
                continue
            if o.box is None:
                if units != 1 and not o.any_units:
                    continue
                gross = weight
                volw = 0
                if units == 1 and d0:
                    if not _size_ok(o.channel, (d0, d1, d2)):
                        continue
                    if o.divisor:
                        volw = -(-(d0 * d1 * d2) // o.divisor)
            else:
                if (
                    weight > o.max_load
                    or volume > o.inner_volume
                    or not o.size_ok
                    or d0 > o.inner[0]
                    or d1 > o.inner[1]
                    or d2 > o.inner[2]
                ):
                    continue
                gross = weight + o.tare
                volw = o.volumetric_g
            if gross > o.max_gross:
                continue
            w = max(gross, volw)
            price = o.rate.price(-(-w // o.step) * o.step)
            if price is not None and price < best:
                best, best_i = price, o.index
        out = ((best + self.handling) * SCALE + 1, best_i) if best_i >= 0 else (INF, -1)
        self._memo[key] = out
        return out

    def option(self, index: int) -> Option:
        for o in self.options:
            if o.index == index:
                return o
        raise KeyError(index)

    def weight_cost_steps(self, chmask: int, total_g: int) -> list[tuple[int, int]]:
        """(max content weight, cost) pairs, ascending in both: a parcel whose content weighs
        w costs at least the cost of the first pair with weight >= w. Only weight counts, so
        this bounds every real parcel from below."""
        steps: dict[int, int] = {}
        for o in self.options:
            if not chmask & o.channel_bit:
                continue
            cap = min(o.max_load, o.max_gross - o.tare, total_g)
            if cap <= 0:
                continue
            volw = o.volumetric_g if o.box is not None else 0
            for level, price in _levels(o.rate, max(cap + o.tare, volw)):
                top = (level // o.step) * o.step  # heaviest chargeable weight at this price
                if top < volw:
                    continue
                content = min(top - o.tare, cap)
                if content <= 0:
                    continue
                c = (price + self.handling) * SCALE + 1
                if steps.get(content, INF) > c:
                    steps[content] = c
                if content >= cap:
                    break
        out: list[tuple[int, int]] = []
        for w in sorted(steps, reverse=True):
            c = steps[w]
            if not out or c < out[-1][1]:
                out.append((w, c))
        out.reverse()
        return out


def _levels(rate: ZoneRate, limit: int) -> list[tuple[int, int]]:
    """(heaviest chargeable weight, price) for each price level up to ``limit`` grams."""
    if rate.table:
        out = [(up_to, price) for up_to, price in rate.table]
        # a level above the limit still prices the heaviest parcels that fit
        return [lv for i, lv in enumerate(out) if i == 0 or out[i - 1][0] < limit]
    levels = [(rate.first_weight_g, rate.first_price)]
    w, p = rate.first_weight_g, rate.first_price
    step = max(rate.step_g, 1)
    while w < limit:
        w += step
        p += rate.step_price
        levels.append((w, p))
    return levels


def diagnose(
    o: Option,
    weight: int,
    volume: int,
    units: int,
    value: int,
    tags: int,
    dims: tuple[int, int, int],
) -> list[str]:
    """Which limits of option ``o`` a parcel breaks: weight, size, items, value, forbidden_tag."""
    out: list[str] = []
    if tags & o.forbidden:
        out.append("forbidden_tag")
    if units > o.max_items:
        out.append("items")
    if value > o.max_value:
        out.append("value")
    if o.box is None:
        if (units != 1 and not o.any_units) or (
            units == 1 and dims[0] and not _size_ok(o.channel, dims)
        ):
            out.append("size")
        gross = weight
    else:
        if (
            volume > o.inner_volume
            or not o.size_ok
            or any(d > i for d, i in zip(dims, o.inner, strict=True))
        ):
            out.append("size")
        gross = weight + o.tare
        if weight > o.max_load:
            out.append("weight")
    if gross > o.max_gross and "weight" not in out:
        out.append("weight")
    return out
