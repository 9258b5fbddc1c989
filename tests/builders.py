"""Small builders of domain objects for unit tests (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

from splitship.domain.catalog import (
    Box,
    Channel,
    ChannelKind,
    ChannelLimits,
    Dimensions,
    SkuAttributes,
    TransitDays,
    ZoneRate,
)
from splitship.domain.order import Address, Order, OrderLine

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
HOME = Address(name="Ada Buyer", line1="1 Main St", city="Austin", country="US", region="TX")
GIFT = Address(name="Bob Friend", line1="9 Elm St", city="Boston", country="US", region="MA")


def attrs(weight_g: int = 500, tags: tuple[str, ...] = (), **kw: object) -> SkuAttributes:
    return SkuAttributes(weight_g=weight_g, tags=frozenset(tags), **kw)  # type: ignore[arg-type]


def order(*lines: tuple[str, int] | tuple[str, int, SkuAttributes], order_id: str = "o1") -> Order:
    built = []
    for i, spec in enumerate(lines, start=1):
        sku, qty = spec[0], spec[1]
        a = spec[2] if len(spec) > 2 else attrs()  # type: ignore[misc]
        built.append(OrderLine(f"L{i}", sku, sku, qty, 1000, a))  # type: ignore[arg-type]
    return Order(
        id=order_id,
        shop_id="s1",
        source="test",
        external_id=f"EXT-{order_id}",
        address=HOME,
        lines=built,
        created_at=NOW,
        tracking_token="tok",
    )


def channel(
    max_weight_g: int | None = 2000,
    forbidden: tuple[str, ...] = (),
    kind: ChannelKind = ChannelKind.POSTAL,
    max_items: int | None = None,
    requires_tracking: bool = True,
) -> Channel:
    return Channel(
        id="ch-post",
        code="post",
        name="Post",
        kind=kind,
        carrier_code="china_post",
        service="standard",
        limits=ChannelLimits(
            max_weight_g=max_weight_g, forbidden_tags=frozenset(forbidden), max_items=max_items
        ),
        zones={"*": "world"},
        rates={"world": ZoneRate(500, 800, 500, 300)},
        transit={"world": TransitDays(5, 9)},
        requires_tracking=requires_tracking,
    )


def box(max_load_g: int = 5000) -> Box:
    return Box(
        "b1", "Medium", Dimensions(300, 200, 150), Dimensions(310, 210, 160), 150, max_load_g
    )
