"""The split planner: ``plan`` proposes parcels for an order's unassigned units, ``precheck``
answers can_split / must_split. Both read the order through the same ``_Setup``.

Steps of ``plan``:

1. rules → per-line facts (address, ship date wave, allowed channels, ship_alone, kit, no split)
2. warehouse allocation: the strategy's candidates; for ``fewest_packages`` with stock, units
   are also moved between warehouses while that lowers the cost (several lines at once, shaped
   by the current packing, or one line's units; compared with the packing heuristics after a
   lower-bound screen, the best then solved in full) unless the plan already costs what the
   order would cost from a single warehouse (a bound no allocation can beat)
3. groups of units that may share a parcel: same address, warehouse and ship date; ship_alone
   units and lines form their own groups; a group's packing depends on its content only, so
   groups with the same content (from any warehouse) are packed once per call
4. blocks (kits, whole lines, single units) and the channels each may use (deadline objective)
5. the packing search per group (``packing.Packer``), then every parcel is re-checked with the
   shared ``check_package`` and priced like ``rates.quote``
6. reasons for every parcel, notes for rules that could not be met, unshippable units

Process-wide caches, keyed by value (so a service that loads the same catalogue for every
request reuses them; they never change a result): price options, levels, memo and bound
structures per catalogue × zones × delivery order of the channels; delivery estimates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from splitship.domain.catalog import Box, Channel, SkuAttributes
from splitship.domain.eta import BusinessCalendar, DeliveryEstimate, estimate_delivery
from splitship.domain.limits import check_package, measure_package
from splitship.domain.order import Address, HoldReason, Order, OrderLine
from splitship.domain.status import OrderStatus
from splitship.planning import reasons as rs
from splitship.planning.allocation import Allocation, Demand, allocate
from splitship.planning.context import PlanningContext
from splitship.planning.packing import TINY, Kind, Packer, PackResult, Parcel
from splitship.planning.rates import INF, SCALE, BinPricer, Option, build_options, diagnose
from splitship.planning.reasons import Reason
from splitship.planning.rules import (
    Availability,
    ChannelPreference,
    HandlingCost,
    KeepTogether,
    MaxPerPackage,
    NoUnitSplit,
    Rule,
    ShipAlone,
    TagSegregation,
    WarehouseAllocation,
)

EXACT_UNITS = 30
WORK_LIMIT = 800  # parcel evaluations of the exact search per group
SEARCH_BUDGET = 3000  # parcel evaluations of the local search per group
# ... which stops this many evaluations after its last gain: on the Family B sets (small,
# medium and large orders) no gain ever came more than 1200 evaluations after the previous one
# (780 since pairs that cannot gain are skipped), while 300 or 700 made some plans dearer
SEARCH_STALL = 1500
MOVE_EVALS = 8  # allocations tried by moving units between warehouses (orders <= MOVE_UNITS)
MOVE_UNITS = 30
TRANSFER_EVALS = 8  # allocations tried by moving several lines' units at once (same scaling)
TRANSFER_FLOOR = 4  # ... but never fewer than this, however big the order
LEVEL_FILLS = 2  # price steps of the receiving parcel tried by a transfer
SCREENS = 4 * (MOVE_EVALS + TRANSFER_EVALS)  # allocations screened by their bound at most
BIG_SCREENS = 2 * SCREENS  # the same for orders over MOVE_UNITS (more lines, more candidates)
SWAP_EVALS = 2  # swaps (two opposite moves/transfers between two warehouses) packed, same scaling
SWAP_SCREENS = 32  # swaps screened by their bound at most (a budget of their own)
SCATTER_EVALS = 4  # scatters and sheds packed per allocation reached (when nothing else pays)
SCATTER_SCREENS = 32  # ... and screened by their bound per order at most
PROMISING = 2  # allocations solved in full because their bound beats the heuristics' best


# The results write their ``__init__`` (compiled, a class's own runs natively, a dataclass's
# generated one as Python; see ``packing.Kind``); comparison, hash and repr are the dataclass's,
# as when they were frozen, and nothing changes them after the planner made them.


@dataclass(init=False, unsafe_hash=True)
class PlannedPackage:
    items: dict[str, int]
    warehouse_id: str
    box_id: str | None
    channel_id: str
    zone: str
    chargeable_weight_g: int
    price: int
    handling_cost: int
    eta_earliest: date | None
    eta_latest: date | None
    on_time: bool
    reasons: list[Reason]
    address: Address
    ship_on: date

    def __init__(
        self,
        items: dict[str, int],
        warehouse_id: str,
        box_id: str | None,
        channel_id: str,
        zone: str,
        chargeable_weight_g: int,
        price: int,
        handling_cost: int,
        eta_earliest: date | None,
        eta_latest: date | None,
        on_time: bool,
        reasons: list[Reason],
        address: Address,
        ship_on: date,
    ) -> None:
        self.items = items  # line id -> units
        self.warehouse_id = warehouse_id
        self.box_id = box_id
        self.channel_id = channel_id
        self.zone = zone
        self.chargeable_weight_g = chargeable_weight_g
        self.price = price
        self.handling_cost = handling_cost
        # None: the channel publishes no transit days for this zone
        self.eta_earliest = eta_earliest
        self.eta_latest = eta_latest
        self.on_time = on_time
        self.reasons = reasons
        self.address = address
        self.ship_on = ship_on

    @property
    def cost(self) -> int:
        return self.price + self.handling_cost


@dataclass(init=False, unsafe_hash=True)
class Unshippable:
    line_id: str
    quantity: int
    reason: Reason

    def __init__(self, line_id: str, quantity: int, reason: Reason) -> None:
        self.line_id = line_id
        self.quantity = quantity
        self.reason = reason


@dataclass(init=False, unsafe_hash=True)
class Plan:
    packages: list[PlannedPackage]
    unshippable: list[Unshippable]
    total_cost: int
    on_time: bool
    notes: list[Reason]
    single_parcel_cost: int | None
    segregation: tuple[frozenset[str], ...]
    proven_optimal: bool

    def __init__(
        self,
        packages: list[PlannedPackage],
        unshippable: list[Unshippable],
        total_cost: int,
        on_time: bool,
        notes: list[Reason],
        single_parcel_cost: int | None,
        segregation: tuple[frozenset[str], ...] = (),
        proven_optimal: bool = False,
    ) -> None:
        self.packages = packages
        self.unshippable = unshippable
        self.total_cost = total_cost
        self.on_time = on_time
        self.notes = notes
        self.single_parcel_cost = single_parcel_cost
        self.segregation = segregation  # the tag groups this plan kept apart
        # every group's packing is proven optimal, and no other allocation of units to
        # warehouses can be cheaper (there is no other, or the plan costs what pooling every
        # warehouse would)
        self.proven_optimal = proven_optimal

    @property
    def cost_saved(self) -> int | None:
        if self.single_parcel_cost is None:
            return None
        return self.single_parcel_cost - self.total_cost


@dataclass(frozen=True)
class SplitPrecheck:
    can_split: bool
    cannot_reasons: list[Reason]
    must_split: bool
    must_reasons: list[Reason]


# ---- value caches shared by every call ------------------------------------------------------

_PRICERS: dict[tuple[object, ...], BinPricer] = {}
_PRICERS_MAX = 64
# per departure (ship time, shop time zone, calendar), then per (min days, max days, cut-off):
# the channels of one order share the departure, which is hashed once for all of them
_ETAS: dict[tuple[object, ...], dict[tuple[int, int, time | None], DeliveryEstimate]] = {}
_ETAS_MAX = 1024  # departures


def _channel_key(ch: Channel, rank: int, country: str, zone: str | None) -> tuple[object, ...]:
    """Everything of a channel that prices a parcel to this destination, as plain values: the
    destination itself only through whether the channel delivers there and its zone (and so
    rate) there, so destinations in the same zones share a pricer."""
    rate = ch.rates.get(zone) if zone is not None else None
    lim = ch.limits
    return (
        ch.id,
        ch.active,
        not lim.destinations or country in lim.destinations,  # ``ch.delivers_to(country)``
        lim.max_weight_g,
        lim.max_longest_side_mm,
        lim.max_sum_of_sides_mm,
        lim.max_items,
        lim.max_declared_value,
        lim.forbidden_tags,
        lim.destinations,
        zone,
        None
        if rate is None
        else (rate.first_weight_g, rate.first_price, rate.step_g, rate.step_price, rate.table),
        ch.volumetric_divisor,
        ch.weight_step_g,
        rank,
    )


def _box_key(b: Box) -> tuple[object, ...]:
    inner, outer = b.inner, b.outer
    return (
        b.id,
        inner.length_mm,
        inner.width_mm,
        inner.height_mm,
        outer.length_mm,
        outer.width_mm,
        outer.height_mm,
        b.tare_g,
        b.max_load_g,
    )


def _estimate_from(
    known: dict[tuple[int, int, time | None], DeliveryEstimate],
    ship_time: datetime,
    min_days: int,
    max_days: int,
    cutoff: time | None,
    tz: str,
    calendar: BusinessCalendar,
) -> DeliveryEstimate:
    """``estimate_delivery``, remembered per departure (``_departure``) by its other arguments
    (all values)."""
    hit = known.get((min_days, max_days, cutoff))
    if hit is None:
        hit = known[(min_days, max_days, cutoff)] = estimate_delivery(
            ship_time, min_days, max_days, cutoff, tz, calendar
        )
    return hit


def _departure(
    ship_time: datetime, tz: str, calendar: BusinessCalendar
) -> dict[tuple[int, int, time | None], DeliveryEstimate]:
    """The remembered estimates from one departure."""
    key = (ship_time, tz, calendar)
    known = _ETAS.get(key)
    if known is None:
        if len(_ETAS) >= _ETAS_MAX:
            _ETAS.clear()
        known = _ETAS[key] = {}
    return known


# ---- order facts -------------------------------------------------------------------------


# The per-call types below are plain classes rather than dataclasses: the compiled build
# constructs them natively (see ``packing.Kind``).


class _Line:
    __slots__ = (
        "address",
        "alone",
        "chmask",
        "id",
        "index",
        "kit",
        "line",
        "no_split",
        "objective",
        "place",
        "qty",
        "ship_on",
    )

    def __init__(
        self,
        line: OrderLine,
        qty: int,
        address: Address,
        ship_on: date,
        chmask: int,
        objective: str,
        alone: ShipAlone | None = None,
        no_split: NoUnitSplit | None = None,
        kit: KeepTogether | None = None,
    ) -> None:
        self.line = line
        self.id = line.id  # read on every grouping: a native attribute, not the line's
        self.qty = qty
        self.address = address
        self.ship_on = ship_on
        # set by ``_Setup``: the line's position, and its place (address and ship date) as
        # an index, so that grouping and group keys need no tuple of them
        self.index = 0
        self.place = 0
        self.chmask = chmask
        self.objective = objective
        self.alone = alone
        self.no_split = no_split
        self.kit = kit


@dataclass(frozen=True)
class _Cap:
    rule: MaxPerPackage
    measure: str  # units, weight, value
    limit: int


class _Setup:
    """One order's facts for one call: its lines, rules, channels, and caches of what the
    planning asks for repeatedly."""

    def __init__(
        self,
        order: Order,
        ctx: PlanningContext,
        today: date,
        lines: list[_Line],
        strategy: str,
        handling: int,
        seg_rules: list[tuple[str, frozenset[str]]],
        caps: list[_Cap],
        tag_bits: dict[str, int],
        channels: list[Channel],
        pref_rules: dict[str, list[str]],
        notes: list[Reason],
        line_by_id: dict[str, _Line],
        has_kits: bool,
    ) -> None:
        self.order = order
        self.ctx = ctx
        self.today = today
        self.lines = lines
        places: dict[tuple[int, date], int] = {}
        for i, ln in enumerate(lines):
            ln.index = i
            # addresses are canonical objects per call: equal addresses are the same one
            ln.place = places.setdefault((id(ln.address), ln.ship_on), len(places))
        self.places = len(places)
        self.strategy = strategy
        self.handling = handling
        self.seg_rules = seg_rules
        self.caps = caps
        self.tag_bits = tag_bits
        self.channels = channels
        self.pref_rules = pref_rules  # line id -> channel_preference rule ids that restrict it
        self.notes = notes
        self.line_by_id = line_by_id
        self.has_kits = has_kits  # some line belongs to a keep_together kit
        self._pricers: dict[tuple[str, str | None, date], BinPricer] = {}
        self._timing: dict[tuple[str, str | None, date], tuple[list[date], int]] = {}
        self._zones: dict[tuple[str, str | None], list[str | None]] = {}
        self._estimates: dict[tuple[str, str | None, date], list[DeliveryEstimate | None]] = {}
        # per block content and destination: the channels its objective allows (0: none can)
        self._allowed: dict[tuple[object, ...], int] = {}
        self._unit_kinds: dict[str, Kind] = {}
        self._unit_facts: dict[
            str, tuple[int, int, int, int, tuple[int, int, int], tuple[int, ...]]
        ] = {}
        self._seg_masks: list[int] | None = None
        self._segregation: tuple[frozenset[str], ...] | None = None

    # -- pricing and delivery ------------------------------------------------------------

    def _ship_time(self, ship_on: date) -> datetime:
        if ship_on <= self.today:
            return self.ctx.now
        return datetime.combine(ship_on, time(0, 0), ZoneInfo(self.ctx.shop_tz))

    def zones(self, country: str, region: str | None) -> list[str | None]:
        """Per channel (by index) its zone for the destination: asked for by the delivery
        dates and the pricer's key, once per destination."""
        key = (country, region)
        hit = self._zones.get(key)
        if hit is None:
            hit = self._zones[key] = [ch.zone_for(country, region) for ch in self.channels]
        return hit

    def latest(self, ch: Channel, addr: Address, ship_on: date) -> date:
        """The latest delivery date of one of ``channels`` (``timing``'s)."""
        return self.timing(addr, ship_on)[0][self._index_of(ch)]

    def on_time(self, ch: Channel, addr: Address, ship_on: date) -> bool:
        return bool(self.timing(addr, ship_on)[1] >> self._index_of(ch) & 1)

    def _index_of(self, ch: Channel) -> int:
        return next(i for i, c in enumerate(self.channels) if c is ch)

    def timing(self, addr: Address, ship_on: date) -> tuple[list[date], int]:
        """Per channel (by index) the latest delivery date to ``addr`` when shipped on
        ``ship_on``, and the channels (bit mask) that deliver on time."""
        key = (addr.country, addr.region, ship_on)
        hit = self._timing.get(key)
        if hit is None:
            hit = self._timing[key] = self._compute_timing(addr, ship_on)
        return hit

    def estimates(self, addr: Address, ship_on: date) -> list[DeliveryEstimate | None]:
        """Per channel (by index) its delivery estimate to ``addr`` (None: no transit days
        published for the zone, or no zone); what ``eta`` answers for these channels."""
        self.timing(addr, ship_on)
        return self._estimates[(addr.country, addr.region, ship_on)]

    def _compute_timing(self, addr: Address, ship_on: date) -> tuple[list[date], int]:
        country, region = addr.country, addr.region
        deliver_by = self.order.deliver_by
        latests: list[date] = []
        ests: list[DeliveryEstimate | None] = []
        on_time = 0
        ship_time: datetime | None = None
        tz, calendar = self.ctx.shop_tz, self.ctx.calendar
        zones = self.zones(country, region)
        for i, ch in enumerate(self.channels):
            zone = zones[i]
            est: DeliveryEstimate | None = None
            if zone is not None:
                transit = ch.transit.get(zone)
                if transit is not None:
                    if ship_time is None:
                        ship_time = self._ship_time(ship_on)
                        known = _departure(ship_time, tz, calendar)
                    est = _estimate_from(
                        known,
                        ship_time,
                        transit.min_days,
                        transit.max_days,
                        ch.cutoff,
                        tz,
                        calendar,
                    )
            ests.append(est)
            d = date.max if est is None else est.latest
            latests.append(d)
            if deliver_by is None or d <= deliver_by:
                on_time |= 1 << i
        self._estimates[(country, region, ship_on)] = ests
        return latests, on_time

    def pricer(self, addr: Address, ship_on: date) -> BinPricer:
        key = (addr.country, addr.region, ship_on)
        if key not in self._pricers:
            country, region = addr.country, addr.region
            latests, _ = self.timing(addr, ship_on)
            # The delivery ranking only orders the options (earlier delivery first on equal
            # price): the channels' places among the distinct latest dates say all of it, and
            # stay the same from one ship date or destination to the next far more often than
            # the dates themselves.
            places = {d: k for k, d in enumerate(sorted(set(latests)))}
            chans = [(1 << i, ch, places[latests[i]]) for i, ch in enumerate(self.channels)]
            # Everything a price depends on, by value: a service that loads the same catalogue
            # for every request reuses the options, price levels and memo. (Built from lists:
            # this runs once per order, where generators cost more than the keys themselves.)
            zones = self.zones(country, region)
            vkey = (
                tuple(
                    [
                        _channel_key(ch, rank, country, zones[i])
                        for i, (_, ch, rank) in enumerate(chans)
                    ]
                ),
                tuple([_box_key(b) for b in self.ctx.boxes]),
                tuple(sorted(self.tag_bits.items())),
                self.handling,
            )
            cached = _PRICERS.get(vkey)
            if cached is None:
                opts = build_options(chans, self.ctx.boxes, country, region, self.tag_bits)
                cached = BinPricer(opts, self.handling)
                if len(_PRICERS) >= _PRICERS_MAX:
                    _PRICERS.clear()
                _PRICERS[vkey] = cached
            self._pricers[key] = cached
        return self._pricers[key]

    @staticmethod
    def channel_index(o: Option) -> int:
        """Where an option's channel is in ``channels``: the context's own channel object (a
        cached pricer may hold an equal channel from an earlier context; only this one's
        transit days and cut-off count)."""
        return o.channel_bit.bit_length() - 1

    @property
    def seg_masks(self) -> list[int]:
        # fixed for the call: computed once (every group's blocks and packer ask for them)
        if self._seg_masks is None:
            self._seg_masks = [self.mask_of(g) for _, g in self.seg_rules]
        return self._seg_masks

    @property
    def segregation(self) -> tuple[frozenset[str], ...]:
        if self._segregation is None:
            self._segregation = tuple(g for _, g in self.seg_rules)
        return self._segregation

    def mask_of(self, tags: frozenset[str]) -> int:
        m = 0
        for t in tags:
            m |= self.tag_bits.get(t, 0)
        return m

    # -- blocks --------------------------------------------------------------------------

    def unit_kind(self, ln: _Line, count: int) -> Kind:
        """``count`` blocks of one unit of the line (the line's facts are fixed per call)."""
        k = self._unit_kinds.get(ln.line.id)
        if k is None:
            # ``kind([(ln, 1)], 1)`` without the sums: a unit is the most common block
            uw, uv, uval, utags, sides, ucaps = self.unit_facts(ln)
            k = self._unit_kinds[ln.line.id] = Kind(
                ((ln.line.id, 1),),
                1,
                uw,
                uv,
                1,
                uval,
                utags,
                sides,
                ln.chmask if ln.chmask != -1 else 0,
                ucaps,
            )
        return k if count == 1 else _recount(k, count, k.chmask)

    def unit_facts(
        self, ln: _Line
    ) -> tuple[int, int, int, int, tuple[int, int, int], tuple[int, ...]]:
        """One unit of the line: weight, volume, declared value, tag bits, sorted sides (0s when
        unknown) and its contribution to each per-parcel cap. Fixed for the whole call."""
        hit = self._unit_facts.get(ln.line.id)
        if hit is None:
            a = ln.line.attributes
            volume = 0
            sides = (0, 0, 0)
            if a.dimensions is not None:
                volume = a.dimensions.volume_mm3
                sides = a.dimensions.sorted_sides()
            caps = (
                tuple(
                    [
                        {"units": 1, "weight": a.weight_g, "value": a.declared_value}[cap.measure]
                        if _cap_selects(cap.rule, ln.line.sku, a)
                        else 0
                        for cap in self.caps
                    ]
                )
                if self.caps
                else ()
            )
            hit = (a.weight_g, volume, a.declared_value, self.mask_of(a.tags), sides, caps)
            self._unit_facts[ln.line.id] = hit
        return hit

    def kind(self, parts: Sequence[tuple[_Line, int]], count: int) -> Kind:
        weight = volume = units = value = tags = 0
        d0 = d1 = d2 = 0
        chmask = -1
        caps = [0] * len(self.caps)
        for ln, q in parts:
            uw, uv, uval, utags, (s0, s1, s2), ucaps = self.unit_facts(ln)
            weight += uw * q
            volume += uv * q
            units += q
            value += uval * q
            tags |= utags
            d0, d1, d2 = max(d0, s0), max(d1, s1), max(d2, s2)
            chmask &= ln.chmask
            for c, add in enumerate(ucaps):
                caps[c] += add * q
        return Kind(
            key=tuple((ln.line.id, q) for ln, q in parts),
            count=count,
            weight=weight,
            volume=volume,
            units=units,
            value=value,
            tags=tags,
            dims=(d0, d1, d2),
            chmask=chmask if chmask != -1 else 0,
            caps=tuple(caps),
        )

    def block_problems(self, kind: Kind, pricer: BinPricer) -> list[Reason]:
        """Why one block cannot ship in any parcel; empty when it can."""
        return self.why_not_one([kind], [1], pricer)

    def why_not_one(
        self, kinds: Sequence[Kind], counts: Sequence[int], pricer: BinPricer
    ) -> list[Reason]:
        """Why these blocks cannot share one parcel; empty when they can."""
        weight = volume = units = value = tags = 0
        dims = [0, 0, 0]
        chmask = -1
        caps = [0] * len(self.caps)
        for k, n in zip(kinds, counts, strict=True):
            weight += k.weight * n
            volume += k.volume * n
            units += k.units * n
            value += k.value * n
            tags |= k.tags
            dims = [max(a, b) for a, b in zip(dims, k.dims, strict=True)]
            chmask &= k.chmask
            for c, add in enumerate(k.caps):
                caps[c] += add * n
        out: list[Reason] = []
        for rid, group in self.seg_rules:
            mixed = [t for t in sorted(group) if tags & self.tag_bits.get(t, 0)]
            if len(mixed) > 1:
                out.append(rs.tag_conflict(mixed, rid))
        for c, cap in enumerate(self.caps):
            if caps[c] > cap.limit:
                out.append(_cap_reason(cap))
        if chmask == 0 and kinds:
            out.append(
                rs.rule_unmet(
                    "-",
                    "channel_preference",
                    "no channel is allowed for all of them",
                    "没有一个渠道同时允许所有这些商品",
                )
                if len({k.chmask for k in kinds}) > 1
                else rs.no_channel("no allowed channel")
            )
        if out:
            return out
        d3 = (dims[0], dims[1], dims[2])
        cost, _ = pricer.cost(weight, volume, units, value, tags, d3[0], d3[1], d3[2], chmask)
        if cost < INF:
            return []
        best: list[str] | None = None
        for o in pricer.options:
            if not chmask & o.channel_bit:
                continue
            fails = diagnose(o, weight, volume, units, value, tags, d3) or ["weight"]
            if best is None or len(fails) < len(best):
                best = fails
        if best is None:
            return [rs.no_channel("no channel delivers to this address")]
        for f in best:
            if f == "value":
                out.append(rs.value_limit(0, "channel limit"))
            elif f == "forbidden_tag":
                out.append(rs.no_channel("a channel refuses one of the tags"))
            else:
                out.append(rs.channel_limit(f))
        return out


