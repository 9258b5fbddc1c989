"""What a parcel costs: channel × box options, the chargeable weight, the price.

``quote`` is the plain, readable path (it runs the shared ``check_package``); ``BinPricer`` is the
same arithmetic precomputed per destination for the packing search, which asks it thousands of
times per order: the cheapest option for a content summary (memoised), the channels that can
carry it, and the price levels (content weight cap, volume, cost) the search's bounds use.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from splitship.domain.catalog import Box, Channel, SkuAttributes, ZoneRate
from splitship.domain.limits import check_package, measure_package

INF: Final = (1 << 62) - 1  # the largest int mypyc keeps unboxed
# Search costs are (price + handling) * SCALE + 1: equal money, fewer parcels wins.
SCALE: Final = 1 << 12
# price levels kept per option for the bounds (neighbours merged beyond that)
MAX_LEVELS = 96
# remembered parcel prices per pricer, and bound structures
MEMO_MAX = 200_000
BOUND_CACHE_MAX = 2_000


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


@dataclass(slots=True)
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
    # per box: inner sides, inner volume, outer sides, outer volume
    box_facts = [
        (b, b.inner.sorted_sides(), b.inner.volume_mm3, b.outer.sorted_sides(), b.outer.volume_mm3)
        for b in boxes
    ]
    any_units = not boxes
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
        max_gross = INF if lim.max_weight_g is None else lim.max_weight_g
        max_items = INF if lim.max_items is None else lim.max_items
        max_value = INF if lim.max_declared_value is None else lim.max_declared_value
        step = max(ch.weight_step_g, 1)
        for box, inner, inner_vol, outer, outer_vol in box_facts:
            out.append(
                Option(
                    len(out),
                    bit,
                    ch,
                    box,
                    zone,
                    rate,
                    box.tare_g,
                    box.max_load_g,
                    inner,
                    inner_vol,
                    # the same arithmetic as Channel.chargeable_weight_g
                    math.ceil(outer_vol / divisor) if divisor else 0,
                    _size_ok(ch, outer),
                    max_gross,
                    max_items,
                    max_value,
                    forbidden,
                    step,
                    divisor,
                    eta_rank,
                    False,
                )
            )
        out.append(
            Option(
                len(out),
                bit,
                ch,
                None,
                zone,
                rate,
                0,
                INF,
                (INF, INF, INF),
                INF,
                0,
                True,
                max_gross,
                max_items,
                max_value,
                forbidden,
                step,
                divisor,
                eta_rank,
                any_units,
            )
        )
    # Equal prices go to the earlier delivery, then the order the shop listed channels and boxes.
    out.sort(key=lambda o: (o.eta_rank, o.index))
    return out


@dataclass(frozen=True, slots=True)
class Level:
    """One price level of one box-like option (a channel with a box, or a box-less channel of a
    shop without boxes): every parcel whose content weighs at most ``weight`` and takes at most
    ``volume`` mm³ costs at most ``cost`` on it (if the option accepts the content at all)."""

    option: int  # Option.index
    channel_bit: int
    weight: int  # content weight cap at this price
    volume: int  # inner volume (INF without box)
    cost: int  # search cost


# ``BinPricer._scan`` reads these for every content it has not priced before: plain classes
# with typed attributes, which the compiled build reads natively (a tuple's fields would each
# be unboxed on every read).


class _BoxFit:
    """A box's limits on its content: load, inner volume and sides (longest first)."""

    __slots__ = ("i0", "i1", "i2", "inner_volume", "max_load")

    def __init__(self, max_load: int, inner_volume: int, inner: tuple[int, int, int]) -> None:
        self.max_load = max_load
        self.inner_volume = inner_volume
        self.i0, self.i1, self.i2 = inner


class _BoxUse:
    """A box on one channel: the box's place in ``BinPricer._boxes``, its tare, its
    volumetric weight on this channel and the option's index."""

    __slots__ = ("index", "pos", "tare", "volw")

    def __init__(self, pos: int, tare: int, volw: int, index: int) -> None:
        self.pos = pos
        self.tare = tare
        self.volw = volw
        self.index = index


