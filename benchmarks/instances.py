"""Instance generators for the planner benchmark and tests. Fixed seeds, no I/O.

Family A — pure one-dimensional bin packing: one channel, flat price, a weight limit, no boxes.
  ``u``: weights uniform in [20, 100], capacity 150 (Falkenauer's "u" sets).
  ``t``: triplets that fill a bin of 1000 exactly (Falkenauer's "triplet" sets; optimum n/3).
Family B — realistic orders: a postal, an express (volumetric 5000), an economy (weight table,
  volumetric 6000) and a freight channel; four boxes; SKUs from 30 g to 8 kg, some tagged battery
  or liquid; 1, 2 or 4 warehouses with fragmented stock; tight or loose deadlines; pre-sale lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from splitship.domain.catalog import (
    Box,
    Channel,
    ChannelKind,
    ChannelLimits,
    Dimensions,
    SkuAttributes,
    StockLevel,
    TransitDays,
    Warehouse,
    ZoneRate,
)
from splitship.domain.eta import BusinessCalendar
from splitship.domain.order import Address, Order, OrderLine
from splitship.planning.context import PlanningContext
from splitship.planning.rules import RuleSet, load_rule_set

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
TZ = "Asia/Shanghai"
CALENDAR = BusinessCalendar(holidays=frozenset(), weekend=frozenset({5, 6}))
ADDRESS = Address("Buyer", "1 Main St", "Los Angeles", "US", region="CA", postal_code="90001")
GIFT_ADDRESS = Address("Friend", "9 Elm St", "Boston", "US", region="MA", postal_code="02108")


# ---- catalogue -----------------------------------------------------------------------------


def channel(
    cid: str,
    *,
    max_weight_g: int | None,
    rate: ZoneRate,
    transit: tuple[int, int] = (3, 5),
    divisor: int | None = None,
    step_g: int = 1,
    max_longest_side_mm: int | None = None,
    max_sum_of_sides_mm: int | None = None,
    max_items: int | None = None,
    max_declared_value: int | None = None,
    forbidden_tags: frozenset[str] = frozenset(),
    cutoff: time | None = time(17, 0),
) -> Channel:
    return Channel(
        id=cid,
        code=cid,
        name=cid,
        kind=ChannelKind.EXPRESS,
        carrier_code=None,
        service=cid,
        limits=ChannelLimits(
            max_weight_g=max_weight_g,
            max_longest_side_mm=max_longest_side_mm,
            max_sum_of_sides_mm=max_sum_of_sides_mm,
            max_items=max_items,
            max_declared_value=max_declared_value,
            forbidden_tags=forbidden_tags,
        ),
        zones={"*": "Z1", "US": "US", "US-CA": "US-W"},
        rates={"Z1": rate, "US": rate, "US-W": rate},
        transit={
            "Z1": TransitDays(*transit),
            "US": TransitDays(*transit),
            "US-W": TransitDays(*transit),
        },
        cutoff=cutoff,
        volumetric_divisor=divisor,
        weight_step_g=step_g,
    )


def realistic_channels(divisor: int = 5000) -> list[Channel]:
    return [
        channel(
            "postal",
            max_weight_g=2000,
            rate=ZoneRate(500, 420, 500, 160),
            transit=(6, 10),
            max_longest_side_mm=600,
            max_sum_of_sides_mm=900,
            forbidden_tags=frozenset({"battery"}),
            step_g=100,
        ),
        channel(
            "express",
            max_weight_g=30000,
            rate=ZoneRate(500, 900, 500, 260),
            transit=(2, 4),
            divisor=divisor,
            step_g=500,
            max_longest_side_mm=1200,
        ),
        channel(
            "economy",
            max_weight_g=20000,
            rate=ZoneRate(
                0,
                0,
                1,
                0,
                table=((1000, 640), (2000, 880), (5000, 1500), (10000, 2300), (20000, 3900)),
            ),
            transit=(5, 8),
            divisor=6000 if divisor == 5000 else 5000,
            step_g=100,
            max_longest_side_mm=1000,
        ),
        channel(
            "freight",
            max_weight_g=70000,
            rate=ZoneRate(10000, 4200, 1000, 210),
            transit=(4, 7),
            divisor=6000,
            step_g=1000,
            max_items=400,
        ),
    ]


def realistic_boxes() -> list[Box]:
    def box(bid: str, inner: tuple[int, int, int], tare: int, load: int) -> Box:
        outer = Dimensions(inner[0] + 10, inner[1] + 10, inner[2] + 10)
        return Box(bid, bid, Dimensions(*inner), outer, tare, load)

    return [
        box("S", (250, 180, 100), 80, 3000),
        box("M", (350, 280, 200), 180, 12000),
        box("L", (500, 400, 320), 350, 30000),
        box("XL", (700, 500, 450), 700, 70000),
    ]


def context(
    *,
    warehouses: list[Warehouse] | None = None,
    channels: list[Channel] | None = None,
    boxes: list[Box] | None = None,
    rules: RuleSet | None = None,
    allow_unit_split: bool = True,
    stock_check: bool = True,
) -> PlanningContext:
    return PlanningContext(
        warehouses=warehouses if warehouses is not None else [warehouse("W1", {})],
        channels=channels if channels is not None else realistic_channels(),
        boxes=boxes if boxes is not None else realistic_boxes(),
        rules=rules if rules is not None else RuleSet(),
        allow_unit_split=allow_unit_split,
        now=NOW,
        shop_tz=TZ,
        calendar=CALENDAR,
        stock_check=stock_check,
    )


def warehouse(wid: str, stock: dict[str, int], priority: int = 0) -> Warehouse:
    return Warehouse(
        id=wid,
        shop_id="shop",
        code=wid,
        name=wid,
        country="CN",
        priority=priority,
        stock={sku: StockLevel(on_hand=q) for sku, q in stock.items()},
    )


def order(
    lines: list[tuple[str, int, SkuAttributes]],
    *,
    deliver_by: date | None = None,
    gift: set[int] | None = None,
    oid: str = "o1",
) -> Order:
    """``lines``: (sku, quantity, attributes); line ids are L1, L2, ..."""
    return Order(
        id=oid,
        shop_id="shop",
        source="tiktok",
        external_id=oid,
        address=ADDRESS,
        lines=[
            OrderLine(
                id=f"L{i + 1}",
                sku=sku,
                name=sku,
                quantity=q,
                unit_price=1000,
                attributes=attrs,
                address=GIFT_ADDRESS if gift and i in gift else None,
            )
            for i, (sku, q, attrs) in enumerate(lines)
        ],
        created_at=NOW,
        deliver_by=deliver_by,
    )


# ---- family A ------------------------------------------------------------------------------


@dataclass
class Instance:
    name: str
    family: str
    order: Order
    context: PlanningContext
    meta: dict[str, object] = field(default_factory=dict)


def _bin_packing_instance(name: str, weights: list[int], capacity: int) -> Instance:
    counts: dict[int, int] = {}
    for w in weights:
        counts[w] = counts.get(w, 0) + 1
    lines = [
        (f"w{w}", n, SkuAttributes(weight_g=w)) for w, n in sorted(counts.items(), reverse=True)
    ]
    flat = channel(
        "flat",
        max_weight_g=capacity,
        rate=ZoneRate(capacity, 100, 1, 0),
        cutoff=None,
    )
    ctx = context(channels=[flat], boxes=[], stock_check=False)
    return Instance(
        name, "A", order(lines, oid=name), ctx, {"weights": weights, "capacity": capacity}
    )


def family_a(per_size: int, sizes: tuple[int, ...] = (120, 250, 500, 1000)) -> list[Instance]:
    out: list[Instance] = []
    for n in sizes:
        for k in range(per_size):
            rng = random.Random(f"u{n}-{k}")
            out.append(
                _bin_packing_instance(
                    f"u{n}_{k:02d}", [rng.randint(20, 100) for _ in range(n)], 150
                )
            )
    for n in (60, 120, 249, 501):
        if n > max(sizes) + 1:
            continue
        for k in range(per_size):
            rng = random.Random(f"t{n}-{k}")
            weights: list[int] = []
            for _ in range(n // 3):
                a = rng.randint(380, 490)
                b = rng.randint(250, (1000 - a) // 2)
                weights += [a, b, 1000 - a - b]
            rng.shuffle(weights)
            out.append(_bin_packing_instance(f"t{n}_{k:02d}", weights, 1000))
    return out


# ---- family B ------------------------------------------------------------------------------


def random_sku(rng: random.Random, idx: int, tag_share: float, presale: float) -> SkuAttributes:
    weight = int(30 * (8000 / 30) ** rng.random())  # log-uniform 30 g .. 8 kg
    scale = (weight / 1000) ** (1 / 3)
    sides = sorted(
        (
            max(20, int(rng.uniform(80, 260) * scale)),
            max(15, int(rng.uniform(60, 200) * scale)),
            max(10, int(rng.uniform(20, 120) * scale)),
        ),
        reverse=True,
    )
    tags: frozenset[str] = frozenset()
    if rng.random() < tag_share:
        tags = frozenset({rng.choice(["battery", "liquid"])})
    available = None
    if rng.random() < presale:
        available = NOW.date() + timedelta(days=rng.randint(1, 20))
    return SkuAttributes(
        weight_g=weight,
        dimensions=Dimensions(*sides),
        tags=tags,
        category=rng.choice(["toys", "home", "beauty", "tools"]),
        declared_value=rng.randint(200, 8000),
        available_from=available,
    )


SEGREGATE = load_rule_set(
    {
        "rules": [
            {"id": "seg", "type": "tag_segregation", "params": {"groups": [["battery", "liquid"]]}},
            {"id": "handling", "type": "handling_cost", "params": {"per_package": 80}},
        ]
    }
)


def realistic(
    rng: random.Random,
    name: str,
    units: int,
    *,
    tag_share: float,
    warehouses: int,
    divisor: int,
    tight: bool,
    presale: float,
) -> Instance:
    n_lines = max(1, min(units, rng.randint(1, max(1, units // 3 + 2))))
    qty = [1] * n_lines
    for _ in range(units - n_lines):
        qty[rng.randrange(n_lines)] += 1
    lines = [(f"S{name}-{i}", q, random_sku(rng, i, tag_share, presale)) for i, q in enumerate(qty)]
    whs: list[Warehouse] = []
    for w in range(warehouses):
        stock: dict[str, int] = {}
        for sku, q, _ in lines:
            if w == 0 or rng.random() < 0.6:
                # fragmented: the first warehouse has most, others fill gaps
                stock[sku] = q if (w == 0 and rng.random() < 0.8) else rng.randint(0, q)
        whs.append(warehouse(f"W{w + 1}", stock, priority=w))
    # make sure every unit exists somewhere
    for sku, q, _ in lines:
        total = sum(wh.available(sku) for wh in whs)
        if total < q:
            whs[-1].stock[sku] = StockLevel(on_hand=whs[-1].available(sku) + q - total)
    deliver_by = NOW.date() + timedelta(days=7 if tight else 21)
    ctx = context(warehouses=whs, channels=realistic_channels(divisor), rules=SEGREGATE)
    return Instance(
        name,
        "B",
        order(lines, deliver_by=deliver_by, oid=name),
        ctx,
        {"units": units, "tag_share": tag_share, "warehouses": warehouses},
    )


def family_b(count: int, size: str, seed: int = 7) -> list[Instance]:
    """``size``: "small" (1-5 units), "medium" (10-30), "large" (50-200)."""
    low, high = {"small": (1, 5), "medium": (10, 30), "large": (50, 200)}[size]
    rng = random.Random(f"B-{size}-{seed}")
    out = []
    for k in range(count):
        out.append(
            realistic(
                rng,
                f"{size}{k:03d}",
                rng.randint(low, high),
                tag_share=rng.choice([0.0, 0.1, 0.3]),
                warehouses=rng.choice([1, 2, 4]),
                divisor=rng.choice([5000, 6000]),
                tight=rng.random() < 0.5,
                presale=rng.choice([0.0, 0.0, 0.15]),
            )
        )
    return out