def _cap_selects(rule: MaxPerPackage, sku: str, attrs: SkuAttributes) -> bool:
    if rule.category is not None and attrs.category != rule.category:
        return False
    return rule.conditions.matches_item(sku, attrs)


def _cap_reason(cap: _Cap) -> Reason:
    if cap.measure == "units" and cap.rule.category is not None:
        return rs.category_limit(cap.rule.category, cap.limit, cap.rule.id)
    if cap.measure == "value":
        return rs.value_limit(cap.limit, f"rule {cap.rule.id}")
    detail = f"at most {cap.limit} {'units' if cap.measure == 'units' else 'g'} per parcel"
    return rs.rule(cap.rule.id, "max_per_package", detail)


def _local_today(ctx: PlanningContext) -> date:
    return ctx.now.astimezone(ZoneInfo(ctx.shop_tz)).date()


def _waves(dates: Sequence[date], wait_days: int) -> dict[date, date]:
    """Ship date per availability date: dates within ``wait_days`` of a wave's first date ship
    together, on the wave's last date."""
    out: dict[date, date] = {}
    cluster: list[date] = []
    for d in sorted(set(dates)):
        if cluster and d > cluster[0] + timedelta(days=wait_days):
            for c in cluster:
                out[c] = cluster[-1]
            cluster = []
        cluster.append(d)
    for c in cluster:
        out[c] = cluster[-1]
    return out