class _ChannelFacts:
    """What every option of one channel shares, checked once per content, then its boxes and
    its box-less options, in the options' order (which decides ties)."""

    __slots__ = (
        "bit",
        "boxes",
        "brackets",
        "channel",
        "divisor",
        "forbidden",
        "max_gross",
        "max_items",
        "max_value",
        "own",
        "price_of",
        "step",
        "top_of",
    )

    def __init__(self, o: Option) -> None:
        self.bit = o.channel_bit
        self.forbidden = o.forbidden
        self.max_items = o.max_items
        self.max_value = o.max_value
        self.max_gross = o.max_gross
        self.step = o.step
        self.divisor = o.divisor
        self.price_of: Callable[[int], int | None] = o.rate.price
        # None: prices not monotone (every option is priced)
        self.top_of: Callable[[int], int] | None = _bracket_top(o.rate)
        self.channel = o.channel
        self.boxes: list[_BoxUse] = []
        self.own: list[tuple[bool, int]] = []  # box-less: (any units, option index)
        # a monotone rate, per chargeable weight: its price there (None: none) and the
        # heaviest chargeable weight at the same price
        self.brackets: dict[int, tuple[int | None, int]] = {}

    def box_charge(self, u: _BoxUse, weight: int, fits: int) -> int:
        """The chargeable weight of content weighing ``weight`` in box ``u`` on this channel;
        -1 when the content does not fit the box (``fits``: a bit per box position) or the
        parcel is over the channel's gross weight."""
        if not fits >> u.pos & 1:
            return -1
        gross = weight + u.tare
        if gross > self.max_gross:
            return -1
        step = self.step
        return -(-(gross if gross > u.volw else u.volw) // step) * step

    def own_charge(self, any_units: bool, weight: int, one: bool, volw: int) -> int:
        """The same in a box-less option (``any_units``: it takes several units; ``one``: the
        content is one unit; ``volw``: that unit's volumetric weight, -1 when refused)."""
        if (not one and not any_units) or volw < 0:
            return -1
        step = self.step
        return -(-(weight if weight > volw else volw) // step) * step


def price_key(
    weight: int,
    volume: int,
    units: int,
    value: int,
    tags: int,
    d0: int,
    d1: int,
    d2: int,
    chmask: int,
) -> tuple[int, ...]:
    """A parcel content as ``BinPricer.memo``'s key: four ints, each field in bits of its own
    (every lookup builds one, and a tuple of four ints costs much less to make, hash and compare
    than one of nine); the nine fields as they are when one is too large for its bits. (The two
    shapes never equal each other, so they cannot collide.)"""
    small = weight | units | d0 | d1 | d2
    if (
        small >= 0
        and small < 1 << 20
        and 0 <= (volume | value) < 1 << 42
        and 0 <= (tags | chmask) < 1 << 31
    ):
        return (
            weight | volume << 20,
            units | value << 20,
            tags | chmask << 31,
            d0 | d1 << 20 | d2 << 40,
        )
    return (weight, volume, units, value, tags, d0, d1, d2, chmask)


class BinPricer:
    """Cheapest feasible option for a parcel's content summary, memoised."""

    def __init__(self, options: Sequence[Option], handling: int) -> None:
        self.options = list(options)
        self.handling = handling
        self.memo: dict[tuple[int, ...], tuple[int, int]] = {}
        self._accepts: dict[tuple[object, ...], int] = {}
        self._channel_memo: dict[tuple[int, ...], tuple[tuple[int, int, int], ...]] = {}
        self._by_index = {o.index: o for o in self.options}
        self._levels: dict[tuple[int, int], list[Level]] = {}
        self._spans: dict[tuple[int, int], list[tuple[int, int, int, list[int]]]] = {}
        self._level_ids: dict[tuple[int, int], list[int]] = {}
        self._level_content: dict[tuple[Level, ...], int] = {}
        # the packing search's bound structures, shared by every group priced here
        self.bound_cache: dict[tuple[object, ...], object] = {}
        self.calls = 0
        # the heaviest content any option takes
        self.max_content = max(
            (min(o.max_load, o.max_gross - o.tare) for o in self.options), default=0
        )
        # Per channel (in the options' order, which decides ties): the facts every option of
        # the channel shares, checked once, then its boxes (a box whose outer size the channel
        # refuses can never be used and is left out) and its box-less option, which
        # ``build_options`` puts after the boxes. Whether a content fits a box does not depend
        # on the channel: it is checked once per box.
        box_pos: dict[int, int] = {}
        self._boxes: list[_BoxFit] = []
        groups: list[_ChannelFacts] = []
        for o in self.options:
            if not groups or groups[-1].bit != o.channel_bit:
                groups.append(_ChannelFacts(o))
            if o.box is None:
                groups[-1].own.append((o.any_units, o.index))
            elif o.size_ok:
                if groups[-1].own:
                    raise ValueError("a channel's box-less option must follow its boxes")
                pos = box_pos.get(id(o.box))
                if pos is None:
                    pos = box_pos[id(o.box)] = len(self._boxes)
                    self._boxes.append(_BoxFit(o.max_load, o.inner_volume, o.inner))
                groups[-1].boxes.append(_BoxUse(pos, o.tare, o.volumetric_g, o.index))
        self._groups = groups
        # no rate gets cheaper with weight
        self.rates_monotone = all(g.top_of is not None for g in groups)
        # a shop without boxes: parcels of several units have no known outer size
        self.any_units = any(o.any_units for o in self.options)

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
        key = price_key(weight, volume, units, value, tags, d0, d1, d2, chmask)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        return self.price_new(key, weight, volume, units, value, tags, d0, d1, d2, chmask)

    def price_new(
        self,
        key: tuple[int, ...],
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
        """``cost`` of a content ``memo`` does not hold yet, under its ``price_key`` (for a
        caller that has just looked it up)."""
        self.calls += 1
        best, best_i = INF, -1
        for bit, price, index in self.channel_prices(
            weight, volume, units, value, tags, d0, d1, d2
        ):
            if chmask & bit and price < best:  # the first channel wins a tie
                best, best_i = price, index
        out = ((best + self.handling) * SCALE + 1, best_i) if best_i >= 0 else (INF, -1)
        if len(self.memo) >= MEMO_MAX:
            self.memo.clear()  # a long-running service keeps this pricer: bound its memory
        self.memo[key] = out
        return out

    def carriers(
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
    ) -> int:
        """The channels (bit mask, within ``chmask``) that can take this content at all."""
        found = 0
        for bit, _, _ in self.channel_prices(weight, volume, units, value, tags, d0, d1, d2):
            found |= bit
        return found & chmask

    def channel_prices(
        self,
        weight: int,
        volume: int,
        units: int,
        value: int,
        tags: int,
        d0: int,
        d1: int,
        d2: int,
    ) -> tuple[tuple[int, int, int], ...]:
        """Per channel that can take this content, in the options' order: (channel bit, least
        price, the first option at that price). Remembered per content, so the same content
        on other channel sets costs a lookup."""
        key = (weight, volume, units, value, tags, d0, d1, d2)
        hit = self._channel_memo.get(key)
        if hit is None:
            hit = self._scan(weight, volume, units, value, tags, d0, d1, d2)
            if len(self._channel_memo) >= MEMO_MAX:
                self._channel_memo.clear()
            self._channel_memo[key] = hit
        return hit

    def _scan(
        self,
        weight: int,
        volume: int,
        units: int,
        value: int,
        tags: int,
        d0: int,
        d1: int,
        d2: int,
    ) -> tuple[tuple[int, int, int], ...]:
        """``channel_prices`` without the memo.

        Written to make few objects: it runs for every content not priced before, and the
        options that take the content are walked twice (their lightest chargeable weight,
        then the first in the same price bracket) rather than listed."""
        out: list[tuple[int, int, int]] = []
        fits = 0  # the boxes (bit per position) this content fits in
        for pos, b in enumerate(self._boxes):
            if (
                weight <= b.max_load
                and volume <= b.inner_volume
                and d0 <= b.i0
                and d1 <= b.i1
                and d2 <= b.i2
            ):
                fits |= 1 << pos
        one = units == 1
        sized = one and d0 > 0  # a single unit of known size: its own volumetric weight
        for g in self._groups:
            if tags & g.forbidden or units > g.max_items or value > g.max_value:
                continue
            if weight > g.max_gross:
                continue
            # the box-less options' volumetric weight (the same for each); -1: refused
            own_volw = 0
            if g.own and sized:
                if not _size_ok(g.channel, (d0, d1, d2)):
                    own_volw = -1
                elif g.divisor:
                    own_volw = -(-(d0 * d1 * d2) // g.divisor)
            top_of = g.top_of
            if top_of is None:  # a rate that is not monotone: every option priced
                price_of = g.price_of
                best, best_i = INF, -1
                for u in g.boxes:
                    w = g.box_charge(u, weight, fits)
                    if w < 0:
                        continue
                    price = price_of(w)
                    if price is not None and price < best:
                        best, best_i = price, u.index
                for any_units, index in g.own:
                    w = g.own_charge(any_units, weight, one, own_volw)
                    if w < 0:
                        continue
                    price = price_of(w)
                    if price is not None and price < best:
                        best, best_i = price, index
                if best_i >= 0:
                    out.append((g.bit, best, best_i))
                continue
            # The price only grows with the chargeable weight: the lightest is the channel's
            # cheapest, and the first option (in tie order) at that price is the first whose
            # chargeable weight is still in the same price bracket. (Chargeable weights go in
            # steps, so few of them recur: each one's price and bracket are worked out once.)
            low = INF
            for u in g.boxes:
                w = g.box_charge(u, weight, fits)
                if w < 0:
                    continue
                if w < low:
                    low = w
            for any_units, _ in g.own:
                w = g.own_charge(any_units, weight, one, own_volw)
                if w < 0:
                    continue
                if w < low:
                    low = w
            if low == INF:
                continue  # no option takes it
            bracket = g.brackets.get(low)
            if bracket is None:
                bracket = g.brackets[low] = (g.price_of(low), top_of(low))
            price, top = bracket
            if price is None:
                continue  # nor at any heavier weight
            found = -1
            for u in g.boxes:
                w = g.box_charge(u, weight, fits)
                if w < 0:
                    continue
                if w <= top:
                    found = u.index
                    break
            if found < 0:
                for any_units, index in g.own:
                    w = g.own_charge(any_units, weight, one, own_volw)
                    if w < 0:
                        continue
                    if w <= top:
                        found = index
                        break
            if found >= 0:
                out.append((g.bit, price, found))
        return tuple(out)

    def accepts(
        self, chmask: int, tags: int, units: int, value: int, dims: tuple[int, int, int]
    ) -> int:
        """The options (bit ``Option.index``) that take a block like this at all, whatever it
        weighs: channel allowed, no forbidden tag, items and value within the channel's limits,
        and, in a box, sides within the box (whose outer size the channel accepts)."""
        key = (chmask, tags, units, value, dims)
        hit = self._accepts.get(key)
        if hit is None:
            hit = 0
            d0, d1, d2 = dims
            for o in self.options:
                if not chmask & o.channel_bit or tags & o.forbidden:
                    continue
                if units > o.max_items or value > o.max_value:
                    continue
                if o.box is not None and not (
                    o.size_ok and d0 <= o.inner[0] and d1 <= o.inner[1] and d2 <= o.inner[2]
                ):
                    continue
                hit |= 1 << o.index
            if len(self._accepts) >= MEMO_MAX:
                self._accepts.clear()
            self._accepts[key] = hit
        return hit

    def remember(self, key: tuple[object, ...], value: object) -> None:
        if len(self.bound_cache) >= BOUND_CACHE_MAX:
            self.bound_cache.clear()
        self.bound_cache[key] = value

    def option(self, index: int) -> Option:
        return self._by_index[index]

    def levels(self, chmask: int, weight: int) -> list[Level]:
        """Every price level of every box-like option of the channels in ``chmask``, up to the
        first that holds ``weight`` grams of content (or more: rounded up to a power of two)."""
        limit = 1 << max(weight, 1).bit_length()
        key = (chmask, limit)
        hit = self._levels.get(key)
        if hit is not None:
            return hit
        out: list[Level] = []
        spans: list[tuple[int, int, int, list[int]]] = []
        for o in self.options:
            if not chmask & o.channel_bit:
                continue
            if o.box is None and not o.any_units:
                continue
            if o.box is not None and not o.size_ok:
                continue
            cap = min(o.max_load, o.max_gross - o.tare, limit)
            if cap <= 0:
                continue
            volw = o.volumetric_g if o.box is not None else 0
            floor_volw = -(-volw // o.step) * o.step  # the lightest chargeable weight
            own: list[tuple[int, int]] = []  # (content cap, price), both ascending
            for level, price in _levels(o.rate, max(cap + o.tare, floor_volw)):
                top = (level // o.step) * o.step  # heaviest chargeable weight at this price
                if top < floor_volw or top <= 0:
                    continue
                content = min(top - o.tare, cap)
                if content <= 0:
                    continue
                if not own or own[-1][0] < content:  # else: no more content, dearer
                    while own and own[-1][1] >= price:
                        own.pop()  # the same price (or less) holds more now
                    own.append((content, price))
                if content >= cap:
                    break
            while len(own) > MAX_LEVELS:
                # merge neighbours: the heavier cap at the lower price still bounds from below
                own = [(own[min(i + 1, len(own) - 1)][0], own[i][1]) for i in range(0, len(own), 2)]
            if own:
                spans.append((o.index, len(out), len(out) + len(own), [c for c, _ in own]))
            out.extend(
                Level(
                    o.index, o.channel_bit, content, o.inner_volume, (p + self.handling) * SCALE + 1
                )
                for content, p in own
            )
        self._levels[key] = out
        self._spans[key] = spans
        return out

    def level_spans(self, chmask: int, weight: int) -> list[tuple[int, int, int, list[int]]]:
        """Per option in ``levels(chmask, weight)``: (option index, first and past-last
        position of its levels there, their content weight caps, ascending)."""
        self.levels(chmask, weight)
        return self._spans[(chmask, 1 << max(weight, 1).bit_length())]

    def level_ids(self, chmask: int, weight: int) -> list[int]:
        """Per span of ``level_spans(chmask, weight)``: a number that is the same for two
        spans exactly when they hold the same levels. Lists for different weights mostly
        differ only in options whose levels the weight cuts short, so what is built on the
        levels of the others can be shared."""
        key = (chmask, 1 << max(weight, 1).bit_length())
        hit = self._level_ids.get(key)
        if hit is None:
            levels = self.levels(chmask, weight)
            hit = []
            for _, start, end, _ in self._spans[key]:
                content = tuple(levels[start:end])
                hit.append(self._level_content.setdefault(content, len(self._level_content)))
            self._level_ids[key] = hit
        return hit


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


def _bracket_top(rate: ZoneRate) -> Callable[[int], int] | None:
    """For a rate whose price never falls as the chargeable weight grows: the heaviest
    chargeable weight at the same price as a given one. None for any other rate."""
    table = rate.table
    if table:
        if any(b[1] < a[1] for a, b in pairwise(table)):
            return None
        tops: list[int] = []  # per bracket, the last bracket at its price
        for i in range(len(table) - 1, -1, -1):
            same = i + 1 < len(table) and table[i + 1][1] == table[i][1]
            tops.append(tops[-1] if same else table[i][0])
        tops.reverse()

        def table_top(w: int) -> int:
            for (up_to, _), top in zip(table, tops, strict=True):
                if w <= up_to:
                    return top
            return INF  # beyond the table: no price at all

        return table_top
    if rate.step_g <= 0 or rate.step_price < 0:
        return None
    if rate.step_price == 0:
        return lambda w: INF
    first, step = rate.first_weight_g, rate.step_g

    def step_top(w: int) -> int:
        if w <= first:
            return first
        # the same arithmetic as ZoneRate.price
        return first + math.ceil((w - first) / step) * step

    return step_top


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