def _setup(order: Order, ctx: PlanningContext) -> _Setup:
    today = _local_today(ctx)
    value = 0
    for ln in order.lines:
        value += ln.quantity * ln.unit_price
    addr0 = order.address

    def active(rule: Rule, addr: Address) -> bool:
        return rule.conditions.matches_order(addr.country, addr.region, value, order.source)

    # One pass over the rules: the order-level ones (the first active of each kind, every active
    # segregation and cap) are decided here; the per-line kinds are kept, in rule order, for the
    # lines below, so that a line looks only at the rules of the kind it asks about.
    strategy_rule: Rule | None = None
    handling_rule: Rule | None = None
    avail_rule: Rule | None = None
    seg_rules: list[tuple[str, frozenset[str]]] = []
    caps: list[_Cap] = []
    claim_rules: list[ShipAlone | KeepTogether] = []
    pref_list: list[ChannelPreference] = []
    no_split_rules: list[NoUnitSplit] = []
    for r in ctx.rules.rules:
        if isinstance(r, ShipAlone | KeepTogether):
            claim_rules.append(r)
        elif isinstance(r, ChannelPreference):
            pref_list.append(r)
        elif isinstance(r, NoUnitSplit):
            no_split_rules.append(r)
        elif not active(r, addr0):
            continue
        elif isinstance(r, WarehouseAllocation):
            if strategy_rule is None:
                strategy_rule = r
        elif isinstance(r, HandlingCost):
            if handling_rule is None:
                handling_rule = r
        elif isinstance(r, Availability):
            if avail_rule is None:
                avail_rule = r
        elif isinstance(r, TagSegregation):
            seg_rules.extend((r.id, g) for g in r.groups)
        elif isinstance(r, MaxPerPackage):
            for measure, limit in (
                ("units", r.units),
                ("weight", r.weight_g),
                ("value", r.declared_value),
            ):
                if limit is not None:
                    caps.append(_Cap(r, measure, limit))
    channels = [ch for ch in ctx.channels if ch.active]
    tags_used: set[str] = set()
    for _, g in seg_rules:
        tags_used |= g
    for ch in channels:
        tags_used |= ch.limits.forbidden_tags
    tag_bits = {t: 1 << i for i, t in enumerate(sorted(tags_used))}

    unassigned = order.unassigned_items()
    avail = {
        ln.id: max(today, ln.attributes.available_from or today)
        for ln in order.lines
        if ln.id in unassigned
    }
    wait = avail_rule.wait_days if isinstance(avail_rule, Availability) else 0
    wave_of = _waves(list(avail.values()), wait)

    lines: list[_Line] = []
    line_by_id: dict[str, _Line] = {}
    has_kits = False
    pref_rules: dict[str, list[str]] = {}
    claimed: dict[str, Rule] = {}  # line id -> the ship_alone / keep_together rule that owns it
    setup_notes: list[Reason] = []
    # One object per distinct address (equal addresses share it), so that grouping can go by
    # identity within this call instead of hashing addresses again and again.
    # (Made on the first line with an address of its own: hashing an address is not free, and
    # most orders have none.)
    canonical: dict[Address, Address] | None = None
    line_addr: dict[str, Address] = {}
    for ln in order.lines:
        if ln.id in unassigned:
            a = ln.address
            if a is None:
                line_addr[ln.id] = addr0
                continue
            if canonical is None:
                canonical = {addr0: addr0}
            line_addr[ln.id] = canonical.setdefault(a, a)
    for r in claim_rules:
        for ln in order.lines:
            if ln.id not in unassigned or not active(r, line_addr[ln.id]):
                continue
            hit = (
                r.conditions.matches_item(ln.sku, ln.attributes)
                if isinstance(r, ShipAlone)
                else ln.sku in r.skus and r.conditions.matches_item(ln.sku, ln.attributes)
            )
            if not hit:
                continue
            if ln.id in claimed:
                other = claimed[ln.id]
                if other.id != r.id:
                    setup_notes.append(
                        rs.rule_unmet(
                            r.id,
                            r.type,
                            f"line {ln.id} follows rule {other.id} first",
                            f"订单行 {ln.id} 先遵循规则 {other.id}",
                        )
                    )
                continue
            claimed[ln.id] = r
    for ln in order.lines:
        qty = unassigned.get(ln.id, 0)
        if qty <= 0:
            continue
        addr = line_addr[ln.id]
        objective = "cheapest_on_time"
        chmask = (1 << len(channels)) - 1
        pref_seen = False
        for r in pref_list:
            if not active(r, addr):
                continue
            if not r.conditions.matches_item(ln.sku, ln.attributes):
                continue
            if r.allowed:
                allowed = 0
                for i, ch in enumerate(channels):
                    if ch.id in r.allowed or ch.code in r.allowed:
                        allowed |= 1 << i
                chmask &= allowed
                pref_rules.setdefault(ln.id, []).append(r.id)
            if not pref_seen:
                objective, pref_seen = r.objective, True
        no_split: NoUnitSplit | None = None
        for r in no_split_rules:
            if active(r, addr) and r.conditions.matches_item(ln.sku, ln.attributes):
                no_split = r
                break
        owner = claimed.get(ln.id)
        if (
            isinstance(owner, ShipAlone)
            and owner.per == "unit"
            and qty > 1
            and not ctx.allow_unit_split
        ):
            # The marketplace's whole-line rule outranks the shop's own rules.
            setup_notes.append(
                rs.rule_unmet(
                    owner.id,
                    owner.type,
                    f"the shop ships whole lines only, so line {ln.id} ships alone as a whole",
                    f"店铺只允许整行发货，订单行 {ln.id} 整行单独发货",
                )
            )
            owner = replace(owner, per="line")
        kit = owner if isinstance(owner, KeepTogether) else None
        made = _Line(
            ln,
            qty,
            addr,
            wave_of[avail[ln.id]],
            chmask,
            objective,
            owner if isinstance(owner, ShipAlone) else None,
            no_split,
            kit,
        )
        lines.append(made)
        line_by_id[ln.id] = made
        has_kits = has_kits or kit is not None
    strategy = (
        strategy_rule.strategy
        if isinstance(strategy_rule, WarehouseAllocation)
        else "fewest_packages"
    )
    return _Setup(
        order=order,
        ctx=ctx,
        today=today,
        lines=lines,
        strategy=strategy,
        handling=handling_rule.per_package if isinstance(handling_rule, HandlingCost) else 0,
        seg_rules=seg_rules,
        caps=caps,
        tag_bits=tag_bits,
        channels=channels,
        pref_rules=pref_rules,
        notes=setup_notes,
        line_by_id=line_by_id,
        has_kits=has_kits,
    )


# ---- planning ----------------------------------------------------------------------------


# (place, ship_alone rule id, per part: units << 32 | line index); equal groups within one
# call have equal keys whatever the warehouse (a key of ints is cheap to build and hash)
GroupKey = tuple[int, str | None, tuple[int, ...]]
BlockKey = tuple[tuple[str, int], ...]  # (line id, units) in one block


class _Group:
    __slots__ = ("address", "alone", "key", "parts", "ship_on", "warehouse_id")

    def __init__(
        self,
        address: Address,
        warehouse_id: str,
        ship_on: date,
        parts: list[tuple[_Line, int]],
        alone: ShipAlone | None = None,
    ) -> None:
        self.address = address
        self.warehouse_id = warehouse_id
        self.ship_on = ship_on
        self.parts = parts
        self.alone = alone
        # ``_group_key``, once asked for (the parts are complete then)
        self.key: GroupKey | None = None


class _Outcome:
    __slots__ = ("cost", "notes", "packages", "proven", "unshippable")

    def __init__(
        self,
        packages: list[PlannedPackage],
        unshippable: list[Unshippable],
        notes: list[Reason],
        cost: int,
        proven: bool,
    ) -> None:
        self.packages = packages
        self.unshippable = unshippable
        self.notes = notes
        self.cost = cost
        self.proven = proven


def _allocations(setup: _Setup) -> list[Allocation]:
    ctx = setup.ctx
    demands = [
        Demand(
            ln.line.id,
            ln.line.sku,
            ln.qty,
            needs_stock=ctx.stock_check and ln.ship_on <= setup.today,
        )
        for ln in setup.lines
    ]
    addr = setup.order.address
    return allocate(
        demands, ctx.warehouses, setup.strategy, addr.country, addr.region, ctx.allow_unit_split
    )


def _groups(setup: _Setup, alloc: Allocation) -> list[_Group]:
    """The allocation's groups, in the order the lines first ask for each."""
    # per place (address and ship date, ``_Line.place``): its groups by warehouse
    by_place: list[dict[str, _Group] | None] = [None] * setup.places
    out: list[_Group] = []
    picks = alloc.picks
    for ln in setup.lines:
        ps = picks.get(ln.id)
        if not ps:
            continue
        if ln.alone is not None:
            for wh, q in ps:
                if ln.alone.per == "unit":
                    out.extend(
                        _Group(ln.address, wh, ln.ship_on, [(ln, 1)], ln.alone) for _ in range(q)
                    )
                else:
                    out.append(_Group(ln.address, wh, ln.ship_on, [(ln, q)], ln.alone))
            continue
        by_wh = by_place[ln.place]
        if by_wh is None:
            by_wh = by_place[ln.place] = {}
        for wh, q in ps:
            group = by_wh.get(wh)
            if group is None:
                group = by_wh[wh] = _Group(ln.address, wh, ln.ship_on, [])
                out.append(group)
            group.parts.append((ln, q))
    return out


def _restrict(setup: _Setup, group: _Group, kind: Kind, pricer: BinPricer) -> Kind | None:
    """The channels a block may use under its objective; None when none can carry it."""
    mask = _allowed_mask(setup, group, kind, pricer)
    if not mask:
        return None
    return _recount(kind, kind.count, mask)


def _allowed_mask(setup: _Setup, group: _Group, kind: Kind, pricer: BinPricer) -> int:
    """``_allowed``, remembered per block content (not count) and destination."""
    addr = group.address
    key = (kind.key, kind.chmask, addr.country, addr.region, group.ship_on)
    mask = setup._allowed.get(key)
    if mask is None:
        mask = setup._allowed[key] = _allowed(setup, group, kind, pricer)
    return mask


def _allowed(setup: _Setup, group: _Group, kind: Kind, pricer: BinPricer) -> int:
    return _allowed_of(
        setup,
        group,
        setup.line_by_id[kind.key[0][0]].objective,
        kind.weight,
        kind.volume,
        kind.units,
        kind.value,
        kind.tags,
        kind.dims,
        kind.chmask,
        pricer,
    )


def _allowed_of(
    setup: _Setup,
    group: _Group,
    objective: str,
    weight: int,
    volume: int,
    units: int,
    value: int,
    tags: int,
    dims: tuple[int, int, int],
    chmask: int,
    pricer: BinPricer,
) -> int:
    """``_allowed`` of a block given by its content."""
    able = pricer.carriers(weight, volume, units, value, tags, dims[0], dims[1], dims[2], chmask)
    if not able or objective == "cheapest":
        return able
    latests, on_time = setup.timing(group.address, group.ship_on)
    if objective != "fastest" and able & on_time:
        return able & on_time
    carriers = [i for i in range(len(latests)) if able >> i & 1]
    soonest = min(latests[i] for i in carriers)
    mask = 0
    for i in carriers:
        if latests[i] == soonest:
            mask |= 1 << i
    return mask


def _recount(kind: Kind, count: int, chmask: int) -> Kind:
    return Kind(
        kind.key,
        count,
        kind.weight,
        kind.volume,
        kind.units,
        kind.value,
        kind.tags,
        kind.dims,
        chmask,
        kind.caps,
    )


def _blocks(
    setup: _Setup, group: _Group, pricer: BinPricer
) -> tuple[list[Kind], list[Unshippable], list[Reason]]:
    kinds: list[Kind] = []
    unship: list[Unshippable] = []
    notes: list[Reason] = []
    seg = setup.seg_masks
    caps = setup.caps
    allowed = setup._allowed
    addr = group.address
    country, region, ship_on = addr.country, addr.region, group.ship_on

    def breaks_rules(tags: int, block_caps: Sequence[int]) -> bool:
        """Does a block of these tags and cap contributions mix segregated tags or exceed a
        per-parcel cap on its own?"""
        if tags:
            for g in seg:
                if (tags & g).bit_count() > 1:
                    return True
        if caps:
            for c, cap in enumerate(caps):
                if block_caps[c] > cap.limit:
                    return True
        return False

    def fits(kind: Kind, count: int = 1) -> Kind | None:
        """``count`` blocks like ``kind`` with the channels they may use; None when one block
        breaks a rule or no channel can carry it."""
        if breaks_rules(kind.tags, kind.caps):
            return None
        mask = _allowed_mask(setup, group, kind, pricer)
        if not mask:
            return None
        if count == kind.count and mask == kind.chmask:
            return kind
        return _recount(kind, count, mask)

    def units_of(ln: _Line, q: int) -> None:
        # ``fits(setup.unit_kind(ln, 1), q)`` straight from the unit's facts (the line's
        # one-unit block, counted q times: its channels do not depend on the count)
        lid = ln.line.id
        uw, uv, uval, utags, sides, ucaps = setup.unit_facts(ln)
        chmask = ln.chmask if ln.chmask != -1 else 0
        if not breaks_rules(utags, ucaps):
            key = (((lid, 1),), chmask, country, region, ship_on)
            mask = allowed.get(key)
            if mask is None:
                objective = setup.line_by_id[lid].objective
                mask = allowed[key] = _allowed_of(
                    setup, group, objective, uw, uv, 1, uval, utags, sides, chmask, pricer
                )
            if mask:
                kinds.append(Kind(((lid, 1),), q, uw, uv, 1, uval, utags, sides, mask, ucaps))
                return
        why = setup.block_problems(setup.unit_kind(ln, 1), pricer) or [
            rs.no_channel("no channel can carry it")
        ]
        unship.append(Unshippable(ln.line.id, q, why[0]))

    kits: dict[str, list[tuple[_Line, int]]] = {}
    loose: list[tuple[_Line, int]] = []
    for ln, q in group.parts:
        if ln.kit is not None:
            kits.setdefault(ln.kit.id, []).append((ln, q))
        else:
            loose.append((ln, q))
    split_ok = setup.ctx.allow_unit_split
    for parts in kits.values():
        rule = parts[0][0].kit
        assert rule is not None
        if len(parts) < 2:
            loose.extend(parts)
            continue
        kit = fits(setup.kind(parts, 1))
        if kit is not None:
            kinds.append(kit)
            continue
        why = setup.block_problems(setup.kind(parts, 1), pricer)
        because = "; ".join(r.en for r in why) or "no channel can carry the kit"
        notes.append(
            rs.rule_unmet(
                rule.id,
                rule.type,
                because,
                "；".join(r.zh for r in why) or "没有渠道能运送整套商品",
            )
        )
        loose.extend(parts)
    for ln, q in loose:
        if q > 1 and (not split_ok or ln.no_split is not None):
            k = fits(setup.kind([(ln, q)], 1))
            if k is not None:
                kinds.append(k)
                continue
            if not setup.ctx.allow_unit_split:
                unship.append(Unshippable(ln.line.id, q, rs.unit_split_not_allowed(ln.line.id)))
                continue
            assert ln.no_split is not None
            why = setup.block_problems(setup.kind([(ln, q)], 1), pricer)
            notes.append(
                rs.rule_unmet(
                    ln.no_split.id,
                    ln.no_split.type,
                    "; ".join(r.en for r in why) or "the units do not fit one parcel",
                    "；".join(r.zh for r in why) or "这些商品装不进一个包裹",
                )
            )
        units_of(ln, q)
    return kinds, unship, notes


class _Solved:
    """One group's packing; groups with the same content (whatever the warehouse) share it."""

    __slots__ = ("notes", "packer", "pricer", "quick", "result", "unship")

    def __init__(
        self,
        packer: Packer | None,
        result: PackResult,
        pricer: BinPricer,
        unship: list[Unshippable],
        notes: list[Reason],
        quick: bool,
    ) -> None:
        self.packer = packer
        self.result = result
        self.pricer = pricer
        self.unship = unship
        self.notes = notes
        self.quick = quick  # solved by the heuristics only (while comparing allocations)


def _group_key(group: _Group) -> GroupKey:
    key = group.key
    if key is None:
        parts = group.parts
        key = group.key = (
            parts[0][0].place,
            group.alone.id if group.alone is not None else None,
            tuple([q << 32 | ln.index for ln, q in parts]),
        )
    return key


class _Prepared:
    """A group's blocks and packer, before any packing (its lower bound screens allocations)."""

    __slots__ = ("bound", "notes", "packer", "pricer", "unship")

    def __init__(
        self,
        pricer: BinPricer,
        unship: list[Unshippable],
        notes: list[Reason],
        packer: Packer | None,
    ) -> None:
        self.pricer = pricer
        self.unship = unship
        self.notes = notes
        self.packer = packer
        self.bound: int | None = None  # the packer's lower bound, once asked for


class _Memo:
    def __init__(self) -> None:
        self.groups: dict[GroupKey, _Solved] = {}
        self.prepared: dict[GroupKey, _Prepared] = {}
        # per (address, ship date): the packer of all units there, and its blocks' indexes
        self.pools: dict[tuple[Address, date], tuple[Packer | None, dict[BlockKey, int]]] = {}
        self.pooled: dict[GroupKey, int | None] = {}  # a group's bound from its pool's packer
        self.relaxed: int | None = None  # the one-warehouse bound, once known
        self.relaxed_known = False
        # per allocation (by identity; the allocation is kept, so its id stays its own): its
        # groups, which scoring and the final plan of the same allocation both walk
        self.grouped: dict[int, tuple[Allocation, list[_Group]]] = {}

    def groups_of(self, setup: _Setup, alloc: Allocation) -> list[_Group]:
        hit = self.grouped.get(id(alloc))
        if hit is None or hit[0] is not alloc:
            hit = self.grouped[id(alloc)] = (alloc, _groups(setup, alloc))
        return hit[1]


def _prepare_group(setup: _Setup, group: _Group) -> _Prepared:
    pricer = setup.pricer(group.address, group.ship_on)
    kinds, bad, block_notes = _blocks(setup, group, pricer)
    if not kinds:
        return _Prepared(pricer, bad, block_notes, None)
    packer = Packer(
        kinds,
        pricer,
        [c.limit for c in setup.caps] if setup.caps else (),
        setup.seg_masks,
        (1 << len(setup.channels)) - 1,
    )
    return _Prepared(pricer, bad, block_notes, packer)


def _group_bound(setup: _Setup, group: _Group, memo: _Memo, packed: bool = True) -> tuple[int, int]:
    """(units that cannot ship, a lower bound of the group's cost): the cost of its packing
    when known and ``packed``, else the packing search's lower bound."""
    key = _group_key(group)
    hit = memo.groups.get(key)
    if hit is not None:
        unship = sum(u.quantity for u in hit.unship)
        return unship, hit.result.cost if packed else hit.result.lower_bound
    prepared = memo.prepared.get(key)
    if prepared is None:
        prepared = memo.prepared[key] = _prepare_group(setup, group)
    if prepared.bound is None:
        packer = prepared.packer
        prepared.bound = 0 if packer is None else packer.root_bound()
    return sum(u.quantity for u in prepared.unship), prepared.bound


def _pack(packer: Packer, quick: bool) -> PackResult:
    """A group's packing with the planner's search limits."""
    return packer.solve(
        exact_units=EXACT_UNITS,
        work_limit=WORK_LIMIT,
        quick=quick,
        budget=SEARCH_BUDGET,
        stall=SEARCH_STALL,
    )


def _solve_group(setup: _Setup, group: _Group, memo: _Memo, quick: bool) -> _Solved:
    key = _group_key(group)
    hit = memo.groups.get(key)
    if hit is not None and (quick or not hit.quick):
        return hit
    if hit is not None and hit.packer is not None:
        # solved with the heuristics only before: the same packer goes on from there
        result = _pack(hit.packer, quick=False)
        solved = _Solved(hit.packer, result, hit.pricer, hit.unship, hit.notes, False)
        memo.groups[key] = solved
        return solved
    # a packer whose bound screened the group (never solved yet) is reused with its work
    prepared = memo.prepared.pop(key, None) or _prepare_group(setup, group)
    packer, pricer = prepared.packer, prepared.pricer
    result = PackResult([], 0, 0, True) if packer is None else _pack(packer, quick)
    solved = _Solved(
        packer,
        result,
        pricer,
        prepared.unship,
        prepared.notes,
        result.heuristic_only and not result.proven,
    )
    memo.groups[key] = solved
    return solved


@dataclass(init=False, unsafe_hash=True)
class _Score:
    shipped: int
    cost: int
    bound: int

    def __init__(self, shipped: int, cost: int, bound: int = 0) -> None:
        self.shipped = shipped
        self.cost = cost  # search cost: money * SCALE + parcels
        self.bound = bound  # no packing of this allocation's groups costs less


def _score(setup: _Setup, alloc: Allocation, memo: _Memo, quick: bool) -> _Score:
    shipped = -sum(alloc.shortfall.values())
    cost = bound = 0
    for group in memo.groups_of(setup, alloc):
        solved = _solve_group(setup, group, memo, quick)
        for u in solved.unship:
            shipped -= u.quantity
        cost += solved.result.cost
        bound += solved.result.lower_bound
    return _Score(shipped, cost, bound)


def _score_to_beat(
    setup: _Setup, alloc: Allocation, groups: list[_Group], memo: _Memo, rival: _Score
) -> _Score | None:
    """``_score`` with the heuristics, or None as soon as the groups packed so far plus the
    lower bounds of the others show the allocation scores worse than ``rival`` (not even
    equal): its other groups are then not packed at all. A candidate allocation usually
    changes two groups, and once the first is packed its cost, well above its bound, often
    rules the second out. The dearest groups by bound go first: their packing moves the
    estimate the most. ``groups``: the allocation's."""
    shipped, lows = _bounds(setup, alloc, groups, memo)
    estimate = sum(lows)
    order = sorted(range(len(groups)), key=lambda i: -lows[i])
    cost = bound = 0
    for i in order:
        if _better(rival, _Score(shipped, estimate)):
            return None
        solved = _solve_group(setup, groups[i], memo, True)
        cost += solved.result.cost
        bound += solved.result.lower_bound
        estimate += solved.result.cost - lows[i]
    return _Score(shipped, cost, bound)


def _solve_to_beat(setup: _Setup, alloc: Allocation, memo: _Memo, rival: _Score) -> _Score | None:
    """``_score`` solved in full, or None as soon as the groups solved so far plus the lower
    bounds of the others show the allocation does not beat ``rival`` (scores no better):
    the caller then keeps ``rival`` either way, so the other groups need no full solve (the
    local search of a group costs far more than its heuristics). Groups already solved in
    full go first (they are known for free), then the dearest by bound."""
    groups = _groups(setup, alloc)
    final: list[bool] = []
    for group in groups:
        hit = memo.groups.get(_group_key(group))
        final.append(hit is not None and not hit.quick)
    shipped, lows = _bounds(setup, alloc, groups, memo, final)
    estimate = sum(lows)
    order = sorted(range(len(groups)), key=lambda i: (not final[i], -lows[i]))
    cost = bound = 0
    for i in order:
        if not _better(_Score(shipped, estimate), rival):
            return None
        solved = _solve_group(setup, groups[i], memo, False)
        cost += solved.result.cost
        bound += solved.result.lower_bound
        estimate += solved.result.cost - lows[i]
    return _Score(shipped, cost, bound)


def _better(a: _Score, b: _Score | None) -> bool:
    return b is None or (-a.shipped, a.cost) < (-b.shipped, b.cost)


def _may_move(setup: _Setup, ln: _Line, picks: Sequence[tuple[str, int]]) -> bool:
    """Can this line's units ship from another warehouse? Not pre-sale units (no stock yet),
    ship_alone lines or kits (their blocks span the rule), nor part of a line that may not be
    split (only the whole line, from one warehouse)."""
    if not picks or ln.ship_on > setup.today or ln.alone is not None or ln.kit is not None:
        return False
    return not (_whole_only(setup, ln) and len(picks) > 1)


def _whole_only(setup: _Setup, ln: _Line) -> bool:
    return not setup.ctx.allow_unit_split or ln.no_split is not None


def _spare(setup: _Setup, alloc: Allocation) -> dict[tuple[str, str], int]:
    """Stock per (warehouse, SKU) that the allocation leaves unused (pre-sale units take none)."""
    used: dict[tuple[str, str], int] = {}
    for lid, picks in alloc.picks.items():
        ln = setup.line_by_id[lid]
        if ln.ship_on > setup.today:
            continue
        sku = ln.line.sku
        for wh, q in picks:
            used[(wh, sku)] = used.get((wh, sku), 0) + q
    skus = {ln.line.sku for ln in setup.lines}
    return {
        (w.id, sku): max(w.available(sku), 0) - used.get((w.id, sku), 0)
        for w in setup.ctx.warehouses
        for sku in skus
    }


def _moved(
    setup: _Setup, alloc: Allocation, src: str, dst: str, units: dict[str, int]
) -> Allocation:
    """``alloc`` with ``units`` (line id -> units) shipped from ``dst`` instead of ``src``."""
    picks = dict(alloc.picks)
    for lid, k in units.items():
        if not k:
            continue
        new: dict[str, int] = {}
        for wh, q in picks[lid]:
            new[wh] = new.get(wh, 0) + q
        new[src] -= k
        new[dst] = new.get(dst, 0) + k
        picks[lid] = [(wh, q) for wh, q in new.items() if q > 0]
    return Allocation(picks=picks, shortfall=alloc.shortfall)


def _moves(setup: _Setup, alloc: Allocation) -> list[Allocation]:
    """Allocations one move away: some units of a line shipped from another warehouse that has
    them (whole lines where units may not be split)."""
    spare = _spare(setup, alloc)
    out: list[Allocation] = []
    for ln in setup.lines:
        lid = ln.line.id
        picks = alloc.picks.get(lid, [])
        if not _may_move(setup, ln, picks):
            continue
        whole_only = _whole_only(setup, ln)
        sku = ln.line.sku
        for src, a in picks:
            for w in setup.ctx.warehouses:
                if w.id == src:
                    continue
                free = spare[(w.id, sku)]
                if free <= 0:
                    continue
                sizes = [a] if whole_only else sorted({1, min(a, free), min(2, a, free)})
                for k in sizes:
                    if k <= free and k <= a:
                        out.append(_moved(setup, alloc, src, w.id, {lid: k}))
    return out


def _transfers(setup: _Setup, alloc: Allocation, memo: _Memo) -> list[Allocation]:
    """Allocations that move several lines' units at once from one warehouse to another, shaped
    by the current packing (one-unit moves rarely pay on their own: a parcel only gets cheaper
    when a whole price step or a whole parcel of content leaves it):

    * fill the free room of the receiving warehouse's parcels (what they can take without
      costing more), so the sending warehouse ships less at no extra cost there;
    * empty one of the sending warehouse's two lightest parcels into the receiving warehouse;
    * fill the receiving warehouse's lightest parcel up to each of the first LEVEL_FILLS price
      steps it passes, and as full as it can be; fill a new parcel as full as it can be.

    Units go heaviest first (one that does not fit is skipped for lighter ones); only what the
    receiving warehouse has in spare stock."""
    groups = [g for g in _groups(setup, alloc) if g.alone is None]
    spare0 = _spare(setup, alloc)
    by_place: dict[tuple[Address, date, str], _Solved] = {}
    for g in groups:
        by_place[(g.address, g.ship_on, g.warehouse_id)] = _solve_group(setup, g, memo, True)
    out: list[Allocation] = []
    for g in groups:
        src = g.warehouse_id
        sent = by_place[(g.address, g.ship_on, src)]
        if sent.packer is None:
            continue
        for w in setup.ctx.warehouses:
            dst = w.id
            if dst == src:
                continue
            room = _movable(setup, alloc, sent.packer, spare0, dst)
            if not room:
                continue
            got = by_place.get((g.address, g.ship_on, dst))
            both, pos, theirs = _receiving(setup, sent, got)
            movable = sorted((pos[sent.packer.kinds[i].key], i) for i in room)

            plans: list[dict[str, int]] = []
            if theirs:
                plans.append(_fill_parcels(both, [p.copy() for p in theirs], movable, room, None))
            mine = sorted(sent.result.parcels, key=lambda p: (p.weight, p.counts))
            for parcel in mine[:2]:
                if all(n <= room.get(i, 0) for i, n in enumerate(parcel.counts) if n):
                    units: dict[str, int] = {}
                    for i, n in enumerate(parcel.counts):
                        if n:
                            lid, q = sent.packer.kinds[i].key[0]
                            units[lid] = units.get(lid, 0) + q * n
                    plans.append(units)
            if theirs:
                # the receiver's lightest parcel filled as full as it can be, and filled up to
                # each of the first two price steps it passes on the way (a sender's parcel
                # often gets cheaper only for a well-chosen part of what the receiver could take)
                lightest = min(theirs, key=lambda p: (p.weight, p.counts))
                steps: list[int] = []
                full = _fill_parcels(both, [lightest.copy()], movable, room, INF - 1, steps)
                for cap in sorted(c for c in steps if c > lightest.cost)[:LEVEL_FILLS]:
                    plans.append(_fill_parcels(both, [lightest.copy()], movable, room, cap))
                plans.append(full)
            plans.append(_fill_parcels(both, [both.empty()], movable, room, INF - 1))
            for units in plans:
                if units:
                    out.append(_moved(setup, alloc, src, dst, units))
    return out


def _movable(
    setup: _Setup,
    alloc: Allocation,
    packer: Packer,
    spare0: dict[tuple[str, str], int],
    dst: str,
) -> dict[int, int]:
    """The sending group's blocks (``packer``'s, in its order) that warehouse ``dst`` could
    ship instead: index -> most blocks, within its spare stock."""
    room: dict[int, int] = {}
    for i, k in enumerate(packer.kinds):
        if len(k.key) != 1:
            continue
        lid, q = k.key[0]
        ln = setup.line_by_id[lid]
        if not _may_move(setup, ln, alloc.picks.get(lid, [])):
            continue
        n = min(k.count, spare0[(dst, ln.line.sku)] // q)
        if n > 0:
            room[i] = n
    return room


def _receiving(
    setup: _Setup, sent: _Solved, got: _Solved | None
) -> tuple[Packer, dict[tuple[tuple[str, int], ...], int], list[Parcel]]:
    """A packer of the sending group's blocks and the receiving warehouse's (same place),
    each block's index in it, and the receiver's parcels rebuilt in it (none when the
    receiver ships nothing there yet)."""
    assert sent.packer is not None
    kinds = list(sent.packer.kinds)
    index = {k.key: i for i, k in enumerate(kinds)}
    if got is not None and got.packer is not None:
        for k in got.packer.kinds:
            if k.key not in index:
                index[k.key] = len(kinds)
                kinds.append(k)
    caps = [c.limit for c in setup.caps]
    every = (1 << len(setup.channels)) - 1
    both = Packer(kinds, sent.pricer, caps, setup.seg_masks, every)
    pos = {k.key: i for i, k in enumerate(both.kinds)}
    theirs: list[Parcel] = []
    if got is not None and got.packer is not None:
        for parcel in got.result.parcels:
            counts = [0] * both.n
            for k, n in zip(got.packer.kinds, parcel.counts, strict=True):
                counts[pos[k.key]] += n
            theirs.append(both.rebuild(counts))
    return both, pos, theirs


def _scatters(setup: _Setup, alloc: Allocation, memo: _Memo) -> list[Allocation]:
    """Allocations that reshape a warehouse's packing in ways transfers do not:

    * empty one of its parcels into several other warehouses at once, each block (heaviest
      first) where it adds the least cost, into a parcel the receiver ships anyway or a new
      one: a transfer empties a parcel into one warehouse only, and when no one warehouse has
      the stock for all of it, emptying it takes two (only those needing two or more);
    * shed just enough weight into one other warehouse that its other parcels, each filled as
      full as its heaviest, could hold its lightest: one parcel fewer, if the packing finds
      it. A transfer fills by the receiver's price steps, which rarely match what the sender
      must lose."""
    groups = [g for g in _groups(setup, alloc) if g.alone is None]
    spare0 = _spare(setup, alloc)
    by_place: dict[tuple[Address, date, str], _Solved] = {}
    for g in groups:
        by_place[(g.address, g.ship_on, g.warehouse_id)] = _solve_group(setup, g, memo, True)
    several = len(setup.ctx.warehouses) > 2
    out: list[Allocation] = []
    for g in groups:
        src = g.warehouse_id
        sent = by_place[(g.address, g.ship_on, src)]
        packer = sent.packer
        if packer is None:
            continue
        mine = sorted(sent.result.parcels, key=lambda p: (p.weight, p.counts))
        excess = 0
        if len(mine) > 1:
            room = sum(mine[-1].weight - p.weight for p in mine[1:])
            excess = mine[0].weight - room
        scatter = [
            p for p in mine if several and _may_scatter(setup, alloc, packer, p, src, spare0)
        ]
        if not scatter and excess <= 0:
            continue  # (the receivers' packers cost more than the rest of this)
        takers = [
            (w.id, *_receiving(setup, sent, by_place.get((g.address, g.ship_on, w.id))))
            for w in setup.ctx.warehouses
            if w.id != src
        ]
        for parcel in scatter:
            units = _scatter(setup, packer, parcel, takers, spare0)
            if units is not None and len(units) > 1:
                cand = alloc
                for dst, moved in units.items():
                    cand = _moved(setup, cand, src, dst, moved)
                out.append(cand)
        if excess > 0:
            for dst, both, pos, theirs in takers:
                shed = _shed(setup, alloc, packer, both, pos, theirs, spare0, dst, excess)
                if shed:
                    out.append(_moved(setup, alloc, src, dst, shed))
    return out


def _may_scatter(
    setup: _Setup,
    alloc: Allocation,
    packer: Packer,
    parcel: Parcel,
    src: str,
    spare0: dict[tuple[str, str], int],
) -> bool:
    """Could ``parcel`` (of ``src``) be emptied into other warehouses? Two blocks at least,
    each movable and in another warehouse's spare stock."""
    blocks = 0
    for i, n in enumerate(parcel.counts):
        if not n:
            continue
        blocks += n
        k = packer.kinds[i]
        if len(k.key) != 1:
            return False
        lid, q = k.key[0]
        ln = setup.line_by_id[lid]
        if not _may_move(setup, ln, alloc.picks.get(lid, [])):
            return False
        sku = ln.line.sku
        if not any(spare0[(w.id, sku)] >= q for w in setup.ctx.warehouses if w.id != src):
            return False
    return blocks > 1


def _shed(
    setup: _Setup,
    alloc: Allocation,
    packer: Packer,
    both: Packer,
    pos: dict[tuple[tuple[str, int], ...], int],
    theirs: list[Parcel],
    spare0: dict[tuple[str, str], int],
    dst: str,
    excess: int,
) -> dict[str, int]:
    """Units per line that move at least ``excess`` grams of ``packer``'s blocks, heaviest
    first, into the receiver's lightest parcel (a new one if it has none); empty if they do not
    fit there."""
    target = min(theirs, key=lambda p: (p.weight, p.counts)).copy() if theirs else both.empty()
    moved = 0
    units: dict[str, int] = {}
    for i, n in _movable(setup, alloc, packer, spare0, dst).items():  # heaviest first
        if moved >= excess:
            break
        k = packer.kinds[i]
        lid, q = k.key[0]
        j = pos[k.key]
        while n > 0 and moved < excess:
            c, o = both.cost_with(target, j)
            if c >= INF:
                break
            both.add(target, j, 1, c, o)
            moved += k.weight
            units[lid] = units.get(lid, 0) + q
            n -= 1
    return units if moved >= excess else {}


def _scatter(
    setup: _Setup,
    packer: Packer,
    parcel: Parcel,
    takers: Sequence[tuple[str, Packer, dict[tuple[tuple[str, int], ...], int], list[Parcel]]],
    spare0: dict[tuple[str, str], int],
) -> dict[str, dict[str, int]] | None:
    """Units per receiving warehouse and line that empty ``parcel`` (of ``packer``'s group,
    ``_may_scatter``) into ``takers`` (warehouse, packer of both groups, block index, its
    parcels), each block where it adds the least cost; None when a block has no taker."""
    spare = dict(spare0)
    parcels = [[p.copy() for p in theirs] + [both.empty()] for _, both, _, theirs in takers]
    units: dict[str, dict[str, int]] = {}
    for i, n in enumerate(parcel.counts):  # (the packer's kinds go heaviest first)
        if not n:
            continue
        k = packer.kinds[i]
        lid, q = k.key[0]
        sku = setup.line_by_id[lid].line.sku
        for _ in range(n):
            best: tuple[int, int, int, int, int] | None = None  # (added, taker, parcel, ...)
            for t, (dst, both, pos, _) in enumerate(takers):
                if spare[(dst, sku)] < q:
                    continue
                j = pos[k.key]
                for x, p in enumerate(parcels[t]):
                    c, o = both.cost_with(p, j)
                    if c < INF and (best is None or c - p.cost < best[0]):
                        best = (c - p.cost, t, x, c, o)
            if best is None:
                return None
            _, t, x, c, o = best
            dst, both, pos, _ = takers[t]
            ps = parcels[t]
            both.add(ps[x], pos[k.key], 1, c, o)
            if x == len(ps) - 1:
                ps.append(both.empty())  # a new parcel was opened: offer another
            spare[(dst, sku)] -= q
            got = units.setdefault(dst, {})
            got[lid] = got.get(lid, 0) + q
    return units


def _fill_parcels(
    both: Packer,
    parcels: list[Parcel],
    movable: Sequence[tuple[int, int]],
    room: dict[int, int],
    limit: int | None,
    steps: list[int] | None = None,
) -> dict[str, int]:
    """Add the movable blocks (``both``'s index, sender's index), heaviest first, to
    ``parcels`` while each fits and keeps the parcel's cost within ``limit`` (None: its own
    cost, i.e. only what it takes for free); a block that does not is skipped for lighter ones.
    Returns the units added per line; ``steps`` collects the costs the parcels went through.
    ``room``: how many blocks of each the receiving warehouse can take."""
    left = dict(room)
    units: dict[str, int] = {}
    for p in parcels:
        cap = p.cost if limit is None else limit
        for j, i in movable:
            while left[i] > 0:
                c, o = both.cost_with(p, j)
                if c > cap:
                    break
                both.add(p, j, 1, c, o)
                if steps is not None and c not in steps:
                    steps.append(c)
                left[i] -= 1
                lid, q = both.kinds[j].key[0]
                units[lid] = units.get(lid, 0) + q
    return units


def _may_beat(
    setup: _Setup,
    alloc: Allocation,
    score: _Score,
    memo: _Memo,
    groups: list[_Group] | None = None,
) -> bool:
    """Could the heuristics price ``alloc`` below ``score``? Its groups' known costs plus the
    lower bounds of the others say "no" without packing them, which is most of the work:
    first with the bounds of the pooled units (nothing to prepare), then with each group's
    own (tighter) bound. ``groups``: the allocation's, when the caller has them already."""
    if groups is None:
        groups = _groups(setup, alloc)
    if _pooled_rules_out(setup, alloc, score, memo, groups):
        return False
    shipped, lows = _bounds(setup, alloc, groups, memo)
    return _better(_Score(shipped, sum(lows)), score)


def _bounds(
    setup: _Setup,
    alloc: Allocation,
    groups: list[_Group],
    memo: _Memo,
    packed: Sequence[bool] | None = None,
) -> tuple[int, list[int]]:
    """Minus the units the allocation cannot ship (known before packing), and per group the
    ``_group_bound`` (``packed``: per group, whether its known packing cost counts)."""
    shipped = -sum(alloc.shortfall.values())
    lows: list[int] = []
    for i, group in enumerate(groups):
        bad, low = _group_bound(setup, group, memo, True if packed is None else packed[i])
        shipped -= bad
        lows.append(low)
    return shipped, lows


def _pooled_rules_out(
    setup: _Setup, alloc: Allocation, score: _Score, memo: _Memo, groups: list[_Group]
) -> bool:
    """Do the allocation's groups' known costs plus the pooled bounds of the others show that
    the heuristics cannot price it below ``score``? (The cheap first screen of ``_may_beat``.)"""
    cost = _pooled_estimate(setup, memo, groups)
    # (units that cannot ship are left out: the estimate only errs towards "maybe")
    return cost is not None and not _better(_Score(-sum(alloc.shortfall.values()), cost), score)


def _pooled_estimate(setup: _Setup, memo: _Memo, groups: list[_Group]) -> int | None:
    """The groups' known costs plus the pooled bounds of the others: a lower bound of what
    the heuristics price them at (None when a group has no pooled bound)."""
    cost = 0
    for group in groups:
        key = _group_key(group)
        hit = memo.groups.get(key)
        if hit is not None:
            low: int | None = hit.result.cost
        elif key in memo.pooled:
            # the same content recurs across candidates and rounds (the warehouse a candidate
            # leaves alone, the sender of several moves)
            low = memo.pooled[key]
        else:
            low = memo.pooled[key] = _pooled_bound(setup, group, memo)
        if low is None:
            return None
        cost += low
    return cost


def _pooled_bound(setup: _Setup, group: _Group, memo: _Memo) -> int | None:
    """A lower bound of the group's cost from the packer of every unit that may share a parcel
    with it (same address and ship date, any warehouse): that packer knows every block and
    price level a part of those units can use, so its bound holds for any part. None when the
    group holds a block the pool does not (a kit, part of an unsplittable line)."""
    if group.alone is not None:
        return None
    place = (group.address, group.ship_on)
    pool = memo.pools.get(place)
    if pool is None:
        parts = [
            (ln, ln.qty)
            for ln in setup.lines
            if ln.alone is None and ln.address == group.address and ln.ship_on == group.ship_on
        ]
        # the same group as the one-warehouse bound's (its packer is shared)
        pooled = _Group(group.address, "", group.ship_on, parts)
        key = _group_key(pooled)
        hit = memo.groups.get(key)
        if hit is not None:
            packer = hit.packer
        else:
            if key not in memo.prepared:
                memo.prepared[key] = _prepare_group(setup, pooled)
            packer = memo.prepared[key].packer
        index = {} if packer is None else {k.key: i for i, k in enumerate(packer.kinds)}
        pool = memo.pools[place] = (packer, index)
    packer, index = pool
    if packer is None:
        return None
    counts = [0] * packer.n
    for ln, q in group.parts:
        if ln.kit is not None:
            return None
        lid = ln.line.id
        i = index.get(((lid, 1),))
        if i is not None:
            counts[i] += q
            continue
        i = index.get(((lid, q),))
        if i is None:
            return None
        counts[i] += 1
    return packer.lower_bound(counts)


_AllocKey = tuple[object, ...]


def _alloc_key(alloc: Allocation, line_ids: Sequence[str]) -> _AllocKey:
    """What the allocation ships from where, the same for equal allocations: per line (in the
    order of ``line_ids``, every line of the order) its one pick as it is, or its picks sorted
    (one pick, a tuple of several and none never equal each other). Made for every candidate
    screened: reusing the picks' own tuples is much cheaper than sorting the lines by id."""
    picks = alloc.picks
    out: list[object] = []
    for lid in line_ids:
        ps = picks.get(lid)
        if ps is None:
            out.append(None)
        elif len(ps) == 1:
            out.append(ps[0])
        else:
            out.append(tuple(sorted(ps)))
    return tuple(out)


@dataclass
class _Screens:
    """A budget of candidate allocations to screen by their bound; an allocation already seen
    (``seen`` may be shared between budgets) is never screened again."""

    seen: set[_AllocKey]
    left: int
    line_ids: list[str]

    def admit(self, cand: Allocation) -> bool | None:
        """True: screen ``cand`` (counted); False: seen before; None: the budget is spent."""
        if self.left <= 0:
            return None
        key = _alloc_key(cand, self.line_ids)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.left -= 1
        return True


@dataclass
class _Round:
    """One round of the allocation search: the best candidate so far against the allocation
    it started from (``score``)."""

    score: _Score
    best: tuple[Allocation, _Score] | None = None
    tie: tuple[Allocation, _Score] | None = None  # the first that scores the same

    def weigh(
        self,
        setup: _Setup,
        cand: Allocation,
        memo: _Memo,
        promising: list[tuple[Allocation, _Score]],
        groups: list[_Group] | None = None,
    ) -> bool | None:
        """Pack ``cand`` with the heuristics unless its bound rules it out (None); True when it
        is the round's new best. Candidates the heuristics do not price lower but whose bound
        is lower go to ``promising``. ``groups``: the candidate's, when the caller has them."""
        score = self.score
        rival = self.best[1] if self.best is not None else score
        if groups is None:
            groups = _groups(setup, cand)
        if not _may_beat(setup, cand, rival, memo, groups):
            return None
        sc = _score_to_beat(setup, cand, groups, memo, rival)
        if sc is None:
            # worse than the round's best, so also worse than the search's final best: it
            # would neither win nor be kept among the promising ones below
            return False
        if _better(sc, score) and (self.best is None or _better(sc, self.best[1])):
            self.best = (cand, sc)
            return True
        if sc.shipped >= score.shipped and sc.bound < score.cost:
            promising.append((cand, sc))
        if self.tie is None and sc.shipped == score.shipped and sc.cost == score.cost:
            self.tie = (cand, sc)
        return False

    def at_bound(self, setup: _Setup, memo: _Memo) -> bool:
        """Does the round's best already cost what the order would from one warehouse?"""
        return self.best is not None and _at_relaxed_bound(setup, *self.best, memo)


def _improve_allocation(
    setup: _Setup,
    alloc: Allocation,
    score: _Score,
    memo: _Memo,
    promising: list[tuple[Allocation, _Score]],
    left: list[tuple[Allocation, _Score]],
    rounds: int = 8,
) -> tuple[Allocation, _Score]:
    """Move units between warehouses while that lowers the (heuristic) cost, packing at most
    ``MOVE_EVALS`` one-line moves and ``TRANSFER_EVALS`` transfers (fewer for big orders: each
    costs a packing of two groups) among at most ``SCREENS`` allocations screened by their
    bound. Big orders keep at least ``TRANSFER_FLOOR`` transfers and screen ``BIG_SCREENS``:
    with fragmented stock, transfers are what finds their cheaper allocations (on 106 orders of
    50-200 units, 18 came out 0.1-3.3 % cheaper, none dearer, for about a third more time),
    and get these budgets afresh after each round that finds a cheaper allocation.
    Allocations the heuristics do not price lower but whose bound is lower go to
    ``promising`` (the heuristics miss some tight packings). Big orders may once move on to
    an allocation that the heuristics price the same (the first such candidate of a round
    that finds nothing cheaper), with at most 2 more transfers: a move that costs as much as
    it saves often opens the way to one that pays (on 940 check orders, 10 of 50-200 units
    came out 0.15-3.6 % cheaper). The allocation moved on from goes to ``left``: solved in
    full it may still be the cheaper (without that, one plan came out 0.2 % dearer)."""
    units = sum(ln.qty for ln in setup.lines)
    evals = MOVE_EVALS * MOVE_UNITS // max(units, MOVE_UNITS)
    transfers = max(TRANSFER_EVALS * MOVE_UNITS // max(units, MOVE_UNITS), TRANSFER_FLOOR)
    line_ids = [ln.line.id for ln in setup.lines]
    seen = {_alloc_key(alloc, line_ids)}
    # only the allocations that pass the bound screen are packed, so count those; the screen
    # itself (cheap) has a budget of its own
    screens = _Screens(seen, SCREENS if units <= MOVE_UNITS else BIG_SCREENS, line_ids)
    swaps = SWAP_EVALS * MOVE_UNITS // max(units, MOVE_UNITS)
    swap_screens = _Screens(seen, SWAP_SCREENS, line_ids)
    scatters = SCATTER_EVALS
    plateaus = 1 if units > MOVE_UNITS else 0
    scatter_screens = _Screens(seen, SCATTER_SCREENS, line_ids)
    fresh = (evals, transfers, screens.left)
    for _ in range(rounds):
        rnd = _Round(score)
        singles = _transfers(setup, alloc, memo) if transfers > 0 else []
        # big orders pack few candidates: the likeliest first (screened, so already seen)
        ranked = units > MOVE_UNITS
        order: list[tuple[Allocation, list[_Group] | None]] = (
            _by_estimate(setup, singles, memo, screens, score)
            if ranked
            else [(cand, None) for cand in singles]
        )
        for cand, groups in order:
            if transfers <= 0:
                break
            if not ranked:
                admitted = screens.admit(cand)
                if admitted is None:
                    break
                if not admitted:
                    continue
            found = rnd.weigh(setup, cand, memo, promising, groups)
            if found is None:
                continue
            transfers -= 1
            if found and rnd.at_bound(setup, memo):
                break  # no allocation costs less
        moves = _moves(setup, alloc)
        order = [(cand, None) for cand in moves]  # (groups made when weighed)
        if ranked and evals > 0 and not rnd.at_bound(setup, memo):
            order = _by_estimate(setup, moves, memo, screens, score)
        for cand, groups in order:
            if evals <= 0 or rnd.at_bound(setup, memo):
                break
            if not ranked:
                admitted = screens.admit(cand)
                if admitted is None:
                    break
                if not admitted:
                    continue
            if rnd.weigh(setup, cand, memo, promising, groups) is not None:
                evals -= 1
        if swaps > 0 and swap_screens.left > 0 and not rnd.at_bound(setup, memo):
            # Units may have to change places both ways between two warehouses: each half
            # alone often only shifts cost from one warehouse to the other, so neither a
            # transfer nor a move finds it. Pairs are many (quadratic in the steps above), so
            # they are screened and packed within budgets of their own, kept small because
            # they rarely pay.
            for cand in _swaps(setup, alloc, [*singles, *moves]):
                if swaps <= 0:
                    break
                admitted = swap_screens.admit(cand)
                if admitted is None:
                    break
                if not admitted:
                    continue
                found = rnd.weigh(setup, cand, memo, promising)
                if found is None:
                    continue
                swaps -= 1
                if found and rnd.at_bound(setup, memo):
                    break
        if rnd.best is None and scatters > 0:
            # Nothing above paid: scatters and sheds (their own budget, spent only where the
            # search would otherwise stop, so they never change the path to this point)
            ranked_scatters = _by_estimate(
                setup, _scatters(setup, alloc, memo), memo, scatter_screens, score
            )
            for cand, groups in ranked_scatters:
                if scatters <= 0:
                    break
                if rnd.weigh(setup, cand, memo, promising, groups) is not None:
                    scatters -= 1
        best = rnd.best
        tied = best is None and rnd.tie is not None and plateaus > 0
        if tied:
            # (the round's unspent budgets found the same plans among 940 orders; fresh ones
            # found 11 more, for a third more time on big orders)
            plateaus -= 1
            left.append((alloc, score))
            best = rnd.tie
            evals, transfers = 0, min(transfers, 2)
        if best is None:
            break
        alloc, score = best
        scatters = SCATTER_EVALS  # (a new allocation: its parcels differ)
        if _at_relaxed_bound(setup, alloc, score, memo):
            break
        if ranked and not tied:
            # a round that found a cheaper allocation earns the next a fresh budget: with
            # fragmented stock, gains come in chains (a transfer into a warehouse that must
            # ship anyway makes room for the next one out of the sender), and a budget spent
            # on the first links left big orders short of the last (on 310 orders of 50-200
            # units, 40 came out 0.2-4 % cheaper); ``rounds`` still ends the chain. Smaller
            # orders have budgets to spare: on 500 of up to 30 units, fresh ones changed no
            # plan, so they are not given them
            evals, transfers = max(evals, fresh[0]), max(transfers, fresh[1])
            screens.left = max(screens.left, fresh[2])
    return alloc, score


def _by_estimate(
    setup: _Setup,
    cands: Sequence[Allocation],
    memo: _Memo,
    screens: _Screens,
    score: _Score,
) -> list[tuple[Allocation, list[_Group] | None]]:
    """The candidates ``screens`` admits, with their groups, cheapest estimate first (units
    short, then the known costs of their groups plus the pooled bounds of the others, as in
    ``_pooled_rules_out``; each group's own bound where a group has no pooled one). Big
    orders pack only a few candidates per round: those are then the likeliest to win rather
    than the first generated. The pooled bounds need no packer per candidate group, which
    the screen used to build for every candidate (half the time of a big order's search);
    ``_may_beat`` still builds one for each candidate that is weighed. One that the pooled
    bounds rule out against the round's starting ``score`` is screened but left out: it
    would be ruled out whenever it came (the best to beat only gets lower)."""
    ranked: list[tuple[int, int, int, Allocation, list[_Group]]] = []
    for cand in cands:
        admitted = screens.admit(cand)
        if admitted is None:
            break
        if not admitted:
            continue
        groups = _groups(setup, cand)
        short = sum(cand.shortfall.values())
        estimate = _pooled_estimate(setup, memo, groups)
        if estimate is None:
            shipped, lows = _bounds(setup, cand, groups, memo)
            short, estimate = -shipped, sum(lows)
        elif not _better(_Score(-short, estimate), score):
            continue
        ranked.append((short, estimate, len(ranked), cand, groups))
    ranked.sort(key=lambda r: r[:3])
    return [(r[3], r[4]) for r in ranked]


def _delta(alloc: Allocation, cand: Allocation) -> tuple[str, str, dict[str, int]] | None:
    """(sending warehouse, receiving warehouse, units per line) of a candidate that moves units
    from one warehouse to one other (None for anything else)."""
    src = dst = ""
    units: dict[str, int] = {}
    for lid, picks in cand.picks.items():
        if picks is alloc.picks.get(lid):
            continue  # ``_moved`` keeps the lines it leaves alone
        before = dict(alloc.picks.get(lid, []))
        after = dict(picks)
        for wh in sorted(before.keys() | after.keys()):
            d = after.get(wh, 0) - before.get(wh, 0)
            if d < 0:
                if src not in ("", wh):
                    return None
                src = wh
                units[lid] = units.get(lid, 0) - d
            elif d > 0:
                if dst not in ("", wh):
                    return None
                dst = wh
    return (src, dst, units) if src and dst else None


def _swaps(setup: _Setup, alloc: Allocation, singles: Sequence[Allocation]) -> Iterator[Allocation]:
    """Pairs of the given one-way candidates (transfers first, then moves) that move units in
    opposite directions between the same two warehouses, in the order of the first of each
    pair; generated lazily, since only a few are screened. Their SKUs (hence lines) are
    disjoint, so each half still finds the stock it was checked against and the units it moves:
    the pair is a valid allocation."""
    deltas = [d for c in singles if (d := _delta(alloc, c)) is not None]
    skus = [{setup.line_by_id[lid].line.sku for lid in units} for _, _, units in deltas]
    for i, (src, dst, units) in enumerate(deltas):
        there = _moved(setup, alloc, src, dst, units)
        for j in range(i + 1, len(deltas)):
            back_src, back_dst, back = deltas[j]
            if (back_src, back_dst) != (dst, src) or skus[i] & skus[j]:
                continue
            yield _moved(setup, there, back_src, back_dst, back)
    # Then two senders into one receiver at once: a warehouse that ships anyway takes a small
    # group from one warehouse (which then ships nothing) and units from another; each half
    # alone often saves nothing. Within the receiver's spare stock for both halves together.
    spare = _spare(setup, alloc)
    for i, (src, dst, units) in enumerate(deltas):
        first: Allocation | None = None
        for j in range(i + 1, len(deltas)):
            src2, dst2, units2 = deltas[j]
            if dst2 != dst or src2 == src:
                continue
            need: dict[str, int] = {}
            for half in (units, units2):
                for lid, q in half.items():
                    sku = setup.line_by_id[lid].line.sku
                    need[sku] = need.get(sku, 0) + q
            if any(q > spare[(dst, sku)] for sku, q in need.items()):
                continue
            if first is None:
                first = _moved(setup, alloc, src, dst, units)
            yield _moved(setup, first, src2, dst2, units2)


def _relaxed_bound(setup: _Setup, alloc: Allocation, memo: _Memo) -> int | None:
    """What the order would cost at least if every unit were in one warehouse: a lower bound
    for every allocation that ships the same units (None when it does not apply: units short,
    or blocks that span several units, since kits and unsplittable lines differ between
    allocations)."""
    if alloc.shortfall:
        return None
    if not memo.relaxed_known:
        memo.relaxed_known = True
        if not any(ln.kit is not None or ln.no_split is not None for ln in setup.lines):
            # with no units short every such allocation ships the same units: one bound
            bound = 0
            for group in _groups(setup, _one_warehouse(setup, alloc)):
                if sum(q for _, q in group.parts) <= TINY:
                    # a handful of units: their exhaustive packing is proven optimal, tighter
                    # than the covering bound and cheaper than building its tables
                    solved = _solve_group(setup, group, memo, quick=False)
                    if solved.unship:
                        return None
                    if solved.result.proven:
                        bound += solved.result.cost
                        continue
                unship, low = _group_bound(setup, group, memo, packed=False)
                if unship:
                    return None
                bound += low
            memo.relaxed = bound
    return memo.relaxed


def _at_relaxed_bound(setup: _Setup, alloc: Allocation, score: _Score, memo: _Memo) -> bool:
    """Does this allocation already cost what it would cost from one warehouse? (Then no
    allocation that ships the same units is cheaper.)"""
    if score.shipped < 0:
        return False
    bound = _relaxed_bound(setup, alloc, memo)
    return bound is not None and score.cost <= bound


def _one_warehouse(setup: _Setup, alloc: Allocation) -> Allocation:
    """``alloc`` with every pick moved to one (imaginary) warehouse."""
    picks = {lid: [("", sum(q for _, q in ps))] for lid, ps in alloc.picks.items()}
    return Allocation(picks=picks, shortfall=alloc.shortfall)


def _plan_allocation(setup: _Setup, alloc: Allocation, memo: _Memo) -> _Outcome:
    packages: list[PlannedPackage] = []
    unship: list[Unshippable] = []
    notes: list[Reason] = []
    total = 0
    proven = True
    groups = memo.groups_of(setup, alloc)
    if setup.has_kits:
        notes.extend(_split_kits(setup, groups))
    line_by_id = setup.line_by_id
    for line_id, q in alloc.shortfall.items():
        unship.append(Unshippable(line_id, q, rs.no_stock(line_by_id[line_id].line.sku)))
    if len(groups) > 1:
        whs = sorted({g.warehouse_id for g in groups})
        multi = {
            # addresses are canonical objects per call (``_setup``)
            "destination": len({id(g.address) for g in groups}) > 1,
            "warehouse": len(whs) > 1,
            "wave": len({g.ship_on for g in groups}) > 1,
        }
    else:
        whs = [g.warehouse_id for g in groups]
        multi = {"destination": False, "warehouse": False, "wave": False}
    for group in groups:
        solved = _solve_group(setup, group, memo, quick=False)
        unship.extend(solved.unship)
        notes.extend(solved.notes)
        packer, result, pricer = solved.packer, solved.result, solved.pricer
        if packer is None:
            continue
        proven = proven and result.proven
        group_reasons: list[Reason] = []
        if len(result.parcels) > 1:
            group_reasons = setup.why_not_one(packer.kinds, [k.count for k in packer.kinds], pricer)
            if not group_reasons:
                single = _single_cost(setup, packer.kinds, pricer)
                saved = single - sum(p.cost // SCALE for p in result.parcels)
                group_reasons = [rs.cheaper_split(saved)]
        for parcel in result.parcels:
            pkg = _package(setup, group, packer, pricer, parcel)
            why: list[Reason] = []
            if multi["destination"]:
                why.append(rs.destination(group.address.country, group.address.city))
            if multi["warehouse"]:
                why.append(rs.stock_location(whs))
            if multi["wave"]:
                why.append(rs.availability(group.ship_on.isoformat()))
            if group.alone is not None:
                why.append(rs.rule(group.alone.id, group.alone.type))
            if setup.has_kits:  # (only a kit makes a block of several lines)
                for k, n in zip(packer.kinds, parcel.counts, strict=True):
                    if n and len(k.key) > 1:
                        kit_rule = line_by_id[k.key[0][0]].kit
                        if kit_rule is not None:
                            why.append(rs.rule(kit_rule.id, kit_rule.type))
            why.extend(group_reasons)
            if setup.pref_rules:
                for line_id in pkg.items:
                    for rid in setup.pref_rules.get(line_id, []):
                        if any(r.code == rs.RULE_UNMET for r in group_reasons):
                            why.append(rs.rule(rid, "channel_preference"))
            if not pkg.on_time and setup.order.deliver_by is not None:
                why.append(rs.late(setup.order.deliver_by.isoformat()))
            if why:
                pkg.reasons.extend(_dedup(why))  # the package's own list, built just above
            packages.append(pkg)
            total += pkg.cost
    return _Outcome(packages, unship, notes, total, proven)


def _split_kits(setup: _Setup, groups: list[_Group]) -> list[Reason]:
    """A kit whose lines ended up in different groups (warehouse, date, address) is broken."""
    where: dict[str, set[int]] = {}
    rules: dict[str, KeepTogether] = {}
    for gi, g in enumerate(groups):
        for ln, _ in g.parts:
            if ln.kit is not None:
                where.setdefault(ln.kit.id, set()).add(gi)
                rules[ln.kit.id] = ln.kit
    out = []
    for rid, gis in where.items():
        if len(gis) > 1:
            out.append(
                rs.rule_unmet(
                    rid,
                    "keep_together",
                    "its items ship from different warehouses, dates or addresses",
                    "套装商品来自不同仓库、发货日期或地址",
                )
            )
    return out


def _single_cost(setup: _Setup, kinds: Sequence[Kind], pricer: BinPricer) -> int:
    weight = volume = units = value = tags = 0
    d = [0, 0, 0]
    chmask = -1
    for k in kinds:
        weight += k.weight * k.count
        volume += k.volume * k.count
        units += k.units * k.count
        value += k.value * k.count
        tags |= k.tags
        d = [max(a, b) for a, b in zip(d, k.dims, strict=True)]
        chmask &= k.chmask
    cost, _ = pricer.cost(weight, volume, units, value, tags, d[0], d[1], d[2], chmask)
    return cost // SCALE if cost < INF else INF


def _package(
    setup: _Setup, group: _Group, packer: Packer, pricer: BinPricer, parcel: Parcel
) -> PlannedPackage:
    items: dict[str, int] = {}
    for k, n in zip(packer.kinds, parcel.counts, strict=True):
        for line_id, q in k.key:
            if n:
                items[line_id] = items.get(line_id, 0) + q * n
    opt: Option = pricer.option(parcel.option)
    index = setup.channel_index(opt)
    ch = setup.channels[index]
    by_id = setup.line_by_id
    attrs = [(by_id[lid].line.attributes, q) for lid, q in items.items()]
    country = group.address.country
    # the shared limit check (the one manual edits use), then the price as ``quote`` makes it
    measure = measure_package(attrs, opt.box)
    problems = check_package(attrs, opt.box, ch, country, setup.segregation, measure=measure)
    chargeable = ch.chargeable_weight_g(measure.weight_g, measure.outer)
    price = ch.price(opt.zone, chargeable)
    if problems or price is None or price + setup.handling != parcel.cost // SCALE:
        raise AssertionError(
            f"planner bug: parcel {items} on {ch.id}/{opt.box.id if opt.box else '-'} "
            f"fails the shared limit check: {[p.message for p in problems]}"
        )
    # ``setup.eta`` and ``setup.on_time`` of the context's own channel ``ch`` (the option's zone
    # is the channel's zone for this address), from the dates the channels were ranked by
    _, on_time = setup.timing(group.address, group.ship_on)
    est = setup.estimates(group.address, group.ship_on)[index]
    return PlannedPackage(
        items,
        group.warehouse_id,
        opt.box.id if opt.box else None,
        ch.id,
        opt.zone,
        chargeable,
        price,
        setup.handling,
        est.earliest if est else None,
        est.latest if est else None,
        bool(on_time & opt.channel_bit),
        [],  # reasons
        group.address,
        group.ship_on,
    )


def _dedup(reasons: Sequence[Reason]) -> list[Reason]:
    seen: set[tuple[str, str]] = set()
    out = []
    for r in reasons:
        if (r.code, r.en) not in seen:
            seen.add((r.code, r.en))
            out.append(r)
    return out


def plan(order: Order, context: PlanningContext) -> Plan:
    """Propose parcels for the order's unassigned units; the order is not changed."""
    setup = _setup(order, context)
    memo = _Memo()
    allocations = _allocations(setup)
    # Compare allocations with the heuristics first (an exact cost is never above a heuristic
    # one), improve the best by moving units between warehouses, then solve it exactly and any
    # other whose heuristic cost could still beat it.
    search = len(allocations) > 1 or (
        setup.strategy == "fewest_packages" and context.stock_check and len(context.warehouses) > 1
    )
    scored = [(allocations[0], _score(setup, allocations[0], memo, quick=search))]
    if search and _at_relaxed_bound(setup, allocations[0], scored[0][1], memo):
        search = False  # no allocation can do better
        allocations = allocations[:1]
    alloc, score = scored[0]
    first = 0
    promising: list[tuple[Allocation, _Score]] = []
    left: list[tuple[Allocation, _Score]] = []  # where the search moved on at equal cost
    for cand in allocations[1:]:
        # one whose bound cannot beat the best so far never wins, not even solved in full
        # (its exact cost is at least its bound, the best's exact cost at most its heuristic)
        if not _may_beat(setup, cand, score, memo):
            continue
        sc = _score(setup, cand, memo, quick=search)
        scored.append((cand, sc))
        if _better(sc, score):
            alloc, score, first = cand, sc, len(scored) - 1
    if (
        search
        and setup.strategy == "fewest_packages"
        and context.stock_check
        and not _at_relaxed_bound(setup, alloc, score, memo)
    ):
        improved, sc = _improve_allocation(setup, alloc, score, memo, promising, left)
        if improved is not alloc:
            scored.append((improved, sc))
            alloc, score = improved, sc
    if search:
        # the heuristic costs only bound the exact ones from above: solve the best allocation
        # before the moves exactly too, and any other that might still win
        # (unless no allocation can beat it, or the other's bound already rules it out)
        heuristic = score
        score = _score(setup, alloc, memo, quick=False)
        for k, (cand, sc) in enumerate(scored):
            if _at_relaxed_bound(setup, alloc, score, memo):
                break
            if cand is alloc or (sc.shipped <= score.shipped and sc.bound >= score.cost):
                continue
            if k == first or _better(sc, score):
                exact = _solve_to_beat(setup, cand, memo, score)
                if exact is not None and _better(exact, score):
                    alloc, score = cand, exact
        for cand, _ in left:
            # the heuristics priced the allocation the search moved on from as low as the
            # one it moved to, but solved in full either may be the cheaper
            if not _at_relaxed_bound(setup, alloc, score, memo):
                exact = _solve_to_beat(setup, cand, memo, score)
                if exact is not None and _better(exact, score):
                    alloc, score = cand, exact
        # Allocations the heuristics priced as low as the best one (not lower, so the moves
        # passed them by) but whose bound is lower than the best one's: the heuristics miss
        # some tight packings. Orders up to MOVE_UNITS units only: a big order's full packing
        # costs too much.
        near = [
            c for c in promising if not _better(heuristic, c[1]) and c[1].bound < heuristic.bound
        ]
        near.sort(key=lambda c: (-c[1].shipped, c[1].bound, c[1].cost))
        units = sum(ln.qty for ln in setup.lines)
        for cand, sc in near[: PROMISING if units <= MOVE_UNITS else 0]:
            if _at_relaxed_bound(setup, alloc, score, memo):
                break
            if sc.shipped >= score.shipped and sc.bound < score.cost:
                exact = _solve_to_beat(setup, cand, memo, score)
                if exact is not None and _better(exact, score):
                    alloc, score = cand, exact
    best = _plan_allocation(setup, alloc, memo)
    packages = best.packages
    if len(packages) == 1 and not best.unshippable:
        only = packages[0].reasons  # this call's own list
        if only:
            only[:] = [r for r in only if r.code == rs.LATE]
    notes = _dedup([*setup.notes, *best.notes]) if setup.notes or best.notes else []
    late = [p for p in packages if not p.on_time]
    if late and order.deliver_by is not None:
        notes.append(rs.late(order.deliver_by.isoformat()))
    return Plan(
        packages=packages,
        unshippable=best.unshippable,
        total_cost=best.cost,
        on_time=not late,
        notes=notes,
        single_parcel_cost=_single_parcel(setup, packages),
        segregation=setup.segregation,
        # proven only if no other allocation of units to warehouses could be cheaper either
        proven_optimal=best.proven
        and not (search and not _at_relaxed_bound(setup, alloc, score, memo)),
    )


def _single_parcel(setup: _Setup, packages: Sequence[PlannedPackage]) -> int | None:
    """The cost of shipping every planned unit as one parcel, when that is allowed at all."""
    if not packages:
        return None
    if len(packages) == 1:
        return packages[0].cost
    if len({p.address for p in packages}) > 1 or len({p.ship_on for p in packages}) > 1:
        return None
    items: dict[str, int] = {}
    for p in packages:
        for lid, q in p.items.items():
            items[lid] = items.get(lid, 0) + q
    by_id = setup.line_by_id
    if any(by_id[lid].alone is not None for lid in items) and sum(items.values()) > 1:
        return None
    if setup.ctx.stock_check and not any(
        all(w.available(by_id[lid].line.sku) >= q for lid, q in items.items())
        for w in setup.ctx.warehouses
    ):
        return None
    pricer = setup.pricer(packages[0].address, packages[0].ship_on)
    parts = [(by_id[lid], q) for lid, q in items.items()]
    group = _Group(packages[0].address, "", packages[0].ship_on, parts)
    # Each line keeps the channels its objective allows it alone (on time where possible).
    mask = -1
    for ln, _ in parts:
        # (``_restrict``'s channels; 0 where it finds none)
        mask &= _allowed_mask(setup, group, setup.unit_kind(ln, 1), pricer)
    whole = setup.kind(parts, 1)
    whole = Kind(
        whole.key,
        1,
        whole.weight,
        whole.volume,
        whole.units,
        whole.value,
        whole.tags,
        whole.dims,
        whole.chmask & mask,
        whole.caps,
    )
    if setup.why_not_one([whole], [1], pricer):
        return None
    cost = _single_cost(setup, [whole], pricer)
    return None if cost >= INF else cost


# ---- precheck ----------------------------------------------------------------------------


def precheck(order: Order, context: PlanningContext) -> SplitPrecheck:
    """can_split (may the seller split this order now?) and must_split (can it ship as one?)."""
    cannot: list[Reason] = []
    units = sum(order.unassigned_items().values())
    if units < 2:
        cannot.append(rs.too_few_units(units))
    holds = order.active_holds()
    cancel = [h for h in holds if h.reason is HoldReason.CANCELLATION_REQUEST]
    others = [h for h in holds if h.reason is not HoldReason.CANCELLATION_REQUEST]
    if cancel:
        cannot.append(rs.cancellation_requested())
    if others:
        cannot.append(rs.on_hold([f"{h.reason.value} {h.id}" for h in others]))
    status = order.status
    if status not in (OrderStatus.AWAITING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED) and not (
        status is OrderStatus.ON_HOLD and holds
    ):
        cannot.append(rs.order_status(status.value))
    if units == 0:
        return SplitPrecheck(not cannot, cannot, False, [])

    setup = _setup(order, context)
    must: list[Reason] = []
    addresses = {ln.address for ln in setup.lines}
    if len(addresses) > 1:
        must.append(
            rs.destination(
                ", ".join(sorted(a.country for a in addresses)),
                ", ".join(sorted(a.city for a in addresses)),
            )
        )
    if len({ln.ship_on for ln in setup.lines}) > 1:
        later = max(ln.ship_on for ln in setup.lines)
        must.append(rs.availability(later.isoformat()))
    if context.stock_check:
        today_lines = [ln for ln in setup.lines if ln.ship_on <= setup.today]
        need: dict[str, int] = {}
        for ln in today_lines:
            need[ln.line.sku] = need.get(ln.line.sku, 0) + ln.qty
        if need and not any(
            all(w.available(sku) >= q for sku, q in need.items()) for w in context.warehouses
        ):
            holders = sorted(
                {w.id for w in context.warehouses for sku in need if w.available(sku) > 0}
            )
            must.append(rs.stock_location(holders))
    alone = [ln for ln in setup.lines if ln.alone is not None]
    if alone and units > 1:
        seen: set[str] = set()
        for ln in alone:
            assert ln.alone is not None
            if ln.alone.id not in seen and (
                ln.qty > 1 or ln.alone.per == "line" or len(setup.lines) > 1
            ):
                seen.add(ln.alone.id)
                must.append(rs.rule(ln.alone.id, ln.alone.type))
    addr = setup.lines[0].address
    ship_on = setup.lines[0].ship_on
    pricer = setup.pricer(addr, ship_on)
    kind = setup.kind([(ln, ln.qty) for ln in setup.lines], 1)
    group = _Group(addr, "", ship_on, [(ln, ln.qty) for ln in setup.lines])
    restricted = _restrict(setup, group, kind, pricer) or kind
    must.extend(setup.why_not_one([restricted], [1], pricer))
    must = _dedup(must)
    return SplitPrecheck(not cannot, cannot, bool(must), must)


__all__ = ["Plan", "PlannedPackage", "SplitPrecheck", "Unshippable", "plan", "precheck"]
